"""Crosswalks between framework versions (issue 18): data that says which elements of one framework
map to which of another, and the pure rules that carry a claim in development across.

A crosswalk is a JSON file beside the frameworks, frameworks/crosswalks/<from key>__<to key>.json. Every
element of the old framework is listed once, with the new elements it maps to (one or more: nothing a
practitioner wrote is ever dropped); several old elements may map to the same new one. New elements no old
one maps to are allowed: they are simply uncovered after a move.

Moving a claim: a narrative goes to each of its element's targets (one-to-many copies it); a target fed by
several narratives gets them one after another, each under a heading naming its old element (many-to-one).
Evidence goes with its narrative: the item is re-pointed at its first target and linked to the others,
never uploaded again. A submitted claim is never moved: the panel reviews what was submitted.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .claims import claimed_elements
from .errors import FrameworkError, InvalidInput, InvalidTransition, NotFound
from .frameworks import all_frameworks
from .models import Claim, EvidenceItem, EvidenceStatus, Framework, LongText, Model

ElementId = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
NARRATIVE_LIMIT = 20_000  # LongText's cap: a merged narrative must still fit


class ElementMapping(Model):
    source: ElementId = Field(alias="from")
    targets: list[ElementId] = Field(alias="to", min_length=1)
    note: Annotated[str, StringConstraints(max_length=1000)] = ""  # why, in our own words


class Crosswalk(Model):
    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from")  # framework keys, "<id>@<version>"
    target: str = Field(alias="to")
    summary: Annotated[str, StringConstraints(max_length=2000)] = ""
    mappings: list[ElementMapping] = Field(min_length=1)

    def targets_of(self, element_id: str) -> list[str]:
        return next((m.targets for m in self.mappings if m.source == element_id), [])

    def sources_of(self, element_id: str) -> list[str]:
        return [m.source for m in self.mappings if element_id in m.targets]


def parse_crosswalk(
    raw: str | bytes, frameworks: dict[str, Framework], *, source: str = "crosswalk"
) -> Crosswalk:
    """Validate one crosswalk against the frameworks it joins: both exist, every id exists on its side,
    every old element is mapped exactly once."""
    try:
        walk = Crosswalk.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise FrameworkError(f"{source}: " + "; ".join(problems), details=problems) from None
    for key in (walk.source, walk.target):
        if key not in frameworks:
            raise FrameworkError(f"{source}: there is no framework '{key}'")
    if walk.source == walk.target:
        raise FrameworkError(f"{source}: a crosswalk joins two different frameworks")
    old = [e.id for e in frameworks[walk.source].elements]
    new = {e.id for e in frameworks[walk.target].elements}
    seen: set[str] = set()
    for mapping in walk.mappings:
        if mapping.source not in old:
            raise FrameworkError(f"{source}: element {mapping.source} is not in {walk.source}")
        if mapping.source in seen:
            raise FrameworkError(f"{source}: element {mapping.source} is mapped twice")
        seen.add(mapping.source)
        for target in mapping.targets:
            if target not in new:
                raise FrameworkError(
                    f"{source}: element {mapping.source} maps to {target}, not in {walk.target}"
                )
        if len(set(mapping.targets)) != len(mapping.targets):
            raise FrameworkError(f"{source}: element {mapping.source} names a target twice")
    unmapped = [e for e in old if e not in seen]
    if unmapped:
        raise FrameworkError(
            f"{source}: elements {', '.join(unmapped)} of {walk.source} map to nothing; "
            "every old element needs at least one new one, so that nothing written is lost"
        )
    return walk


def _files() -> list[Path]:
    folder = resources.files("odvalidation") / "frameworks" / "crosswalks"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


@cache
def all_crosswalks() -> dict[tuple[str, str], Crosswalk]:
    found: dict[tuple[str, str], Crosswalk] = {}
    frameworks = all_frameworks()
    for path in _files():
        walk = parse_crosswalk(path.read_bytes(), frameworks, source=path.name)
        if path.stem != f"{walk.source}__{walk.target}":
            raise FrameworkError(f"{path.name}: file name must be '{walk.source}__{walk.target}.json'")
        found[(walk.source, walk.target)] = walk
    return found


def crosswalk(source: str, target: str) -> Crosswalk:
    try:
        return all_crosswalks()[(source, target)]
    except KeyError:
        raise NotFound(
            f"There is no crosswalk from '{source}' to '{target}', so a claim cannot be moved between them."
            + (
                f" From '{source}' a claim can move to: {', '.join(destinations(source))}."
                if destinations(source)
                else ""
            )
        ) from None


def destinations(source: str) -> list[str]:
    """The framework keys a claim on `source` can be moved to."""
    return sorted(t for s, t in all_crosswalks() if s == source)


# ---------------------------------------------------------------------------- the move


class TargetRow(BaseModel):
    """What one new element receives, for the lead's confirm page and the practitioner's email."""

    model_config = ConfigDict(defer_build=True)

    element_id: str
    title: str
    sources: list[str]  # old element ids, in the old framework's order
    narratives: int  # how many non-empty narratives it receives
    evidence: int  # how many evidence items it is linked to
    expected: bool  # whether the claim's level (or chosen elements) asks for it

    @property
    def uncovered(self) -> bool:
        return self.expected and (self.narratives == 0 or self.evidence == 0)

    @property
    def missing(self) -> str:
        gaps = [what for what, n in (("a narrative", self.narratives), ("evidence", self.evidence)) if n == 0]
        return " and ".join(gaps)


class MovedClaim(BaseModel):
    model_config = ConfigDict(defer_build=True)

    claim: Claim
    evidence: list[EvidenceItem]  # every item to write, each re-pointed at the new elements
    rows: list[TargetRow]

    @property
    def uncovered(self) -> list[TargetRow]:
        return [r for r in self.rows if r.uncovered]


def move_claim(
    walk: Crosswalk,
    old: Framework,
    new: Framework,
    claim: Claim,
    evidence: list[EvidenceItem],
    *,
    at: datetime,
) -> MovedClaim:
    """The claim and its evidence as they are on the new framework. Refuses a submitted claim, and a
    move while evidence is still being checked (its check would land on the old element)."""
    if (walk.source, walk.target) != (old.key, new.key):
        raise InvalidInput(
            f"This crosswalk joins {walk.source} to {walk.target}, not {old.key} to {new.key}."
        )
    if claim.submitted_at is not None:
        raise InvalidTransition(
            "A submitted claim is never moved to another framework: the panel reviews it as submitted."
        )
    pending = [e for e in evidence if e.status is EvidenceStatus.PENDING]
    if pending:
        raise InvalidTransition(
            f"Evidence \u201c{pending[0].display_name}\u201d for element {pending[0].element_id} is still being "
            "checked. Move the claim once the check has finished (or the file has been removed)."
        )
    old_order = [e.id for e in old.elements]
    narratives: dict[str, LongText] = {}
    received: dict[str, int] = {}
    for target in new.elements:
        written = [
            s for s in old_order if s in walk.sources_of(target.id) and claim.narratives.get(s, "").strip()
        ]
        received[target.id] = len(written)
        if len(written) == 1:
            narratives[target.id] = claim.narratives[written[0]]
        elif written:
            narratives[target.id] = "\n\n".join(
                f"From element {s}, {_title(old, s)} ({old.key}):\n\n{claim.narratives[s].strip()}"
                for s in written
            )
        if len(narratives.get(target.id, "")) > NARRATIVE_LIMIT:
            raise InvalidInput(
                f"Element {target.id} ({target.title}) would receive {len(narratives[target.id]):,} characters "
                f"from elements {', '.join(written)}, more than the {NARRATIVE_LIMIT:,} a narrative may hold. "
                "Ask the practitioner to shorten those narratives first."
            )
    moved_items: list[EvidenceItem] = []
    for item in evidence:
        for linked in item.elements:
            if not walk.targets_of(linked):
                raise InvalidInput(
                    f"Evidence \u201c{item.display_name}\u201d is on element {linked}, which is not in {old.key}."
                )
        if not item.elements:  # in the library, on no element: it moves with the element it came from
            targets = walk.targets_of(item.element_id)
            moved_items.append(item.model_copy(update={"element_id": targets[0]}) if targets else item)
            continue
        # One file stays one item of the library (issue 16.6), linked to every target of each element it
        # supported: the practitioner sees it once, and a panel sees it under each element.
        targets = list(dict.fromkeys(t for linked in item.elements for t in walk.targets_of(linked)))
        moved_items.append(item.model_copy(update={"element_id": targets[0], "element_ids": targets}))
    chosen = sorted(
        {t for s in claim.elements for t in walk.targets_of(s)}, key=[e.id for e in new.elements].index
    )
    moved = claim.model_copy(
        update={"narratives": narratives, "elements": chosen, "version": claim.version + 1, "updated_at": at}
    )
    expected = set(claimed_elements(new, moved))
    rows = [
        TargetRow(
            element_id=e.id,
            title=e.title,
            sources=[s for s in old_order if s in walk.sources_of(e.id)],
            narratives=received.get(e.id, 0),
            evidence=sum(
                1 for i in moved_items if e.id in i.elements and i.status is EvidenceStatus.VERIFIED
            ),
            expected=e.id in expected,
        )
        for e in new.elements
    ]
    return MovedClaim(claim=moved, evidence=moved_items, rows=rows)


def _title(framework: Framework, element_id: str) -> str:
    element = framework.element(element_id)
    return element.title if element else ""
