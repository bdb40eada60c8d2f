"""Input models of the functions the state machine, the scheduler, S3 and Cognito invoke; each handler
validates its event with `Model.model_validate` (Powertools' event_parser would import pydantic.networks
and importlib.metadata at start-up for nothing we use).

One part per function (or per event source), loaded when one of its names is first read
(domain/lazy.py): a function creates only its own event's classes. The parts do not use
`from __future__ import annotations`, for the reason domain/models/__init__.py gives.
"""

from typing import TYPE_CHECKING

from ..domain.lazy import lazy_names

if TYPE_CHECKING:
    from .await_step import AwaitStepEvent as AwaitStepEvent
    from .cognito import CognitoTrigger as CognitoTrigger
    from .notify import NotifyEvent as NotifyEvent
    from .record_failure import RecordFailureEvent as RecordFailureEvent
    from .record_stage import RecordStageEvent as RecordStageEvent
    from .s3 import S3Entity as S3Entity
    from .s3 import S3Notification as S3Notification
    from .s3 import S3Object as S3Object
    from .s3 import S3Record as S3Record
    from .scheduled import ScheduledEvent as ScheduledEvent
    from .task import TaskEvent as TaskEvent
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "task": ("TaskEvent",),
            "await_step": ("AwaitStepEvent",),
            "record_stage": ("RecordStageEvent",),
            "notify": ("NotifyEvent",),
            "record_failure": ("RecordFailureEvent",),
            "scheduled": ("ScheduledEvent",),
            "s3": ("S3Object", "S3Entity", "S3Record", "S3Notification"),
            "cognito": ("CognitoTrigger",),
        },
    )
