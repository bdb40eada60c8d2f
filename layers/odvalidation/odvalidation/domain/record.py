"""A person's whole record as one archive (issue 18): who may ask for it, what it holds, how long it lasts.

Rules only (no AWS): the service (services/record_archive.py) keeps the request, the worker
(services/record_contents.py) makes the archive.

- The practitioner asks for their own record: every journey they have had (a renewal, a "not yet" and
  a new claim are journeys or claims of their own), everything they wrote or uploaded, what their
  supporter said on their drafts, the panel's developmental feedback, interviews, outcomes,
  certificates and history.
- An academy lead produces it for a subject access request, with the request's reason, from a journey
  of their own academy; the archive then holds the journeys and certificates of that academy only (the
  lead could read nothing else of the person). A national lead cannot: a national lead never reads a
  practitioner's claim or evidence (domain/access.py), and a subject access request is answered by the
  academy that holds the person's data, so the national role needs no way round that.
- Never in it: a panel member's individual review, who declared a conflict or why members were (not)
  chosen, the panel's or other people's names and ids (history_for and `actor_label` below).
- It is kept for a week (the bucket's lifecycle rule on exports/), offered through links that are made
  when asked for and live 15 minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from .models import Id, Model

KEPT_FOR = timedelta(days=7)
LINK_SECONDS = 900
# A request still "being prepared" after this is taken to have failed: asking again starts another.
# Longer than the queue's three tries (visibility timeout 720 s each).
STALE_AFTER = timedelta(hours=1)
SELF = "self"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ArchiveStatus(StrEnum):
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"


class RecordArchive(Model):
    """One request for a person's record, per scope: the person's own (`self`) or one academy's
    (`academy:<id>`, a lead's subject access request). A new request replaces the last."""

    person_id: Id
    scope: str
    request_id: Id
    status: ArchiveStatus = ArchiveStatus.PREPARING
    requested_at: datetime
    requested_by: Id
    requester_email: str = ""
    requester_name: str = ""
    reason: str | None = None
    ready_at: datetime | None = None
    key: str | None = None
    size: int | None = None
    journeys: int = 0
    files: int = 0
    error: str | None = None
    # Tries that failed so far: Lambda's asynchronous retries do not tell the function which try it is,
    # so the request counts them (services/record_archive.make).
    failed_tries: int = 0

    def expired(self, now: datetime) -> bool:
        return self.ready_at is not None and now >= self.ready_at + KEPT_FOR

    def expires_at(self) -> datetime | None:
        return self.ready_at + KEPT_FOR if self.ready_at else None

    def in_progress(self, now: datetime) -> bool:
        return self.status is ArchiveStatus.PREPARING and now < self.requested_at + STALE_AFTER


def academy_scope(academy_id: str) -> str:
    return f"academy:{academy_id}"


def scope_academy(scope: str) -> str | None:
    """The academy a lead's archive is limited to, or None for the person's own (everything)."""
    return scope.split(":", 1)[1] if scope.startswith("academy:") else None


def archive_key(person_id: str, request_id: str) -> str:
    return f"exports/{person_id}/{request_id}.zip"


def actor_label(actor: str, *, practitioner_id: str, supporter_id: str | None) -> str:
    """Who did something, as the archive says it: the person's own words for themselves and their
    supporter, a role for everyone else (no other person's id or name leaves in it)."""
    if actor == practitioner_id:
        return "you"
    if actor.startswith("system:"):
        return "the service"
    if supporter_id and actor == supporter_id:
        return "your supporter"
    return "programme staff"
