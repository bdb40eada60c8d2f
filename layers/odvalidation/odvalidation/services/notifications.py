"""Journey email: rendered from jinja2, sent through SES, recorded on the journey. A failed email is
recorded and never blocks the journey."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from .. import clock
from ..dal import identity, keys, mail, parallel, read_cache
from ..domain.academies import academy
from ..domain.adjustments import AdjustmentKind
from ..domain.errors import NotFound
from ..domain.frameworks import framework
from ..domain.models import (
    Cohort,
    EmailRecord,
    Interview,
    Journey,
    Panel,
    Person,
    Review,
    Role,
)
from ..domain.uk_time import uk_when
from ..email import render
from ..observability import logger, metrics
from ..settings import settings
from . import journey_parts as js
from .agreed_adjustments import agreed_interview
from .agreed_adjustments import sk as adjustment_key
from .common import db, part
from .journey_parts import claim_completeness
from .people import person
from .seats import current_panel, interview_of

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


Message = tuple[Person, str, str, str]  # to whom, subject, text, html


def messages_for(journey: Journey, kind: str, people: list[Person], **context: Any) -> list[Message]:
    """One message of `kind` per person, rendered (each is addressed by name)."""
    shared = {
        "academy_name": academy(journey.academy_id).name,
        "framework_title": framework(journey.framework_key).title,
        "link": settings().public_url(f"/journeys/{journey.id}"),
        **context,
    }
    return [(p, *render(kind, name=p.name, **shared)) for p in people]


def deliver(
    journey: Journey, kind: str, messages: list[Message], attachments: list[mail.Attachment] | None = None
) -> list[EmailRecord]:
    """Send rendered messages, all at once, each recorded on the journey once sent: SES has no batch
    send of different messages, and the person waiting waits for the slowest, not for the sum (issue
    19). Rendered beforehand, so that the threads only wait on AWS."""

    def one(message: Message) -> EmailRecord:
        p, subject, text, html = message
        message_id = mail.send([p.email], subject, text, html, attachments)
        return _record(journey, kind, [p.email], subject, message_id)

    records = parallel.each(one, messages)
    metrics.add_metric(name="EmailSent", unit="Count", value=len(records))
    return records


def send_to(
    journey: Journey,
    kind: str,
    people: list[Person],
    *,
    attachments: list[mail.Attachment] | None = None,
    **context: Any,
) -> list[EmailRecord]:
    return deliver(journey, kind, messages_for(journey, kind, people, **context), attachments)


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
        # The link opens what the email is about: the certificate, or the panel's feedback.
        if validated and journey.certificate_id:
            context["link"] = settings().public_url(f"/certificates/{quote(journey.certificate_id)}")
        elif not validated:
            context["link"] = settings().public_url(f"/journeys/{journey.id}#outcome")
    return context


def send(journey: Journey, kind: str, *, to: list[Person] | None = None, **context: Any) -> list[EmailRecord]:
    """Send an email of `kind` about a journey to the person it is for (or to `to`, when it is for
    someone other than the practitioner or the panel: a newly named supporter)."""
    if to is not None:
        return send_to(journey, kind, to, **context)
    if kind in {"panel_assigned", "review_reminder", "interview_invitation"}:
        records = send_panel_email(journey, kind, **context)
        if kind == "panel_assigned":
            # The practitioner was told they would hear when their panel is ready: one email, with the
            # panel's (never the replacement of one seat, which is sent by services.panels directly).
            due = current_panel(journey.id).review_due
            records += send(journey, "panel_ready", review_due=f"{due:%-d %B %Y}" if due else "")
        return records
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


def alert_academy_leads(
    journey: Journey,
    problem: str,
    reason: str,
    *,
    seats: int = 0,
    template: str = "panel_attention",
    link_path: str | None = None,
    **extra: Any,
) -> list[EmailRecord]:
    """Tell the journey's academy leads that a claim needs them (no valid panel, a seat left vacant, all
    reviews in, a deadline near). services.alerts calls it once per event. Never blocks the journey."""
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
            template,
            leads,
            problem=problem,
            reason=reason,
            seats=seats,
            practitioner=practitioner.name if practitioner else "a practitioner",
            cohort=cohort.name if cohort else journey.cohort_id,
            link=settings().public_url(link_path or f"/lead/assignments/{journey.id}"),
            **extra,
        )
    except Exception as exc:
        logger.exception("lead alert failed", extra={"journey_id": journey.id, "problem": problem})
        metrics.add_metric(name="EmailFailed", unit="Count", value=1)
        return [
            _record(
                journey,
                template,
                [],
                f"(not sent) {problem}",
                None,
                error=f"{type(exc).__name__}: {exc}",
            )
        ]


def _ics(journey: Journey, interview: Interview, attendees: list[Person]) -> bytes:
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", "-//NHS System OD Validation//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"interview-{journey.id}-{interview.claim_number}@od-validation")
    event.add("summary", "System OD validation interview")
    event.add("dtstart", interview.at)
    event.add("dtend", interview.ends_at)
    event.add("dtstamp", clock.now())
    event.add("location", interview.location)
    event.add(
        "description",
        "Developmental validation interview. Details: " + settings().public_url(f"/journeys/{journey.id}"),
    )
    event.add("organizer", vCalAddress(f"mailto:{settings().sender_email}"))
    for p in attendees:
        event.add("attendee", vCalAddress(f"mailto:{p.email}"))
    cal.add_component(event)
    return bytes(cal.to_ical())


def send_panel_email(
    journey: Journey,
    kind: str,
    *,
    only: list[str] | None = None,
    include_practitioner: bool = False,
    interview: Interview | None = None,
    skip: set[str] | None = None,
    **context: Any,
) -> list[Any]:
    """`skip`: addresses already sent this email (a retried invitation), left out of the sending but not
    of the .ics's attendees."""
    with read_cache.reading():
        read_ahead(journey, kind, only=only, include_practitioner=include_practitioner)
        return _send_panel_email(
            journey,
            kind,
            current_panel(journey.id),
            only=only,
            include_practitioner=include_practitioner,
            interview=interview,
            skip=skip or set(),
            **context,
        )


def read_ahead(journey: Journey, kind: str, *, only: list[str] | None, include_practitioner: bool) -> None:
    """What a panel email reads, in two round trips (issue 19), into the request's read cache: what the
    message needs of the journey's collection and the practitioner in one BatchGetItem, then the
    members the panel names in another."""
    invitation = kind == "interview_invitation"
    db().batch_get(
        [
            keys.journey(journey.id),
            keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"),
            keys.journey_part(journey.id, f"CLAIM#{journey.claim_number}"),
            *([keys.journey_part(journey.id, f"INTERVIEW#{journey.claim_number}")] if invitation else []),
            *(
                [keys.journey_part(journey.id, adjustment_key(AdjustmentKind.INTERVIEW))]
                if invitation
                else []
            ),
            *([keys.person(journey.practitioner_id)] if include_practitioner else []),
        ]
    )
    panel = current_panel(journey.id)
    db().batch_get(keys.person(s.member_id) for s in panel.seats if only is None or s.member_id in only)


def _send_panel_email(
    journey: Journey,
    kind: str,
    panel: Panel,
    *,
    only: list[str] | None,
    include_practitioner: bool,
    interview: Interview | None,
    skip: set[str],
    **context: Any,
) -> list[Any]:
    people = [p for s in panel.seats if (only is None or s.member_id in only) and (p := person(s.member_id))]
    if kind == "review_reminder":
        reviewed = {
            r.member_id
            for r in db().query_models(
                Review, f"JOURNEY#{journey.id}", prefix=f"REVIEW#{journey.claim_number}#"
            )
        }
        people = [p for p in people if p.id not in reviewed]
        context.setdefault("overdue", bool(panel.review_due and clock.now().date() > panel.review_due))
    practitioner = person(journey.practitioner_id) if include_practitioner else None
    claim = js.claim(journey)
    level = claim.level.value if claim and claim.level else ""
    shared: dict[str, Any] = {
        "level": LEVEL_TEXT.get(level, "system OD practice"),
        "review_due": panel.review_due.strftime("%-d %B %Y") if panel.review_due else "",
        **context,
    }
    attachments = None
    told: dict[str, Any] = {}  # for the chair and the practitioner only: an agreed interview adjustment
    if kind == "interview_invitation":
        told = {"adjustments": agreed_interview(journey.id)}
        interview = interview or interview_of(journey)
        if interview is None:
            raise NotFound("No interview has been arranged.")
        shared |= {
            # UK time, as the lead's form asked for it (the .ics keeps UTC, which calendars convert).
            "when": uk_when(interview.at, weekday=True),
            "duration": interview.duration_minutes,
            "location": interview.location,
        }
        attachments = [
            mail.Attachment(
                "interview.ics",
                _ics(journey, interview, [*people, *([practitioner] if practitioner else [])]),
                "text",
                "calendar",
                {"method": "REQUEST"},
            )
        ]
    # Each link opens the page where its reader acts: a member's next step on this claim (declare,
    # review, or record the outcome), the practitioner's journey.
    link = {"link": settings().public_url(f"/panel/{journey.id}")}
    # An agreed interview adjustment is told to the chair alone (in a message of their own).
    chair = {s.member_id for s in panel.seats if s.chair} if told.get("adjustments") else set()
    groups = [([p for p in people if p.id not in chair], {}), ([p for p in people if p.id in chair], told)]
    messages = [
        m
        for group, extra in groups
        if group
        for m in messages_for(journey, kind, group, **(link | shared | extra))
    ]
    if practitioner is not None:
        messages += messages_for(journey, kind, [practitioner], **(shared | told))
    messages = [m for m in messages if m[0].email not in skip]
    # Every message at once, whichever group it is for.
    return deliver(journey, kind, messages, attachments)
