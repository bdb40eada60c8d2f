"""What every workflow task is invoked with: the journey it acts on."""

from pydantic import BaseModel, ConfigDict

from ..domain.basics import Id


class TaskEvent(BaseModel):
    # Built by the one function that takes each event (domain.models.build), not by every importer.
    model_config = ConfigDict(extra="ignore", defer_build=True)
    journey_id: Id
