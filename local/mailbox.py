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


def sent_emails() -> list[SentEmail]:
    """Every email SES accepted, oldest first (read from moto's SES backend in this process)."""
    from moto.ses.models import RawMessage, ses_backends

    emails: list[SentEmail] = []
    for message in list(ses_backends[ACCOUNT_ID][REGION].sent_messages):
        if isinstance(message, RawMessage):
            parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            text, html = _text_of(parsed)
            # moto adds the To: header's addresses to the Destination it was given; SES delivers to
            # the Destination alone, so each person is one recipient (and one billed email).
            to = _distinct(message.destinations) or [str(a) for a in parsed.get_all("To", [])]
            emails.append(
                SentEmail(
                    id=message.id,
                    source=message.source or str(parsed.get("From", "")),
                    to=to,
                    subject=str(parsed.get("Subject", "")),
                    body=text,
                    html=html,
                    raw=message.raw_data,
                )
            )
        elif hasattr(message, "subject"):
            destinations = message.destinations
            to = [
                a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key, [])
            ]
            emails.append(
                SentEmail(
                    id=message.id,
                    source=message.source,
                    to=to,
                    subject=message.subject,
                    body=message.body,
                )
            )
        else:  # templated mail is stored unrendered by moto
            emails.append(
                SentEmail(
                    id=getattr(message, "id", ""),
                    source=message.source,
                    to=list(message.destinations.get("ToAddresses", [])),
                    subject=f"(template {message.template})",
                    body=message.template_data,
                )
            )
    return emails
