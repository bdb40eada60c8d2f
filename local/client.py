"""A small HTTP client for the product's API, used by `make demo`, the demo data and the end-to-end
tests: it talks to the local stack exactly as any other client would (bearer ID tokens over HTTP)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, *, poll_every: float = 0.1) -> None:
        self.base_url = base_url.rstrip("/")
        # How often wait_for asks again: tests want answers fast; a load of many journeys at once
        # asks less often, as people using the service would.
        self.poll_every = poll_every
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, *, expect: int | tuple[int, ...] = 200) -> Any:
        response = self.session.request(method, f"{self.base_url}{path}", json=body, timeout=60)
        try:
            data: Any = response.json()
        except ValueError:
            data = response.text
        allowed = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in allowed:
            raise ApiError(response.status_code, data)
        return data

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)

    def journey(self, journey_id: str) -> dict[str, Any]:
        return dict(self.get(f"/api/journeys/{journey_id}"))

    def wait_for(
        self, journey_id: str, ready: Callable[[dict[str, Any]], bool], *, timeout: float = 30, what: str = ""
    ) -> dict[str, Any]:
        """Poll the journey until `ready` (the workflow runs asynchronously, as in AWS)."""
        deadline = time.monotonic() + timeout
        # Each look reads the whole journey through the API: asked at once at first, then less often
        # (up to 4 x poll_every) while the workflow is still busy, so waiting does not slow the workflow.
        wait = self.poll_every
        while True:
            status = self.journey(journey_id)
            if ready(status["journey"]):
                return status
            if status["journey"].get("failure"):
                raise AssertionError(
                    f"journey failed while waiting for {what}: {status['journey']['failure']}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"journey {journey_id} never reached {what}: {status['journey']}")
            time.sleep(wait)
            wait = min(wait * 1.5, self.poll_every * 4)

    def wait_step(self, journey_id: str, step: str, timeout: float = 30) -> dict[str, Any]:
        return self.wait_for(journey_id, lambda j: j["waiting_for"] == step, timeout=timeout, what=step)

    def wait_stage(self, journey_id: str, stage: str, timeout: float = 30) -> dict[str, Any]:
        return self.wait_for(journey_id, lambda j: j["stage"] == stage, timeout=timeout, what=stage)
