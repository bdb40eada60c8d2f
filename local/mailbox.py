"""The emails SES accepted, read from moto's SES backend in this process (LocalStack.sent_emails)."""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict

from local.deployed import ACCOUNT_ID, REGION


class SentEmail(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    to: list[str]
    subject: str
    body: str  # the plain-text part when there is one, else the HTML
    html: str | None = None
    raw: str | None = None  # the whole MIME message, for raw sends


def _distinct(addresses: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(email.utils.parseaddr(address)[1].lower() or address, address)
    return list(seen.values())


def _text_of(message: EmailMessage) -> tuple[str, str | None]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html = html_part.get_content() if html_part is not None else None
    text = text_part.get_content() if text_part is not None else (html or "")
    return str(text), (str(html) if html is not None else None)


# A sent message never changes, and tests poll the mailbox every 0.1 s while a stack's mailbox grows to
# hundreds of messages: each is parsed once (MIME parsing was a sixth of the stack-backed tests' CPU).
_READ: dict[str, SentEmail] = {}


def sent_emails() -> list[SentEmail]:
    """Every email SES accepted, oldest first (read from moto's SES backend in this process)."""
    from moto.ses.models import ses_backends

    emails: list[SentEmail] = []
    for message in list(ses_backends[ACCOUNT_ID][REGION].sent_messages):
        key = getattr(message, "id", "")
        read = _READ.get(key) if key else None
        if read is None:
            read = _read(message)
            if key:
                _READ[key] = read
        emails.append(read)
    return emails


def _read(message: object) -> SentEmail:
    from moto.ses.models import RawMessage

    if isinstance(message, RawMessage):
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        text, html = _text_of(parsed)
        # moto adds the To: header's addresses to the Destination it was given; SES delivers to
        # the Destination alone, so each person is one recipient (and one billed email).
        to = _distinct(message.destinations) or [str(a) for a in parsed.get_all("To", [])]
        return SentEmail(
            id=message.id,
            source=message.source or str(parsed.get("From", "")),
            to=to,
            subject=str(parsed.get("Subject", "")),
            body=text,
            html=html,
            raw=message.raw_data,
        )
    if hasattr(message, "subject"):
        destinations = message.destinations  # type: ignore[attr-defined]
        return SentEmail(
            id=message.id,  # type: ignore[attr-defined]
            source=message.source,  # type: ignore[attr-defined]
            to=[
                a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key, [])
            ],
            subject=message.subject,
            body=message.body,  # type: ignore[attr-defined]
        )
    # templated mail is stored unrendered by moto
    return SentEmail(
        id=getattr(message, "id", ""),
        source=message.source,  # type: ignore[attr-defined]
        to=list(message.destinations.get("ToAddresses", [])),  # type: ignore[attr-defined]
        subject=f"(template {message.template})",  # type: ignore[attr-defined]
        body=message.template_data,  # type: ignore[attr-defined]
    )
