"""Competency frameworks are data, not code: versioned JSON files, validated when loaded.

A cohort names a framework key ("<id>@<version>"); every claim of that cohort stays pinned to it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from .errors import FrameworkError, NotFound
from .models import Framework


def parse_framework(raw: str | bytes, *, source: str = "framework") -> Framework:
    """Validate one framework file. Errors name the element that is wrong, e.g. 'domains[1].elements[2] (2.3)'."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_where(data, err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise FrameworkError(f"{source}: " + "; ".join(problems), details=problems) from None
    seen: set[str] = set()
    for domain in framework.domains:
        for element in domain.elements:
            if element.id in seen:
                raise FrameworkError(f"{source}: element {element.id} appears twice")
            if element.id.split(".")[0] != domain.id:
                raise FrameworkError(
                    f"{source}: element {element.id} ('{element.title}') sits in domain {domain.id}; "
                    f"its id must start with '{domain.id}.'"
                )
            if not element.levels:
                raise FrameworkError(f"{source}: element {element.id} applies to no level")
            seen.add(element.id)
    return framework


def _where(data: object, loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location, adding the element's id where the data has one."""
    parts: list[str] = []
    node: object = data
    for step in loc:
        parts.append(f"[{step}]" if isinstance(step, int) else (f".{step}" if parts else str(step)))
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            node = None
        if isinstance(node, dict) and "id" in node and isinstance(step, int):
            parts.append(f" (element {node['id']})" if "description" in node else f" (domain {node['id']})")
    return "".join(parts)


def _files() -> list[Path]:
    folder = resources.files("odvalidation") / "frameworks"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


@cache
def all_frameworks() -> dict[str, Framework]:
    found: dict[str, Framework] = {}
    for path in _files():
        framework = parse_framework(path.read_bytes(), source=path.name)
        if path.stem != framework.key:
            raise FrameworkError(f"{path.name}: file name must be '{framework.key}.json'")
        found[framework.key] = framework
    return found


def framework(key: str) -> Framework:
    try:
        return all_frameworks()[key]
    except KeyError:
        raise NotFound(
            f"There is no framework '{key}'. Known: {', '.join(sorted(all_frameworks()))}."
        ) from None
