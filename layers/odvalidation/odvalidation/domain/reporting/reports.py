"""The pipeline report of one scope (a cohort, an academy, national), built from its counters alone:
counts, percentages, labels, deadlines due and time in each step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ... import clock
from ..models import Cohort, Model, Outcome, Readiness, Stage
from .counters import (
    CLAIMS_STARTED,
    CLAIMS_SUBMITTED,
    EXPRESSIONS_OF_INTEREST,
    INTERVIEWED,
    LAPSED,
    NO_DATE,
    REFLECTION_DONE,
    REVALIDATIONS_LAPSED,
    REVALIDATIONS_NOT_YET,
    REVALIDATIONS_RENEWED,
    REVALIDATIONS_STARTED,
    SUBMISSIONS,
    TIMED_STAGES,
    WORKSHOP_ATTENDED,
    WORKSHOP_EQUIVALENT,
    cohort_scope,
    decisions_key,
    histogram_bucket,
    in_stage_key,
    outcome_key,
    readiness_key,
    revoked_key,
    stage_histogram,
    time_key,
    withdrawn_key,
)

S = Stage

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
# Validations whose certificate was revoked since: counted apart from the levels (issue 15.5).
REVOKED = "revoked"
REVOKED_LABEL = "Validated, certificate since revoked"


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


class DayRange(Model):
    """Where a quantile of the stays lies, as the counters know it: between two day edges."""

    from_days: int
    to_days: int | None  # None: open-ended ("a year or more")
    label: str


class StepTime(Model):
    stage: Stage
    label: str
    stays: int
    median: DayRange | None
    p90: DayRange | None
    mean_days: float | None  # exact (from the total seconds), to 2 places
    mean: str | None  # the mean in words a reader takes in: "3 hours", "12.5 days"


def day_range(bucket: tuple[float, float] | None) -> DayRange | None:
    if bucket is None:
        return None
    lo, hi = int(bucket[0]), None if bucket[1] == float("inf") else int(bucket[1])
    if hi is None:
        label = f"{lo} days or more"
    elif lo == 0:
        label = f"under {hi} day" + ("s" if hi > 1 else "")
    else:
        label = f"{lo} to {hi} days"
    return DayRange(from_days=lo, to_days=hi, label=label)


def duration_text(seconds: float) -> str:
    """A length of time in the unit a reader expects: minutes, hours, then days."""
    if seconds < 3_600:
        minutes = max(1, round(seconds / 60))
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    if seconds < 86_400:
        hours = round(seconds / 3_600, 1)
        return f"{hours:g} hour" + ("s" if hours != 1 else "")
    days = round(seconds / 86_400, 1)
    return f"{days:g} day" + ("s" if days != 1 else "")


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
    workshop_equivalent: int = 0  # of those, at an equivalent session instead of the workshop
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
    validated: int  # validations (claims, renewals included) whose certificate has not been revoked
    revoked: int  # validations whose certificate has been revoked since
    not_yet: int
    revalidations_started: int  # renewals started (issue 18.6)
    renewed: int  # renewals validated again
    revalidations_not_yet: int  # renewals that ended "not yet"
    revalidations_lapsed: int  # renewal windows that lapsed
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
    # A revoked certificate's validation moves from its level to "revoked": the shares still add up.
    revoked = sum(n(revoked_key(o)) for o in (Outcome.LEADER, Outcome.PRACTITIONER))
    net = {o: n(outcome_key(o)) - n(revoked_key(o)) for o in Outcome}
    outcome_counts = [(o.value, OUTCOME_LABELS[o], net[o]) for o in (Outcome.LEADER, Outcome.PRACTITIONER)]
    outcome_counts += [(REVOKED, REVOKED_LABEL, revoked)]
    outcome_counts += [(Outcome.NOT_YET.value, OUTCOME_LABELS[Outcome.NOT_YET], net[Outcome.NOT_YET])]
    outcomes = [
        OutcomeShare(key=k, label=lbl, count=c, pct_of_interviewed=percent(c, interviewed_with_outcome))
        for k, lbl, c in outcome_counts
    ]
    validated = net[Outcome.LEADER] + net[Outcome.PRACTITIONER]
    times = []
    for stage in TIMED_STAGES:
        hist = stage_histogram(counters, stage)
        stays = n(time_key(stage, "stays"))
        mean_seconds = n(time_key(stage, "seconds")) / stays if stays else None
        times.append(
            StepTime(
                stage=stage,
                label=STAGE_LABELS[stage],
                stays=stays,
                median=day_range(histogram_bucket(hist, 0.5)),
                p90=day_range(histogram_bucket(hist, 0.9)),
                mean_days=None if mean_seconds is None else round(mean_seconds / 86_400, 2),
                mean=None if mean_seconds is None else duration_text(mean_seconds),
            )
        )
    funnel_counts = [
        ("expressions_of_interest", "Expressed interest", eoi),
        ("reflection_done", "Completed the reflection", n(REFLECTION_DONE)),
        ("workshop_attended", "Attended the workshop", n(WORKSHOP_ATTENDED)),
        ("workshop_equivalent", "Of whom at an equivalent session", n(WORKSHOP_EQUIVALENT)),
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
        "workshop_equivalent": n(WORKSHOP_EQUIVALENT),
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
        "revoked": revoked,
        "not_yet": n(outcome_key(Outcome.NOT_YET)),
        "revalidations_started": n(REVALIDATIONS_STARTED),
        "renewed": n(REVALIDATIONS_RENEWED),
        "revalidations_not_yet": n(REVALIDATIONS_NOT_YET),
        "revalidations_lapsed": n(REVALIDATIONS_LAPSED),
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
