"""What a person's request sets off but need not wait for (issue 19: round trips): the workflow's task
after the step that request closed runs it (the Notify function, statemachine NotifySubmitted and
NotifyReviewsIn), so the person is answered once the step is recorded and the workflow resumed.

Each is safe to run again (Step Functions retries a task): deleting a schedule that is gone is no error,
and the leads' alert is recorded and sent once (services/alerts.py). A reminder that fires before its
delete finds the step over and sends nothing (services/tasks.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from ..dal import parallel
from ..dal import schedules as schedule_store
from ..domain.models import Journey
from . import alerts, notifications

# The claim's reminders and deadline (services/journeys.py schedules them), deleted once it is submitted.
CLAIM_REMINDERS = ("claim-reminder-30", "claim-reminder-7", "claim-deadline")
# The reviewers' reminders (services/panels.py schedules them), deleted once every review is in.
REVIEW_REMINDERS = ("review-reminder", "review-overdue")


def _cancel(journey: Journey, purposes: tuple[str, ...]) -> None:
    # Scheduler has no batch delete: at once.
    parallel.each(partial(schedule_store.cancel, journey.id), purposes)


def claim_submitted(journey: Journey) -> int:
    """The claim is submitted: its reminders deleted, then the practitioner's confirmation (sent after
    the deletes, so a retried task does not send it twice for a failed delete)."""
    _cancel(journey, CLAIM_REMINDERS)
    return len(notifications.send(journey, "claim_submitted"))


def interview_invited(journey: Journey, since: datetime | None) -> int:
    """The interview's invitations (with the .ics) to each member and the practitioner, invoked
    asynchronously by the lead's request (services/interviews.py). Lambda runs an event at least once
    and again after a failure: whoever has had an invitation since the interview was arranged is not
    sent another. A failure is raised, for Lambda to try again and then hand to the dead-letter queue."""
    told = {
        address
        for e in notifications.emails(journey.id)
        if e.kind == "interview_invitation" and not e.error and (since is None or e.sent_at >= since)
        for address in e.to
    }
    return len(
        notifications.send_panel_email(journey, "interview_invitation", include_practitioner=True, skip=told)
    )


def reviews_in(journey: Journey, flags: int) -> int:
    """Every review is in: the reviewers' reminders deleted and the academy's leads alerted (once)."""
    parallel.at_once(partial(_cancel, journey, REVIEW_REMINDERS), lambda: alerts.reviews_in(journey, flags))
    return 1
