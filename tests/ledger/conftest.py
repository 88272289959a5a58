"""The ledger's tests run without Home Assistant: no `hass`, no event loop needed."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_home_assistant(request: pytest.FixtureRequest) -> None:
    """Fail any ledger test that would start Home Assistant."""
    assert "hass" not in request.fixturenames, "ledger tests must not start hass"
