"""An academy: reference data every journey points at."""

# No `from __future__ import annotations`: see models/__init__.py.

from ..basics import Id, Model, ShortText


class Academy(Model):
    id: Id
    name: ShortText
    region: ShortText
