"""Scale: 1k, 5k and 20k journeys across the ten academies, and what the national report and one
cohort's listing read and take at each size.

Loading: journeys are not driven through the API (20k would take hours). Each is a `Journey` made by
the domain model, at a stage drawn from a fixed mix, written as the product writes it (`to_item`
with the journey's keys and both index keys) with one audit event, by BatchWriteItem; the counter
items are the sums of `services.counting.counter_changes(None, journey)` over the journeys (the
deltas `Store.commit` would have ADDed), written with ADD updates. Cohorts are written as
`create_cohort` writes them (four per academy).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from local.stack import LocalStack
from odvalidation.dal import keys
from odvalidation.dal.store import _counter_update, journey_index, to_item
from odvalidation.domain.academies import ACADEMIES
from odvalidation.domain.access import Caller
from odvalidation.domain.models import AuditEvent, Cohort, Journey, Outcome, Readiness, Role, Stage
from odvalidation.services import journeys as js
from odvalidation.services.counting import counter_changes

from .common import Section, median
from .meter import Meter, as_function

SIZES = (1_000, 5_000, 20_000)
COHORTS_PER_ACADEMY = 4
NATIONAL_SPREAD_TARGET = 1.2
LISTING_TARGET = 1.05
FRAMEWORK = "nw-cipd-combined@1.0"
STAGE_MIX = [
    (Stage.REFLECTION, 10),
    (Stage.WORKSHOP, 8),
    (Stage.DECISION, 6),
    (Stage.DEFERRED, 6),
    (Stage.CLOSED, 5),
    (Stage.CLAIM_DEVELOPMENT, 25),
    (Stage.SUBMITTED, 3),
    (Stage.PANEL_REVIEW, 5),
    (Stage.INTERVIEW, 4),
    (Stage.VALIDATED, 18),
    (Stage.NOT_YET_VALIDATED, 4),
    (Stage.LAPSED, 4),
    (Stage.WITHDRAWN, 2),
]


def cohorts() -> list[Cohort]:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    return [
        Cohort(
            id=f"{a.id}-{9900 + n}",
            academy_id=a.id,
            name=f"{a.name} scale cohort {9900 + n}",
            number=9900 + n,
            framework_key=FRAMEWORK,
            workshop_date=(at + timedelta(days=30)).date(),
            created_at=at,
        )
        for a in ACADEMIES
        for n in range(COHORTS_PER_ACADEMY)
    ]


def make_journey(i: int, cohort: Cohort, rng: random.Random) -> Journey:
    stages, weights = zip(*STAGE_MIX, strict=True)
    stage = rng.choices(stages, weights)[0]
    created = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 300))
    entered = created + timedelta(days=rng.randrange(0, 200))
    late = stage not in (Stage.REFLECTION, Stage.WORKSHOP, Stage.DECISION, Stage.CLOSED, Stage.DEFERRED)
    return Journey(
        id=f"jscale{i:06d}",
        practitioner_id=f"pscale{i:06d}",
        cohort_id=cohort.id,
        academy_id=cohort.academy_id,
        framework_key=cohort.framework_key,
        stage=stage,
        version=rng.randrange(1, 20),
        created_at=created,
        updated_at=entered,
        stage_entered_at=entered,
        readiness=(
            Readiness.READY_NOW
            if late
            else Readiness.FURTHER_DEVELOPMENT
            if stage is Stage.CLOSED
            else Readiness.READY_LATER
            if stage is Stage.DEFERRED
            else None
        ),
        reengage_on=(entered + timedelta(days=400)).date() if stage is Stage.DEFERRED else None,
        workshop_attended=stage not in (Stage.REFLECTION, Stage.WORKSHOP),
        claim_number=1 if late else 0,
        claim_deadline=entered + timedelta(days=182) if stage is Stage.CLAIM_DEVELOPMENT else None,
        task_token=("t" * 600) if stage not in (Stage.VALIDATED, Stage.CLOSED, Stage.WITHDRAWN) else None,
        waiting_step=stage.value if stage in (Stage.REFLECTION, Stage.CLAIM_DEVELOPMENT) else None,
        outcome=(
            Outcome.LEADER
            if stage is Stage.VALIDATED
            else Outcome.NOT_YET
            if stage is Stage.NOT_YET_VALIDATED
            else None
        ),
        certificate_id=f"cscale{i:06d}" if stage is Stage.VALIDATED else None,
    )


class Loader:
    def __init__(self, stack: LocalStack, seed: int = 8) -> None:
        self.stack = stack
        self.db = stack.client("dynamodb")
        self.table = stack.deployed.global_environment["TABLE_NAME"]
        self.rng = random.Random(seed)
        # Round-robin over the academies (cohort 1 of each, then cohort 2 ...), so that the smallest size
        # already has journeys in all ten: the national report then reads the same ten counter items at
        # every size, which is the claim being measured.
        self.cohorts = sorted(cohorts(), key=lambda c: (c.number, c.academy_id))
        self.loaded = 0
        self.per_cohort: Counter[str] = Counter()
        self._cohorts_written = False

    def _batch(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), 25):
            request = {self.table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
            while request:
                out = self.db.batch_write_item(RequestItems=request)
                request = out.get("UnprocessedItems") or {}

    def grow_to(self, size: int) -> float:
        """Add journeys until `size` are loaded; returns the seconds it took."""
        start = time.perf_counter()
        if not self._cohorts_written:
            self._batch(
                [
                    to_item(
                        c,
                        keys.cohort(c.id),
                        GSI1PK=f"ACADEMY#{c.academy_id}",
                        GSI1SK=f"COHORT#{c.number:04d}",
                        GSI2PK="COHORTS",
                        GSI2SK=f"{c.academy_id}#{c.number:04d}",
                    )
                    for c in self.cohorts
                ]
            )
            self._cohorts_written = True
        items: list[dict[str, Any]] = []
        counters: dict[str, Counter[str]] = defaultdict(Counter)
        for i in range(self.loaded, size):
            cohort = self.cohorts[i % len(self.cohorts)]
            j = make_journey(i, cohort, self.rng)
            self.per_cohort[cohort.id] += 1
            items.append(to_item(j, keys.journey(j.id), **journey_index(j)))
            event = AuditEvent(
                journey_id=j.id,
                at=j.created_at,
                actor=j.practitioner_id,
                action="expressed interest",
                to_stage=Stage.REFLECTION,
            )
            items.append(to_item(event, keys.journey_part(j.id, keys.audit_sk(event.at.isoformat(), "0"))))
            for scope, deltas in counter_changes(None, j, j.stage_entered_at).items():
                counters[scope].update(deltas)
        self._batch(items)
        for scope, deltas in counters.items():
            update = _counter_update(self.table, scope, dict(deltas))
            if update:
                self.db.update_item(**update)
        self.loaded = size
        return time.perf_counter() - start


def _national(caller: Caller) -> Any:
    try:
        from odvalidation.services import reports
    except ImportError:  # before services/reports.py: the counters query it is built on
        from odvalidation.dal.store import store

        return store().counters("ACADEMY#")
    return reports.national(caller)


def _measure(meter: Meter, label: str, call: Any, repeats: int) -> tuple[int, int, float, int]:
    """(items read, items returned by the last call, median seconds, Scan calls) of `call`."""
    times: list[float] = []
    read = returned = 0
    for _ in range(repeats):
        meter.reset()
        with as_function(label):
            start = time.perf_counter()
            out = call()
            times.append(time.perf_counter() - start)
        read = meter.items_read[label]
        returned = len(out) if isinstance(out, list | dict) else 0
    return read, returned, median(times), meter.scans


def run(stack: LocalStack, meter: Meter, sizes: tuple[int, ...] = SIZES, repeats: int = 5) -> Section:
    loader = Loader(stack)
    national_lead = Caller(id="bench-national", roles=frozenset({Role.NATIONAL_LEAD}))
    watched = loader.cohorts[0]
    academy_lead = Caller(
        id="bench-lead", roles=frozenset({Role.ACADEMY_LEAD}), academy_id=watched.academy_id
    )
    db = stack.client("dynamodb")
    table = stack.deployed.global_environment["TABLE_NAME"]
    rows: list[list[str]] = []
    national_reads: list[int] = []
    listing_ratios: list[float] = []
    scans_before = meter.scans
    for size in sizes:
        load_s = loader.grow_to(size)
        # The baseline for times: one consistent GetItem of a journey on the same stack.
        _, _, get_s, _ = _measure(
            meter,
            "baseline",
            lambda: db.get_item(
                TableName=table, Key={"PK": {"S": "JOURNEY#jscale000000"}, "SK": {"S": "JOURNEY"}}
            ),
            repeats,
        )
        n_read, _, n_s, _ = _measure(meter, "national report", lambda: _national(national_lead), repeats)
        l_read, l_returned, l_s, _ = _measure(
            meter, "cohort listing", lambda: js.cohort_journeys(academy_lead, watched.id), repeats
        )
        # The listing's own Query, apart from the GetItem of the cohort that checks the caller's academy.
        query_read = l_read - 1
        national_reads.append(n_read)
        listing_ratios.append(query_read / max(1, l_returned))
        rows.append(
            [
                f"{size:,}",
                f"{load_s:.0f} s",
                str(n_read),
                f"{n_s * 1000:.1f} ms ({n_s / get_s:.1f}x)",
                f"{l_returned}",
                f"{query_read} (+1 GetItem of the cohort)",
                f"{query_read / max(1, l_returned):.3f}",
                f"{l_s * 1000:.1f} ms ({l_s / get_s:.1f}x)",
                f"{get_s * 1000:.1f} ms",
            ]
        )
    spread = max(national_reads) / max(1, min(national_reads))
    scans = meter.scans - scans_before
    section = Section(
        "5. Scale",
        intro=(
            __doc__.split("\n\n", 1)[1].replace("\n", " ").strip()
            + " Items read are counted from each response (`ScannedCount` of a Query, the item of a "
            "GetItem), through the same botocore hook as the cost benchmark; times are the median of "
            f"{repeats} calls in this process against the local stack, shown beside the time of one "
            "GetItem on the same stack."
        ),
    )
    section.notes.append(
        "The local stack reads only the partition a Query names (local/moto_tuning.py; moto alone walks "
        "every item of the table), so its times follow the items read, as DynamoDB's do: the cohort "
        "listing's time grows with the journeys it returns, the national report's does not. The items "
        "read are the figure that carries over to AWS. The national report's items are the ten academy "
        "counter items plus the panel "
        "pool's members (which grow with the pool, not with journeys)."
    )
    section.add(
        "National report: items read, largest / smallest size",
        f"{spread:.2f}x ({', '.join(map(str, national_reads))})",
        f"<= {NATIONAL_SPREAD_TARGET}x",
        spread <= NATIONAL_SPREAD_TARGET,
    )
    worst = max(listing_ratios)
    section.add(
        "Cohort listing: items read / items returned (worst size)",
        f"{worst:.3f}",
        f"<= {LISTING_TARGET}",
        worst <= LISTING_TARGET,
    )
    section.add("Scan calls during the scale benchmark", str(scans), "0", scans == 0)
    section.table(
        "At each size",
        [
            "Journeys",
            "Load time",
            "National report: items read",
            "National report: time (x GetItem)",
            "Cohort listing: journeys returned",
            "Cohort listing: items read by its Query",
            "Read / returned",
            "Cohort listing: time (x GetItem)",
            "One GetItem",
        ],
        rows,
    )
    return section
