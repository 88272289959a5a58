"""Take a picture of the running demo's dashboard with headless Chromium.

What it needs: a Chromium (or Chrome) and fonts with Chinese glyphs. Debian
or Ubuntu: ``apt-get install chromium fonts-noto-cjk fonts-noto-core`` (Noto
core draws the "⸱" between the parts of a tile's state); elsewhere point
``--chromium`` at a Chrome. ``scripts/demo --screenshots`` checks (and, as
root on Debian, installs) them, then takes both pictures and runs the browser
check of ``demo.check``.

By hand, while ``scripts/demo`` runs:

    .venv-demo/bin/python -m demo.screenshot --out docs/dashboard.png
    .venv-demo/bin/python -m demo.screenshot --ha-lang zh-Hans --lang zh-CN \
        --out docs/dashboard.zh-Hans.png

It signs in as a person does, typing the user name and password into Home
Assistant's login page (``--username``/``--password``), or with the tokens
``demo.bootstrap`` got (``.demo/tokens.json``) put in the page's localStorage
(``hassTokens``); then it opens the dashboard and captures it once its tiles
show live doors.
Chromium is driven over the DevTools protocol with aiohttp; no other package
is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
from pathlib import Path
import shutil
import sys
import tempfile
import time
from typing import Any

import aiohttp

# Counts the cards of the dashboard that have rendered, through shadow roots.
_COUNT_JS = """
(() => {
  const found = {tiles: 0, live: 0, logbook: 0};
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.localName === 'hui-tile-card') {
        found.tiles += 1;
        const text = (el.shadowRoot && el.shadowRoot.textContent) || '';
        if (!/unavailable|unknown|不可用|未知/i.test(text)) found.live += 1;
      }
      if (el.localName === 'ha-logbook-renderer') found.logbook += 1;
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return JSON.stringify(found);
})()
"""


# The element that has the keyboard focus, through shadow roots.
_FOCUSED_JS = """
(() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) {
    el = el.shadowRoot.activeElement;
  }
  return el ? el.localName + ':' + (el.type || '') : '';
})()
"""


class Browser:
    """A headless Chromium and one page, over the DevTools protocol."""

    def __init__(
        self,
        executable: str,
        width: int,
        height: int,
        lang: str,
        time_zone: str | None = None,
    ) -> None:
        """Remember how to start Chromium (``time_zone`` None: the machine's)."""
        self.executable = executable
        self.width, self.height, self.lang = width, height, lang
        self.time_zone = time_zone
        self.profile = Path(tempfile.mkdtemp(prefix="acs-demo-chromium-"))
        self.process: asyncio.subprocess.Process | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._id = 0

    async def start(self, session: aiohttp.ClientSession) -> None:
        """Start Chromium and attach to its first page."""
        self.process = await asyncio.create_subprocess_exec(
            self.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--lang={self.lang}",
            f"--user-data-dir={self.profile}",
            f"--window-size={self.width},{self.height}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.returncode is not None:
                raise RuntimeError("Chromium did not start")
            await asyncio.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
            targets = await resp.json(content_type=None)
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self.send("Page.enable")
        await self.send("Runtime.enable")
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        if self.time_zone:
            await self.send("Emulation.setTimezoneOverride", timezoneId=self.time_zone)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result."""
        assert self.ws is not None
        self._id += 1
        msg_id = self._id
        await self.ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json()
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result

    async def navigate(self, url: str) -> None:
        """Open a URL and wait until it has loaded."""
        await self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = await self.evaluate("document.readyState")
            if state == "complete":
                return
            await asyncio.sleep(0.2)

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value (promises awaited)."""
        result = await self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def type_text(self, text: str) -> None:
        """Type text into the focused field."""
        await self.send("Input.insertText", text=text)

    async def press(self, key: str, code: int) -> None:
        """Press and release a key (Tab, Enter)."""
        text = "\r" if key == "Enter" else ""
        for kind in ("keyDown", "keyUp"):
            await self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
                nativeVirtualKeyCode=code,
                text=text if kind == "keyDown" else "",
            )

    async def wait_for(self, expression: str, limit: float) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if value := await self.evaluate(expression):
                return value
            await asyncio.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {expression!r}")

    async def screenshot(self, out: Path) -> None:
        """Save the viewport as a PNG file."""
        result = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(out.write_bytes, base64.b64decode(result["data"]))

    async def stop(self) -> None:
        """Close the page and stop Chromium."""
        if self.ws is not None:
            await self.ws.close()
        if self.process is not None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


async def login(
    browser: Browser, url: str, username: str, password: str, language: str
) -> None:
    """Sign in through Home Assistant's login page, as a person does."""
    await browser.navigate(f"{url}/")
    await browser.evaluate(
        f"localStorage.setItem('selectedLanguage', {json.dumps(json.dumps(language))})"
    )
    # The login page focuses the user name field once it has rendered.
    await browser.wait_for(f"{_FOCUSED_JS} === 'input:text'", 30)
    await browser.type_text(username)
    await browser.press("Tab", 9)
    await browser.wait_for(f"{_FOCUSED_JS} === 'input:password'", 10)
    await browser.type_text(password)
    await browser.press("Enter", 13)
    # Signed in: the app stores its tokens and leaves the login page.
    await browser.wait_for("localStorage.getItem('hassTokens') !== null", 30)
    await browser.evaluate("localStorage.setItem('dockedSidebar', '\"docked\"')")


async def use_tokens(
    browser: Browser, url: str, tokens: dict[str, Any], language: str
) -> None:
    """Put tokens where the app keeps them (localStorage ``hassTokens``)."""
    stored = {
        **tokens,
        "hassUrl": url,
        "clientId": f"{url}/",
        "expires": int(time.time() * 1000) + int(tokens.get("expires_in", 1800)) * 1000,
    }
    # Same origin first, so the tokens land in Home Assistant's storage.
    await browser.navigate(f"{url}/manifest.json")
    await browser.evaluate(
        f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))});"
        "localStorage.setItem('dockedSidebar', JSON.stringify('docked'));"
        f"localStorage.setItem('selectedLanguage', {json.dumps(json.dumps(language))});"
    )


async def open_dashboard(
    browser: Browser, session: aiohttp.ClientSession, args: argparse.Namespace
) -> dict[str, int]:
    """Start the browser, sign in, open the dashboard and wait until it is live."""
    url = args.url.rstrip("/")
    await browser.start(session)
    if args.password is not None:
        await login(browser, url, args.username, args.password, args.ha_lang)
    else:
        tokens = json.loads(await asyncio.to_thread(args.tokens.read_text))
        await use_tokens(browser, url, tokens, args.ha_lang)
    await browser.navigate(f"{url}/{args.path.lstrip('/')}")
    deadline = time.monotonic() + args.timeout
    found: dict[str, int] = {}
    settled = 0
    while time.monotonic() < deadline:
        found = json.loads(await browser.evaluate(_COUNT_JS) or "{}")
        ready = (
            found.get("tiles", 0) >= args.min_tiles
            and found.get("live", 0) >= args.min_tiles
            and found.get("logbook", 0) >= 1
        )
        # a few polls in a row, so images, icons and the logbook settle
        settled = settled + 1 if ready else 0
        if settled >= 6:
            return found
        await asyncio.sleep(0.5)
    raise RuntimeError(f"the dashboard did not render in time: {found}")


def require_chromium(executable: str) -> str:
    """Return the Chromium to run, or stop with what to install."""
    found = shutil.which(executable)
    if found is None:
        raise SystemExit(
            f"{executable!r} not found: install Chromium and CJK fonts (Debian: "
            "apt-get install chromium fonts-noto-cjk fonts-noto-core) or pass "
            "--chromium /path/to/chrome"
        )
    return found


async def take(args: argparse.Namespace) -> None:
    """Sign in, open the dashboard, wait for live tiles, and capture it."""
    browser = Browser(
        require_chromium(args.chromium), args.width, args.height, args.lang
    )
    async with aiohttp.ClientSession() as session:
        try:
            found = await open_dashboard(browser, session, args)
            await browser.screenshot(args.out)
            sys.stdout.write(f"screenshot: {args.out} ({found})\n")
        finally:
            await browser.stop()


def add_page_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options that say which page to open and how to sign in."""
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--path", default="/lovelace/doors")
    parser.add_argument("--username", default="demo")
    parser.add_argument(
        "--password", help="sign in through the login page with this password"
    )
    parser.add_argument("--tokens", type=Path, default=Path(".demo/tokens.json"))
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--min-tiles", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=90)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and take the picture."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.screenshot",
        description="Needs Chromium and CJK fonts (Debian: apt-get install "
        "chromium fonts-noto-cjk fonts-noto-core).",
    )
    add_page_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    parser.add_argument("--lang", default="en-US", help="the browser's language")
    parser.add_argument("--ha-lang", default="en", help="Home Assistant's language")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(take(args))
        return 0
    return 130


if __name__ == "__main__":
    sys.exit(main())
