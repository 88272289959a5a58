"""The adapter on a canned server, for what the simulator cannot answer."""

from __future__ import annotations

import pytest

from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter

from . import spec_payloads as spec
from .conftest import CannedServer


async def test_check_credentials_when_the_door_exists(
    canned: CannedServer,
    canned_adapter: AxBsHttpV1Adapter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    canned.set("acs/devices", spec.DEVICES)
    canned.set("acs/device/door/close/", spec.COMMAND_OK)
    await canned_adapter.check_credentials()
    assert "says it exists" in caplog.text
