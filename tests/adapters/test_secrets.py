"""The password never shows: not in an error, its chain, its traceback, nor a log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
import logging
import traceback
from typing import Any
from urllib.parse import quote

import pytest

from custom_components.acs_bridge.adapters import AcsError, WorkMode
from custom_components.acs_bridge.adapters.ax_bs_http import AxBsHttpV1Adapter

from .conftest import PASSWORD

type MakeAdapter = Callable[..., AxBsHttpV1Adapter]

SECRETS = (PASSWORD, quote(PASSWORD, safe=""), "p@ss", "p%40ss", "密码")


def chain(error: BaseException | None) -> Iterator[BaseException]:
    """Yield an error and every error it carries as cause or context."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def assert_error_clean(error: BaseException) -> None:
    assert_clean("".join(traceback.format_exception(error)))
    for link in chain(error):
        assert_clean(str(link))
        assert_clean(repr(link))
        assert_clean(repr(link.args))


def assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    formatter = logging.Formatter()
    assert caplog.records
    for record in caplog.records:
        assert_clean(formatter.format(record))
        assert_clean(repr(record.args))


COMMANDS: list[Callable[[AxBsHttpV1Adapter, str], Awaitable[Any]]] = [
    lambda a, door: a.open_door(door),
    lambda a, door: a.close_door(door),
    lambda a, door: a.set_work_mode(door, WorkMode.NORMALLY_CLOSED),
    lambda a, door: a.check_credentials(),
]


@pytest.mark.parametrize(
    "fault",
    [
        None,
        ("http500", {}),
        ("malformed_json", {}),
        ("html", {}),
        ("drop", {}),
        ("timeout", {}),
        ("status", {"status": 105}),
        ("status", {"status": 106}),
        ("status", {"status": 500}),
        ("status", {"status": 999}),
    ],
)
async def test_no_password_in_errors_or_logs(
    sim: Any,
    make_adapter: MakeAdapter,
    caplog: pytest.LogCaptureFixture,
    fault: tuple[str, dict[str, Any]] | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = make_adapter(sim.port, request_timeout=0.2)
    assert_clean(repr(adapter))
    assert_clean(repr(adapter.client))
    assert_clean(repr(adapter.config))
    door = sim.site.doors[0].id
    if fault is None:
        door = "no-such-door"  # answered 102: AcsNotFoundError
    else:
        kind, options = fault
        sim.fault(kind, path="acs/device/door/", **options)
    errors = 0
    for command in COMMANDS:
        try:
            await command(adapter, door)
        except AcsError as err:
            errors += 1
            assert_error_clean(err)
    assert errors >= 3
    assert sim.door_commands == []
    assert_logs_clean(caplog)


async def test_no_password_in_wrong_password_errors(
    sim: Any, make_adapter: MakeAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = make_adapter(sim.port, password=PASSWORD + "x")
    for _ in range(6):  # the last ones are refused as locked
        with pytest.raises(AcsError) as err:
            await adapter.check_credentials()
        assert_error_clean(err.value)
    assert_logs_clean(caplog)


async def test_connection_error_carries_no_aiohttp_error(
    make_adapter: MakeAdapter,
) -> None:
    adapter = make_adapter(1)  # nothing listens on port 1
    with pytest.raises(AcsError) as err:
        await adapter.open_door("d")
    assert err.value.__cause__ is None
    assert err.value.__context__ is None
    assert_error_clean(err.value)
