"""What a local deploy produces and the names it uses: the stack's account, region and name, and the
`DeployedStack` (physical ids, attributes, routes and functions) the rest of local/ reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

REPO = Path(__file__).resolve().parent.parent


TEMPLATE = REPO / "template.yaml"


STACK_NAME = "od-validation"


ACCOUNT_ID = "123456789012"  # moto's default account


REGION = "eu-west-2"


PARTITION = "aws"


ARTIFACT_BUCKET = f"{STACK_NAME}-local-artifacts"


REST_API_ID = "local"  # API Gateway is played by local.http_front; this id only appears in ARNs


class DeployError(RuntimeError):
    """The template cannot be deployed as it stands (unknown type, unresolvable reference, cycle)."""


class Route(BaseModel):
    """One API Gateway route (from the template's Api events, as SAM translated them)."""

    model_config = ConfigDict(frozen=True)

    method: str  # GET, POST, ... or ANY
    path: str  # e.g. /api/{proxy+}
    function_name: str
    cognito: bool  # whether the Cognito user-pool authorizer guards it


class FunctionInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    logical_id: str
    function_name: str
    arn: str
    code_dir: str  # repo-relative, e.g. functions/api
    module: str  # e.g. functions.api.app
    attribute: str  # e.g. handler
    memory_mb: int
    timeout_s: int


@dataclass
class DeployedStack:
    """What the deploy made: physical ids, attributes, functions, routes, and what it skipped."""

    parameters: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)  # logical id -> Ref value
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id -> GetAtt values
    types: dict[str, str] = field(default_factory=dict)  # logical id -> resource type
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # function name -> info
    routes: list[Route] = field(default_factory=list)
    recorded_only: dict[str, str] = field(default_factory=dict)  # logical id -> why it was not created
    global_environment: dict[str, str] = field(default_factory=dict)  # Globals Function env, resolved
    cognito_authorizer_pool: str = ""
    stage_name: str = ""  # the API's stage: its URLs are under /{stage_name}/
    binary_media_types: list[str] = field(default_factory=list)  # as API Gateway reads them (~1 -> /)

    def ref(self, logical_id: str) -> str:
        return self.physical_ids[logical_id]

    def arn(self, logical_id: str) -> str:
        return self.attributes[logical_id]["Arn"]
