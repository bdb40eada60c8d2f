"""Route modules included in a Powertools resolver on the first request whose path is one of their
routes (issue 19), for the two functions behind API Gateway: the API's twelve route modules cost 62 ms
of CPU at start-up and one of them 17-28 ms; the web's page modules 28 ms over a 44 ms shared base.

Each function writes its table (api/route_index.py, web/route_index.py): route module -> its paths, in
Powertools' form (<name> is one path segment). The table is written out rather than read from the
routers, which would import them all; tests/unit/test_route_index.py fails if it differs from the
routers' own paths, or if two modules could answer one request unless they are loaded together, in
the order given (`together`): otherwise the order in which requests happened to load them would decide
which route answers. A path the resolver's own routes answer (`own`: the web's sign-in and home pages
and static files) loads no module; any other path the table does not know loads every module, so the
resolver answers it as it did when every module was included at start-up.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from .heap import lasting


class RouteIndex:
    def __init__(
        self,
        package: str,
        routes: Mapping[str, tuple[str, ...]],
        together: Sequence[tuple[str, ...]] = (),
        own: Sequence[str] = (),
    ) -> None:
        self.package = package
        self.routes = routes
        self.together = together
        # Paths the resolver's own routes answer (declared on it, not in a module): they load nothing.
        # "/static/.+" stands for every path under /static/.
        self.own = own

    @cached_property
    def _templates(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        return tuple((_segments(path), module) for module, paths in self.routes.items() for path in paths)

    def modules_for(self, path: str) -> tuple[str, ...]:
        """The route modules with a route at this path, with those loaded together with them, in the
        table's order; every module when none has a route there."""
        segments = _segments(path)
        found = {module for template, module in self._templates if _matches(template, segments)}
        if not found:
            return () if self._own(path) else tuple(self.routes)
        for group in self.together:
            if found & set(group):
                found |= set(group)
        return tuple(m for m in self.routes if m in found)

    def _own(self, path: str) -> bool:
        for template in self.own:
            if template.endswith("/.+"):
                prefix = template.removesuffix(".+")
                if path.startswith(prefix) and len(path) > len(prefix):
                    return True
            elif _matches(_segments(template), _segments(path)):
                return True
        return False


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


def _matches(template: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    return len(template) == len(segments) and all(
        t == s or (t.startswith("<") and t.endswith(">") and s != "")
        for t, s in zip(template, segments, strict=True)
    )


class LazyResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, given each route module of its index on the first request whose path
    is one of the module's routes, rather than every module at start-up."""

    def __init__(self, index: RouteIndex, **options: Any) -> None:
        super().__init__(**options)
        self.index = index
        self._loaded: set[str] = set()
        self._loading = threading.Lock()  # the local stack serves requests on several threads

    def load_routes(self, *modules: str) -> None:
        if self._loaded.issuperset(modules):
            return
        with self._loading, lasting():
            for name in modules:
                if name not in self._loaded:
                    self.include_router(importlib.import_module(f"{self.index.package}.routes_{name}").router)
                    self._loaded.add(name)

    def load_routes_for(self, path: str) -> None:
        self.load_routes(*self.index.modules_for(path))

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self.load_routes_for(str(event.get("path") or "/"))
        return super().resolve(event, context)
