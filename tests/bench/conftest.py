"""The benchmarks' smoke tests load bulk data (journeys written directly, without their trails) and
meter every call, so they get a local stack of their own: a separate pytest process (make test)."""

from tests.e2e.conftest import local_stack

__all__ = ["local_stack"]
