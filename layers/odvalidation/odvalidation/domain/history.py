"""What of a journey's history each reader may see. The audit trail itself is kept whole; these rules
shape the copy a person is shown (pure, tested without AWS)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import AuditEvent

# Events whose reason names a piece of evidence (its file name, the element it supports).
EVIDENCE_ACTIONS = frozenset(
    {
        "evidence verified",
        "evidence quarantined",
        "removed evidence",
        "opened evidence",
        # Stakeholder attestation (domain/attestation.py): the reason names the file and the leader.
        "asked for evidence to be attested",
        "withdrew an attestation request",
        "attester opened evidence",
        "attester confirmed evidence",
        "attester declined evidence",
        "linked evidence",
        "unlinked evidence",
        "described evidence",
    }
)
CONFLICT_DECLARED = "declared a conflict of interest"
# Events whose reason explains the choice of panel member by member (who is over their cap, who
# declared a conflict with whom): for the lead who resolves a panel, not for the practitioner.
PANEL_CHOICE_ACTIONS = frozenset(
    {"no valid panel", "seat vacant", "seat reassigned", "panel overridden by lead"}
)
A_PANEL_MEMBER = "panel member"
# Reasonable adjustments (domain/adjustments.py): that one was asked for is itself private.
ADJUSTMENT_ACTIONS = frozenset(
    {"adjustment requested", "adjustment agreed", "adjustment declined", "adjustment withdrawn"}
)


def history_for(
    events: Iterable[AuditEvent],
    *,
    sees_evidence: bool,
    sees_panel_choice: bool,
    sees_adjustments: bool = False,
) -> list[AuditEvent]:
    """The events as this reader may see them: without evidence names for someone who may not open the
    evidence (a panel member before their declaration, a national lead), and, for the practitioner and
    their supporter, without who declared a conflict of interest or why members were (not) chosen; and
    reasonable adjustments only for the practitioner and their academy lead (no one else learns that
    one was even asked for)."""
    shown: list[AuditEvent] = []
    for event in events:
        if not sees_adjustments and event.action in ADJUSTMENT_ACTIONS:
            continue
        if not sees_evidence and event.action in EVIDENCE_ACTIONS:
            event = event.model_copy(update={"reason": None})
        if not sees_panel_choice:
            if event.action == CONFLICT_DECLARED:
                event = event.model_copy(update={"actor": A_PANEL_MEMBER, "reason": None})
            elif event.action in PANEL_CHOICE_ACTIONS:
                event = event.model_copy(update={"reason": None})
        shown.append(event)
    return shown
