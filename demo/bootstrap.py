"""Prepare a running Home Assistant for the ACS Bridge demo, through its public APIs.

Run by ``scripts/demo`` once ``hass`` has been started:

1. waits until Home Assistant answers (and stops if its process dies);
2. creates the local user through the onboarding API, or signs in when the
   user already exists, and finishes the remaining onboarding steps;
3. adds ACS Bridge through the config flow REST API twice, once per
   simulator: the AX-ACS server and the Hikvision terminal (unless their
   entries exist);
4. waits until the integration is loaded, then builds the dashboard from the
   entity and device registries and saves it as the default dashboard
   (Overview) with the websocket API ``lovelace/config/save``.

Usage: ``python -m demo.bootstrap --url URL --sim-port PORT --hik-port PORT
--username U --password P [--hass-pid PID]``. Nothing here is needed by the
integration.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
import contextlib
import json
import os
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

DOMAIN = "acs_bridge"
LANGUAGE = "en"
STATE_INTERVAL = 3
"""Seconds between door state reads in the demo (the integration's default: 10)."""


class DemoError(Exception):
    """A step of the demo set-up failed; the message says which and why."""


def say(message: str) -> None:
    """Print one line of progress."""
    sys.stdout.write(f"demo: {message}\n")
    sys.stdout.flush()


class HomeAssistantClient:
    """The few REST and websocket calls the demo needs."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Talk to the Home Assistant at ``url``."""
        self.session = session
        self.url = url.rstrip("/")
        self.client_id = f"{self.url}/"
        self.tokens: dict[str, Any] = {}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1

    # --- REST ----------------------------------------------------------------

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def get(self, path: str, *, auth: bool = True) -> Any:
        """GET a JSON document."""
        async with self.session.get(
            self.url + path, headers=self._auth if auth else None
        ) as resp:
            if resp.status >= 400:
                raise DemoError(f"GET {path}: HTTP {resp.status} {await resp.text()}")
            return await resp.json()

    async def post(self, path: str, data: Any = None, *, auth: bool = True) -> Any:
        """POST a JSON document and return the JSON answer."""
        async with self.session.post(
            self.url + path, json=data or {}, headers=self._auth if auth else None
        ) as resp:
            if resp.status >= 400:
                raise DemoError(f"POST {path}: HTTP {resp.status} {await resp.text()}")
            return await resp.json()

    async def wait_until_up(self, limit: float, pid: int | None) -> None:
        """Wait until the HTTP server answers; fail early if ``pid`` has died."""
        deadline = time.monotonic() + limit
        last_error = ""
        while time.monotonic() < deadline:
            if pid is not None and not _alive(pid):
                raise DemoError(
                    "Home Assistant stopped while starting; see .demo/hass.log"
                )
            try:
                async with self.session.get(
                    f"{self.url}/api/onboarding",
                    timeout=aiohttp.ClientTimeout(total=5),
                ) as resp:
                    # 200 before onboarding; 404 once it is done: both mean "up"
                    if resp.status in (200, 404):
                        return
                    last_error = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError) as err:
                last_error = str(err) or type(err).__name__
            await asyncio.sleep(1)
        raise DemoError(f"Home Assistant did not answer in {limit:.0f} s: {last_error}")

    async def token_from_code(self, code: str) -> None:
        """Exchange an authorisation code for tokens."""
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as resp:
            if resp.status >= 400:
                raise DemoError(f"/auth/token: HTTP {resp.status} {await resp.text()}")
            self.tokens = await resp.json()

    async def login(self, username: str, password: str) -> None:
        """Sign in with the login flow a browser uses, and get tokens."""
        flow = await self.post(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.url}/?auth_callback=1",
            },
            auth=False,
        )
        result = await self.post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": username, "password": password},
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"cannot sign in as {username!r}: {result.get('errors')}; the demo "
                "configuration was made with another password; run "
                "`scripts/demo --reset` to start afresh"
            )
        await self.token_from_code(result["result"])

    # --- websocket -------------------------------------------------------------

    async def ws_connect(self) -> None:
        """Open and authenticate the websocket."""
        ws = await self.session.ws_connect(f"{self.url}/api/websocket")
        await ws.receive_json()  # auth_required
        await ws.send_json(
            {"type": "auth", "access_token": self.tokens["access_token"]}
        )
        answer = await ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise DemoError(f"websocket authentication failed: {answer}")
        self._ws = ws

    async def ws(self, command: str, **data: Any) -> Any:
        """Send one websocket command and return its result."""
        if self._ws is None:
            await self.ws_connect()
        assert self._ws is not None
        msg_id, self._next_id = self._next_id, self._next_id + 1
        await self._ws.send_json({"id": msg_id, "type": command, **data})
        while True:
            answer = await self._ws.receive_json()
            if answer.get("id") == msg_id and answer.get("type") == "result":
                if not answer.get("success"):
                    raise DemoError(f"{command}: {answer.get('error')}")
                return answer.get("result")

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read."""
    path.write_text(text)
    with contextlib.suppress(OSError):
        path.chmod(0o600)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- steps ---------------------------------------------------------------------


async def onboard(ha: HomeAssistantClient, username: str, password: str) -> None:
    """Create the user on a fresh instance, or sign in; finish onboarding."""
    async with ha.session.get(f"{ha.url}/api/onboarding") as resp:
        steps = await resp.json() if resp.status == 200 else []
    pending = {step["step"] for step in steps if not step["done"]}
    if "user" in pending:
        say(f"creating the user {username!r} (onboarding)")
        answer = await ha.post(
            "/api/onboarding/users",
            {
                "client_id": ha.client_id,
                "name": "Demo",
                "username": username,
                "password": password,
                "language": LANGUAGE,
            },
            auth=False,
        )
        await ha.token_from_code(answer["auth_code"])
    else:
        say(f"signing in as {username!r}")
        await ha.login(username, password)
    # core_config is marked done in .storage/onboarding before the first start:
    # finishing it through the API would add Met.no, Radio Browser and Google
    # Translate, which need the internet.
    if "core_config" in pending:
        await ha.post("/api/onboarding/core_config")
    if "analytics" in pending:
        await ha.post("/api/onboarding/analytics")
    if "integration" in pending:
        await ha.post(
            "/api/onboarding/integration",
            {"client_id": ha.client_id, "redirect_uri": f"{ha.url}/?auth_callback=1"},
        )


#: The two simulated sites: the protocol chosen in the flow, and the account.
AX_ADAPTER = "ax_bs_http_v1"
HIK_ADAPTER = "hikvision_isapi"
ACCOUNTS = {AX_ADAPTER: ("admin", "admin"), HIK_ADAPTER: ("admin", "Hik12345!")}


async def add_integration(ha: HomeAssistantClient, adapter: str, port: int) -> str:
    """Add one server through the config flow unless it is there; return its entry id."""
    entries = await ha.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    for entry in entries:
        if entry.get("title", "").endswith(f":{port}"):
            say(f"the server on port {port} is already set up; keeping it")
            return str(entry["entry_id"])
    say(f"adding ACS Bridge through the config flow ({adapter} on port {port})")
    step = await ha.post(
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": False},
    )
    username, password = ACCOUNTS[adapter]
    user_input = {
        "host": "127.0.0.1",
        "port": port,
        "username": username,
        "password": password,
        "ssl": False,
        "verify_ssl": True,
    }
    for _ in range(3):
        if step["type"] == "create_entry":
            return str(step["result"]["entry_id"])
        if step["type"] != "form":
            raise DemoError(f"the config flow stopped: {step}")
        if step.get("errors"):
            raise DemoError(f"the config flow refused the simulator: {step['errors']}")
        if step["step_id"] == "adapter":
            answer: dict[str, Any] = {"adapter": adapter}
        else:
            answer = user_input
        step = await ha.post(
            f"/api/config/config_entries/flow/{step['flow_id']}", answer
        )
    raise DemoError(f"the config flow did not finish: {step}")


async def set_state_interval(
    ha: HomeAssistantClient, entry_id: str, seconds: int
) -> None:
    """Read door states every ``seconds`` (options flow), the other options kept.

    A door opened from the dashboard relocks after its open time (a few
    seconds); with a short interval the dashboard shows that at once.
    """
    step = await ha.post(
        "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    if step.get("type") != "form":
        raise DemoError(f"the options flow did not open: {step}")
    answer = {
        field["name"]: field["default"]
        for field in step.get("data_schema", [])
        if "default" in field
    }
    answer["state_interval"] = seconds
    done = await ha.post(
        f"/api/config/config_entries/options/flow/{step['flow_id']}", answer
    )
    if done.get("type") != "create_entry":
        raise DemoError(f"the options flow refused the demo's options: {done}")
    say(f"door states are read every {seconds} s (options)")


async def wait_until_loaded(ha: HomeAssistantClient, entry_id: str) -> None:
    """Wait until the entry is loaded and its locks exist."""
    deadline = time.monotonic() + 120
    state = "unknown"
    while time.monotonic() < deadline:
        entries = await ha.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
        state = next((e["state"] for e in entries if e["entry_id"] == entry_id), "gone")
        if state == "loaded":
            registry = await ha.ws("config/entity_registry/list")
            if any(
                e["platform"] == DOMAIN and e["entity_id"].startswith("lock.")
                for e in registry
            ):
                return
        elif state in ("setup_error", "migration_error", "failed_unload", "gone"):
            raise DemoError(f"ACS Bridge could not be set up (state {state})")
        await asyncio.sleep(1)
    raise DemoError(f"ACS Bridge was not loaded after 120 s (state {state})")


# --- dashboard -----------------------------------------------------------------


def _heading(title: str, icon: str) -> dict[str, Any]:
    return {"type": "heading", "heading": title, "icon": icon}


# What a door's access tile says under the door's name, each rendered by the
# frontend in the user's language and time zone: when (the event entity's
# state), who, and the translated reason ("Granted", "No permission", ...) and
# direction ("In", "Out"). Keys of the integration never reach the screen.
ACCESS_CONTENT = ["state", "user_name", "reason", "direction"]


def build_dashboard(
    registry: Iterable[dict[str, Any]],
    devices: Iterable[dict[str, Any]],
    states: Iterable[dict[str, Any]],
    servers: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Build the Lovelace configuration of the demo from what the registries hold.

    ``servers`` are (entry id, heading) pairs: each server's doors get their
    own section, side by side.
    """
    ours = [
        e for e in registry if e.get("platform") == DOMAIN and not e.get("disabled_by")
    ]
    device_names = {
        d["id"]: d.get("name_by_user") or d.get("name") or "" for d in devices
    }
    attributes = {s["entity_id"]: s.get("attributes", {}) for s in states}

    def device_class(entry: dict[str, Any]) -> str | None:
        value = attributes.get(entry["entity_id"], {}).get("device_class")
        return None if value is None else str(value)

    def short_name(entry: dict[str, Any]) -> str | None:
        """Return the entity's name without its device's name (hub sensors)."""
        name = str(attributes.get(entry["entity_id"], {}).get("friendly_name", ""))
        device = device_names.get(entry["device_id"], "")
        if device and name.startswith(f"{device} "):
            return name[len(device) + 1 :]
        return None

    def of(domain: str, **match: Any) -> list[dict[str, Any]]:
        found = [
            e
            for e in ours
            if e["entity_id"].split(".")[0] == domain
            and all(
                (device_class(e) if k == "device_class" else e.get(k)) == v
                for k, v in match.items()
            )
        ]
        return sorted(
            found, key=lambda e: (device_names.get(e["device_id"], ""), e["entity_id"])
        )

    locks = of("lock")
    doors = {
        e["device_id"]: e["entity_id"] for e in of("binary_sensor", device_class="door")
    }
    selects = {e["device_id"]: e["entity_id"] for e in of("select")}
    events = of("event")
    people = of("sensor", translation_key="area_people")
    alarms = of("sensor", translation_key="unconfirmed_alarms")
    connectivity = of("binary_sensor", device_class="connectivity")
    last_poll = of("sensor", translation_key="last_poll")

    def tile(
        entity_id: str, name: str | None, columns: int | str, **extra: Any
    ) -> dict[str, Any]:
        card: dict[str, Any] = {"type": "tile", "entity": entity_id}
        if name:
            card["name"] = name
        return {**card, **extra, "grid_options": {"columns": columns}}

    servers = list(servers) or [("", "Doors · 门")]

    def server_locks(entry_id: str) -> list[dict[str, Any]]:
        return [
            lock
            for lock in locks
            if not entry_id or lock.get("config_entry_id") == entry_id
        ]

    # Each server's doors under its own heading, one after the other, then each
    # one's work modes: the doors of both fit the first screen beside the
    # recent access.
    doors_section: list[Any] = []
    for entry_id, title in servers:
        doors_section.append(_heading(title, "mdi:door"))
        doors_section.extend(
            tile(
                lock["entity_id"],
                device_names.get(lock["device_id"]),
                6,
                features=[{"type": "lock-commands"}],
            )
            for lock in server_locks(entry_id)
        )
    doors_section.append(_heading("Work mode · 工作模式", "mdi:cog"))
    doors_section.append(
        {
            "type": "entities",
            "state_color": True,
            "entities": [
                {
                    "entity": selects[lock["device_id"]],
                    "name": device_names.get(lock["device_id"]),
                }
                for entry_id, _ in servers
                for lock in server_locks(entry_id)
                if lock["device_id"] in selects
            ],
        }
    )
    sensors_section = [
        _heading("Door sensors · 门磁", "mdi:door-open"),
        *(
            tile(doors[lock["device_id"]], device_names.get(lock["device_id"]), 6)
            for lock in locks
            if lock["device_id"] in doors
        ),
        _heading("People per area · 区域人数", "mdi:account-group"),
        *(tile(e["entity_id"], short_name(e), 6) for e in people),
        _heading("Controllers · 控制器", "mdi:lan-connect"),
        {
            "type": "entities",
            "state_color": True,
            "entities": [
                {"entity": e["entity_id"], "name": device_names.get(e["device_id"])}
                for e in connectivity
            ]
            + [{"entity": e["entity_id"]} for e in last_poll],
        },
    ]
    # Two columns wide, so that a door's name and its last access fit on a line.
    activity_section = [
        _heading("Recent access · 最近通行", "mdi:card-account-details"),
        *(
            tile(
                e["entity_id"],
                device_names.get(e["device_id"]),
                "full",
                state_content=ACCESS_CONTENT,
            )
            for e in events
        ),
        {
            "type": "logbook",
            "entities": [e["entity_id"] for e in events],
            "hours_to_show": 4,
            "grid_options": {"columns": "full"},
        },
        _heading("Alarms · 报警", "mdi:alarm-light"),
        *(tile(e["entity_id"], short_name(e), 12) for e in alarms),
        {
            "type": "markdown",
            "content": (
                "Each unconfirmed alarm is also a notification (the bell in the "
                "sidebar) until the server clears it."
            ),
        },
    ]
    return {
        "title": "ACS Bridge",
        "views": [
            {
                "title": "Doors",
                "path": "doors",
                "icon": "mdi:door",
                "type": "sections",
                "max_columns": 3,
                "sections": [
                    {"type": "grid", "cards": doors_section},
                    {"type": "grid", "cards": activity_section, "column_span": 2},
                    {"type": "grid", "cards": sensors_section},
                ],
            }
        ],
    }


async def install_dashboard(
    ha: HomeAssistantClient,
    out: Path | None,
    *,
    keep: bool = False,
    servers: Iterable[tuple[str, str]] = (),
) -> int:
    """Save the demo dashboard as the default one; return the number of doors.

    With ``keep``, a dashboard that was saved before (perhaps edited since) stays.
    """
    registry = await ha.ws("config/entity_registry/list")
    devices = await ha.ws("config/device_registry/list")
    states = await ha.ws("get_states")
    config = build_dashboard(registry, devices, states, servers)
    existing: Any = None
    if keep:
        with contextlib.suppress(DemoError):  # "config_not_found" when none
            existing = await ha.ws("lovelace/config", force=False)
    if existing:
        say("keeping the dashboard saved before")
    else:
        await ha.ws("lovelace/config/save", config=config)
    if out is not None:
        text = json.dumps(config, ensure_ascii=False, indent=2) + "\n"
        await asyncio.to_thread(out.write_text, text)
    return sum(
        1
        for e in registry
        if e.get("platform") == DOMAIN and e["entity_id"].startswith("lock.")
    )


async def run(args: argparse.Namespace) -> None:
    """Run every step."""
    async with aiohttp.ClientSession() as session:
        ha = HomeAssistantClient(session, args.url)
        say(f"waiting for Home Assistant at {ha.url}")
        await ha.wait_until_up(args.timeout, args.hass_pid)
        await onboard(ha, args.username, args.password)
        servers = [
            (
                await add_integration(ha, AX_ADAPTER, args.sim_port),
                "AX-ACS server · 门禁服务器",
            ),
        ]
        if args.hik_port:
            servers.append(
                (
                    await add_integration(ha, HIK_ADAPTER, args.hik_port),
                    "Hikvision terminal · 海康门禁终端",
                )
            )
        for entry_id, _ in servers:
            await wait_until_loaded(ha, entry_id)
            if not args.keep_dashboard:
                # The options reload the entry: wait for it again.
                await set_state_interval(ha, entry_id, STATE_INTERVAL)
                await wait_until_loaded(ha, entry_id)
        doors = await install_dashboard(
            ha, args.dashboard_out, keep=args.keep_dashboard, servers=servers
        )
        say(f"dashboard ready: {doors} doors")
        if args.tokens_out is not None:
            # For demo.screenshot: the tokens a browser keeps in localStorage.
            await asyncio.to_thread(
                _write_private, args.tokens_out, json.dumps(ha.tokens)
            )
        await ha.close()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m demo.bootstrap")
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--sim-port", type=int, default=6500)
    parser.add_argument(
        "--hik-port", type=int, default=0, help="the Hikvision simulator (0: none)"
    )
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", required=True)
    parser.add_argument("--hass-pid", type=int)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--dashboard-out", type=Path)
    parser.add_argument("--tokens-out", type=Path)
    parser.add_argument("--keep-dashboard", action="store_true")
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(args))
    except DemoError as err:
        sys.stderr.write(f"demo: {err}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
