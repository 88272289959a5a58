"""Check the running demo's dashboard in a real browser, as a user reads it.

Renders the dashboard in headless Chromium, in each language asked for, with
the browser in a time zone unlike the server's, and fails (exit status 1) when
what is on the screen

- holds an internal key: a snake_case word anywhere on the page, or a part of
  a door's access line that is one of the integration's raw values (``in``,
  ``out``, ``granted``, ``no_permission``, ...) instead of its translation;
- holds a time that disagrees with the logbook's: each door's access line
  must show the time the logbook gives that door's event (to the minute), and
  the logbook card's own times must be the browser's local times of the
  logbook's events (so the comparison uses what the logbook shows).

Needs what ``demo.screenshot`` needs (Chromium and CJK fonts). While
``scripts/demo`` runs (``scripts/demo --screenshots`` runs it too):

    .venv-demo/bin/python -m demo.check --lang en --lang zh-Hans
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass
import json
from pathlib import Path
import re
import sys
from typing import Any

import aiohttp

from .screenshot import Browser, add_page_arguments, open_dashboard, require_chromium

TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components/acs_bridge/translations/en.json"
)
# Browser languages for Home Assistant's languages.
BROWSER_LANG = {"en": "en-US", "zh-Hans": "zh-CN"}
SNAKE_CASE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./-])")
CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP]M))?", re.I)
# Separators the frontend puts between the parts of a tile's state.
PARTS = re.compile(r"\s+[⸱·]\s+")
ATTEMPTS = 5

# What the page shows: every visible text, the tiles with a state_content
# (their entity and secondary line), the logbook card's lines, and the
# logbook's events of those entities (when, as epoch seconds), read with the
# page's own connection.
_READ_JS = """
(async () => {
  const visible = (el) => !el || !el.checkVisibility ||
    el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const deepText = (node, skip = '') => {
    let text = '';
    const visit = (n) => {
      if (skip && n.localName === skip) return;
      if (n.nodeType === Node.TEXT_NODE) {
        if (visible(n.parentElement)) text += n.textContent;
        return;
      }
      if (n.nodeType !== Node.ELEMENT_NODE && n.nodeType !== 11) return;
      if (['STYLE', 'SCRIPT', 'TEMPLATE'].includes(n.nodeName)) return;
      if (n.shadowRoot) visit(n.shadowRoot);
      for (const child of n.childNodes) visit(child);
      text += ' ';
    };
    visit(node);
    return text.replace(/\\s+/g, ' ').trim();
  };
  const tiles = [], logbook = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.localName === 'hui-tile-card' && el._config &&
          el._config.state_content) {
        const info = el.shadowRoot && el.shadowRoot.querySelector('ha-tile-info');
        const secondary = info && (info.querySelector('[slot=secondary]') ||
          (info.shadowRoot && info.shadowRoot.querySelector('.secondary')));
        tiles.push({entity: el._config.entity, name: el._config.name || '',
                    secondary: secondary ? deepText(secondary) : ''});
      }
      if (el.localName === 'ha-logbook-renderer' && el.shadowRoot) {
        for (const entry of el.shadowRoot.querySelectorAll('.entry')) {
          const time = entry.querySelector('.secondary span');
          const message = entry.querySelector('.message');
          logbook.push({message: message ? deepText(message) : '',
                        time: time ? time.textContent.trim() : ''});
        }
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const hass = document.querySelector('home-assistant').hass;
  const events = await hass.callWS({
    type: 'logbook/get_events',
    start_time: new Date(Date.now() - 4 * 3600 * 1000).toISOString(),
    entity_ids: tiles.map((t) => t.entity),
  });
  return JSON.stringify({
    text: deepText(document.body),
    outside_logbook: deepText(document.body, 'hui-logbook-card'),
    tiles,
    logbook,
    events: events.map((e) => ({entity: e.entity_id, when: e.when,
      local: new Date(e.when * 1000).toTimeString().slice(0, 8)})),
    language: hass.language,
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
})()
"""


@dataclass
class Report:
    """What one look at the page found wrong, and how much it compared."""

    problems: list[str]
    compared: int


def raw_values() -> set[str]:
    """Return the integration's raw values of an access event's attributes."""
    strings = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    attributes = strings["entity"]["event"]["access"]["state_attributes"]
    return {
        key
        for attribute in ("event_type", "reason", "direction")
        for key in attributes[attribute]["state"]
    }


def clock_seconds(text: str) -> int | None:
    """Return the first clock time in ``text`` as seconds after midnight."""
    match = CLOCK.search(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    second = int(match[3] or 0)
    if (half := (match[4] or "").upper()) == "PM" and hour < 12:
        hour += 12
    elif half == "AM" and hour == 12:
        hour = 0
    return hour * 3600 + minute * 60 + second


def _apart(a: int, b: int) -> int:
    """Seconds between two times of day, across midnight."""
    diff = abs(a - b) % 86400
    return min(diff, 86400 - diff)


def examine(page: dict[str, Any], raw: set[str]) -> Report:
    """Find internal keys and times that disagree with the logbook's."""
    problems = [
        f"internal key on the screen: {word!r}"
        for word in sorted(set(SNAKE_CASE.findall(page["text"])))
    ]
    for tile in page["tiles"]:
        parts = [p.strip() for p in PARTS.split(tile["secondary"]) if p.strip()]
        problems += [
            f"{tile['name']}: raw value {part!r} in {tile['secondary']!r}"
            for part in parts
            if part in raw
        ]
    # The logbook card's times are the browser's local times of the events.
    local = {clock_seconds(e["local"]) for e in page["events"]}
    newest = max((t for t in local if t is not None), default=None)
    problems += [
        f"the logbook shows {line['time']!r}, not a local time of its events"
        for line in page["logbook"]
        if (shown := clock_seconds(line["time"])) not in local
        # a line the recorder has not committed yet is newer than every event
        and (newest is None or shown is None or shown < newest)
    ]
    # Any clock time outside the logbook is the local time of one of its events.
    for match in CLOCK.finditer(page["outside_logbook"]):
        shown = clock_seconds(match[0])
        if shown is not None and not any(_apart(shown, t) < 60 for t in local if t):
            problems.append(f"the time {match[0]!r} is no time of the logbook's")
    compared = 0
    for tile in page["tiles"]:
        shown = clock_seconds(tile["secondary"])
        times = [
            seconds
            for e in page["events"]
            if e["entity"] == tile["entity"]
            and (seconds := clock_seconds(e["local"])) is not None
        ]
        if shown is None or not times:
            continue  # nothing at this door yet
        compared += 1
        if not any(_apart(shown, t) < 60 for t in times):
            problems.append(
                f"{tile['name']}: shows {tile['secondary']!r}, but the logbook's "
                "times of its events are "
                + ", ".join(
                    sorted(
                        e["local"]
                        for e in page["events"]
                        if e["entity"] == tile["entity"]
                    )[-3:]
                )
            )
    return Report(problems, compared)


async def check_language(
    args: argparse.Namespace, language: str, raw: set[str]
) -> list[str]:
    """Render the dashboard in one language; return what is wrong."""
    args.ha_lang = language
    browser = Browser(
        require_chromium(args.chromium),
        args.width,
        args.height,
        BROWSER_LANG.get(language, language),
        args.time_zone,
    )
    async with aiohttp.ClientSession() as session:
        try:
            await open_dashboard(browser, session, args)
            report = Report(["not read"], 0)
            for _ in range(ATTEMPTS):
                # The tiles and the logbook update at their own moments: look
                # again before calling a difference wrong.
                page = json.loads(await browser.evaluate(_READ_JS))
                report = examine(page, raw)
                if not report.compared:
                    report.problems.append("no door's access line to compare")
                if not report.problems:
                    break
                await asyncio.sleep(2)
        finally:
            await browser.stop()
    sys.stdout.write(
        f"check {language} (browser in {page['zone']}, Home Assistant in "
        f"{page['language']}): {len(page['tiles'])} access lines, "
        f"{report.compared} compared with the logbook, "
        f"{len(report.problems)} problems\n"
    )
    return report.problems


async def run(args: argparse.Namespace) -> int:
    """Check every language; return the exit status."""
    raw = raw_values()
    failed = False
    for language in args.lang or ["en", "zh-Hans"]:
        for problem in await check_language(args, language, raw):
            failed = True
            sys.stdout.write(f"  {language}: {problem}\n")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and check."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.check",
        description="Render the demo dashboard in headless Chromium and fail on "
        "internal keys or times that disagree with the logbook's.",
    )
    add_page_arguments(parser)
    parser.add_argument(
        "--lang",
        action="append",
        help="Home Assistant language to check (repeat; default: en and zh-Hans)",
    )
    parser.add_argument(
        "--time-zone",
        default="Pacific/Honolulu",
        help="the browser's time zone; choose one unlike the server's",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
