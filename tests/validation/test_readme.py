"""The READMEs and their example automations."""

from __future__ import annotations

import re
from typing import Any

from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant
import pytest
import yaml

from custom_components.acs_bridge.const import DOMAIN

from .common import ROOT

READMES = ["README.md", "README.zh-Hans.md"]
# The automation examples are on a reference page of each language.
EXAMPLES = ["docs/automations.md", "docs/automations.zh-Hans.md"]
AUTOMATIONS = sorted((ROOT / "demo" / "automations").glob("*.yaml"))
PAGES = sorted(
    [*READMES, *(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
)


def _yaml_blocks(readme: str) -> list[Any]:
    text = (ROOT / readme).read_text(encoding="utf-8")
    return [
        yaml.safe_load(block)
        for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    ]


def _automations_in(readme: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in _yaml_blocks(readme):
        items = block if isinstance(block, list) else [block]
        found += [
            item
            for item in items
            if isinstance(item, dict) and ("triggers" in item or "trigger" in item)
        ]
    return found


def test_readmes_link_each_other_and_show_the_dashboard() -> None:
    """Both READMEs exist, link to each other and show the committed screenshot."""
    for readme, other in (READMES, READMES[::-1]):
        text = (ROOT / readme).read_text(encoding="utf-8")
        assert f"]({other})" in text, f"{readme} does not link {other}"
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        assert images, f"{readme} shows no picture (HACS checks for one)"
        for image in images:
            if not image.startswith("http"):
                assert (ROOT / image).is_file(), f"{readme}: {image} is missing"


def test_readmes_link_the_contributors_page() -> None:
    """Both READMEs link docs/CONTRIBUTING.md, which shows the layers."""
    page = ROOT / "docs" / "CONTRIBUTING.md"
    assert "## Layers" in page.read_text(encoding="utf-8")
    for readme in READMES:
        text = (ROOT / readme).read_text(encoding="utf-8")
        assert "](docs/CONTRIBUTING.md)" in text, readme


def test_readmes_give_the_two_commands() -> None:
    """The set-up commands are exactly `scripts/demo` and `scripts/test`."""
    for readme in READMES:
        text = (ROOT / readme).read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:sh|bash|shell|console)\n(.*?)```", text, re.DOTALL)
        commands = [
            line.strip()
            for block in blocks
            for line in block.splitlines()
            if line.strip() in ("scripts/demo", "scripts/test")
        ]
        assert sorted(set(commands)) == ["scripts/demo", "scripts/test"], readme
        for command in ("scripts/demo", "scripts/test"):
            assert (ROOT / command).is_file()


def test_readme_automations_are_the_demo_files() -> None:
    """The English example automations are the files the demo loads."""
    files = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in AUTOMATIONS]
    assert len(files) >= 3

    def by_id(automations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(automations, key=lambda automation: str(automation.get("id")))

    assert by_id(_automations_in(EXAMPLES[0])) == by_id(files)


@pytest.mark.parametrize(
    "source",
    [path.relative_to(ROOT).as_posix() for path in AUTOMATIONS] + EXAMPLES,
)
async def test_example_automations_are_valid(hass: HomeAssistant, source: str) -> None:
    """Home Assistant's automation editor accepts each example as it is."""
    if source.endswith(".md"):
        automations = _automations_in(source)
        assert len(automations) >= 3, f"{source} has too few automation examples"
    else:
        automations = [yaml.safe_load((ROOT / source).read_text(encoding="utf-8"))]
    for automation in automations:
        assert await async_validate_config_item(hass, "automation", automation)
        if automation.get("triggers"):
            for trigger in automation["triggers"]:
                if trigger.get("event_type", "").startswith(DOMAIN):
                    assert trigger["event_type"] in (
                        "acs_bridge_access",
                        "acs_bridge_alarm",
                        "acs_bridge_command",
                    )


def _slug(heading: str) -> str:
    """Return GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    found, fence = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (match := re.match(r"#{1,6} (.*)", line)):
            found.add(_slug(match[1]))
    return found


@pytest.mark.parametrize("page", PAGES)
def test_links_resolve(page: str) -> None:
    """Every relative link of the READMEs and docs/ leads to a file and a heading."""
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{page}: {target} leads nowhere"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest.read_text(encoding="utf-8")), (
                f"{page}: {target} names no heading"
            )


@pytest.mark.parametrize(
    ("readme", "suffix"), [(READMES[0], ""), (READMES[1], ".zh-Hans")]
)
def test_readmes_are_short_and_start_with_the_start(readme: str, suffix: str) -> None:
    """A README read in a few minutes: the two commands on its first screen, the
    reference on pages of its language under docs/ that it links."""
    lines = (ROOT / readme).read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 260, f"{readme} has {len(lines)} lines"
    first_screen = "\n".join(lines[:40])
    for command in ("scripts/demo", "scripts/test"):
        assert f"```sh\n{command}\n```" in first_screen, (readme, command)
    text = "\n".join(lines)
    for stem in (
        "entities",
        "events",
        "actions",
        "automations",
        "security",
        "troubleshooting",
    ):
        assert f"](docs/{stem}{suffix}.md)" in text, (readme, stem)
        assert (ROOT / "docs" / f"{stem}{suffix}.md").is_file()
