"""SES: sends a rendered email (HTML and text, optional attachments) as a raw MIME message."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr

from ..settings import settings
from .clients import client


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def _clean_header(value: str) -> str:
    # No header injection: a CR or LF in a name or subject would start a new header.
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def send(
    to: list[str], subject: str, text: str, html: str, attachments: list[Attachment] | None = None
) -> str:
    msg = EmailMessage()
    msg["From"] = formataddr(("System OD Validation", settings().sender_email))
    msg["To"] = ", ".join(_clean_header(a) for a in to)
    msg["Subject"] = _clean_header(subject)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for a in attachments or []:
        msg.add_attachment(
            a.content, maintype=a.maintype, subtype=a.subtype, filename=a.filename, params=a.params
        )
    out = client("sesv2").send_email(
        FromEmailAddress=settings().sender_email,
        Destination={"ToAddresses": [_clean_header(a) for a in to]},
        Content={"Raw": {"Data": msg.as_bytes()}},
    )
    return str(out["MessageId"])
