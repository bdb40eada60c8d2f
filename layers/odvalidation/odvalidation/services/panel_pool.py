"""The panel pool as stored, read without an access check: for the pool's pages and the reports, which so
load without panel assignment and its email (services/panels.py re-exports these)."""

from __future__ import annotations

from ..dal import keys
from ..domain import panels as solver
from ..domain.errors import NotFound
from .common import db


def pool() -> list[solver.PanelMember]:
    return db().query_models(solver.PanelMember, "POOL", index="GSI2", prefix="MEMBER#")


def member(member_id: str) -> solver.PanelMember:
    found = db().get_model(solver.PanelMember, keys.member(member_id))
    if found is None:
        raise NotFound(f"There is no panel member '{member_id}'.")
    return found
