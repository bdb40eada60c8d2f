"""The attestation link's rules (domain/attestation.py), without AWS: a token is genuine only with its
signature, current only before its expiry, and usable only on the open record it was made for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from odvalidation.domain import attestation as rules
from odvalidation.domain.attestation import (
    Attestation,
    AttestationIn,
    AttestationStatus,
    LinkProblem,
    LinkRefused,
    ResponseIn,
)
from odvalidation.domain.history import history_for
from odvalidation.domain.models import AuditEvent

KEY = b"k" * 32
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _token(nonce: str = "n0nce", expires: datetime | None = None, key: bytes = KEY) -> str:
    return rules.make_token(key, "j-1", "at-1", nonce, expires or rules.expiry(NOW))


def _record(**changes: object) -> Attestation:
    base = Attestation(
        id="at-1",
        journey_id="j-1",
        claim_number=1,
        evidence_id="ev-1",
        evidence_name="listening report.pdf",
        attester_name="Amara Leader",
        attester_email="amara@example.nhs.uk",
        attester_role="Director of Strategy, Northshire ICB",
        message="Confirm we did this together.",
        practitioner_name="Pat Practitioner",
        requested_by="p-1",
        requested_at=NOW,
        link_expires=rules.expiry(NOW),
        nonce_hash=rules.nonce_hash("n0nce"),
    )
    return base.model_copy(update=changes)


def _refusal(call: object) -> LinkProblem:
    with pytest.raises(LinkRefused) as refused:
        call()  # type: ignore[operator]
    return refused.value.problem


def test_a_genuine_current_token_names_its_request() -> None:
    claims = rules.read_token(KEY, _token(), NOW)
    assert (claims.journey_id, claims.attestation_id, claims.nonce) == ("j-1", "at-1", "n0nce")
    assert claims.expires == NOW + timedelta(days=14)
    assert rules.usable(_record(), claims, NOW).id == "at-1"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: t.replace("j-1", "j-2"),  # another journey
        lambda t: t.replace("at-1", "at-2"),  # another request
        lambda t: t.replace(".n0nce.", ".other."),  # another nonce
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: "a2" + t[2:],  # another format
        lambda t: "",
        lambda t: t + "." + "x" * 400,
    ],
)
def test_a_tampered_token_is_not_genuine(tamper: object) -> None:
    bad = tamper(_token())  # type: ignore[operator]
    assert _refusal(lambda: rules.read_token(KEY, bad, NOW)) is LinkProblem.INVALID


def test_a_token_signed_with_another_key_is_not_genuine() -> None:
    assert _refusal(lambda: rules.read_token(KEY, _token(key=b"x" * 32), NOW)) is LinkProblem.INVALID


def test_a_later_expiry_cannot_be_written_into_a_token() -> None:
    token = _token()
    parts = token.split(".")
    parts[4] = str(int(parts[4]) + 86_400 * 365)
    assert _refusal(lambda: rules.read_token(KEY, ".".join(parts), NOW)) is LinkProblem.INVALID


def test_an_expired_token_is_refused_as_expired() -> None:
    token = _token()
    assert rules.read_token(KEY, token, NOW + timedelta(days=13, hours=23))
    assert _refusal(lambda: rules.read_token(KEY, token, NOW + timedelta(days=14))) is LinkProblem.EXPIRED


def test_a_used_token_is_refused_as_used_and_a_withdrawn_one_as_withdrawn() -> None:
    claims = rules.read_token(KEY, _token(), NOW)
    for status in (AttestationStatus.CONFIRMED, AttestationStatus.DECLINED):
        used = _record(status=status, responded_at=NOW)
        assert _refusal(lambda used=used: rules.usable(used, claims, NOW)) is LinkProblem.USED
    withdrawn = _record(status=AttestationStatus.WITHDRAWN, withdrawn_at=NOW)
    assert _refusal(lambda: rules.usable(withdrawn, claims, NOW)) is LinkProblem.WITHDRAWN
    # Withdrawn says withdrawn even once the record has expired too.
    late = NOW + timedelta(days=20)
    assert _refusal(lambda: rules.usable(withdrawn, claims, late)) is LinkProblem.WITHDRAWN
    assert _refusal(lambda: rules.usable(_record(), claims, late)) is LinkProblem.EXPIRED


def test_a_token_from_an_earlier_request_does_not_open_a_later_one() -> None:
    old = rules.read_token(KEY, _token(nonce="older"), NOW)
    assert _refusal(lambda: rules.usable(_record(), old, NOW)) is LinkProblem.INVALID
    assert _refusal(lambda: rules.usable(None, old, NOW)) is LinkProblem.INVALID


def test_a_link_sent_before_the_request_went_again_says_a_newer_one_was_sent() -> None:
    """Sent again: the record keeps the earlier links' hashes, so their leader is told to use the newest
    email rather than "not found"; a link never sent for it is still not genuine."""
    again = _record(nonce_hash=rules.nonce_hash("newer"), replaced_nonce_hashes=[rules.nonce_hash("n0nce")])
    old = rules.read_token(KEY, _token("n0nce"), NOW)
    assert _refusal(lambda: rules.usable(again, old, NOW)) is LinkProblem.REPLACED
    assert rules.usable(again, rules.read_token(KEY, _token("newer"), NOW), NOW).id == "at-1"
    never = rules.read_token(KEY, _token("never-sent"), NOW)
    assert _refusal(lambda: rules.usable(again, never, NOW)) is LinkProblem.INVALID
    # Answered or withdrawn since: the old link says that, as the newest would.
    answered = again.model_copy(update={"status": AttestationStatus.CONFIRMED})
    assert _refusal(lambda: rules.usable(answered, old, NOW)) is LinkProblem.USED
    withdrawn = again.model_copy(update={"status": AttestationStatus.WITHDRAWN})
    assert _refusal(lambda: rules.usable(withdrawn, old, NOW)) is LinkProblem.WITHDRAWN


def test_a_request_is_sent_at_most_three_times_and_only_while_unanswered() -> None:
    assert _record().sendable_again()
    assert _record(sends=2).sendable_again()
    assert not _record(sends=rules.MAX_SENDS).sendable_again()
    assert not _record(status=AttestationStatus.DECLINED).sendable_again()
    # An expired link is what sending again is for.
    assert _record(link_expires=NOW - timedelta(days=1)).sendable_again()


def test_the_token_carries_no_personal_data_and_only_url_safe_characters() -> None:
    token = _token()
    assert "amara" not in token.lower()
    assert "@" not in token
    assert all(ch.isalnum() or ch in "._-" for ch in token)


def test_the_panel_sees_confirmations_only_with_who_and_when() -> None:
    confirmed = _record(status=AttestationStatus.CONFIRMED, responded_at=NOW)
    declined = _record(id="at-2", status=AttestationStatus.DECLINED, responded_at=NOW)
    waiting = _record(id="at-3", evidence_id="ev-2")
    marks = rules.confirmed_by_evidence([waiting, declined, confirmed])
    assert list(marks) == ["ev-1"]
    assert [m.mark() for m in marks["ev-1"]] == [
        "Attested by Amara Leader, Director of Strategy, Northshire ICB, 4 December 2026"
    ]


def test_requests_and_answers_are_validated() -> None:
    good = {"evidence_id": "ev-1", "name": "A", "email": "a@b.nhs.uk", "role": "R", "message": "M"}
    assert AttestationIn(**good).email == "a@b.nhs.uk"
    for bad in ({"email": "a@b\r\nBcc: x@y.z"}, {"email": "nobody"}, {"message": ""}, {"name": "x" * 201}):
        with pytest.raises(ValidationError):
            AttestationIn(**(good | bad))
    with pytest.raises(ValidationError):
        ResponseIn(decision="maybe")
    with pytest.raises(ValidationError):
        ResponseIn(decision="confirm", comment="x" * 2001)


def test_history_hides_which_evidence_from_readers_who_may_not_open_it() -> None:
    event = AuditEvent(
        journey_id="j-1",
        at=NOW,
        actor="system:attestation",
        action="attester confirmed evidence",
        reason="f.pdf: A",
    )
    assert history_for([event], sees_evidence=False, sees_panel_choice=False)[0].reason is None
    assert history_for([event], sees_evidence=True, sees_panel_choice=False)[0].reason == "f.pdf: A"
