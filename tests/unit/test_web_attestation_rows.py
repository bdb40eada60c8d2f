"""The practitioner's list of attestation requests (web/routes_attestation.py): what each row says and
offers. A request whose link expired unanswered says so, and is the one to send again."""

from __future__ import annotations

from datetime import timedelta

from odvalidation import clock
from odvalidation.domain.attestation import AttestationStatus
from odvalidation.web.routes_attestation import _rows
from tests.unit.test_attestation_link import _record


def _row(**changes: object) -> dict[str, object]:
    [row] = _rows([_record(**changes)], can_withdraw=True)
    return row


def test_a_waiting_request_can_be_sent_again_or_withdrawn() -> None:
    row = _row(link_expires=clock.now() + timedelta(days=3))
    assert (row["status"], row["sendable"], row["withdrawable"]) == ("Waiting for an answer", True, True)


def test_an_unanswered_request_whose_link_expired_says_so() -> None:
    row = _row(link_expires=clock.now() - timedelta(minutes=1))
    assert (row["status"], row["colour"], row["sendable"]) == ("Link expired", "orange", True)


def test_a_request_sent_three_times_or_answered_is_not_offered_again() -> None:
    assert _row(sends=3)["sendable"] is False
    assert _row(status=AttestationStatus.CONFIRMED)["sendable"] is False
    # Its supporter reads the page: nothing to press.
    [row] = _rows([_record()], can_withdraw=False)
    assert (row["sendable"], row["withdrawable"]) == (False, False)
