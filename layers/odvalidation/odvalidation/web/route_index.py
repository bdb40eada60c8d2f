"""Which page module has a route at which path: the web function includes a module on the first request
that needs it (odvalidation/lazy_routes.py says why and how). The pages web/site.py declares itself
(signing in, the home page, static files) are always there."""

from __future__ import annotations

from ..lazy_routes import RouteIndex

# Module (odvalidation.web.routes_<name>) -> its paths, in Powertools' form: <name> is one path segment.
# In the order they are matched.
ROUTES: dict[str, tuple[str, ...]] = {
    "practitioner": (
        "/journeys",
        "/journeys/<journey_id>/reflection",
        "/journeys/<journey_id>/decision",
        "/journeys/<journey_id>/check",
        "/journeys/<journey_id>/submit",
        "/journeys/<journey_id>",
        "/journeys/<journey_id>/comments",
        "/journeys/<journey_id>/new-claim",
        "/journeys/<journey_id>/decide-again",
    ),
    "claim": (
        "/journeys/<journey_id>/claim",
        "/journeys/<journey_id>/level",
        "/journeys/<journey_id>/supporter",
        "/journeys/<journey_id>/claim/<element_id>",
        "/journeys/<journey_id>/claim/<element_id>/upload",
    ),
    "panel": (
        "/panel",
        "/panel/<journey_id>",
        "/panel/<journey_id>/declaration",
        "/panel/<journey_id>/evidence/<evidence_id>",
        "/panel/<journey_id>/review",
        "/panel/<journey_id>/reviews",
        "/panel/<journey_id>/outcome",
    ),
    "certificates": (
        "/verify",
        "/verify/<certificate_id>",
        "/certificates/<certificate_id>",
        "/certificates/<certificate_id>/download/<kind>",
        "/certificates/<certificate_id>/sharing",
    ),
    "lead": (
        "/lead/journeys/<journey_id>/extension",
        "/lead/journeys/<journey_id>/resume",
        "/lead/journeys/<journey_id>/interview",
        "/lead/assignments",
        "/lead/assignments/<journey_id>",
        "/lead/certificates/<certificate_id>/revoke",
        "/lead/invitations",
    ),
    "lead_cohorts": (
        "/lead/cohorts/new",
        "/lead/cohorts/<cohort_id>/edit",
    ),
    "lead_home": (
        "/lead",
        "/lead/work/<kind>",
    ),
    "lead_journey": (
        "/lead/cohorts/<cohort_id>",
        "/lead/cohorts/<cohort_id>/attendance",
        "/lead/journeys/<journey_id>",
        "/lead/journeys/<journey_id>/interview-held",
        "/lead/journeys/<journey_id>/equivalent",
    ),
    "lead_alerts": ("/lead/alerts/dismiss",),
    "lead_pool": (
        "/lead/pool",
        "/lead/pool/new",
        "/lead/pool/<member_id>",
    ),
    "reports": (
        "/reports",
        "/reports/cohorts",
        "/reports/cohorts.csv",
        "/reports/academies/<academy_id>",
        "/reports/cohorts/<cohort_id>",
        "/reports/export.csv",
    ),
    "feedback": ("/journeys/<journey_id>/feedback",),
    "credential_links": (
        "/academies/<academy_id>",
        "/achievements/<level>",
        "/frameworks/<framework_key>",
    ),
    "confirmations": (
        "/journeys/<journey_id>/submitted",
        "/journeys/<journey_id>/decided",
    ),
    "crosswalk": ("/lead/journeys/<journey_id>/framework",),
    "account": (
        "/forgot-password",
        "/reset-password",
        "/confirm/resend",
        "/journeys/<journey_id>/withdraw",
        "/journeys/<journey_id>/withdrawn",
        "/account/erasure",
        "/account/erased",
    ),
    "attestation": (
        "/journeys/<journey_id>/attestations",
        "/journeys/<journey_id>/attestations/<attestation_id>/withdraw",
        "/journeys/<journey_id>/attestations/<attestation_id>/send-again",
        "/attest",
        "/attest/file",
    ),
    "adjustments": (
        "/journeys/<journey_id>/adjustments",
        "/journeys/<journey_id>/adjustments/<kind>",
        "/journeys/<journey_id>/adjustments/<kind>/withdraw",
        "/lead/journeys/<journey_id>/adjustments",
        "/lead/journeys/<journey_id>/adjustments/<kind>",
    ),
    "record": (
        "/account/record",
        "/account/record/download",
        "/lead/journeys/<journey_id>/record",
        "/lead/journeys/<journey_id>/record/download",
    ),
    "evidence": (
        "/journeys/<journey_id>/evidence",
        "/journeys/<journey_id>/evidence/<evidence_id>",
        "/journeys/<journey_id>/evidence/<evidence_id>/edit",
        "/journeys/<journey_id>/evidence/<evidence_id>/unlink",
        "/journeys/<journey_id>/evidence/<evidence_id>/remove",
    ),
}

# Loaded together, in this order: /lead/cohorts/new is not a cohort id, so the cohort pages come before
# the lead's journey pages (which have /lead/cohorts/<cohort_id>).
TOGETHER = (("lead_cohorts", "lead_journey"),)

# What web/site.py answers itself (signing in, the home page, static files): a request for one of these
# loads no page module. The first request of a visit is nearly always one of them, and every page asks for
# its stylesheet and script under /static/.
OWN = (
    "/",
    "/accessibility",
    "/sign-in",
    "/new-password",
    "/sign-up",
    "/confirm",
    "/sign-out",
    "/home",
    "/static/.+",
    "/assets/.+",
)

INDEX = RouteIndex(__package__ or "odvalidation.web", ROUTES, TOGETHER, OWN)
