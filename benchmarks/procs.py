"""The simulator and Home Assistant, each in its own process, and their HTTP APIs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import random
import sys
import time
from typing import Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 60.0


def process_cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Child:
    """A Python child process that prints one ready line, then serves HTTP."""

    ready_word: str = ""

    def __init__(self, name: str, args: list[str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.log_path = log_dir / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.base = ""
        self.session: aiohttp.ClientSession | None = None
        self._log: Any = None

    async def start(self) -> Self:
        self._log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.args,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        async with asyncio.timeout(START_TIMEOUT):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(
                        f"{self.name} exited before it was ready; see {self.log_path}"
                    )
                if self.ready_word in line:
                    self.base = self.parse_ready(line)
                    break
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=600),
            connector=aiohttp.TCPConnector(limit=4),
        )
        return self

    def parse_ready(self, line: str) -> str:
        raise NotImplementedError

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    async def get(self, path: str, **params: Any) -> Any:
        assert self.session is not None
        async with self.session.get(self.base + path, params=params) as response:
            response.raise_for_status()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self.session is not None
        async with self.session.post(self.base + path, json=body or {}) as response:
            data = await response.json()
            if response.status >= 400:
                raise ValueError(f"{self.name} {path}: {response.status} {data}")
            return data

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                async with asyncio.timeout(10):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class SimProcess(Child):
    """``python -m simulator`` on a free loopback port."""

    ready_word = "simulator ready at"

    def __init__(
        self, name: str, log_dir: Path, *, controllers: int, doors: int, people: int
    ) -> None:
        super().__init__(
            name,
            [
                "-m",
                "simulator",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--controllers",
                str(controllers),
                "--doors-per-controller",
                str(doors),
                "--people",
                str(people),
                "--log-level",
                "WARNING",
            ],
            log_dir,
        )
        self.port = 0
        self.door_ids: list[str] = []
        self.controller_ids: list[str] = []

    def parse_ready(self, line: str) -> str:
        url = line.split("ready at", 1)[1].strip()
        base = url.split("/api/v1/", 1)[0]
        self.port = int(base.rsplit(":", 1)[1])
        return base

    async def start(self) -> Self:
        await super().start()
        site = await self.get("/_sim/site")
        self.door_ids = [d["id"] for d in site["doors"]]
        self.controller_ids = [c["id"] for c in site["controllers"]]
        return self

    async def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = await self.get("/_sim/stats")
        return stats

    async def swipe(self, door_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.post("/_sim/swipe", {"door_id": door_id})
        return result


class HaProcess(Child):
    """``python -m benchmarks.ha_worker``: Home Assistant with ACS Bridge."""

    ready_word = "READY"

    def __init__(self, name: str, log_dir: Path) -> None:
        super().__init__(name, ["-m", "benchmarks.ha_worker"], log_dir)

    def parse_ready(self, line: str) -> str:
        return f"http://127.0.0.1:{int(line.split()[1])}"

    async def setup_entry(self, sim: SimProcess) -> dict[str, Any]:
        result: dict[str, Any] = await self.post(
            "/setup", {"host": "127.0.0.1", "port": sim.port}
        )
        if not result.get("ok"):
            raise RuntimeError(f"the entry did not load: {result}; see {self.log_path}")
        return result

    async def events(self, since: int = 0) -> list[dict[str, Any]]:
        data = await self.get("/events", since=since)
        events: list[dict[str, Any]] = data["events"]
        return events

    async def polls(self, since: int = 0) -> list[dict[str, Any]]:
        data = await self.get("/polls", since=since)
        polls: list[dict[str, Any]] = data["polls"]
        return polls

    async def cpu(self) -> dict[str, float]:
        data: dict[str, float] = await self.get("/cpu")
        return data


async def swipe_stream(
    sim: SimProcess,
    *,
    rate: float,
    phase: str,
    rng: random.Random,
    count: int | None = None,
    seconds: float | None = None,
    door_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Swipe valid cards at random doors, ``rate`` per second on average.

    The stream ends after ``count`` swipes, or when the next swipe would come
    ``seconds`` or more after the start (whichever is given).

    Arrivals are a Poisson process (random, exponential gaps), as people are:
    evenly spaced swipes would keep the same phase against the 1 s poll and
    sample only a few points of the latency distribution. Each swipe is a
    request to the simulator's control API; ``sent`` is the wall-clock time just
    before the request (so latencies include that request's own round trip, a
    fraction of a millisecond, never less).
    """
    doors = door_ids or sim.door_ids
    swipes: list[dict[str, Any]] = []
    start = due = time.time() + 0.05
    end = start + seconds if seconds is not None else float("inf")
    while count is None or len(swipes) < count:
        due += rng.expovariate(rate)
        if due >= end:
            await asyncio.sleep(max(0.0, end - time.time()))
            break
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        for _attempt in range(10):
            door_id = doors[rng.randrange(len(doors))]
            sent = time.time()
            try:
                result = await sim.swipe(door_id)
            except ValueError:  # nobody may pass this door: another one
                continue
            result["sent"] = sent
            result["answered"] = time.time()
            result["phase"] = phase
            swipes.append(result)
            break
    return swipes
