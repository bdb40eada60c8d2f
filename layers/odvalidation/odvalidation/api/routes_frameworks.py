"""The competency frameworks, public: a client learns the elements a claim is made against from here,
not from error messages. Frameworks are data (domain/frameworks), versioned; a claim stays pinned to
the version it began with."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict

from ..domain.errors import NotFound
from ..domain.frameworks import all_frameworks
from ..domain.models import Framework

router = Router()
FrameworkKey = Annotated[str, Path(min_length=3, max_length=80, pattern=r"^[a-z0-9-]+@\d+\.\d+$")]


class FrameworkSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    key: str
    title: str
    version: str
    elements: int


class FrameworkList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    frameworks: list[FrameworkSummary]


@router.get("/api/public/frameworks", tags=["Frameworks"], summary="Every framework version")
def list_frameworks() -> FrameworkList:
    return FrameworkList(
        frameworks=[
            FrameworkSummary(key=key, title=f.title, version=f.version, elements=len(f.elements))
            for key, f in sorted(all_frameworks().items())
        ]
    )


@router.get(
    "/api/public/frameworks/<key>",
    tags=["Frameworks"],
    summary="One framework version: its domains and elements, with the levels each element is for",
)
def get_framework(key: FrameworkKey) -> Framework:
    found = all_frameworks().get(key)
    if found is None:
        raise NotFound(f"There is no framework '{key}'. GET /api/public/frameworks lists them.")
    return found
