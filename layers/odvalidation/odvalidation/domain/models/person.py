"""A signed-in user's profile."""

# No `from __future__ import annotations`: see models/__init__.py.

from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model, ShortText


class Person(Model):
    """A signed-in user's profile. `id` is the Cognito `sub`."""

    id: Id
    name: ShortText
    email: Annotated[
        str, StringConstraints(max_length=254, pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$")
    ]
    employer: ShortText | None = None
    academy_id: Id | None = None
    # The people in this person's line-management chain (ids), nearest first.
    line_managers: list[Id] = Field(default_factory=list)
