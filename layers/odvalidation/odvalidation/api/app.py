"""The API's resolver. Handlers are thin; routes call one service each."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from . import errors


@cache
def resolver(*, with_status_lists: bool = False) -> APIGatewayRestResolver:
    """The API function's routes; `with_status_lists` adds the status-list route, which its own function
    serves (functions/status_list), for the OpenAPI document that describes the whole public API."""
    from . import routes_journeys

    app = APIGatewayRestResolver(enable_validation=True)
    errors.register(app)
    app.include_router(routes_journeys.router)
    for name in (
        "routes_panels",
        "routes_certificates",
        "routes_reports",
        "routes_privacy",
        "routes_frameworks",
        "routes_crosswalks",
        "routes_leads",
        "routes_attestations",
        "routes_adjustments",
        "routes_record",
        "routes_evidence",
    ):
        try:
            module = __import__(f"odvalidation.api.{name}", fromlist=["router"])
        except ModuleNotFoundError:
            continue
        app.include_router(module.router)
    if with_status_lists:
        from . import routes_status_lists

        app.include_router(routes_status_lists.router)
    return app


def openapi_json() -> str:
    return resolver(with_status_lists=True).get_openapi_json_schema(
        title="System OD Validation API",
        version="1.0.0",
        summary="The NHS validation pathway for system-level OD practitioners.",
        description="Every route except /api/public/* and /.well-known/* needs a Cognito ID token "
        "(Authorization: Bearer <token>).",
    )
