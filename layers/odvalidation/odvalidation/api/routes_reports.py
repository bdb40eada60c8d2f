"""Reports on the OD talent pipeline (national and academy leads) and participant feedback."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from ..domain.access import Caller
from ..services import feedback as fb
from ..services import reports, reports_by_cohort
from .identity import current_caller

router = Router()
AcademyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
CohortId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@+-]+$")]
JourneyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FrameworkKey = Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
AcademyQuery = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")]
Scope = Annotated[str, Query(min_length=1, max_length=140, pattern=r"^[A-Za-z0-9_.:@+-]+$")]


def caller() -> Caller:
    return current_caller(router)


def _filters(framework_key: str | None, period_from: date | None, period_to: date | None) -> reports.Filters:
    return reports.Filters(framework_key=framework_key, period_from=period_from, period_to=period_to)


@router.get(
    "/api/reports/national",
    tags=["Reports"],
    summary="The pipeline nationally and by academy (exact for national leads, suppressed for others)",
)
def national(
    framework_key: FrameworkKey = None, period_from: date | None = None, period_to: date | None = None
) -> reports.NationalReport:
    return reports.national(caller(), _filters(framework_key, period_from, period_to))


@router.get(
    "/api/reports/cohorts",
    tags=["Reports"],
    summary="Every cohort in one table, filterable (exact for national leads, suppressed for others)",
)
def cohorts(
    framework_key: FrameworkKey = None,
    period_from: date | None = None,
    period_to: date | None = None,
    academy_id: AcademyQuery = None,
) -> reports_by_cohort.CohortTable:
    return reports_by_cohort.cohort_table(
        caller(), _filters(framework_key, period_from, period_to), academy_id=academy_id
    )


@router.get(
    "/api/reports/cohorts.csv",
    tags=["Reports"],
    summary="Every cohort in one tidy CSV table (one header row, one row per cohort), always suppressed",
)
def cohorts_csv(
    framework_key: FrameworkKey = None,
    period_from: date | None = None,
    period_to: date | None = None,
    academy_id: AcademyQuery = None,
) -> Response[str]:
    filters = _filters(framework_key, period_from, period_to)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=reports_by_cohort.cohort_table_csv(caller(), filters, academy_id=academy_id),
        headers={
            "Content-Disposition": (
                f'attachment; filename="{reports_by_cohort.cohort_table_filename(filters, academy_id)}"'
            ),
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/api/reports/academies/<academy_id>",
    tags=["Reports"],
    summary="One academy's pipeline and its cohorts (leads of the academy, national leads)",
)
def academy(academy_id: AcademyId) -> reports.AcademyReport:
    return reports.academy_report(caller(), academy_id)


@router.get(
    "/api/reports/cohorts/<cohort_id>",
    tags=["Reports"],
    summary="One cohort's pipeline and participant feedback (leads of its academy, national leads)",
)
def cohort(cohort_id: CohortId) -> reports.CohortDetail:
    return reports.cohort_report(caller(), cohort_id)


@router.get(
    "/api/reports/export.csv",
    tags=["Reports"],
    summary="CSV export, small counts always suppressed (scope: national, academy:<id> or cohort:<id>)",
)
def export(
    scope: Scope = "national",
    framework_key: FrameworkKey = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Response[str]:
    body = reports.export_csv(caller(), scope, _filters(framework_key, period_from, period_to))
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={
            "Content-Disposition": f'attachment; filename="{reports.export_filename(scope)}"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/api/journeys/<journey_id>/feedback",
    tags=["Feedback"],
    summary="Give feedback on the process after your outcome (once per claim; a repeat returns it)",
)
def give_feedback(journey_id: JourneyId, body: fb.FeedbackIn) -> fb.Feedback:
    record, _ = fb.give(caller(), journey_id, body)
    return record


@router.get(
    "/api/reports/cohorts/<cohort_id>/feedback",
    tags=["Feedback"],
    summary="A cohort's participant feedback: averages, counts and free text (its leads)",
)
def cohort_feedback(cohort_id: CohortId) -> fb.FeedbackSummary:
    return fb.cohort_summary(caller(), cohort_id)
