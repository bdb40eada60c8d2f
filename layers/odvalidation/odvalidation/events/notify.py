"""The notify function's event: which of the journey's emails to send."""

from datetime import datetime
from typing import Literal

from .task import TaskEvent


class NotifyEvent(TaskEvent):
    kind: Literal[
        "signposting",
        "lapsed",
        "panel_assigned",
        "panel_attention",
        "outcome",
        "reviews_in",
        "claim_submitted",
        "interview_invitation",
    ]
    # reviews_in: the disagreements the last review's close counted (the resume's output, $.review).
    flags: int = 0
    # interview_invitation (an asynchronous invoke): when the interview was arranged; whoever has had
    # an invitation since is not sent another when Lambda runs the event again.
    since: datetime | None = None
