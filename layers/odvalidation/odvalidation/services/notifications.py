"""Journey email: rendered from jinja2, sent through SES, recorded on the journey. A failed email is
recorded and never blocks the journey."""

from __future__ import annotations

import secrets
from typing import Any

from .. import clock
from ..dal import identity, keys, mail
from ..domain.academies import academy
from ..domain.frameworks import framework
from ..domain.models import Cohort, EmailRecord, Journey, Person, Role
from ..email import render
from ..observability import logger, metrics
from ..settings import settings
from .common import db, part
from .journeys import claim_completeness, person

LEVEL_TEXT = {"system_od_leader": "system OD leader", "system_od_practitioner": "system OD practitioner"}


def _record(
    journey: Journey, kind: str, to: list[str], subject: str, message_id: str | None, error: str | None = None
) -> EmailRecord:
    at = clock.now()
    record = EmailRecord(
        journey_id=journey.id,
        kind=kind,
        to=to,
        subject=subject,
        message_id=message_id,
        sent_at=at,
        error=error,
    )
    db().put(part(journey.id, f"EMAIL#{at.isoformat()}#{secrets.token_hex(3)}", record))
    return record


def emails(journey_id: str) -> list[EmailRecord]:
    return db().query_models(EmailRecord, f"JOURNEY#{journey_id}", prefix="EMAIL#")


def send_to(
    journey: Journey,
    kind: str,
    people: list[Person],
    *,
    attachments: list[mail.Attachment] | None = None,
    **context: Any,
) -> list[EmailRecord]:
    shared = {
        "academy_name": academy(journey.academy_id).name,
        "framework_title": framework(journey.framework_key).title,
        "link": settings().public_url(f"/journeys/{journey.id}"),
        **context,
    }
    records = []
    for p in people:
        subject, text, html = render(kind, name=p.name, **shared)
        message_id = mail.send([p.email], subject, text, html, attachments)
        records.append(_record(journey, kind, [p.email], subject, message_id))
        metrics.add_metric(name="EmailSent", unit="Count", value=1)
    return records


def practitioner_context(journey: Journey, kind: str) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if journey.claim_deadline:
        context["deadline"] = journey.claim_deadline.strftime("%-d %B %Y")
    if kind == "claim_reminder":
        context["progress"] = claim_completeness(journey).summary.capitalize()
    if kind == "outcome":
        validated = journey.outcome is not None and journey.outcome.value != "not_yet"
        context["validated"] = validated
        context["level"] = LEVEL_TEXT.get(journey.outcome.value if journey.outcome else "", "")
        # The request for feedback on the process rides in the outcome email: a second email to the same
        # person about the same event would be billed (SES charges per recipient) and read as noise.
        context["feedback_link"] = settings().public_url(f"/journeys/{journey.id}/feedback")
    return context


def send(journey: Journey, kind: str, **context: Any) -> list[EmailRecord]:
    """Send an email of `kind` about a journey to the person it is for."""
    if kind in {"panel_assigned", "review_reminder", "interview_invitation"}:
        from .panels import send_panel_email

        return send_panel_email(journey, kind, **context)
    if kind == "panel_attention":
        # The workflow found no valid panel: the academy's leads resolve it.
        reason = next(
            (
                e.reason
                for e in reversed(db().audit_trail(journey.id))
                if e.action == "no valid panel" and e.reason
            ),
            "No valid panel could be formed.",
        )
        return alert_academy_leads(journey, "no_valid_panel", reason)
    practitioner = person(journey.practitioner_id)
    if practitioner is None:
        raise LookupError(f"no profile for practitioner {journey.practitioner_id}")
    return send_to(journey, kind, [practitioner], **(practitioner_context(journey, kind) | context))


def send_quietly(journey: Journey, kind: str, **context: Any) -> list[EmailRecord]:
    """Send, and if it fails, record the failure instead of raising: email never blocks a journey."""
    try:
        return send(journey, kind, **context)
    except Exception as exc:
        logger.exception("email failed", extra={"journey_id": journey.id, "kind": kind})
        metrics.add_metric(name="EmailFailed", unit="Count", value=1)
        return [_record(journey, kind, [], f"(not sent) {kind}", None, error=f"{type(exc).__name__}: {exc}")]


def alert_academy_leads(journey: Journey, problem: str, reason: str, *, seats: int = 0) -> list[EmailRecord]:
    """Tell the journey's academy leads that a claim needs them (no valid panel, a seat left vacant),
    once per event, from the place the event happens. Never blocks the journey."""
    try:
        leads = [
            Person(id=m.get("sub", m["username"]), name=m.get("name") or m["email"], email=m["email"])
            for m in identity.group_members(Role.ACADEMY_LEAD.value)
            if m.get("custom:academy") == journey.academy_id and m.get("email")
        ]
        practitioner = person(journey.practitioner_id)
        cohort = db().get_model(Cohort, keys.cohort(journey.cohort_id))
        return send_to(
            journey,
            "panel_attention",
            leads,
            problem=problem,
            reason=reason,
            seats=seats,
            practitioner=practitioner.name if practitioner else "a practitioner",
            cohort=cohort.name if cohort else journey.cohort_id,
            link=settings().public_url(f"/lead/assignments/{journey.id}"),
        )
    except Exception as exc:
        logger.exception("lead alert failed", extra={"journey_id": journey.id, "problem": problem})
        metrics.add_metric(name="EmailFailed", unit="Count", value=1)
        return [
            _record(
                journey,
                "panel_attention",
                [],
                f"(not sent) {problem}",
                None,
                error=f"{type(exc).__name__}: {exc}",
            )
        ]
