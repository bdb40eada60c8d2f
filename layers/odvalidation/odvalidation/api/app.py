"""The API's resolver. Handlers are thin; routes call one service each."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from . import errors
from .route_index import ROUTES, modules_for


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver, given each route module on the first request whose path is one of its
    routes (api/route_index.py), rather than all of them at start-up."""

    def __init__(self) -> None:
        super().__init__(enable_validation=True)
        self._loaded: set[str] = set()
        self._loading = threading.Lock()

    def load_routes(self, *modules: str) -> None:
        with self._loading:
            for name in modules:
                if name not in self._loaded:
                    self.include_router(importlib.import_module(f"{__package__}.routes_{name}").router)
                    self._loaded.add(name)

    def load_routes_for(self, path: str) -> None:
        self.load_routes(*modules_for(path))

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self.load_routes_for(str(event.get("path") or "/"))
        return super().resolve(event, context)


@cache
def resolver() -> Resolver:
    """The API function's resolver: the error handlers now, each route module on first use."""
    app = Resolver()
    errors.register(app)
    return app


def openapi_json() -> str:
    """The whole public API: every route module, and the status-list route, which its own function serves
    (functions/status_list)."""
    from . import routes_status_lists

    app = Resolver()
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
