"""Pipeline counters: what each change to a journey adds to its cohort's and academy's counters.

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
  workshop_equivalent       of those, journeys that attended an equivalent session instead (another
                            cohort's workshop, a one-to-one, a reasonable adjustment)
  readiness.<readiness>     journeys by their latest readiness decision
  deferred_due.<YYYY-MM>    deferred journeys by the month they are due to re-engage ("none": no date)
  claim_due.<YYYY-MM>       journeys in claim development by claim deadline month ("none": no date)
  revoked.<level>           validated journeys whose current certificate is revoked, by level: the
                            report counts them apart from outcome.<level> (issue 15.5)

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
  revalidations.started     renewals started (validated -> claim development; issue 18.6)
  revalidations.renewed     renewals validated again: moves into validated during a renewal. These
                            are also counted in outcome.* (a renewal is a claim with an outcome)
  revalidations.not_yet     renewals that ended "not yet"
  revalidations.lapsed      renewal claim windows that lapsed
  A move is part of a renewal when the journey's `revalidation` flag is set (start_revalidation sets
  it before the move out of validated, and nothing clears it); rebuild() reads the same from the
  trail: every move after the first validated -> claim development is part of a renewal.

Time in each stage (a stay is complete when the journey leaves the stage):
  time_in.<stage>.stays     completed stays
  time_in.<stage>.seconds   their total length in seconds (for a mean)
  time_in.<stage>.<bucket>  stays by length in days, buckets from DAY_EDGES: "0-1", "1-2", ..., "365+"
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from ..journey import ALLOWED
from ..models import AuditEvent, Journey, Outcome, Readiness, Stage

S = Stage

# --- counter keys -----------------------------------------------------------------------------------

EXPRESSIONS_OF_INTEREST = "expressions_of_interest"
REFLECTION_DONE = "reflection_done"
WORKSHOP_ATTENDED = "workshop_attended"
WORKSHOP_EQUIVALENT = "workshop_equivalent"
CLAIMS_STARTED = "claims_started"
SUBMISSIONS = "submissions"
CLAIMS_SUBMITTED = "claims_submitted"
INTERVIEWED = "interviewed"
LAPSED = "lapsed"
REENGAGED = "reengaged"
REVALIDATIONS_STARTED = "revalidations.started"
REVALIDATIONS_RENEWED = "revalidations.renewed"
REVALIDATIONS_NOT_YET = "revalidations.not_yet"
REVALIDATIONS_LAPSED = "revalidations.lapsed"
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


def revoked_key(outcome: Outcome | str) -> str:
    return f"revoked.{outcome.value if isinstance(outcome, Outcome) else outcome}"


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
        if j.workshop_equivalent:
            g[WORKSHOP_EQUIVALENT] += 1
    if j.readiness is not None:
        g[readiness_key(j.readiness)] += 1
    if j.stage is S.DEFERRED:
        g[month_key("deferred_due", j.reengage_on)] += 1
    if j.stage is S.CLAIM_DEVELOPMENT:
        g[month_key("claim_due", j.claim_deadline.date() if j.claim_deadline else None)] += 1
    if j.stage is S.VALIDATED and j.certificate_revoked:
        g[revoked_key(j.outcome if j.outcome not in (None, Outcome.NOT_YET) else "unknown")] += 1
    return g


def _move(
    from_stage: Stage | None,
    to_stage: Stage,
    *,
    entered: datetime | None,
    at: datetime,
    outcome: Outcome | None,
    renewing: bool = False,
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
    if from_stage is S.VALIDATED and to_stage is S.CLAIM_DEVELOPMENT:
        c[REVALIDATIONS_STARTED] += 1
    if renewing and to_stage is S.VALIDATED:
        c[REVALIDATIONS_RENEWED] += 1
    if renewing and to_stage is S.NOT_YET_VALIDATED:
        c[REVALIDATIONS_NOT_YET] += 1
    if renewing and to_stage is S.LAPSED:
        c[REVALIDATIONS_LAPSED] += 1
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
                    renewing=before.revalidation,
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
    renewing = False  # once a renewal starts, the journey's `revalidation` flag stays set
    for e in moves:
        assert e.to_stage is not None
        if e.from_stage is not stage:
            raise InconsistentHistoryError(
                f"journey {journey.id}: a move from {e.from_stage} at {e.at.isoformat()} "
                f"but it was at {stage}"
            )
        c.update(
            _move(stage, e.to_stage, entered=entered, at=e.at, outcome=journey.outcome, renewing=renewing)
        )
        renewing = renewing or (stage is S.VALIDATED and e.to_stage is S.CLAIM_DEVELOPMENT)
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


def histogram_bucket(buckets: Sequence[tuple[float, float, int]], q: float) -> tuple[float, float] | None:
    """The bucket (lower day, upper day) the q-quantile (0..1) of the stays falls in; None without data.

    This is all the counters know: a stay is counted by its bucket, so a median "between 0 and 1 day"
    is exact where a number inside the bucket would be made up (interpolating put every stay shorter
    than a day at 0.5 days, whatever their real length: issue 17.9).
    """
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    total = sum(n for _, _, n in buckets)
    if total == 0:
        return None
    rank, seen = max(q * total, 1), 0
    for lo, hi, n in buckets:
        seen += n
        if n and seen >= rank:
            return lo, hi
    return buckets[-1][0], buckets[-1][1]  # pragma: no cover - rank <= total always lands above


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
