"""National reporting: pipeline counters, reports built from them, small-number suppression and CSV.

Why counters: the national report must cost the same whatever the table size. Every state change of a
journey yields `counter_deltas(before, after)`; the data layer ADDs them, in the same DynamoDB
transaction as the journey write, to one counter item per cohort and one per academy
(`scoped_deltas`). National figures are the sum of the ten academy items (`combine`); figures by
framework or period are the sum of the chosen cohorts' items (a cohort has one framework and one
workshop date). `rebuild` recomputes the same counters from journeys and their audit trails for the
repair command; the property tests prove rebuild == the sum of the incremental deltas.

Counter keys (all integers; an absent key is 0):

Gauges, the state now (a change subtracts the journey's old contribution and adds its new one):
  in_stage.<stage>          journeys at each Stage
  workshop_attended         journeys whose workshop attendance is recorded
  readiness.<readiness>     journeys by their latest readiness decision
  deferred_due.<YYYY-MM>    deferred journeys by the month they are due to re-engage ("none": no date)
  claim_due.<YYYY-MM>       journeys in claim development by claim deadline month ("none": no date)

Cumulative milestones, counted once per stage move and never decremented:
  expressions_of_interest   journeys created (one per journey)
  reflection_done           moves reflection -> workshop (one per journey at most)
  decisions.<readiness>     decisions taken (decision -> claim development / deferred / closed); a
                            deferred practitioner who decides again counts again: use readiness.* for
                            the split of people, decisions.* for the volume of decisions
  claims_started            moves into claim development from decision, lapsed or not-yet
  submissions               moves claim development -> submitted (attempts, incl. resubmission after
                            the completeness check sent a claim back)
  claims_submitted          claims accepted for panel review (submitted -> awaiting panel / panel
                            review). This counts CLAIMS, not people: a practitioner who claims again
                            after "not yet" is counted once per claim, because each claim has its own
                            panel and outcome and must reconcile with outcome.*
  interviewed               moves into interview (one per claim interviewed)
  outcome.<outcome>         validation outcomes (one per claim interviewed)
  withdrawn_from.<stage>    withdrawals, by the stage the practitioner withdrew from
  lapsed                    claim windows that lapsed
  reengaged                 deferred practitioners who came back to the decision

Time in each stage (a stay is complete when the journey leaves the stage):
  time_in.<stage>.stays     completed stays
  time_in.<stage>.seconds   their total length in seconds (for a mean)
  time_in.<stage>.<bucket>  stays by length in days, buckets from DAY_EDGES: "0-1", "1-2", ..., "365+"
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field, model_validator

from .. import clock
from .journey import ALLOWED
from .models import AuditEvent, Cohort, Journey, Model, Outcome, Readiness, Stage

S = Stage

# --- counter keys -----------------------------------------------------------------------------------

EXPRESSIONS_OF_INTEREST = "expressions_of_interest"
REFLECTION_DONE = "reflection_done"
WORKSHOP_ATTENDED = "workshop_attended"
CLAIMS_STARTED = "claims_started"
SUBMISSIONS = "submissions"
CLAIMS_SUBMITTED = "claims_submitted"
INTERVIEWED = "interviewed"
LAPSED = "lapsed"
REENGAGED = "reengaged"
NO_DATE = "none"

# Day-bucket edges for time in a stage. Fixed forever: changing them would make old counters unreadable.
DAY_EDGES: tuple[int, ...] = (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 240, 365)

# Stages a journey can leave: only these have completed stays to time.
TIMED_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if ALLOWED[s])

# Which way a decision went, read from the stage move the state machine makes after it
# (statemachine RouteDecision): this lets rebuild() recover decisions from the audit trail alone.
DECISION_ROUTES: dict[Stage, Readiness] = {
    S.CLAIM_DEVELOPMENT: Readiness.READY_NOW,
    S.DEFERRED: Readiness.READY_LATER,
    S.CLOSED: Readiness.FURTHER_DEVELOPMENT,
}
_CLAIM_STARTS = frozenset({S.DECISION, S.LAPSED, S.NOT_YET_VALIDATED})
_TO_PANEL = frozenset({S.AWAITING_PANEL, S.PANEL_REVIEW})


def in_stage_key(stage: Stage) -> str:
    return f"in_stage.{stage.value}"


def readiness_key(readiness: Readiness) -> str:
    return f"readiness.{readiness.value}"


def decisions_key(readiness: Readiness) -> str:
    return f"decisions.{readiness.value}"


def outcome_key(outcome: Outcome | str) -> str:
    return f"outcome.{outcome.value if isinstance(outcome, Outcome) else outcome}"


def withdrawn_key(from_stage: Stage) -> str:
    return f"withdrawn_from.{from_stage.value}"


def month_key(prefix: str, when: date | None) -> str:
    return f"{prefix}.{when.strftime('%Y-%m') if when else NO_DATE}"


def bucket_labels() -> list[str]:
    labels = [f"{lo}-{hi}" for lo, hi in itertools.pairwise(DAY_EDGES)]
    return [*labels, f"{DAY_EDGES[-1]}+"]


_BUCKET_LABELS = bucket_labels()


def time_key(stage: Stage, part: str) -> str:
    return f"time_in.{stage.value}.{part}"


def bucket_for(seconds: int) -> str:
    days = seconds / 86_400
    for i in range(len(DAY_EDGES) - 1, -1, -1):
        if days >= DAY_EDGES[i]:
            return _BUCKET_LABELS[i]
    return _BUCKET_LABELS[0]


# --- scopes -----------------------------------------------------------------------------------------

Scope = str


# The same scope strings the data layer keys its counter items by (services/counting.py).
def cohort_scope(academy_id: str, cohort_id: str) -> Scope:
    return f"COHORT#{academy_id}#{cohort_id}"


def academy_scope(academy_id: str) -> Scope:
    return f"ACADEMY#{academy_id}"


def scopes(journey: Journey) -> list[Scope]:
    return [academy_scope(journey.academy_id), cohort_scope(journey.academy_id, journey.cohort_id)]


# --- deltas -----------------------------------------------------------------------------------------


class InconsistentHistoryError(ValueError):
    """A journey's audit trail does not lead to its current stage: the repair command reports it."""


def _gauges(j: Journey) -> Counter[str]:
    g: Counter[str] = Counter({in_stage_key(j.stage): 1})
    if j.workshop_attended:
        g[WORKSHOP_ATTENDED] += 1
    if j.readiness is not None:
        g[readiness_key(j.readiness)] += 1
    if j.stage is S.DEFERRED:
        g[month_key("deferred_due", j.reengage_on)] += 1
    if j.stage is S.CLAIM_DEVELOPMENT:
        g[month_key("claim_due", j.claim_deadline.date() if j.claim_deadline else None)] += 1
    return g


def _move(
    from_stage: Stage | None,
    to_stage: Stage,
    *,
    entered: datetime | None,
    at: datetime,
    outcome: Outcome | None,
) -> Counter[str]:
    """What one stage move adds to the cumulative counters (from_stage None: the journey was created)."""
    c: Counter[str] = Counter()
    if from_stage is None:
        c[EXPRESSIONS_OF_INTEREST] += 1
        return c
    if entered is not None:
        seconds = max(0, int((at - entered).total_seconds()))
        c[time_key(from_stage, "stays")] += 1
        c[time_key(from_stage, "seconds")] += seconds
        c[time_key(from_stage, bucket_for(seconds))] += 1
    if from_stage is S.REFLECTION and to_stage is S.WORKSHOP:
        c[REFLECTION_DONE] += 1
    if from_stage is S.DECISION and to_stage in DECISION_ROUTES:
        c[decisions_key(DECISION_ROUTES[to_stage])] += 1
    if to_stage is S.CLAIM_DEVELOPMENT and from_stage in _CLAIM_STARTS:
        c[CLAIMS_STARTED] += 1
    if from_stage is S.CLAIM_DEVELOPMENT and to_stage is S.SUBMITTED:
        c[SUBMISSIONS] += 1
    if from_stage is S.SUBMITTED and to_stage in _TO_PANEL:
        c[CLAIMS_SUBMITTED] += 1
    if to_stage is S.INTERVIEW:
        c[INTERVIEWED] += 1
    if to_stage is S.NOT_YET_VALIDATED:
        c[outcome_key(Outcome.NOT_YET)] += 1
    if to_stage is S.VALIDATED:
        # A validated journey without a recorded level is a data fault; count it where it shows.
        c[outcome_key(outcome if outcome not in (None, Outcome.NOT_YET) else "unknown")] += 1
    if to_stage is S.WITHDRAWN:
        c[withdrawn_key(from_stage)] += 1
    if to_stage is S.LAPSED:
        c[LAPSED] += 1
    if from_stage is S.DEFERRED and to_stage is S.DECISION:
        c[REENGAGED] += 1
    return c


def counter_deltas(before: Journey | None, after: Journey) -> dict[str, int]:
    """The increments one change to a journey makes to its cohort's and academy's counters.

    `before` is the journey as read (None when `after` was just created: an expression of interest);
    `after` is what is written. A stage move is recognised by a changed stage and timed from
    `before.stage_entered_at` to `after.stage_entered_at` (journey.move sets both to the event time).
    A change without a stage move (attendance recorded, a decision stored) only moves gauges.
    """
    if before is not None:
        if before.id != after.id:
            raise ValueError("before and after must be the same journey")
        if (before.cohort_id, before.academy_id) != (after.cohort_id, after.academy_id):
            # Counters are attributed to the journey's cohort for its whole life; moving a journey to
            # another cohort would split its history between two items and break rebuild().
            raise ValueError("a journey's cohort and academy cannot change")
    d: Counter[str] = Counter(_gauges(after))
    if before is None:
        d.update(_move(None, after.stage, entered=None, at=after.created_at, outcome=after.outcome))
    else:
        d.subtract(_gauges(before))
        if before.stage is not after.stage:
            d.update(
                _move(
                    before.stage,
                    after.stage,
                    entered=before.stage_entered_at,
                    at=after.stage_entered_at,
                    outcome=after.outcome,
                )
            )
    return {k: v for k, v in d.items() if v}


def scoped_deltas(before: Journey | None, after: Journey) -> dict[Scope, dict[str, int]]:
    """The deltas for each counter item the change touches: its cohort and its academy."""
    d = counter_deltas(before, after)
    return {scope: dict(d) for scope in scopes(after)} if d else {}


def apply(counters: Mapping[str, int], deltas: Mapping[str, int]) -> dict[str, int]:
    """Counters after ADDing deltas (what DynamoDB's ADD does), without the keys that fell to zero."""
    out = Counter(dict(counters))
    out.update(deltas)
    return {k: v for k, v in out.items() if v}


def normalise(counters: Mapping[str, int]) -> dict[str, int]:
    """Drop zero keys (DynamoDB keeps an attribute ADDed back to 0) so that counters compare equal."""
    return {k: int(v) for k, v in counters.items() if int(v)}


def combine(counter_sets: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of several scopes: national = all academies; a framework or period = its cohorts."""
    total: Counter[str] = Counter()
    for c in counter_sets:
        total.update(c)
    return {k: v for k, v in total.items() if v}


def journey_counters(journey: Journey, events: Iterable[AuditEvent]) -> dict[str, int]:
    """One journey's whole contribution to its counters, from its current state and audit trail.

    Stage moves are the events with a `to_stage`, taken in time order. The creation is the event with
    no `from_stage`; if the trail has none, the journey began at the first move's `from_stage` at
    `created_at`.
    """
    moves = sorted((e for e in events if e.to_stage is not None), key=lambda e: e.at)
    c: Counter[str] = _gauges(journey)
    stage: Stage
    entered: datetime
    if moves and moves[0].from_stage is None:
        first = moves.pop(0)
        assert first.to_stage is not None
        stage, entered = first.to_stage, first.at
    else:
        stage = moves[0].from_stage if moves and moves[0].from_stage else journey.stage
        entered = journey.created_at
    c.update(_move(None, stage, entered=None, at=entered, outcome=None))
    for e in moves:
        assert e.to_stage is not None
        if e.from_stage is not stage:
            raise InconsistentHistoryError(
                f"journey {journey.id}: a move from {e.from_stage} at {e.at.isoformat()} "
                f"but it was at {stage}"
            )
        c.update(_move(stage, e.to_stage, entered=entered, at=e.at, outcome=journey.outcome))
        stage, entered = e.to_stage, e.at
    if stage is not journey.stage:
        raise InconsistentHistoryError(
            f"journey {journey.id}: the trail ends at {stage}, the journey is at {journey.stage}"
        )
    return {k: v for k, v in c.items() if v}


def rebuild(histories: Iterable[tuple[Journey, Iterable[AuditEvent]]]) -> dict[Scope, dict[str, int]]:
    """Every cohort's and academy's counters recomputed from journeys and their audit trails (repair).

    Feed it one cohort at a time (a Query per cohort) to keep memory flat; the academy scopes of
    separate calls add up with `combine`.
    """
    out: dict[Scope, Counter[str]] = {}
    for journey, events in histories:
        c = journey_counters(journey, events)
        for scope in scopes(journey):
            out.setdefault(scope, Counter()).update(c)
    return {scope: {k: v for k, v in c.items() if v} for scope, c in out.items()}


# --- time in a stage --------------------------------------------------------------------------------


def stage_histogram(counters: Mapping[str, int], stage: Stage) -> list[tuple[float, float, int]]:
    """(lower day, upper day, stays) per bucket; the last bucket's upper edge is infinity."""
    uppers: list[float] = [*DAY_EDGES[1:], float("inf")]
    return [
        (float(lo), hi, int(counters.get(time_key(stage, label), 0)))
        for lo, hi, label in zip(DAY_EDGES, uppers, _BUCKET_LABELS, strict=True)
    ]


def histogram_quantile(buckets: Sequence[tuple[float, float, int]], q: float) -> float | None:
    """Estimate the q-quantile (0..1) of durations from bucket counts, interpolating within a bucket.

    Returns None without data. A quantile that falls in the open last bucket is reported as its lower
    edge (365 days): "at least a year" is all the counters know.
    """
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    total = sum(n for _, _, n in buckets)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for lo, hi, n in buckets:
        if n and seen + n >= rank:
            if hi == float("inf"):
                return lo
            return lo + (hi - lo) * max(0.0, rank - seen) / n
        seen += n
    return buckets[-1][0]  # pragma: no cover - rank <= total always lands above


# --- reports ----------------------------------------------------------------------------------------

PERCENT_PLACES = 0  # whole percentages, as the programme publishes them; counts are always shown too


def percent(part: int, whole: int, places: int = PERCENT_PLACES) -> float | None:
    """part/whole as a percentage rounded half-up (not banker's rounding); None when whole is 0."""
    if whole <= 0:
        return None
    q = Decimal(1).scaleb(-places)
    return float((Decimal(100 * part) / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP))


STAGE_LABELS: dict[Stage, str] = {
    S.REFLECTION: "Reflection",
    S.WORKSHOP: "Workshop",
    S.DECISION: "Decision",
    S.DEFERRED: "Deferred (ready in 12 to 18 months)",
    S.CLOSED: "Closed (considering further development)",
    S.CLAIM_DEVELOPMENT: "Claim development",
    S.SUBMITTED: "Submitted (completeness check)",
    S.AWAITING_PANEL: "Awaiting a panel",
    S.PANEL_REVIEW: "Panel review",
    S.INTERVIEW: "Validation interview",
    S.VALIDATED: "Validated",
    S.NOT_YET_VALIDATED: "Not yet validated",
    S.LAPSED: "Claim window lapsed",
    S.WITHDRAWN: "Withdrawn",
}
READINESS_LABELS: dict[Readiness, str] = {
    Readiness.READY_NOW: "Ready to make a claim now",
    Readiness.READY_LATER: "Ready in 12 to 18 months",
    Readiness.FURTHER_DEVELOPMENT: "Considering further development",
}
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.LEADER: "System OD leader",
    Outcome.PRACTITIONER: "System OD practitioner",
    Outcome.NOT_YET: "Not yet validated",
}


class Share(Model):
    """A count with its percentages (None where the denominator is 0)."""

    key: str
    label: str
    count: int
    pct_of_decided: float | None = None
    pct_of_interest: float | None = None


class OutcomeShare(Model):
    key: str
    label: str
    count: int
    pct_of_interviewed: float | None = None


class StepTime(Model):
    stage: Stage
    label: str
    stays: int
    median_days: float | None
    p90_days: float | None
    mean_days: float | None


class FunnelStep(Model):
    key: str
    label: str
    count: int
    pct_of_interest: float | None


class Deadlines(Model):
    """Month buckets of dated gauges, relative to the report's date."""

    due_by_this_month: int  # due in or before the report's month (overdue included)
    later: int
    no_date: int


class PipelineReport(Model):
    scope: str
    title: str
    as_of: date
    expressions_of_interest: int
    reflection_done: int
    workshop_attended: int
    decided: int  # journeys with a readiness decision (their latest one)
    readiness: list[Share]
    decisions_taken: int  # all decisions, including a second decision after a deferral
    in_claim_development: int
    claim_deadlines: Deadlines
    claims_started: int
    submissions: int
    submitted: int  # claims accepted for panel review (claims, not people)
    under_review: int  # now: submitted, awaiting a panel or in panel review
    awaiting_interview: int
    interviewed: int
    outcomes: list[OutcomeShare]
    validated: int
    not_yet: int
    withdrawn: int
    withdrawn_from: dict[str, int]
    lapsed: int  # windows that ever lapsed
    closed: int
    deferred: int  # deferred now
    deferrals_due: Deadlines
    in_stage: dict[str, int]
    time_in_step: list[StepTime]
    funnel: list[FunnelStep]


class CohortReport(PipelineReport):
    cohort_id: str
    cohort_name: str
    cohort_number: int
    academy_id: str
    framework_key: str
    workshop_date: date


def _deadlines(counters: Mapping[str, int], prefix: str, as_of: date) -> Deadlines:
    this_month = as_of.strftime("%Y-%m")
    due = later = none = 0
    for key, n in counters.items():
        if not key.startswith(prefix + "."):
            continue
        month = key[len(prefix) + 1 :]
        if month == NO_DATE:
            none += n
        elif month <= this_month:  # YYYY-MM compares correctly as text
            due += n
        else:
            later += n
    return Deadlines(due_by_this_month=due, later=later, no_date=none)


def build_report(
    scope_name: str, counters: Mapping[str, int], *, as_of: date | None = None, title: str | None = None
) -> PipelineReport:
    """The pipeline report for one scope (a cohort, an academy, national) from its counters alone.

    `as_of` (default: today by the product clock) decides which deadlines and re-engagements are due.
    """
    when = as_of or clock.now().date()
    return PipelineReport(**_report_fields(scope_name, counters, as_of=when, title=title or scope_name))


def build_cohort_report(
    cohort: Cohort, counters: Mapping[str, int], *, as_of: date | None = None
) -> CohortReport:
    when = as_of or clock.now().date()
    fields = _report_fields(
        cohort_scope(cohort.academy_id, cohort.id), counters, as_of=when, title=cohort.name
    )
    return CohortReport(
        **fields,
        cohort_id=cohort.id,
        cohort_name=cohort.name,
        cohort_number=cohort.number,
        academy_id=cohort.academy_id,
        framework_key=cohort.framework_key,
        workshop_date=cohort.workshop_date,
    )


def _report_fields(scope: str, counters: Mapping[str, int], *, as_of: date, title: str) -> dict[str, object]:
    def n(key: str) -> int:
        return int(counters.get(key, 0))

    eoi = n(EXPRESSIONS_OF_INTEREST)
    decided = sum(n(readiness_key(r)) for r in Readiness)
    readiness = [
        Share(
            key=r.value,
            label=READINESS_LABELS[r],
            count=n(readiness_key(r)),
            pct_of_decided=percent(n(readiness_key(r)), decided),
            pct_of_interest=percent(n(readiness_key(r)), eoi),
        )
        for r in Readiness
    ]
    interviewed_with_outcome = sum(n(outcome_key(o)) for o in Outcome)
    outcomes = [
        OutcomeShare(
            key=o.value,
            label=OUTCOME_LABELS[o],
            count=n(outcome_key(o)),
            pct_of_interviewed=percent(n(outcome_key(o)), interviewed_with_outcome),
        )
        for o in Outcome
    ]
    validated = n(outcome_key(Outcome.LEADER)) + n(outcome_key(Outcome.PRACTITIONER))
    times = []
    for stage in TIMED_STAGES:
        hist = stage_histogram(counters, stage)
        stays = n(time_key(stage, "stays"))
        med, p90 = histogram_quantile(hist, 0.5), histogram_quantile(hist, 0.9)
        times.append(
            StepTime(
                stage=stage,
                label=STAGE_LABELS[stage],
                stays=stays,
                median_days=None if med is None else round(med, 1),
                p90_days=None if p90 is None else round(p90, 1),
                mean_days=round(n(time_key(stage, "seconds")) / stays / 86_400, 1) if stays else None,
            )
        )
    funnel_counts = [
        ("expressions_of_interest", "Expressed interest", eoi),
        ("reflection_done", "Completed the reflection", n(REFLECTION_DONE)),
        ("workshop_attended", "Attended the workshop", n(WORKSHOP_ATTENDED)),
        ("decided", "Made a readiness decision", decided),
        ("ready_now", "Decided ready to claim now", n(readiness_key(Readiness.READY_NOW))),
        ("submitted", "Claims submitted for panel review", n(CLAIMS_SUBMITTED)),
        ("interviewed", "Claims taken to interview", n(INTERVIEWED)),
        ("validated", "Validated", validated),
    ]
    return {
        "scope": scope,
        "title": title,
        "as_of": as_of,
        "expressions_of_interest": eoi,
        "reflection_done": n(REFLECTION_DONE),
        "workshop_attended": n(WORKSHOP_ATTENDED),
        "decided": decided,
        "readiness": readiness,
        "decisions_taken": sum(n(decisions_key(r)) for r in Readiness),
        "in_claim_development": n(in_stage_key(S.CLAIM_DEVELOPMENT)),
        "claim_deadlines": _deadlines(counters, "claim_due", as_of),
        "claims_started": n(CLAIMS_STARTED),
        "submissions": n(SUBMISSIONS),
        "submitted": n(CLAIMS_SUBMITTED),
        "under_review": sum(n(in_stage_key(s)) for s in (S.SUBMITTED, S.AWAITING_PANEL, S.PANEL_REVIEW)),
        "awaiting_interview": n(in_stage_key(S.INTERVIEW)),
        "interviewed": n(INTERVIEWED),
        "outcomes": outcomes,
        "validated": validated,
        "not_yet": n(outcome_key(Outcome.NOT_YET)),
        "withdrawn": n(in_stage_key(S.WITHDRAWN)),
        "withdrawn_from": {s.value: n(withdrawn_key(s)) for s in Stage if n(withdrawn_key(s))},
        "lapsed": n(LAPSED),
        "closed": n(in_stage_key(S.CLOSED)),
        "deferred": n(in_stage_key(S.DEFERRED)),
        "deferrals_due": _deadlines(counters, "deferred_due", as_of),
        "in_stage": {s.value: n(in_stage_key(s)) for s in Stage},
        "time_in_step": times,
        "funnel": [
            FunnelStep(key=k, label=lbl, count=c, pct_of_interest=percent(c, eoi))
            for k, lbl, c in funnel_counts
        ],
    }


# --- tables for export, and small-number suppression ------------------------------------------------

SUPPRESSED = "*"  # the marker NHS statistical publications use for a suppressed count
DEFAULT_THRESHOLD = 5


class CountTable(Model):
    """A table of counts with the totals a reader would be given.

    `row_totals`: each row's cells add up to a meaningful total (a partition, e.g. readiness split).
    `column_totals`: each column's cells add up (e.g. academies add up to national). A funnel's steps
    are not a partition, so a funnel table has column totals only.
    """

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    row_totals: bool = True
    column_totals: bool = True

    @model_validator(mode="after")
    def _shape(self) -> CountTable:
        if len(self.cells) != len(self.row_labels) or any(
            len(r) != len(self.column_labels) for r in self.cells
        ):
            raise ValueError("cells must have one row per row label and one cell per column label")
        if any(v < 0 for r in self.cells for v in r):
            raise ValueError("counts cannot be negative")
        return self


class SuppressedTable(Model):
    """A CountTable as published: None where a count is suppressed."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None] | None  # None: the table has no row totals
    column_totals: list[int | None] | None
    grand_total: int | None = None  # only when the table has both kinds of total
    threshold: int
    suppressed_primary: int = Field(description="cells suppressed because they are small")
    suppressed_secondary: int = Field(description="cells suppressed so the small ones cannot be worked out")

    def row_percent(self, row: int, column: int, places: int = PERCENT_PLACES) -> float | None:
        """A cell as a percentage of its row total; None if either is suppressed (or no row totals)."""
        cell = self.cells[row][column]
        total = None if self.row_totals is None else self.row_totals[row]
        return None if cell is None or total is None else percent(cell, total, places)

    def rows(self, *, with_percent: bool = False) -> list[list[str | int]]:
        """Header + body (+ total row) ready for to_csv; suppressed cells show SUPPRESSED."""

        def show(v: int | None) -> str | int:
            return SUPPRESSED if v is None else v

        header: list[str | int] = ["", *self.column_labels]
        if with_percent and self.row_totals is not None:
            header += [f"{c} (% of row)" for c in self.column_labels]
        if self.row_totals is not None:
            header.append("Total")
        out: list[list[str | int]] = [header]
        for i, label in enumerate(self.row_labels):
            line: list[str | int] = [label, *(show(v) for v in self.cells[i])]
            if with_percent and self.row_totals is not None:
                pcts = (self.row_percent(i, j) for j in range(len(self.column_labels)))
                line += [SUPPRESSED if p is None else _fmt_pct(p) for p in pcts]
            if self.row_totals is not None:
                line.append(show(self.row_totals[i]))
            out.append(line)
        if self.column_totals is not None:
            line = ["Total", *(show(v) for v in self.column_totals)]
            if with_percent and self.row_totals is not None:
                line += [
                    SUPPRESSED
                    if v is None or self.grand_total is None
                    else _fmt_pct(percent(v, self.grand_total))
                    for v in self.column_totals
                ]
            if self.row_totals is not None:
                line.append(show(self.grand_total))
            out.append(line)
        return out


def _fmt_pct(p: float | None) -> str:
    if p is None:
        return ""
    return f"{p:.{PERCENT_PLACES}f}%"


def _extended(table: CountTable) -> tuple[list[list[int]], list[list[int]]]:
    """The table with its totals as one matrix, and the sign that makes every line sum to zero.

    Rows 0..R-1 and columns 0..C-1 are cells; column C holds row totals, row R column totals and
    [R][C] the grand total (when the table has them). Cell values minus their totals sum to zero on
    every constrained line: that is all an attacker knows.
    """
    r, c = len(table.row_labels), len(table.column_labels)
    rows = r + (1 if table.column_totals else 0)
    cols = c + (1 if table.row_totals else 0)
    m = [[0] * cols for _ in range(rows)]
    sign = [[1] * cols for _ in range(rows)]
    for i in range(r):
        for j in range(c):
            m[i][j] = table.cells[i][j]
    if table.row_totals:
        for i in range(r):
            m[i][c] = sum(table.cells[i])
            sign[i][c] = -1
    if table.column_totals:
        for j in range(c):
            m[r][j] = sum(table.cells[i][j] for i in range(r))
            sign[r][j] = -1
    if table.row_totals and table.column_totals:
        m[r][c] = sum(map(sum, table.cells))
    return m, sign


def pinned_cells(
    values: list[list[int]],
    sign: list[list[int]],
    hidden: set[tuple[int, int]],
    rows_bound: bool,
    cols_bound: bool,
) -> list[tuple[int, int]]:
    """Hidden cells whose value an attacker can work out exactly from the published ones.

    The published lines say: for each constrained line, sum(sign * value) = 0. A hidden cell is NOT
    pinned iff some other solution with non-negative values differs in it, and (the constraints form a
    network matrix) that holds iff a unit change of the cell lies on a cycle of unit changes to other
    hidden cells that keeps every line balanced and every value >= 0. Such a cycle is a directed
    cycle in the residual graph below. Lines without a constraint (a table without row totals) are
    merged into one free node, where nothing needs to balance.
    """
    free = "free"

    def row_node(i: int) -> str:
        return f"r{i}" if rows_bound else free

    def col_node(j: int) -> str:
        return f"c{j}" if cols_bound else free

    # Edge row->col: sign*value goes up by 1; col->row: it goes down by 1 (a value goes down when its
    # sign and the change differ; that needs the value to be at least 1).
    edges: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for i, j in hidden:
        v, s = values[i][j], sign[i][j]
        if s > 0 or v >= 1:
            edges.setdefault(row_node(i), []).append((col_node(j), (i, j)))
        if s < 0 or v >= 1:
            edges.setdefault(col_node(j), []).append((row_node(i), (i, j)))

    def reachable(start: str, goal: str, banned: tuple[int, int]) -> bool:
        if start == goal:
            return True
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for nxt, cell in edges.get(node, []):
                if cell == banned or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                stack.append(nxt)
        return False

    pinned = []
    for i, j in sorted(hidden):
        v, s = values[i][j], sign[i][j]
        a, b = row_node(i), col_node(j)
        up = (s > 0 or v >= 1) and reachable(b, a, (i, j))  # row->col edge closed by a path col ~> row
        down = (s < 0 or v >= 1) and reachable(a, b, (i, j))
        if not (up or down):
            pinned.append((i, j))
    return pinned


def suppress(
    table: CountTable, threshold: int = DEFAULT_THRESHOLD, *, suppress_zero: bool = False
) -> SuppressedTable:
    """Disclosure control for exports and any view shared beyond the national team.

    Primary: every count (cell or total) from 1 to threshold-1 is suppressed. Zeros are shown by
    default (a zero discloses no one; NHS publications usually show them) unless `suppress_zero`.
    Secondary: with totals both ways, each small count is hidden with the cheapest rectangle of
    counts through it (smallest values; zeros and totals only if nothing else will do). Then, while any
    suppressed count could still be worked out exactly from what is published (pinned_cells: covers
    "a line with one suppressed cell" and every subtler pattern), the cheapest published count on a
    line that needs a partner is hidden too. threshold 1 turns suppression off.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    m, sign = _extended(table)
    n_rows, n_cols = len(m), len(m[0]) if m else 0
    r, c = len(table.row_labels), len(table.column_labels)
    lo = 0 if suppress_zero else 1
    hidden = {(i, j) for i in range(n_rows) for j in range(n_cols) if lo <= m[i][j] < threshold}
    primary = len(hidden)
    rows_bound, cols_bound = table.row_totals, table.column_totals

    def cost(cell: tuple[int, int]) -> int:
        # Hide as little as possible: small counts first, totals and zeros (which protect little)
        # only when nothing else will do.
        v = m[cell[0]][cell[1]]
        return v + (10**6 if v == 0 else 0) + (10**3 if cell[0] >= r or cell[1] >= c else 0)

    if rows_bound and cols_bound:
        # With totals both ways, the cheapest rectangle through a small count hides it: the four
        # counts can trade one unit around the rectangle without changing any published total.
        for i, j in sorted(hidden, key=lambda cell: (m[cell[0]][cell[1]], cell)):
            if (i, j) not in pinned_cells(m, sign, hidden, rows_bound, cols_bound):
                continue
            rectangles = [
                [(i, j2), (i2, j), (i2, j2)]
                for i2 in range(n_rows)
                for j2 in range(n_cols)
                if i2 != i and j2 != j
            ]
            best = min(rectangles, key=lambda rect: sum(cost(x) for x in rect if x not in hidden))
            hidden.update(best)
    # Then, whatever is still pinned (a subtler pattern, or a table with totals one way only).
    while hidden:
        pinned = pinned_cells(m, sign, hidden, rows_bound, cols_bound)
        if not pinned:
            break
        # Only a constrained line can hide a cell (in a funnel table, its column). Lines where a
        # pinned count is the only one hidden need a partner first; fixing them often frees the rest.
        lines = [
            line
            for i, j in pinned
            for line in (
                [(i, k) for k in range(n_cols)] if rows_bound else [],
                [(k, j) for k in range(n_rows)] if cols_bound else [],
            )
            if line
        ]
        lonely = [line for line in lines if sum(cell in hidden for cell in line) == 1]
        candidates = [cell for line in (lonely or lines) for cell in line if cell not in hidden]
        if not candidates:  # pragma: no cover - defensive: never publish a count that can be worked out
            candidates = [(i, j) for i in range(n_rows) for j in range(n_cols) if (i, j) not in hidden]
            if not candidates:
                break
        hidden.add(min(candidates, key=lambda cell: (cost(cell), cell)))

    def shown(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else m[i][j]

    return SuppressedTable(
        title=table.title,
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=[[shown(i, j) for j in range(c)] for i in range(r)],
        row_totals=[shown(i, c) for i in range(r)] if table.row_totals else None,
        column_totals=[shown(r, j) for j in range(c)] if table.column_totals else None,
        grand_total=shown(r, c) if table.row_totals and table.column_totals else None,
        threshold=threshold,
        suppressed_primary=primary,
        suppressed_secondary=len(hidden) - primary,
    )


def readiness_table(reports: Sequence[PipelineReport], title: str = "Readiness decisions") -> CountTable:
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=[READINESS_LABELS[r] for r in Readiness],
        cells=[[s.count for s in rep.readiness] for rep in reports],
    )


def outcomes_table(reports: Sequence[PipelineReport], title: str = "Validation outcomes") -> CountTable:
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=[OUTCOME_LABELS[o] for o in Outcome],
        cells=[[s.count for s in rep.outcomes] for rep in reports],
    )


def funnel_table(reports: Sequence[PipelineReport], title: str = "The pipeline") -> CountTable:
    """Rows are scopes (academies), columns funnel steps; steps overlap, so no row totals."""
    labels = [s.label for s in reports[0].funnel] if reports else []
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=labels,
        cells=[[s.count for s in rep.funnel] for rep in reports],
        row_totals=False,
    )


# --- CSV --------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> str | int | float:
    """A cell Excel and LibreOffice will not run as a formula (CSV injection): text that starts with
    = + - @ (or a tab or carriage return) gets a leading apostrophe. Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quoted where needed) with every text cell made Excel-safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    return buf.getvalue()
