"""The process's one Store follows the process's clients (dal/clients.py): a fresh execution environment
(clients.reset) must not leave the cached Store talking through the old DynamoDB client."""

from __future__ import annotations

from typing import Any

import pytest

from odvalidation.dal import store as store_module


def test_the_cached_store_uses_the_current_dynamodb_client(monkeypatch: pytest.MonkeyPatch) -> None:
    current: dict[str, Any] = {"dynamodb": object()}
    monkeypatch.setattr(store_module, "client", lambda service: current[service])
    store = store_module.Store("journeys")
    before = store.db
    current["dynamodb"] = object()  # what clients.reset() and the next client() call amount to
    assert store.db is current["dynamodb"]
    assert store.db is not before
