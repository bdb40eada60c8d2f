"""Which of the API's route modules has a route at which path: the API function includes a module on the
first request that needs it (odvalidation/lazy_routes.py says why and how). The status-list route is
not here: its own function serves it."""

from __future__ import annotations

from ..lazy_routes import RouteIndex

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
        "/api/journeys/<journey_id>/decide-again",
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


INDEX = RouteIndex(__package__ or "odvalidation.api", ROUTES)
