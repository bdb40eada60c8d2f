"""Pipeline counters: incremental deltas == rebuild from audit trails == a brute-force recount."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odvalidation.domain import reporting as r
from odvalidation.domain.journey import ALLOWED, move
from odvalidation.domain.models import AuditEvent, Journey, Outcome, Readiness, Stage

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
S = Stage
ROUTE = {
    S.CLAIM_DEVELOPMENT: Readiness.READY_NOW,
    S.DEFERRED: Readiness.READY_LATER,
    S.CLOSED: Readiness.FURTHER_DEVELOPMENT,
}


def new_journey(n: int, cohort: str, academy: str, at: datetime) -> Journey:
    return Journey(
        id=f"j{n}",
        practitioner_id=f"p{n}",
        cohort_id=cohort,
        academy_id=academy,
        framework_key="global-practice@1.0",
        stage=S.REFLECTION,
        created_at=at,
        updated_at=at,
        stage_entered_at=at,
    )


class Ledger:
    """Keeps counters the way the data layer will: ADD the scoped deltas of every write."""

    def __init__(self) -> None:
        self.counters: dict[str, dict[str, int]] = {}
        self.histories: dict[str, tuple[Journey, list[AuditEvent]]] = {}

    def write(self, before: Journey | None, after: Journey, event: AuditEvent | None = None) -> Journey:
        for scope, d in r.scoped_deltas(before, after).items():
            self.counters[scope] = r.apply(self.counters.get(scope, {}), d)
        events = self.histories[after.id][1] if after.id in self.histories else []
        if event is not None:
            events.append(event)
        self.histories[after.id] = (after, events)
        return after

    def create(self, j: Journey, *, with_event: bool = True) -> Journey:
        ev = AuditEvent(
            journey_id=j.id, at=j.created_at, actor="p", action="expressed interest", to_stage=j.stage
        )
        return self.write(None, j, ev if with_event else None)

    def move(self, j: Journey, to: Stage, at: datetime, **changes: object) -> Journey:
        moved, ev = move(j, to, actor="system:test", at=at)
        return self.write(j, moved.model_copy(update=changes), ev)

    def update(self, j: Journey, **changes: object) -> Journey:
        return self.write(j, j.model_copy(update=changes))


# --- a brute-force recount, written independently of reporting's internals ----------------------------


def stays(journey: Journey, events: list[AuditEvent]) -> list[tuple[Stage, float]]:
    """(stage, days) for every completed stay, by walking the trail."""
    moves = sorted((e for e in events if e.to_stage), key=lambda e: e.at)
    # Without a creation event, the first stay began when the journey was created.
    entries = [(e.to_stage, e.at) for e in moves]
    if moves and moves[0].from_stage is not None:
        entries.insert(0, (moves[0].from_stage, journey.created_at))
    return [
        (stage, (nxt_at - at).total_seconds() / 86400)
        for (stage, at), (_, nxt_at) in itertools.pairwise(entries)
        if stage is not None
    ]


def recount(histories: list[tuple[Journey, list[AuditEvent]]]) -> dict[str, int]:
    c: Counter[str] = Counter()
    edges = list(r.DAY_EDGES)
    labels = [f"{a}-{b}" for a, b in itertools.pairwise(edges)] + ["365+"]
    for j, events in histories:
        c[f"in_stage.{j.stage.value}"] += 1
        c["expressions_of_interest"] += 1
        c["workshop_attended"] += j.workshop_attended
        c["workshop_equivalent"] += bool(j.workshop_attended and j.workshop_equivalent)
        if j.readiness:
            c[f"readiness.{j.readiness.value}"] += 1
        if j.stage is S.DEFERRED:
            c[f"deferred_due.{j.reengage_on:%Y-%m}" if j.reengage_on else "deferred_due.none"] += 1
        if j.stage is S.CLAIM_DEVELOPMENT:
            c[f"claim_due.{j.claim_deadline:%Y-%m}" if j.claim_deadline else "claim_due.none"] += 1
        if j.stage is S.VALIDATED and j.certificate_revoked:
            assert j.outcome is not None
            c[f"revoked.{j.outcome.value}"] += 1
        renewing = False
        for e in sorted(events, key=lambda e: e.at):
            a, b = e.from_stage, e.to_stage
            if a is None:
                continue
            c["reflection_done"] += (a, b) == (S.REFLECTION, S.WORKSHOP)
            if a is S.DECISION and b in ROUTE:
                c[f"decisions.{ROUTE[b].value}"] += 1
            c["claims_started"] += b is S.CLAIM_DEVELOPMENT and a in (
                S.DECISION,
                S.LAPSED,
                S.NOT_YET_VALIDATED,
            )
            c["submissions"] += (a, b) == (S.CLAIM_DEVELOPMENT, S.SUBMITTED)
            c["claims_submitted"] += a is S.SUBMITTED and b in (S.AWAITING_PANEL, S.PANEL_REVIEW)
            c["interviewed"] += b is S.INTERVIEW
            c["outcome.not_yet"] += b is S.NOT_YET_VALIDATED
            if b is S.VALIDATED:
                assert j.outcome is not None
                c[f"outcome.{j.outcome.value}"] += 1
            if b is S.WITHDRAWN:
                c[f"withdrawn_from.{a.value}"] += 1
            c["lapsed"] += b is S.LAPSED
            c["reengaged"] += (a, b) == (S.DEFERRED, S.DECISION)
            c["revalidations.started"] += (a, b) == (S.VALIDATED, S.CLAIM_DEVELOPMENT)
            c["revalidations.renewed"] += renewing and b is S.VALIDATED
            c["revalidations.not_yet"] += renewing and b is S.NOT_YET_VALIDATED
            c["revalidations.lapsed"] += renewing and b is S.LAPSED
            renewing = renewing or (a, b) == (S.VALIDATED, S.CLAIM_DEVELOPMENT)
        for stage, days in stays(j, events):
            c[f"time_in.{stage.value}.stays"] += 1
            c[f"time_in.{stage.value}.seconds"] += round(days * 86400)
            c[f"time_in.{stage.value}.{labels[bisect.bisect_right(edges, days) - 1]}"] += 1
    return {k: v for k, v in c.items() if v}


# --- random journeys ----------------------------------------------------------------------------------

gaps = st.integers(min_value=0, max_value=400 * 86400)


@st.composite
def random_journeys(draw: st.DrawFn) -> Ledger:
    ledger = Ledger()
    n_journeys = draw(st.integers(min_value=1, max_value=6))
    for n in range(n_journeys):
        cohort = draw(st.sampled_from(["nw-1", "nw-2", "lon-1"]))
        academy = "london" if cohort.startswith("lon") else "north-west"
        at = T0 + timedelta(seconds=draw(gaps))
        j = ledger.create(new_journey(n, cohort, academy, at), with_event=draw(st.booleans()))
        for _ in range(draw(st.integers(min_value=0, max_value=25))):
            action = draw(st.sampled_from(["move", "move", "move", "attend", "decide", "revoke"]))
            if action == "revoke":  # certificates.revoke marks the journey's current certificate
                if j.stage is S.VALIDATED:
                    j = ledger.update(j, certificate_revoked=True)
                continue
            if action == "attend":  # the workshop, or an equivalent session with its reason
                equivalent = draw(st.sampled_from([None, "a one-to-one session: shift work"]))
                j = ledger.update(j, workshop_attended=True, workshop_equivalent=equivalent)
                continue
            if action == "decide":  # a decision stored before the workflow moves on
                j = ledger.update(j, readiness=draw(st.sampled_from(list(Readiness))))
                continue
            nexts = sorted(ALLOWED[j.stage])
            if not nexts:
                break
            to = draw(st.sampled_from(nexts))
            at = at + timedelta(seconds=draw(gaps))
            changes: dict[str, object] = {}
            if j.stage is S.DECISION and to in ROUTE:
                changes["readiness"] = ROUTE[to]
            if to is S.DEFERRED:
                changes["reengage_on"] = draw(st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)))
            if to is S.CLAIM_DEVELOPMENT:
                changes["claim_deadline"] = draw(st.none() | st.just(at + timedelta(days=183)))
            if to is S.VALIDATED:
                changes["outcome"] = draw(st.sampled_from([Outcome.LEADER, Outcome.PRACTITIONER]))
            if to is S.NOT_YET_VALIDATED:
                changes["outcome"] = Outcome.NOT_YET
            if j.stage is S.VALIDATED and to is S.CLAIM_DEVELOPMENT:
                # start_revalidation sets the flag (only on a certificate still in force).
                if j.certificate_revoked:
                    continue
                j = ledger.update(j, revalidation=True)
            j = ledger.move(j, to, at, **changes)
    return ledger


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_journeys())
def test_incremental_counters_match_rebuild_and_a_brute_force_recount(ledger: Ledger) -> None:
    histories = list(ledger.histories.values())
    rebuilt = r.rebuild(histories)
    assert rebuilt == ledger.counters
    for scope, counters in ledger.counters.items():
        mine = [
            (j, ev)
            for j, ev in histories
            if scope in (f"COHORT#{j.academy_id}#{j.cohort_id}", f"ACADEMY#{j.academy_id}")
        ]
        assert counters == recount(mine), scope
    # National is the sum of academies, and equals a recount of every journey.
    national = r.combine(c for s, c in ledger.counters.items() if s.startswith("ACADEMY#"))
    assert national == recount(histories)
    assert national == r.combine(c for s, c in ledger.counters.items() if s.startswith("COHORT#"))


@settings(max_examples=100, deadline=None)
@given(random_journeys())
def test_report_totals_agree_with_the_journeys(ledger: Ledger) -> None:
    histories = list(ledger.histories.values())
    national = r.combine(c for s, c in ledger.counters.items() if s.startswith("ACADEMY#"))
    report = r.build_report("national", national, as_of=date(2026, 1, 1))
    journeys = [j for j, _ in histories]
    assert report.expressions_of_interest == len(journeys)
    assert sum(report.in_stage.values()) == len(journeys)
    assert report.decided == sum(j.readiness is not None for j in journeys)
    assert report.withdrawn == sum(j.stage is S.WITHDRAWN for j in journeys)
    assert report.deferred == sum(j.stage is S.DEFERRED for j in journeys)
    # Validations are counted per claim: a renewal validates the same journey again.
    # A revoked certificate's validation is counted apart (issue 15.5).
    assert report.validated + report.revoked == sum(
        e.to_stage is S.VALIDATED for _, events in histories for e in events
    )
    assert report.revoked == sum(j.stage is S.VALIDATED and j.certificate_revoked for j in journeys)
    withdrawn_at_interview = sum(
        e.from_stage is S.INTERVIEW and e.to_stage is S.WITHDRAWN for _, events in histories for e in events
    )
    assert report.interviewed == (
        sum(o.count for o in report.outcomes) + report.awaiting_interview + withdrawn_at_interview
    )
    deadlines = report.claim_deadlines
    assert deadlines.due_by_this_month + deadlines.later + deadlines.no_date == report.in_claim_development
    # The estimated median of each stage's stays lies in the same bucket as the true median.
    all_stays = [s for j, ev in histories for s in stays(j, ev)]
    for step in report.time_in_step:
        days = sorted(d for st_, d in all_stays if st_ is step.stage)
        assert step.stays == len(days)
        if not days:
            assert step.median is None
            continue
        assert step.median is not None
        assert step.p90 is not None
        # The median's bucket is the true median's (the lower of the two middle stays', for an even
        # count, may sit one bucket lower).
        true_median = days[(len(days) - 1) // 2]
        lo = r.DAY_EDGES[bisect.bisect_right(r.DAY_EDGES, true_median) - 1]
        hi_i = bisect.bisect_right(r.DAY_EDGES, days[len(days) // 2])
        hi = r.DAY_EDGES[hi_i] if hi_i < len(r.DAY_EDGES) else None
        assert lo <= step.median.from_days
        assert hi is None or step.median.to_days is None or step.median.to_days <= hi
        assert step.median.from_days <= step.p90.from_days


def test_a_resubmission_after_not_yet_counts_a_second_claim_not_a_second_person() -> None:
    ledger = Ledger()
    j = ledger.create(new_journey(1, "nw-1", "north-west", T0))
    at = T0
    path = [S.WORKSHOP, S.DECISION, S.CLAIM_DEVELOPMENT, S.SUBMITTED, S.PANEL_REVIEW, S.INTERVIEW]
    for stage in [*path, S.NOT_YET_VALIDATED, S.CLAIM_DEVELOPMENT, *path[3:], S.VALIDATED]:
        at += timedelta(days=10)
        extra: dict[str, object] = {"outcome": Outcome.LEADER} if stage is S.VALIDATED else {}
        if stage is S.NOT_YET_VALIDATED:
            extra = {"outcome": Outcome.NOT_YET}
        j = ledger.move(j, stage, at, **extra)
    c = ledger.counters["COHORT#north-west#nw-1"]
    report = r.build_report("COHORT#north-west#nw-1", c, as_of=date(2026, 1, 1))
    assert report.expressions_of_interest == 1
    assert report.submitted == 2  # two claims, each with its own panel and outcome
    assert report.interviewed == 2
    assert [(o.key, o.count) for o in report.outcomes] == [
        ("system_od_leader", 1),
        ("system_od_practitioner", 0),
        ("revoked", 0),
        ("not_yet", 1),
    ]
    assert report.claims_started == 2
    assert report.funnel[0].count == 1
    assert report.funnel[-1].count == 1
    # Every stay here lasted 10 days: median and 90th percentile fall in the 10-14 day bucket.
    cd = next(t for t in report.time_in_step if t.stage is S.CLAIM_DEVELOPMENT)
    assert cd.stays == 2
    assert cd.median is not None
    assert cd.median.label == "10 to 14 days"
    assert cd.mean_days == 10.0
    assert cd.mean == "10 days"


def test_a_change_without_a_stage_move_only_moves_gauges() -> None:
    j = new_journey(1, "nw-1", "north-west", T0)
    d = r.counter_deltas(
        j, j.model_copy(update={"workshop_attended": True, "readiness": Readiness.READY_NOW})
    )
    assert d == {"workshop_attended": 1, "readiness.ready_now": 1}
    changed = j.model_copy(update={"readiness": Readiness.READY_LATER})
    assert r.counter_deltas(j.model_copy(update={"readiness": Readiness.READY_NOW}), changed) == {
        "readiness.ready_now": -1,
        "readiness.ready_12_18_months": 1,
    }
    assert r.counter_deltas(None, j) == {"in_stage.reflection": 1, "expressions_of_interest": 1}


def test_an_equivalent_session_counts_as_attendance_and_is_reported_apart() -> None:
    j = new_journey(1, "nw-1", "north-west", T0)
    equivalent = j.model_copy(
        update={"workshop_attended": True, "workshop_equivalent": "a one-to-one session: shift work"}
    )
    d = r.counter_deltas(j, equivalent)
    assert d == {"workshop_attended": 1, "workshop_equivalent": 1}
    report = r.build_report("north-west", r.apply(r.counter_deltas(None, j), d), as_of=T0.date())
    assert report.workshop_attended == 1
    assert report.workshop_equivalent == 1
    assert [s.label for s in report.funnel if s.key == "workshop_equivalent"] == [
        "Of whom at an equivalent session"
    ]


def test_a_journey_cannot_change_cohort_under_its_counters() -> None:
    j = new_journey(1, "nw-1", "north-west", T0)
    with pytest.raises(ValueError, match="cohort"):
        r.counter_deltas(j, j.model_copy(update={"cohort_id": "nw-2"}))


def test_rebuild_names_a_journey_whose_trail_does_not_lead_to_its_stage() -> None:
    j = new_journey(7, "nw-1", "north-west", T0)
    created = AuditEvent(
        journey_id=j.id, at=T0, actor="p", action="expressed interest", to_stage=S.REFLECTION
    )
    moved, ev = move(j, S.WORKSHOP, actor="x", at=T0 + timedelta(days=1))
    assert r.rebuild([(moved, [created, ev])])["COHORT#north-west#nw-1"]["reflection_done"] == 1
    with pytest.raises(r.InconsistentHistoryError, match="j7"):
        r.rebuild([(moved, [created, ev.model_copy(update={"from_stage": S.DECISION})])])
    with pytest.raises(r.InconsistentHistoryError, match="j7"):
        r.rebuild([(moved, [created])])  # the trail ends at reflection, the journey is at the workshop
    # A journey with no trail at all (imported) counts where it stands, as an expression of interest.
    assert r.rebuild([(moved, [])])["COHORT#north-west#nw-1"] == {
        "in_stage.workshop": 1,
        "expressions_of_interest": 1,
    }


def test_histogram_quantile() -> None:
    b = [(0.0, 10.0, 10), (10.0, 20.0, 10), (20.0, float("inf"), 0)]
    assert r.histogram_quantile(b, 0.5) == 10.0
    assert r.histogram_quantile(b, 0.25) == 5.0
    assert r.histogram_quantile(b, 0.9) == 18.0
    assert r.histogram_quantile([(0.0, 1.0, 0)], 0.5) is None
    assert r.histogram_quantile([(0.0, 365.0, 1), (365.0, float("inf"), 9)], 0.9) == 365.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        r.histogram_quantile(b, 1.5)


def test_bucket_edges_are_half_open() -> None:
    assert r.bucket_for(0) == "0-1"
    assert r.bucket_for(86399) == "0-1"
    assert r.bucket_for(86400) == "1-2"
    assert r.bucket_for(4 * 86400) == "3-5"
    assert r.bucket_for(365 * 86400) == "365+"


def test_percentages_round_half_up_and_survive_zero() -> None:
    assert r.percent(1, 8) == 13.0  # 12.5 rounds up, not to the even 12
    assert r.percent(1, 8, places=1) == 12.5
    assert r.percent(0, 0) is None
    report = r.build_report("empty", {}, as_of=date(2026, 1, 1))
    assert report.expressions_of_interest == 0
    assert all(s.pct_of_decided is None and s.pct_of_interest is None for s in report.readiness)
    assert all(t.median is None for t in report.time_in_step)


def test_dues_are_split_at_the_report_month() -> None:
    counters = {
        "deferred_due.2025-03": 2,
        "deferred_due.2025-04": 1,
        "deferred_due.2026-01": 4,
        "deferred_due.none": 1,
    }
    report = r.build_report("x", counters, as_of=date(2025, 4, 30))
    assert report.deferrals_due.model_dump() == {"due_by_this_month": 3, "later": 4, "no_date": 1}


# --- the national roll-out the poster reports -----------------------------------------------------------


def test_national_roll_out_reports_the_posters_percentages() -> None:
    """78 expressions of interest; 68 at the workshop; 27% / 33% / 40% of those who decided.

    No split of 68 rounds to 27/33/40 (18/68 = 26.5%, 19/68 = 27.9%), so the poster's percentages
    are of those who had decided: 67 of the 68 participants (one had not decided yet), split
    18 / 22 / 27 = 26.9% / 32.8% / 40.3%, published as whole percentages 27% / 33% / 40%.
    """
    ledger = Ledger()
    academies = ["north-west", "london", "south-west", "kss", "east-midlands"]
    splits = [Readiness.READY_NOW] * 18 + [Readiness.READY_LATER] * 22 + [Readiness.FURTHER_DEVELOPMENT] * 27
    route = {v: k for k, v in ROUTE.items()}
    for n in range(78):
        academy = academies[n % len(academies)]
        at = T0 + timedelta(hours=n)
        j = ledger.create(new_journey(n, f"{academy}-1", academy, at))
        j = ledger.move(j, S.WORKSHOP, at + timedelta(days=14))  # everyone reflects...
        if n >= 68:
            continue  # ...10 do not come to the workshop
        j = ledger.update(j, workshop_attended=True)
        j = ledger.move(j, S.DECISION, at + timedelta(days=20))
        if n < 67:
            readiness = splits[n]
            j = ledger.update(j, readiness=readiness)
            ledger.move(j, route[readiness], at + timedelta(days=30))
    national = r.combine(c for s, c in ledger.counters.items() if s.startswith("ACADEMY#"))
    report = r.build_report("national", national, as_of=date(2025, 6, 1), title="England")
    assert report.expressions_of_interest == 78
    assert report.workshop_attended == 68
    assert report.decided == 67
    by_key = {s.key: s for s in report.readiness}
    assert [by_key[k.value].pct_of_decided for k in Readiness] == [27.0, 33.0, 40.0]
    assert [by_key[k.value].count for k in Readiness] == [18, 22, 27]
    assert [by_key[k.value].pct_of_interest for k in Readiness] == [23.0, 28.0, 35.0]
    assert report.in_claim_development == 18
    assert report.deferred == 22
    assert report.closed == 27
    funnel = {f.key: (f.count, f.pct_of_interest) for f in report.funnel}
    assert funnel["workshop_attended"] == (68, 87.0)
    assert funnel["decided"] == (67, 86.0)
    assert r.rebuild(ledger.histories.values()) == ledger.counters


def test_time_in_each_step_says_what_the_audit_trail_says_not_half_a_day() -> None:
    """Issue 17.9: stays of minutes were shown as "median 0.5, 90th percentile 0.9 days" (interpolated
    inside the 0-1 day bucket) for every step. The report now gives the bucket and the exact mean."""
    ledger = Ledger()
    for n in range(1, 11):
        at = T0 + timedelta(hours=n)
        j = ledger.create(new_journey(n, "nw-1", "north-west", at))
        # Reflection takes 20 minutes; the workshop takes 3 days for most, 40 days for one.
        j = ledger.move(j, S.WORKSHOP, at + timedelta(minutes=20))
        ledger.move(j, S.DECISION, at + timedelta(minutes=20, days=40 if n == 10 else 3))
    report = r.build_report("COHORT#north-west#nw-1", ledger.counters["COHORT#north-west#nw-1"])
    steps = {t.stage: t for t in report.time_in_step}
    reflection, workshop = steps[S.REFLECTION], steps[S.WORKSHOP]
    assert reflection.stays == 10
    assert reflection.median is not None
    assert reflection.p90 is not None
    assert (reflection.median.label, reflection.p90.label, reflection.mean) == (
        "under 1 day",
        "under 1 day",
        "20 minutes",
    )
    assert workshop.median is not None
    assert workshop.p90 is not None
    assert (workshop.median.label, workshop.p90.label) == ("3 to 5 days", "3 to 5 days")
    assert workshop.mean == "6.7 days"  # (9 x 3 + 40) / 10, from the exact seconds
    assert steps[S.DECISION].median is None


def test_renewals_are_counted_started_renewed_lapsed_by_cohort() -> None:
    """Issue 18.6: revalidations started, renewed and lapsed, by academy and cohort."""
    ledger = Ledger()
    path = [S.WORKSHOP, S.DECISION, S.CLAIM_DEVELOPMENT, S.SUBMITTED, S.PANEL_REVIEW, S.INTERVIEW]
    ends = {1: S.VALIDATED, 2: S.LAPSED, 3: S.NOT_YET_VALIDATED, 4: None}
    for n, end in ends.items():
        at = T0
        j = ledger.create(new_journey(n, "nw-1", "north-west", at))
        for stage in [*path, S.VALIDATED]:
            at += timedelta(days=10)
            j = ledger.move(j, stage, at, **({"outcome": Outcome.LEADER} if stage is S.VALIDATED else {}))
        if end is None:
            continue  # validated, not renewing
        j = ledger.update(j, revalidation=True)  # start_revalidation
        at += timedelta(days=1000)
        j = ledger.move(j, S.CLAIM_DEVELOPMENT, at)
        if end is S.LAPSED:
            ledger.move(j, S.LAPSED, at + timedelta(days=183))
            continue
        for stage in path[3:]:
            at += timedelta(days=10)
            j = ledger.move(j, stage, at)
        ledger.move(j, end, at + timedelta(days=5))
    counters = ledger.counters["COHORT#north-west#nw-1"]
    assert r.rebuild(ledger.histories.values())["COHORT#north-west#nw-1"] == counters
    report = r.build_report("COHORT#north-west#nw-1", counters, as_of=date(2030, 1, 1))
    assert (report.revalidations_started, report.renewed) == (3, 1)
    assert (report.revalidations_not_yet, report.revalidations_lapsed) == (1, 1)
    table = r.renewals_table([report])
    assert table.column_labels == list(r.RENEWAL_LABELS.values())
    assert table.cells == [[3, 1, 1, 1]]
    assert ledger.counters["ACADEMY#north-west"] == counters
