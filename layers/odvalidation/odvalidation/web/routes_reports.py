"""The reporting dashboard (national and academy leads): server-rendered charts (HTML text, SVG bars),
each with its numbers in a table beside it, tables by academy and cohort, and a CSV download. Works with JavaScript off."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..domain import reporting as r
from ..domain.academies import ACADEMIES
from ..domain.errors import InvalidInput, NotFound
from ..domain.models import Cohort, Role
from ..services import journeys as js
from ..settings import settings
from .access import domain_caller
from .request import page, require_role

# The report pages import services.reports and domain.charts themselves: only leads open them, and
# importing them at start-up costs every web function ~5 ms.
if TYPE_CHECKING:
    from ..domain import charts
    from ..services import reports

router: Router = Router()


def _query() -> dict[str, str]:
    return dict(router.current_event.query_string_parameters or {})


def _filters(query: dict[str, str]) -> reports.Filters:
    from ..services import reports

    year = query.get("year", "")
    try:
        period = int(year) if year else None
    except ValueError:
        period = None
    return reports.Filters(
        framework_key=query.get("framework") or None,
        period_from=date(period, 1, 1) if period else None,
        period_to=date(period, 12, 31) if period else None,
    )


def _filter_options(query: dict[str, str], cohorts: list[Cohort] | None = None) -> dict[str, Any]:
    cohorts = js.all_cohorts() if cohorts is None else cohorts
    from ..services.reports import framework_name

    frameworks = sorted({c.framework_key for c in cohorts})
    years = sorted({c.workshop_date.year for c in cohorts})
    return {
        "framework_options": [("", "All frameworks")] + [(k, framework_name(k)) for k in frameworks],
        "year_options": [("", "All years")] + [(str(y), str(y)) for y in years],
        "chosen": {"framework": query.get("framework", ""), "year": query.get("year", "")},
    }


def table_rows(table: r.SuppressedTable) -> list[list[str]]:
    """A published table as text cells: '*' where suppressed; totals as the last row and column."""

    def show(v: int | None) -> str:
        return r.SUPPRESSED if v is None else f"{v:,}"

    rows = []
    for i, label in enumerate(table.row_labels):
        line = [label, *(show(v) for v in table.cells[i])]
        if table.row_totals is not None:
            line.append(show(table.row_totals[i]))
        rows.append(line)
    if table.column_totals is not None:
        line = ["Total", *(show(v) for v in table.column_totals)]
        if table.row_totals is not None:
            line.append(show(table.grand_total))
        rows.append(line)
    return rows


def totals_chart(
    table: r.SuppressedTable, *, chart_id: str, title: str, headers: tuple[str, ...]
) -> charts.Chart:
    """A chart of a published table's column totals (what a suppressed view may show)."""
    from ..domain import charts

    totals = table.column_totals or [None] * len(table.column_labels)
    base = table.grand_total if table.row_totals is not None else (totals[0] if totals else None)
    rows = [
        charts.ChartRow(label=label, count=v, percent=None if v is None or not base else r.percent(v, base))
        for label, v in zip(table.column_labels, totals, strict=True)
    ]
    return charts.bar_chart(rows, chart_id=chart_id, title=title, headers=headers)


def _csv_link(scope: str, query: dict[str, str] | None = None) -> str:
    params = {"scope": scope, **{k: v for k, v in (query or {}).items() if k in ("framework", "year") and v}}
    return "/reports/export.csv?" + urlencode(params)


@router.get("/reports")
def national_page() -> Response:
    from ..domain import charts
    from ..services import report_charts, reports

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    query = _query()
    report = reports.national(domain_caller(caller), _filters(query))
    cohorts = js.all_cohorts()  # read once: for the filters' choices and the quarters
    by_quarter = report_charts.national_readiness_by_quarter(domain_caller(caller), _filters(query), cohorts)
    funnel, readiness, outcomes, *_ = report.tables
    if report.national is not None:
        figures = charts.pipeline_charts(report.national)
    else:
        figures = [
            totals_chart(
                funnel,
                chart_id="funnel-national",
                title="The pipeline: England",
                headers=("Step", "Number", "Percentage of expressions of interest"),
            ),
            totals_chart(
                readiness,
                chart_id="readiness-national",
                title="Readiness decisions: England",
                headers=("Decision", "Number", "Percentage of those who decided"),
            ),
            totals_chart(
                outcomes,
                chart_id="outcomes-national",
                title="Validation outcomes: England",
                headers=("Outcome", "Number", "Percentage of claims interviewed"),
            ),
        ]
    # Every academy's page opens for every lead: another academy's shows what this page shows of it.
    links = {a.name: f"/reports/academies/{a.id}" for a in ACADEMIES}
    return page(
        "reporting/national.html",
        page_title="The OD talent pipeline",
        report=report,
        figures=figures,
        by_academy=charts.pipeline_by_academy(funnel),
        by_quarter=charts.quarters_chart(by_quarter, "readiness-by-quarter-national"),
        tables=[(t, table_rows(t)) for t in report.tables],
        links=links,
        csv_link=_csv_link("national", query),
        **_filter_options(query, cohorts),
    )


def _academy_choice(query: dict[str, str]) -> str | None:
    wanted = query.get("academy") or None
    return wanted if wanted in {a.id for a in ACADEMIES} else None


@router.get("/reports/cohorts")
def cohorts_page() -> Response:
    from ..services import reports_by_cohort

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    query = _query()
    chosen_academy = _academy_choice(query)
    table = reports_by_cohort.cohort_table(domain_caller(caller), _filters(query), academy_id=chosen_academy)
    options = _filter_options(query)
    params = {k: v for k, v in query.items() if k in ("framework", "year", "academy") and v}
    return page(
        "reporting/cohorts.html",
        page_title=table.title,
        table=table,
        keys=[k for k, _ in r.COHORT_COLUMNS],
        academy_options=[("", "All academies")] + [(a.id, a.name) for a in ACADEMIES],
        csv_link="/reports/cohorts.csv" + ("?" + urlencode(params) if params else ""),
        **(options | {"chosen": {**options["chosen"], "academy": chosen_academy or ""}}),
    )


@router.get("/reports/cohorts.csv")
def cohorts_csv() -> Response:
    from ..services import reports_by_cohort

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    query = _query()
    filters, chosen_academy = _filters(query), _academy_choice(query)
    body = reports_by_cohort.cohort_table_csv(domain_caller(caller), filters, academy_id=chosen_academy)
    name = reports_by_cohort.cohort_table_filename(filters, chosen_academy)
    return Response(
        200,
        "text/csv; charset=utf-8",
        body,
        {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/reports/academies/<academy_id>")
def academy_page(academy_id: str) -> Response:
    from ..domain import charts
    from ..services import reports

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    from ..services import report_charts

    report = reports.academy_report(domain_caller(caller), academy_id)
    figures = charts.pipeline_charts(report.report) if report.report is not None else []
    by_quarter = (
        report_charts.academy_readiness_by_quarter(report.academy_name, report.cohorts)
        if report.exact
        else None
    )
    return page(
        "reporting/academy.html",
        page_title=f"{report.academy_name}: the pipeline",
        report=report,
        figures=figures,
        by_quarter=charts.quarters_chart(by_quarter, f"readiness-by-quarter-{report.academy_id}"),
        tables=[(t, table_rows(t)) for t in report.tables],
        links={c.report.title: f"/reports/cohorts/{c.cohort.id}" for c in report.cohorts},
        csv_link=_csv_link(f"academy:{report.academy_id}"),
    )


@router.get("/reports/cohorts/<cohort_id>")
def cohort_page(cohort_id: str) -> Response:
    from ..domain import charts
    from ..services import reports

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    detail = reports.cohort_report(domain_caller(caller), cohort_id)
    figures = charts.pipeline_charts(detail.report)
    return page(
        "reporting/cohort.html",
        page_title=f"{detail.cohort.name}: the pipeline",
        detail=detail,
        report=detail.report,
        figures=figures,
        scale=reports.fb.SCALE,
        threshold=max(1, settings().suppression_threshold),
        csv_link=_csv_link(f"cohort:{detail.cohort.id}"),
    )


@router.get("/reports/export.csv")
def export_csv() -> Response:
    from ..services import reports

    caller = require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    query = _query()
    scope = query.get("scope", "national")
    try:
        body = reports.export_csv(domain_caller(caller), scope[:140], _filters(query))
    except InvalidInput:
        raise NotFound("There is no such export.") from None
    return Response(
        200,
        "text/csv; charset=utf-8",
        body,
        {
            "Content-Disposition": f'attachment; filename="{reports.export_filename(scope)}"',
            "Cache-Control": "no-store",
        },
    )
