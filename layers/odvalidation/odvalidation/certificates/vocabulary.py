"""Names and formats that the credential and the status lists share (W3C VC 2.0 context, dates, the
issuer profile's address): one place, so neither module needs the other's."""

from __future__ import annotations

from datetime import UTC, datetime

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def iso_z(when: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_url(base_url: str, academy_id: str) -> str:
    """An academy's issuer profile; `national` is the NHS Leadership Academy, every academy's parentOrg."""
    return f"{base_url.rstrip('/')}/academies/{academy_id}"
