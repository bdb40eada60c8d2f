"""Package size: each function with its layers, unzipped, against Lambda's 250 MB limit.

Each layer (template.yaml's LayerVersions) is exactly the packages `sam build` installs for it (its
folder's requirements.txt, exported from the lock and installed with --no-deps, see layers/layer.mk),
plus the odvalidation package for the domain layer, each with the bytecode the build compiles. A
function's package is its folder (its entry point). Sizes are the installed files of each distribution
in .venv (importlib.metadata's RECORD), so nothing is downloaded; .venv holds x86_64 wheels, arm64 wheels
of the same versions are of a similar size (pydantic-core, cryptography and Pillow are the compiled ones
of note). `sam build` here measured the domain layer 24.9 MiB, the token layer 16.3, the PDF layer 53.9.
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
    """The domain layer's packages (kept under this name for the benchmark's smoke test)."""
    return requirement_sizes(ROOT / "layers" / "odvalidation" / "requirements.txt", with_bytecode=True)


def folder_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def layer_sizes() -> dict[str, tuple[int, dict[str, int]]]:
    """Logical id -> (unzipped bytes, bytes by part) of each layer in template.yaml."""
    from local.deploy import load_template

    out: dict[str, tuple[int, dict[str, int]]] = {}
    for logical_id, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::LayerVersion":
            continue
        folder = ROOT / str(resource["Properties"]["ContentUri"]).strip("/")
        parts = requirement_sizes(folder / "requirements.txt", with_bytecode=True)
        if (folder / "odvalidation").is_dir():
            # The package, its templates and frameworks, and the NHS.UK static files once copied.
            package = folder_bytes(folder / "odvalidation")
            parts["odvalidation (the package)"] = package + sum(
                bytecode_bytes(p) for p in (folder / "odvalidation").rglob("*.py")
            )
        out[logical_id] = (sum(parts.values()), parts)
    return out


def function_layers() -> dict[str, list[str]]:
    """Function folder -> the layers it loads (the Globals' first, then its own, as SAM appends)."""
    from local.deploy import load_template

    template = load_template()
    shared = [ref["Ref"] for ref in template["Globals"]["Function"].get("Layers", [])]
    return {
        str(r["Properties"]["CodeUri"]).strip("/").split("/")[-1]: shared
        + [ref["Ref"] for ref in r["Properties"].get("Layers", [])]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }


def run() -> Section:
    section = Section(
        "8. Package size",
        intro=(
            "Unzipped bytes. Lambda's 250 MB limit counts a function and all its layers together. Every "
            "function loads the domain layer: the `odvalidation` package (with its templates, frameworks "
            "and the NHS.UK frontend's static files when `make assets` has copied them) and the locked "
            "packages of `layers/odvalidation/requirements.txt` (installed with --no-deps: boto3 and "
            "botocore come with the runtime). The token layer (PyJWT, cryptography) goes only to api, web "
            "and issue_certificate, the PDF layer (fpdf2, fonttools, Pillow, segno) only to "
            "issue_certificate. Each layer counts the bytecode it ships (a read-only /opt cannot cache it, "
            "so without it every cold start would compile every module it imports); a function's own "
            "package is its entry point alone."
        ),
    )
    layers = layer_sizes()
    domain = layers["DomainLayer"][0]
    section.add(
        "Domain layer (every function loads it), unzipped",
        f"{domain / MB:.1f} MB",
        f"<= {LAYER_TARGET_MB:.0f} MB",
        domain / MB <= LAYER_TARGET_MB,
    )
    loads = function_layers()
    totals = {
        name: folder_bytes(ROOT / "functions" / name) + sum(layers[layer][0] for layer in loads[name])
        for name in sorted(loads)
    }
    biggest = max(totals, key=lambda name: totals[name])
    section.add(
        f"Largest function with its layers ({biggest}), unzipped",
        f"{totals[biggest] / MB:.1f} MB",
        f"<= {LAMBDA_LIMIT_MB:.0f} MB",
        totals[biggest] / MB <= LAMBDA_LIMIT_MB,
    )
    section.table(
        "Functions",
        ["Function", "Its folder", "Layers", "With its layers"],
        [
            [
                name,
                f"{folder_bytes(ROOT / 'functions' / name) / MB:.2f} MB",
                ", ".join(loads[name]),
                f"{totals[name] / MB:.1f} MB",
            ]
            for name in sorted(loads)
        ],
    )
    for logical_id, (total, parts) in layers.items():
        rows = [[part, f"{size / MB:.2f} MB"] for part, size in sorted(parts.items(), key=lambda kv: -kv[1])]
        section.table(f"{logical_id}: {total / MB:.1f} MB, by distribution", ["Part", "Installed size"], rows)
    return section


if __name__ == "__main__":
    from .common import render

    print(render(run()))
