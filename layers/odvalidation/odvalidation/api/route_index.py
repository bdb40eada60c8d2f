"""Which route module answers which path, so that a cold API function loads only the module its first
request needs (issue 19: all twelve cost 62 ms of CPU at start-up, one of them 17-28 ms, because the
services and models they share are most of it).

Powertools builds a resolver with every route it is given; the API's resolver (api/app.py) is given
none at start-up and includes a module's router the first time a request's path is one of its routes.
The table is written here rather than read from the routers (that would import them all), and
tests/unit/test_api_route_index.py fails if it differs from the routers' own paths, or if two modules
have routes that one request could match (then the order in which they were loaded would decide).
A path the table does not know loads every module, so the resolver answers it as before (a 404).
"""

from __future__ import annotations

from functools import cache

# Module (odvalidation.api.routes_<name>) -> its paths, in Powertools' form: <name> is one path segment.
ROUTES: dict[str, tuple[str, ...]] = {
    "journeys": (
        "/api/me",
        "/api/me/profile",
        "/api/cohorts",
        "/api/cohorts/<cohort_id>/journeys",
        "/api/cohorts/<cohort_id>/attendance",
        "/api/journeys/<journey_id>/equivalent-session",
        "/api/journeys",
        "/api/journeys/<journey_id>",
        "/api/journeys/<journey_id>/reflection",
        "/api/journeys/<journey_id>/decision",
        "/api/journeys/<journey_id>/claim",
        "/api/journeys/<journey_id>/evidence",
        "/api/journeys/<journey_id>/evidence/<evidence_id>",
        "/api/journeys/<journey_id>/supporter",
        "/api/journeys/<journey_id>/comments",
        "/api/journeys/<journey_id>/submission",
        "/api/journeys/<journey_id>/withdrawal",
        "/api/journeys/<journey_id>/new-claim",
        "/api/journeys/<journey_id>/extension",
        "/api/journeys/<journey_id>/resume",
        "/api/invitations",
    ),
    "panels": (
        "/api/panel/members",
        "/api/panel/members/<member_id>",
        "/api/panel/assignments",
        "/api/journeys/<journey_id>/panel",
        "/api/journeys/<journey_id>/panel/declaration",
        "/api/journeys/<journey_id>/evidence/<evidence_id>/link",
        "/api/journeys/<journey_id>/panel/review",
        "/api/journeys/<journey_id>/panel/review/draft",
        "/api/journeys/<journey_id>/panel/reviews",
        "/api/journeys/<journey_id>/panel/resolution",
        "/api/journeys/<journey_id>/interview",
        "/api/journeys/<journey_id>/interview/held",
        "/api/journeys/<journey_id>/outcome",
    ),
    "certificates": (
        "/api/public/certificates/<certificate_id>/status",
        "/api/public/credentials/verification",
        "/.well-known/jwks.json",
        "/api/certificates/<certificate_id>",
        "/api/certificates/<certificate_id>/sharing",
        "/api/certificates/<certificate_id>/revocation",
        "/api/certificates/<certificate_id>/revalidation",
    ),
    "reports": (
        "/api/reports/national",
        "/api/reports/cohorts",
        "/api/reports/cohorts.csv",
        "/api/reports/academies/<academy_id>",
        "/api/reports/cohorts/<cohort_id>",
        "/api/reports/export.csv",
        "/api/journeys/<journey_id>/feedback",
        "/api/reports/cohorts/<cohort_id>/feedback",
    ),
    "privacy": ("/api/me/erasure",),
    "frameworks": (
        "/api/public/frameworks",
        "/api/public/frameworks/<key>",
    ),
    "crosswalks": (
        "/api/journeys/<journey_id>/framework",
        "/api/public/frameworks/<key>/crosswalks",
    ),
    "leads": (
        "/api/academies/<academy_id>/alerts",
        "/api/academies/<academy_id>/alerts/<alert_id>/dismissal",
        "/api/panel/invitations",
    ),
    "attestations": (
        "/api/journeys/<journey_id>/attestations",
        "/api/journeys/<journey_id>/attestations/<attestation_id>/withdrawal",
        "/api/journeys/<journey_id>/attestations/<attestation_id>/emails",
    ),
    "adjustments": (
        "/api/journeys/<journey_id>/adjustments",
        "/api/journeys/<journey_id>/adjustments/<kind>",
        "/api/journeys/<journey_id>/adjustments/<kind>/withdrawal",
        "/api/journeys/<journey_id>/adjustments/<kind>/decision",
    ),
    "record": (
        "/api/me/record",
        "/api/me/record/link",
        "/api/journeys/<journey_id>/record",
        "/api/journeys/<journey_id>/record/link",
    ),
    "evidence": (
        "/api/journeys/<journey_id>/evidence",
        "/api/journeys/<journey_id>/evidence/<evidence_id>",
    ),
}


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


@cache
def _templates() -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple((_segments(path), module) for module, paths in ROUTES.items() for path in paths)


def _matches(template: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    return len(template) == len(segments) and all(
        t == s or (t.startswith("<") and t.endswith(">") and s != "")
        for t, s in zip(template, segments, strict=True)
    )


def modules_for(path: str) -> tuple[str, ...]:
    """The route modules (names in ROUTES, in its order) with a route at this path; every module when
    none has, so that the resolver's own matching decides."""
    segments = _segments(path)
    found = {module for template, module in _templates() if _matches(template, segments)}
    return tuple(m for m in ROUTES if m in found) or tuple(ROUTES)
