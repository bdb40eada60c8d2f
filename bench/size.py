"""Package size: each function's folder and the layer, unzipped, against Lambda's 250 MB limit.

The layer is the odvalidation package plus its runtime dependencies as `sam build` would install
them: the [project] dependencies of pyproject.toml and everything they require, minus boto3 and
botocore (the python3.13 runtime provides them; their own requirements are not followed either).
Sizes are the installed files of each distribution in .venv (importlib.metadata's RECORD), so
nothing is downloaded; .venv holds x86_64 wheels, arm64 wheels of the same versions are of a
similar size (pydantic-core and cryptography are the only compiled ones of note).
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from .common import ROOT, Section

LAMBDA_LIMIT_MB = 250.0
LAYER_TARGET_MB = 30.0
PROVIDED = {"boto3", "botocore"}
MB = 1024 * 1024


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> tuple[str, str | None]:
    """The distribution name and the environment marker (if any) of a requirement string."""
    name = re.split(r"[\s\[<>=!~;(]", spec.strip(), maxsplit=1)[0]
    marker = spec.split(";", 1)[1].strip() if ";" in spec else None
    return _norm(name), marker


def _marker_applies(marker: str | None, extras: set[str]) -> bool:
    if marker is None:
        return True
    try:
        from packaging.markers import Marker
    except ImportError:  # pragma: no cover - packaging is in every venv with pip
        return "extra" not in marker
    env = {"extra": ""}
    if "extra" in marker:
        return any(Marker(marker).evaluate({"extra": e}) for e in extras)
    return bool(Marker(marker).evaluate(env))


def runtime_closure() -> dict[str, int]:
    """Distribution name -> installed bytes, for the layer's dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo: list[tuple[str, set[str]]] = []
    for spec in project["dependencies"]:
        name, _ = _requirement_name(spec)
        extras = set(re.findall(r"\[([^\]]+)\]", spec.split(";")[0]))
        todo.append((name, {e.strip() for x in extras for e in x.split(",")}))
    seen: dict[str, int] = {}
    while todo:
        name, extras = todo.pop()
        if name in PROVIDED or name in seen:
            continue
        dist = metadata.distribution(name)
        seen[name] = sum((f.size or 0) for f in (dist.files or []) if not str(f).endswith(".pyc"))
        for req in dist.requires or []:
            req_name, marker = _requirement_name(req)
            if _marker_applies(marker, extras):
                req_extras = set(re.findall(r"\[([^\]]+)\]", req.split(";")[0]))
                todo.append((req_name, {e.strip() for x in req_extras for e in x.split(",")}))
    return seen


def folder_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def run() -> Section:
    section = Section(
        "5. Package size",
        intro=(
            "Unzipped bytes. A function's deployed size is its folder plus the layer (Lambda's 250 MB "
            "limit counts the function and all its layers together). The layer is the `odvalidation` "
            "package (with its templates, frameworks and the NHS.UK frontend's static files when "
            "`make assets` has copied them) plus the runtime dependencies of `pyproject.toml` and "
            "everything they require, minus boto3 and botocore, which the runtime provides."
        ),
    )
    package = folder_bytes(ROOT / "layers" / "odvalidation")
    deps = runtime_closure()
    layer = package + sum(deps.values())
    section.add(
        "Layer, unzipped",
        f"{layer / MB:.1f} MB",
        f"<= {LAYER_TARGET_MB:.0f} MB",
        layer / MB <= LAYER_TARGET_MB,
    )
    functions = sorted(p for p in (ROOT / "functions").iterdir() if (p / "app.py").exists())
    biggest = max(folder_bytes(p) for p in functions)
    total = (biggest + layer) / MB
    section.add(
        "Largest function + layer, unzipped",
        f"{total:.1f} MB",
        f"<= {LAMBDA_LIMIT_MB:.0f} MB",
        total <= LAMBDA_LIMIT_MB,
    )
    section.table(
        "Functions (their own folder)",
        ["Function", "Folder", "With the layer"],
        [
            [p.name, f"{folder_bytes(p) / 1024:.1f} KB", f"{(folder_bytes(p) + layer) / MB:.1f} MB"]
            for p in functions
        ],
    )
    rows = [["odvalidation (the package)", f"{package / MB:.2f} MB"]]
    rows += [[name, f"{size / MB:.2f} MB"] for name, size in sorted(deps.items(), key=lambda kv: -kv[1])]
    section.table("The layer, by distribution", ["Distribution", "Installed size"], rows)
    return section


if __name__ == "__main__":
    from .common import render

    print(render(run()))
