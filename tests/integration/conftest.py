"""The integration tests share the e2e tests' local stack (one per process)."""

from tests.e2e.conftest import local_stack

__all__ = ["local_stack"]
