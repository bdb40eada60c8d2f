# The two commands a newcomer needs: `make dev` and `make test`. Everything else installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON313 ?= $(shell command -v python3.13 2>/dev/null || echo "$$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python3.13")
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export XDG_CACHE_HOME ?= $(CURDIR)/.cache
# Python keeps compiled modules (__pycache__, ignored by git) even where the shell says not to: make test
# starts a dozen interpreters (test workers, the stack's subprocesses, fresh-interpreter import checks),
# and without the cache each one compiles every module it imports again (unit tests: 49 -> 42 s).
unexport PYTHONDONTWRITEBYTECODE
STATIC := layers/odvalidation/odvalidation/web/static

.PHONY: help install assets dev demo test test-steps test-unit test-stack test-bench-smoke static-checks lint contracts typecheck template-check security bench chromium clean layer-requirements openapi

help:
	@echo "make dev    start the local stack on 127.0.0.1 with demo data"
	@echo "make test   lint, type check, template and state machine checks, and every test"
	@echo "make demo   walk one practitioner through all six steps on a running local stack"
	@echo "make bench  run the benchmarks and write docs/performance.md"

$(BIN)/python:
	@test -x "$(PYTHON313)" || { echo "Python 3.13 is needed (looked for $(PYTHON313))"; exit 1; }
	"$(PYTHON313)" -m venv $(VENV)

$(VENV)/.synced: $(BIN)/python pyproject.toml uv.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9 2>&1 | grep -v "is ignored" || true
	$(BIN)/uv sync --locked --quiet --compile-bytecode
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

# NHS.UK frontend's compiled CSS, JS and icons, copied where the web function serves them from.
# The stylesheet names its icons url(/assets/...), which leaves API Gateway's stage (/v1/): made
# relative to the stylesheet (/v1/static/x.css -> ../assets/), they work under any base path.
# (tests/unit/test_base_path.py fails if a root-absolute url() is left.)
$(STATIC)/.built: node_modules/.installed Makefile
	rm -rf $(STATIC) && mkdir -p $(STATIC)/assets
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js $(STATIC)/
	sed -i -E 's#url\((["'"'"']?)/assets/#url(\1../assets/#g' $(STATIC)/nhsuk-frontend.min.css
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets/. $(STATIC)/assets/
	@touch $@

install: $(VENV)/.synced $(STATIC)/.built

assets: $(STATIC)/.built

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

dev: install
	$(BIN)/python -m local

demo: install
	$(BIN)/python -m local.demo

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The architecture's import contracts ([tool.importlinter] in pyproject.toml): layers, rules without AWS,
# no cycle among services, product code apart from local/, bench/ and tests/.
contracts: $(VENV)/.synced
	$(BIN)/lint-imports

typecheck: $(VENV)/.synced
	$(BIN)/mypy layers/odvalidation/odvalidation functions local bench/*.py

# cfn-lint with its informational rules too (I3011: stateful resources say what happens on delete);
# the state machine is checked by an independent ASL validator besides tools/make_asl.py's own checks
# (cfn-lint does not open the file behind DefinitionUri).
template-check: $(VENV)/.synced node_modules/.installed
	$(BIN)/cfn-lint --include-checks I --non-zero-exit-code informational -- template.yaml
	$(BIN)/python tools/make_asl.py --check
	node_modules/.bin/asl-validator --json-path statemachine/journey.asl.json

security: $(VENV)/.synced
	$(BIN)/python tools/security_checks.py

# make test times itself, install excluded (bench/testtime.py; `make bench` reports the last run).
test: install chromium
	@$(BIN)/python -m bench.testtime start
	@$(MAKE) --no-print-directory test-steps
	@$(BIN)/python -m bench.testtime stop

# The static checks are single-threaded (mypy, cfn-lint, checkov...): two at a time, with each one's
# output kept together.
static-checks: lint contracts typecheck template-check security

# pytest without scanning every installed package for plugins (about a second of CPU per process, and
# there are nine): the plugins the suites use are named. schemathesis runs the API fuzzing (e2e).
PYTEST := PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(BIN)/pytest -p xdist.plugin -p _hypothesis_pytestplugin

# One phase after another, each on both cores. Measured on 2 cores (issue 19): running the three test
# suites at once took as long as one after another (518 s against 521 s) for a fifth more CPU, and with
# every core busy the tests' waits on the workflow stretch. moto's in-process mock (unit tests) and a
# running local stack cannot share a process, so unit and stack-backed tests are separate runs; each
# stack-backed worker (stack tests, browser tests) has its own local stack, and a test module stays on
# one worker (loadfile). Two exceptions, each measured side by side: the static checks run beside the
# unit tests (half their time is a wait: pip-audit asks the network; 48 -> 46 s and 55 -> 51 s, and a
# lint error still shows first), and the benchmarks' smoke, which mostly waits on its one journey
# (under half a core), runs beside the stack-backed tests (those 114 s alone, 120 s with it).
test-steps:
	@$(MAKE) --no-print-directory -j3 --output-sync=target static-checks test-unit
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-stack test-bench-smoke
	$(PYTEST) -n 2 --dist loadfile -q tests/browser

test-unit:
	$(PYTEST) -n 2 -q tests/unit

test-stack:
	$(PYTEST) -p schemathesis.pytest.plugin -n 3 --dist loadfile -q tests/integration tests/e2e

# The benchmarks' smoke loads bulk data and meters every call: a stack of its own.
test-bench-smoke:
	$(PYTEST) -q tests/bench

bench: install
	$(BIN)/python -m bench

# The layers install their packages from these files (sam build, layers/layer.mk); all are exported from
# the lock. boto3/botocore come with the Lambda runtime. Packages only some functions need travel in a
# layer of their own, loaded by those functions alone rather than by every function: the token and
# signature stack (pyjwt, cryptography: 15 MB) for api, web and issue_certificate, and the PDF stack
# (fpdf2, fonttools, Pillow: 47 MB) for issue_certificate alone.
RUNTIME_PROVIDED := ^(boto3|botocore|s3transfer|jmespath|python-dateutil|six|urllib3)==
PDF_ONLY := ^(fpdf2|segno|fonttools|pillow|defusedxml)==
CRYPTO_ONLY := ^(pyjwt|cryptography|cffi|pycparser)==
EXPORT = $(BIN)/uv export --frozen --no-dev --no-hashes --no-emit-project --no-header --no-annotate
HEADER = \# Exported from uv.lock by 'make layer-requirements' (a test checks it). Installed with --no-deps.
layer-requirements: $(VENV)/.synced
	{ echo "$(HEADER)"; \
	  $(EXPORT) | grep -vE "$(RUNTIME_PROVIDED)" | grep -vE "$(PDF_ONLY)" | grep -vE "$(CRYPTO_ONLY)"; \
	} > layers/odvalidation/requirements.txt
	{ echo "$(HEADER)"; $(EXPORT) | grep -E "$(CRYPTO_ONLY)"; } > layers/tokens/requirements.txt
	{ echo "$(HEADER)"; $(EXPORT) | grep -E "$(PDF_ONLY)"; } > layers/pdf/requirements.txt

# docs/openapi.json is generated from the routes; tests/unit/test_openapi.py fails when it drifts.
openapi: $(VENV)/.synced
	$(BIN)/python -c "from odvalidation.api.app import openapi_json; open('docs/openapi.json', 'w').write(openapi_json() + '\n')"

clean:
	rm -rf $(VENV) node_modules $(STATIC) .cache .pytest_cache .mypy_cache .ruff_cache .aws-sam
