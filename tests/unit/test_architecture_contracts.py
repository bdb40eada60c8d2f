"""The architecture's import contracts ([tool.importlinter] in pyproject.toml, run by `make contracts`)
can fail: each is run on a copy of the product with one import added that a careless change could add,
and must report that contract broken. The untouched copy keeps every contract, so what breaks is the
added import and nothing about the copy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGE = Path("layers/odvalidation/odvalidation")


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product's Python files (odvalidation and functions) and the config, copied; local/, bench/
    and tests/ only as the packages the contracts name."""
    copy = tmp_path_factory.mktemp("product")
    for top in (PACKAGE, Path("functions")):
        for source in (ROOT / top).rglob("*.py"):
            target = copy / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for package in ("local", "bench", "tests"):
        (copy / package).mkdir()
        (copy / package / "__init__.py").write_text("")
    shutil.copyfile(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the editable install of the real package.
    path = os.pathsep.join([str(tree), str(tree / "layers/odvalidation")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def with_import(product: Path, tmp_path: Path, module: str, statement: str) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(product, tree)
    file = tree / module
    file.write_text(file.read_text() + f"\n{statement}\n")
    return tree


def test_the_product_keeps_every_contract(product: Path) -> None:
    result = lint_imports(product)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        pytest.param(
            PACKAGE / "domain/models/journey.py",
            "import boto3",
            "Domain and certificates are rules",
            id="domain-imports-boto3",
        ),
        pytest.param(
            PACKAGE / "certificates/pdf.py",
            "from botocore.exceptions import ClientError",
            "Domain and certificates are rules",
            id="certificates-import-botocore",
        ),
        pytest.param(
            PACKAGE / "domain/journey.py",
            "from ..services import common",
            # ... and through services, the environment (settings) and the AWS SDK; and services
            # import domain, so the two packages would import each other.
            ("Layers", "Domain and certificates are rules", "No other cycle"),
            id="domain-imports-services",
        ),
        pytest.param(
            PACKAGE / "dal/store.py",
            "from ..services import common",
            ("Layers", "No other cycle"),
            id="dal-imports-services",
        ),
        pytest.param(
            PACKAGE / "api/routes_journeys.py",
            "from ..web import pages",
            "Layers",
            id="api-imports-web",
        ),
        pytest.param(
            PACKAGE / "clock.py",
            "from .dal import store",
            # ... and domain, which reads the clock, would reach the AWS SDK through it.
            ("Shared modules", "Layers", "Domain and certificates are rules", "No other cycle"),
            id="clock-imports-dal",
        ),
        pytest.param(
            PACKAGE / "services/common.py",
            "from . import reports",
            "No cycle among service modules",
            id="a-new-service-cycle",
        ),
        pytest.param(
            PACKAGE / "domain/panels/models.py",
            "from . import reasons",
            "No other cycle",
            id="a-cycle-inside-the-panel-solver",
        ),
        pytest.param(
            PACKAGE / "web/render.py",
            "from . import site",
            "No other cycle",
            id="a-new-web-cycle",
        ),
        pytest.param(
            PACKAGE / "web/request.py",
            "from . import site",
            "No other cycle",
            id="the-request-module-imports-the-site-back",
        ),
        pytest.param(
            Path("functions/notify/app.py"),
            "import local.stack",
            "Product code never imports",
            id="function-imports-local",
        ),
        pytest.param(
            PACKAGE / "web/render.py",
            "import bench",
            "Product code never imports",
            id="web-imports-bench",
        ),
    ],
)
def test_a_broken_contract_fails_the_check(
    product: Path, tmp_path: Path, module: Path, statement: str, broken: str | tuple[str, ...]
) -> None:
    expected = (broken,) if isinstance(broken, str) else broken
    result = lint_imports(with_import(product, tmp_path, str(module), statement))
    assert result.returncode != 0
    report = result.stdout.split("Broken contracts", 1)[-1]
    for name in expected:
        assert name in report, result.stdout[-3000:]
    assert f"{len(expected)} broken" in result.stdout, result.stdout[-3000:]
