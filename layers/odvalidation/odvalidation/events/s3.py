"""The S3 event notification, reduced to what the evidence check reads (the object keys)."""

from pydantic import BaseModel, ConfigDict, Field


class S3Object(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    key: str = Field(min_length=1)  # URL-encoded, as S3 sends it


class S3Entity(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    object: S3Object


class S3Record(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    s3: S3Entity


class S3Notification(BaseModel):
    """The S3 event notification, reduced to what the evidence check reads (the object keys).

    A pydantic model rather than Powertools' S3Event data class: importing any of those imports all
    ~40 of them (~12 ms of start-up)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)
    records: list[S3Record] = Field(alias="Records")
