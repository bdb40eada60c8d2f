"""A practitioner's journey through the six steps, its audit trail, and a step that failed."""

# No `from __future__ import annotations`: see models/__init__.py.

import json
import re
from datetime import date, datetime

from ..basics import Id, Model
from .enums import Outcome, Readiness, Stage


class AuditEvent(Model):
    """One line of a journey's audit trail: who did what, when, from which stage to which, and why."""

    journey_id: Id
    at: datetime
    actor: str  # a person id, or "system:<function>"
    action: str
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    reason: str | None = None


class Failure(Model):
    """A step that could not complete. The journey keeps its stage and can be resumed from it."""

    step: str
    error: str
    cause: str
    at: datetime

    @property
    def message(self) -> str:
        """What went wrong, in the error's own words (not Lambda's JSON around them)."""
        return failure_message(self.cause)


_ERROR_MESSAGE = re.compile(r'^\s*\{.*?"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)("|\\?$)', re.DOTALL)


def failure_message(cause: str) -> str:
    """Step Functions passes a failed Lambda task's cause as Lambda's error JSON ({"errorMessage": ...,
    "errorType": ..., "stackTrace": [...]}): a lead reads its message, not the JSON and the stack trace.
    Any other cause (a timeout's, a state machine's own) is its text."""
    try:
        parsed = json.loads(cause)
    except ValueError:
        # Cut short (the trail kept 300 characters of it): the message starts near the start.
        cut = _ERROR_MESSAGE.search(cause)
        if cut is None:
            return cause.strip()
        text = cut.group(1)
        ended = cut.group(2) == '"'
        if not ended:
            text = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", text)  # an escape cut in two
        return str(json.loads(f'"{text}"')) + ("" if ended else "…")
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str) and parsed["errorMessage"]:
        return str(parsed["errorMessage"]).strip()
    return cause.strip()


class Journey(Model):
    id: Id
    practitioner_id: Id
    cohort_id: Id
    academy_id: Id
    framework_key: str
    stage: Stage
    version: int = 0  # optimistic lock: every write is conditional on it
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    readiness: Readiness | None = None
    reengage_on: date | None = None
    workshop_attended: bool = False
    # The lead recorded that the practitioner did not come to the workshop (they stay at the step and
    # may attend another session).
    workshop_absent: bool = False
    # Attended an equivalent session instead (another cohort's workshop, a one-to-one, a reasonable
    # adjustment): what it was, as the lead recorded it.
    workshop_equivalent: str | None = None
    supporter_id: Id | None = None
    claim_number: int = 0  # 1 for the first claim; a new claim after "not yet" increments it
    claim_deadline: datetime | None = None
    extension_granted: bool = False
    task_token: str | None = None  # the token of the callback task the journey waits on
    # The token of the step just completed, kept until the next step opens so that a retried
    # request can resume the workflow again (Step Functions ignores a second resume).
    resume_token: str | None = None
    waiting_step: str | None = None
    execution_arn: str | None = None
    outcome: Outcome | None = None
    certificate_id: Id | None = None
    # The current certificate (certificate_id) was revoked: the journey still ended in a validation,
    # but no page or report may call the practitioner validated (issue 15.5).
    certificate_revoked: bool = False
    # A validated practitioner renewing their certificate: a lighter claim (a reflection on practice
    # since validation, evidence for a subset of elements) reviewed by one panel member.
    revalidation: bool = False
    failure: Failure | None = None
