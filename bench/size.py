"""Package size: each function's folder and the layer, unzipped, against Lambda's 250 MB limit.

The layer is the odvalidation package plus exactly the packages `sam build` installs for it
(layers/odvalidation/requirements.txt, exported from the lock and installed with --no-deps); a
function's package is its folder plus its own requirements.txt, if any (the certificate function's
PDF stack). Sizes are the installed files of each distribution in .venv (importlib.metadata's RECORD), so
nothing is downloaded; .venv holds x86_64 wheels, arm64 wheels of the same versions are of a
similar size (pydantic-core and cryptography are the only compiled ones of note).
"""

from __future__ import annotations

import marshal
import re
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


def bytecode_bytes(source: Path) -> int:
    """What `compileall --invalidation-mode unchecked-hash` writes for one module: a 16-byte header
    and the marshalled code object (the layer ships these; see layers/odvalidation/Makefile)."""
    try:
        code = compile(source.read_bytes(), str(source), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):  # a file compileall would skip too
        return 0
    return 16 + len(marshal.dumps(code))


def requirement_sizes(requirements: Path, *, with_bytecode: bool = False) -> dict[str, int]:
    """Distribution name -> installed bytes, for each package a requirements file lists (and, with
    `with_bytecode`, the compiled .pyc of each of its modules)."""
    if not requirements.exists():
        return {}
    sizes: dict[str, int] = {}
    for line in requirements.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, marker = _requirement_name(line)
        if not _marker_applies(marker, set()):
            continue
        dist = metadata.distribution(name)
        files = [f for f in (dist.files or []) if not str(f).endswith(".pyc")]
        sizes[name] = sum((f.size or 0) for f in files)
        if with_bytecode:
            sizes[name] += sum(bytecode_bytes(Path(str(f.locate()))) for f in files if str(f).endswith(".py"))
    return sizes


def runtime_closure() -> dict[str, int]:
    """The layer's packages (kept under this name for the benchmark's smoke test)."""
    return requirement_sizes(ROOT / "layers" / "odvalidation" / "requirements.txt", with_bytecode=True)


def function_bytes(folder: Path) -> int:
    return folder_bytes(folder) + sum(requirement_sizes(folder / "requirements.txt").values())


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
            "`make assets` has copied them) plus the packages of `layers/odvalidation/requirements.txt` "
            "(exported from the lock, installed with --no-deps: boto3 and botocore come with the runtime), "
            "each with the compiled bytecode the layer ships (a read-only /opt cannot cache it, so without "
            "it every cold start would compile every module it imports). "
            "A function's own packages (the certificate function's PDF stack) count with its folder."
        ),
    )
    package_dir = ROOT / "layers" / "odvalidation"
    package = folder_bytes(package_dir) + sum(
        bytecode_bytes(p) for p in (package_dir / "odvalidation").rglob("*.py")
    )
    deps = runtime_closure()
    layer = package + sum(deps.values())
    section.add(
        "Layer, unzipped",
        f"{layer / MB:.1f} MB",
        f"<= {LAYER_TARGET_MB:.0f} MB",
        layer / MB <= LAYER_TARGET_MB,
    )
    functions = sorted(p for p in (ROOT / "functions").iterdir() if (p / "app.py").exists())
    biggest = max(function_bytes(p) for p in functions)
    total = (biggest + layer) / MB
    section.add(
        "Largest function + layer, unzipped",
        f"{total:.1f} MB",
        f"<= {LAMBDA_LIMIT_MB:.0f} MB",
        total <= LAMBDA_LIMIT_MB,
    )
    section.table(
        "Functions (their folder and own packages)",
        ["Function", "Folder", "With the layer"],
        [
            [p.name, f"{function_bytes(p) / MB:.2f} MB", f"{(function_bytes(p) + layer) / MB:.1f} MB"]
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
