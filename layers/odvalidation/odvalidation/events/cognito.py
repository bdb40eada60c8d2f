"""A Cognito user pool trigger's event, reduced to what the post-confirmation trigger reads."""

from pydantic import BaseModel, ConfigDict, Field


class CognitoTrigger(BaseModel):
    """A Cognito user pool trigger's event, reduced to what the post-confirmation trigger reads.

    A pydantic model rather than Powertools' PostConfirmationTriggerEvent, for the reason S3Notification
    gives: importing one data class imports all of them."""

    model_config = ConfigDict(extra="ignore", defer_build=True)
    user_pool_id: str = Field(alias="userPoolId", min_length=1)
    user_name: str = Field(alias="userName", min_length=1)
    trigger_source: str = Field(alias="triggerSource", min_length=1)
