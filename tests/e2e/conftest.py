"""The e2e tests run against a LocalStack: moto, template.yaml deployed into it, and the HTTP front.

One stack per pytest process (per xdist worker): moto's state is process-wide, and starting a
stack takes several seconds. Tests that share it must not assume an empty stack (use unique emails
and ids), and the product clock only moves forward.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.stack import LocalStack, shared_stack, stop_shared_stack


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    stack = shared_stack()
    yield stack
    stop_shared_stack()
