"""The API's resolver. Handlers are thin; routes call one service each."""

from __future__ import annotations

from functools import cache

from ..lazy_routes import LazyResolver
from . import errors
from .route_index import INDEX, ROUTES


@cache
def resolver() -> LazyResolver:
    """The API function's resolver: the error handlers now, each route module on its first request."""
    app = LazyResolver(INDEX, enable_validation=True)
    errors.register(app)
    return app


def openapi_json() -> str:
    """The whole public API: every route module, and the status-list route, which its own function serves
    (functions/status_list)."""
    from . import routes_status_lists

    app = LazyResolver(INDEX, enable_validation=True)
    errors.register(app)
    app.load_routes(*ROUTES)
    app.include_router(routes_status_lists.router)
    return app.get_openapi_json_schema(
        title="System OD Validation API",
        version="1.0.0",
        summary="The NHS validation pathway for system-level OD practitioners.",
        description="Every route except /api/public/* and /.well-known/* needs a Cognito ID token "
        "(Authorization: Bearer <token>).",
    )
