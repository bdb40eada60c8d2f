"""A validation framework: its domains and elements, the standard a claim is judged against."""

# No `from __future__ import annotations`: see models/__init__.py.

from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model, ShortText
from .enums import Level


class FrameworkElement(Model):
    id: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    title: ShortText
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    # Which levels must evidence this element: some elements are only expected of leaders.
    levels: list[Level] = Field(default_factory=lambda: [Level.LEADER, Level.PRACTITIONER])


class FrameworkDomain(Model):
    id: Annotated[str, StringConstraints(pattern=r"^\d+$")]
    title: ShortText
    elements: list[FrameworkElement] = Field(min_length=1)


class Framework(Model):
    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
    title: ShortText
    summary: Annotated[str, StringConstraints(max_length=2000)]
    domains: list[FrameworkDomain] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def elements(self) -> list[FrameworkElement]:
        return [e for d in self.domains for e in d.elements]

    def element(self, element_id: str) -> FrameworkElement | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def elements_for(self, level: Level) -> list[FrameworkElement]:
        return [e for e in self.elements if level in e.levels]
