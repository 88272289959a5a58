"""What the validation tests share: where the files are, and their readers."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import Platform
from homeassistant.util.yaml import load_yaml
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / DOMAIN
TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))
PLATFORMS = {platform.value for platform in Platform}
MINIMUM_HOME_ASSISTANT = "2025.4.0"

# hassfest translations.py RE_TRANSLATION_KEY / translation_key_validator
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_manifest() -> dict[str, Any]:
    data: dict[str, Any] = load_json(INTEGRATION / "manifest.json")
    return data


def read_translations(language: str = "en") -> dict[str, Any]:
    data: dict[str, Any] = load_json(TRANSLATIONS / f"{language}.json")
    return data


def read_services_yaml() -> dict[str, Any] | None:
    path = INTEGRATION / "services.yaml"
    if not path.exists():
        return None
    data = load_yaml(str(path))
    assert isinstance(data, dict), "services.yaml must be a mapping of services"
    return data


def flatten(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, leaf) pairs of a nested mapping."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from flatten(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), tree


def placeholders(text: str) -> set[str]:
    """Return the ``{placeholder}`` names of a translated string."""
    return set(re.findall(r"\{(\w+)\}", text))


def lookup(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def valid_key(value: Any) -> str:
    """A translation key hassfest accepts (translations.py, icons.py)."""
    if not isinstance(value, str) or not RE_TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value
