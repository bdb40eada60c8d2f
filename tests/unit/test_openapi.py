"""The committed OpenAPI document is the one the code generates: a route or model change that is not
reflected in docs/openapi.json fails here (regenerate with `make openapi`)."""

import json
from pathlib import Path

from odvalidation.api.app import openapi_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_code() -> None:
    assert json.loads(DOC.read_text()) == json.loads(openapi_json()), (
        "docs/openapi.json is out of date: run `make openapi`"
    )


def test_every_journey_action_of_steps_1_to_5_is_documented() -> None:
    paths = json.loads(openapi_json())["paths"]
    for path, method in [
        ("/api/journeys", "post"),
        ("/api/journeys/{journey_id}/reflection", "put"),
        ("/api/journeys/{journey_id}/decision", "post"),
        ("/api/journeys/{journey_id}/claim", "put"),
        ("/api/journeys/{journey_id}/evidence", "post"),
        ("/api/journeys/{journey_id}/evidence/{evidence_id}", "delete"),
        ("/api/journeys/{journey_id}/supporter", "put"),
        ("/api/journeys/{journey_id}/submission", "post"),
        ("/api/cohorts/{cohort_id}/attendance", "post"),
        ("/api/journeys/{journey_id}/extension", "post"),
        ("/api/journeys/{journey_id}/framework", "post"),
        ("/api/public/certificates/{certificate_id}/status", "get"),
    ]:
        assert method in paths.get(path, {}), f"{method.upper()} {path} is missing from the API"
