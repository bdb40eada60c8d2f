"""The OD talent pipeline for national and academy leads: reports read from the counter items only.

Cost: the national report is one Query of the ten academy counter items (plus the panel pool), however
many journeys exist; a framework or period report reads the chosen cohorts' counter items (BatchGetItem);
a cohort's report is one GetItem. Nothing here scans.

Who sees what: national leads see exact counts everywhere. An academy lead sees their own academy and
its cohorts exactly, and the national picture with small counts suppressed (the threshold in settings).
One rule for every suppressed view and every export (reporting.suppress): no hidden count can be
worked out from the totals, even by someone who knows any one academy's exact counts; so the lead's
screen and any CSV show the same figures, and each says which rule it follows (`rule`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from .. import clock
from ..dal import keys
from ..domain import reporting as r
from ..domain.academies import ACADEMIES, academy
from ..domain.access import Caller, check_lead, require_role
from ..domain.errors import InvalidInput, NotFound
from ..domain.frameworks import framework
from ..domain.models import AuditEvent, Cohort, Journey, Role
from ..settings import settings
from . import feedback as fb
from . import journey_parts as js
from .common import db
from .panel_pool import pool

NATIONAL_TITLE = "England"
RULE_EXACT = "Exact counts: this view is for national leads only. Exports are always suppressed."


# ---------------------------------------------------------------------------- models


class Filters(BaseModel):
    """Which cohorts a report covers: all, or those of one framework and/or a workshop period."""

    model_config = ConfigDict(defer_build=True)

    framework_key: str | None = None
    period_from: date | None = None
    period_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.framework_key or self.period_from or self.period_to)

    def admits(self, cohort: Cohort) -> bool:
        return (
            (not self.framework_key or cohort.framework_key == self.framework_key)
            and (self.period_from is None or cohort.workshop_date >= self.period_from)
            and (self.period_to is None or cohort.workshop_date <= self.period_to)
        )


class MonthCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str  # YYYY-MM, or "none" for no date
    count: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """The month as people write it: "June 2027" ("No date" for none)."""
        if self.month == r.NO_DATE:
            return "No date"
        return date.fromisoformat(f"{self.month}-01").strftime("%B %Y")


class PanelCapacity(BaseModel):
    model_config = ConfigDict(defer_build=True)

    academy_id: str
    academy_name: str
    members: int
    capacity: int  # the sum of members' caps: claims the pool can take in a window
    load: int  # claims already theirs
    at_capacity: int  # members with no room left

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


class AcademySummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    academy_id: str
    academy_name: str
    report: r.PipelineReport


class NationalReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    title: str
    as_of: date
    exact: bool = Field(description="false: counts below the threshold are suppressed ('*' / null)")
    rule: str = Field(description="which rule these figures follow, in words (exact, or how suppressed)")
    threshold: int
    filters: Filters
    cohorts_included: int | None = Field(default=None, description="with filters: the cohorts summed")
    national: r.PipelineReport | None = Field(default=None, description="exact views only")
    academies: list[AcademySummary] | None = Field(default=None, description="exact views only")
    own_academy: AcademySummary | None = Field(default=None, description="an academy lead's own, exact")
    tables: list[r.SuppressedTable] = Field(description="funnel, readiness, outcomes and renewals by academy")
    deferrals_due: list[MonthCount] | None = None
    claim_deadlines: list[MonthCount] | None = None
    panel_capacity: list[PanelCapacity]


def framework_name(key: str) -> str:
    """A framework as people know it, by its title and version, not its key (issue 17.9)."""
    try:
        fw = framework(key)
    except NotFound:
        return key
    return f"{fw.title} (version {key.split('@', 1)[-1]})" if "@" in key else fw.title


class CohortSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cohort: Cohort
    framework_name: str
    report: r.CohortReport


class AcademyReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    academy_id: str
    academy_name: str
    as_of: date
    exact: bool = Field(description="false: another academy's lead sees its row as /reports shows it")
    rule: str = Field(description="which rule these figures follow, in words")
    report: r.PipelineReport | None = Field(description="exact views only")
    cohorts: list[CohortSummary]
    tables: list[r.SuppressedTable]
    deferrals_due: list[MonthCount]
    claim_deadlines: list[MonthCount]
    panel_capacity: PanelCapacity


class CohortDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cohort: Cohort
    academy_name: str
    framework_name: str
    report: r.CohortReport
    deferrals_due: list[MonthCount]
    claim_deadlines: list[MonthCount]
    feedback: fb.FeedbackSummary


# ---------------------------------------------------------------------------- reading counters


def require_lead(caller: Caller) -> None:
    require_role(caller, Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)


def _academy_counters() -> dict[str, dict[str, int]]:
    """academy id -> counters: one Query of the ten ACADEMY# items."""
    stored = db().counters("ACADEMY#")
    return {a.id: stored.get(r.academy_scope(a.id), {}) for a in ACADEMIES}


def cohort_counters(cohorts: Sequence[Cohort]) -> dict[str, dict[str, int]]:
    """cohort id -> counters, by BatchGetItem of exactly these cohorts' items."""
    items = db().batch_get(keys.counters(r.cohort_scope(c.academy_id, c.id)) for c in cohorts)
    by_scope = {
        item["SK"]["S"]: {k: int(v["N"]) for k, v in item.items() if "N" in v and k not in ("PK", "SK")}
        for item in items
    }
    return {c.id: by_scope.get(r.cohort_scope(c.academy_id, c.id), {}) for c in cohorts}


def months(counters: Mapping[str, int], prefix: str) -> list[MonthCount]:
    """Dated gauges by month (deferrals due to re-engage, claim deadlines), earliest first."""
    found = [
        MonthCount(month=k[len(prefix) + 1 :], count=int(v))
        for k, v in counters.items()
        if k.startswith(prefix + ".") and v
    ]
    return sorted(found, key=lambda m: (m.month == r.NO_DATE, m.month))


def panel_capacity() -> list[PanelCapacity]:
    """The pool by academy: members, their caps and current load (one Query of the pool)."""
    by_academy: dict[str, list[int]] = {a.id: [0, 0, 0, 0] for a in ACADEMIES}
    for m in pool():
        row = by_academy.setdefault(m.academy_id, [0, 0, 0, 0])
        row[0] += 1
        row[1] += m.cap
        row[2] += m.current_load
        row[3] += 1 if m.current_load >= m.cap else 0
    return [
        PanelCapacity(
            academy_id=a.id,
            academy_name=a.name,
            members=v[0],
            capacity=v[1],
            load=v[2],
            at_capacity=v[3],
        )
        for a in ACADEMIES
        for v in [by_academy[a.id]]
    ]


# ---------------------------------------------------------------------------- suppression


def pipeline_tables(reports: Sequence[r.PipelineReport], *, threshold: int) -> list[r.SuppressedTable]:
    """The funnel, the readiness split, the outcomes and the renewals, one row per scope, with totals;
    suppressed (threshold > 1) by the one rule every suppressed view and export follows
    (reporting.suppress)."""
    return [
        r.suppress(r.funnel_table(reports), threshold),
        r.suppress(r.readiness_table(reports), threshold),
        r.suppress(r.outcomes_table(reports), threshold),
        r.suppress(r.renewals_table(reports), threshold),
    ]


# ---------------------------------------------------------------------------- the reports


def _per_academy(filters: Filters) -> tuple[dict[str, dict[str, int]], int | None]:
    """academy id -> counters, and how many cohorts were summed (None: all, from the academy items)."""
    if not filters.any:
        return _academy_counters(), None
    chosen = [c for c in js.all_cohorts() if filters.admits(c)]
    by_cohort = cohort_counters(chosen)
    per = {a.id: r.combine(by_cohort[c.id] for c in chosen if c.academy_id == a.id) for a in ACADEMIES}
    return per, len(chosen)


def _counters_of(scope: str) -> dict[str, int]:
    found = db().get(keys.counters(scope))
    return {k: int(v["N"]) for k, v in (found or {}).items() if "N" in v}


def national(caller: Caller, filters: Filters | None = None, *, as_of: date | None = None) -> NationalReport:
    """The national pipeline by academy (or of the cohorts the filters choose)."""
    require_lead(caller)
    filters = filters or Filters()
    when = as_of or clock.now().date()
    per_academy, cohorts_included = _per_academy(filters)
    summaries = [
        AcademySummary(
            academy_id=a.id,
            academy_name=a.name,
            report=r.build_report(r.academy_scope(a.id), per_academy[a.id], as_of=when, title=a.name),
        )
        for a in ACADEMIES
    ]
    total = r.combine(per_academy.values())
    exact = caller.has(Role.NATIONAL_LEAD)
    threshold = 1 if exact else max(1, settings().suppression_threshold)
    own = next((s for s in summaries if s.academy_id == caller.academy_id), None) if not exact else None
    return NationalReport(
        title=NATIONAL_TITLE,
        as_of=when,
        exact=exact,
        threshold=threshold,
        filters=filters,
        cohorts_included=cohorts_included,
        national=r.build_report("national", total, as_of=when, title=NATIONAL_TITLE) if exact else None,
        academies=summaries if exact else None,
        own_academy=own,
        rule=RULE_EXACT if exact else r.suppression_note(threshold),
        tables=pipeline_tables([s.report for s in summaries], threshold=threshold),
        deferrals_due=months(total, "deferred_due") if exact else None,
        claim_deadlines=months(total, "claim_due") if exact else None,
        panel_capacity=panel_capacity(),
    )


def academy_report(caller: Caller, academy_id: str, *, as_of: date | None = None) -> AcademyReport:
    """One academy and its cohorts, exact (leads of the academy and national leads). Another academy's
    lead sees what /reports shows them of it, no more: its row of the suppressed national tables."""
    a = academy(academy_id)
    require_lead(caller)
    when = as_of or clock.now().date()
    if not caller.has(Role.NATIONAL_LEAD) and caller.academy_id != a.id:
        return _academy_as_published(a.id, when)
    check_lead(caller, a.id)
    counters = _counters_of(r.academy_scope(a.id))
    cohorts = js.academy_cohorts(a.id)
    # One Query of this academy's cohort counter items (as many as it has cohorts).
    stored = db().counters(f"COHORT#{a.id}#")
    summaries = [
        CohortSummary(
            cohort=c,
            framework_name=framework_name(c.framework_key),
            report=r.build_cohort_report(c, stored.get(r.cohort_scope(a.id, c.id), {}), as_of=when),
        )
        for c in cohorts
    ]
    capacity = next(p for p in panel_capacity() if p.academy_id == a.id)
    return AcademyReport(
        academy_id=a.id,
        academy_name=a.name,
        as_of=when,
        exact=True,
        rule=f"Exact counts: for the leads of {a.name} and national leads. Exports are suppressed.",
        report=r.build_report(r.academy_scope(a.id), counters, as_of=when, title=a.name),
        cohorts=summaries,
        tables=pipeline_tables([s.report for s in summaries], threshold=1),
        deferrals_due=months(counters, "deferred_due"),
        claim_deadlines=months(counters, "claim_due"),
        panel_capacity=capacity,
    )


def _academy_as_published(academy_id: str, when: date) -> AcademyReport:
    """An academy's row of the national tables, suppressed exactly as /reports and the CSV show it."""
    threshold = max(1, settings().suppression_threshold)
    per_academy = _academy_counters()
    reports_ = [
        r.build_report(r.academy_scope(a.id), per_academy[a.id], as_of=when, title=a.name) for a in ACADEMIES
    ]
    row = next(i for i, a in enumerate(ACADEMIES) if a.id == academy_id)
    tables = [
        t.model_copy(
            update={
                "row_labels": [t.row_labels[row]],
                "cells": [t.cells[row]],
                "row_totals": None if t.row_totals is None else [t.row_totals[row]],
                "column_totals": None,
                "grand_total": None,
            }
        )
        for t in pipeline_tables(reports_, threshold=threshold)
    ]
    a = academy(academy_id)
    return AcademyReport(
        academy_id=a.id,
        academy_name=a.name,
        as_of=when,
        exact=False,
        rule=r.suppression_note(threshold),
        report=None,
        cohorts=[],
        tables=tables,
        deferrals_due=[],
        claim_deadlines=[],
        panel_capacity=next(p for p in panel_capacity() if p.academy_id == a.id),
    )


def cohort_for(caller: Caller, academy_id: str, number: int) -> Cohort:
    """A cohort named the way people name it: its academy and number."""
    cohort = js.cohort(f"{academy(academy_id).id}-{number}")
    check_lead(caller, cohort.academy_id)
    return cohort


def cohort_report(caller: Caller, cohort_id: str, *, as_of: date | None = None) -> CohortDetail:
    """One cohort, exact, with its participants' feedback (free text included): its leads only."""
    cohort = js.cohort(cohort_id)
    check_lead(caller, cohort.academy_id)
    when = as_of or clock.now().date()
    counters = _counters_of(r.cohort_scope(cohort.academy_id, cohort.id))
    return CohortDetail(
        cohort=cohort,
        academy_name=academy(cohort.academy_id).name,
        framework_name=framework_name(cohort.framework_key),
        report=r.build_cohort_report(cohort, counters, as_of=when),
        deferrals_due=months(counters, "deferred_due"),
        claim_deadlines=months(counters, "claim_due"),
        feedback=fb.summarise(cohort.id, fb.cohort_responses(cohort.id), with_comments=True),
    )


# ---------------------------------------------------------------------------- exports


def _section(table: r.SuppressedTable) -> list[list[object]]:
    body: list[list[object]] = [list(row) for row in table.rows(with_percent=table.row_totals is not None)]
    return [[table.title], *body, []]


def export_rows(caller: Caller, scope: str, filters: Filters | None = None) -> list[list[object]]:
    """The rows of a CSV export, always suppressed (threshold from settings) whoever asks.

    scope: "national", "academy:<academy id>" or "cohort:<cohort id>".
    """
    require_lead(caller)
    threshold = max(1, settings().suppression_threshold)
    note = r.suppression_note(threshold)
    kind, _, ident = scope.partition(":")
    if kind == "national" and not ident:
        per_academy, _ = _per_academy(filters or Filters())
        when = clock.now().date()
        reports = [
            r.build_report(r.academy_scope(a.id), per_academy[a.id], as_of=when, title=a.name)
            for a in ACADEMIES
        ]
        # The same tables whoever asks: a file travels, so it is safe against anyone who knows one
        # academy's exact figures, not only against the lead who downloaded it.
        tables = pipeline_tables(reports, threshold=threshold)
        head = f"{NATIONAL_TITLE}: the OD talent pipeline by academy"
    elif kind == "academy" and ident:
        a_report = academy_report(caller, ident)
        tables = (
            pipeline_tables([c.report for c in a_report.cohorts], threshold=threshold)
            if a_report.exact
            else a_report.tables
        )
        head = f"{a_report.academy_name}: the pipeline by cohort"
    elif kind == "cohort" and ident:
        detail = cohort_report(caller, ident)
        tables = pipeline_tables([detail.report], threshold=threshold)
        head = f"{detail.cohort.name}: the pipeline"
        tables_rows = [row for t in tables for row in _section(t)]
        return [
            [head],
            [f"As of {clock.now().date().isoformat()}. {note}"],
            [],
            *tables_rows,
            *_feedback_rows(detail.feedback, threshold),
        ]
    else:
        raise InvalidInput("Choose what to export: national, academy:<academy id> or cohort:<cohort id>.")
    return [
        [head],
        [f"As of {clock.now().date().isoformat()}. {note}"],
        [],
        *(row for t in tables for row in _section(t)),
    ]


def _feedback_rows(summary: fb.FeedbackSummary, threshold: int) -> list[list[object]]:
    """Feedback in an export: averages only, and only with enough responses (no free text ever)."""
    rows: list[list[object]] = [["Participant feedback"], ["Question", "Responses", "Average (1 to 5)"]]
    small = summary.responses < threshold
    for q in summary.questions:
        rows.append(
            [
                q.question,
                r.SUPPRESSED if small and q.responses else q.responses,
                r.SUPPRESSED if small and q.responses else ("" if q.average is None else q.average),
            ]
        )
    return rows


def export_csv(caller: Caller, scope: str, filters: Filters | None = None) -> str:
    return r.to_csv(export_rows(caller, scope, filters))


def export_filename(scope: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in scope)
    return f"od-pipeline-{safe}-{clock.now().date().isoformat()}.csv"


# ---------------------------------------------------------------------------- repair


class CounterDifference(BaseModel):
    model_config = ConfigDict(defer_build=True)

    scope: str
    key: str
    stored: int
    rebuilt: int


class RepairResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cohorts: int
    journeys: int
    differences: list[CounterDifference]
    problems: list[str]
    written: list[str]


def _histories(cohort: Cohort) -> Iterable[tuple[Journey, list[AuditEvent]]]:
    store = db()
    for journey in store.query_models(Journey, f"COHORT#{cohort.id}", index="GSI2", prefix="JOURNEY#"):
        yield journey, store.audit_trail(journey.id)


def repair_counters(*, dry_run: bool = False) -> RepairResult:
    """Rebuild every counter item from the journeys and their audit trails; write the ones that differ.

    Reads: one Query per cohort for its journeys and one per journey for its trail (this is the slow,
    rare path, so the reports never need it). With a journey whose trail does not lead to its stage,
    nothing is written: the problem is reported for a person to look at.
    """
    rebuilt: dict[str, dict[str, int]] = {}
    problems: list[str] = []
    journeys = 0
    cohorts = js.all_cohorts()
    for cohort in cohorts:
        histories = list(_histories(cohort))
        journeys += len(histories)
        for journey, events in histories:
            try:
                contribution = r.rebuild([(journey, events)])
            except r.InconsistentHistoryError as problem:
                problems.append(str(problem))
                continue
            for scope, counts in contribution.items():
                rebuilt[scope] = r.combine([rebuilt.get(scope, {}), counts])
    stored = db().counters("ACADEMY#") | db().counters("COHORT#")
    differences: list[CounterDifference] = []
    changed: dict[str, dict[str, int]] = {}
    for scope in sorted(set(stored) | set(rebuilt)):
        have, want = r.normalise(stored.get(scope, {})), r.normalise(rebuilt.get(scope, {}))
        if have == want:
            continue
        changed[scope] = want
        for key in sorted(set(have) | set(want)):
            if have.get(key, 0) != want.get(key, 0):
                differences.append(
                    CounterDifference(scope=scope, key=key, stored=have.get(key, 0), rebuilt=want.get(key, 0))
                )
    written: list[str] = []
    if changed and not dry_run and not problems:
        db().replace_counters(changed)
        written = sorted(changed)
    return RepairResult(
        cohorts=len(cohorts), journeys=journeys, differences=differences, problems=problems, written=written
    )
