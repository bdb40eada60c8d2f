# How each layer is built. `sam build` runs `make build-<LogicalId>` (BuildMethod: makefile) in a copy
# of the layer's folder, with ARTIFACTS_DIR set; each layer's Makefile includes this file.
#
# pip installs exactly the layer's locked list (requirements.txt, exported from uv.lock) with --no-deps,
# so nothing the Lambda runtime already has (boto3, botocore) is pulled in again by a dependency
# (aws-xray-sdk would otherwise bring 30 MB of botocore). Wheels for Lambda's arm64 on Amazon Linux 2023
# (glibc 2.34): some packages (Pillow 13) publish only manylinux_2_28 wheels for it.
PYTHON ?= python3.13
SITE = $(ARTIFACTS_DIR)/python

define locked_packages
	mkdir -p "$(SITE)"
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--platform manylinux_2_34_aarch64 --platform manylinux_2_28_aarch64 --platform manylinux2014_aarch64 \
		--implementation cp --python-version 3.13 \
		--target "$(SITE)" -r requirements.txt
endef

# Ship bytecode: /opt is read-only, so without it every cold start compiles each module it imports, and
# throws the result away (measured here: the PDF stack imports in 2.2-2.6 s from source, 0.4-0.5 s from
# bytecode; the domain layer 230-430 ms more per function). unchecked-hash: the zip's file times are not
# the build's, so timestamp-checked bytecode would never be trusted; a layer never changes in place.
define bytecode
	find "$(SITE)" -name "__pycache__" -type d -prune -exec rm -rf {} +
	$(PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(SITE)"
endef
