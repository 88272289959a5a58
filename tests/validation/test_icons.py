"""icons.json, with hassfest's ``icons.py`` rules."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .common import INTEGRATION, PLATFORMS, load_json, read_translations, valid_key


def _icon(value: Any) -> str:
    """icons.py icon_value_validator."""
    text = cv.string_with_no_html(value)
    if not text.startswith("mdi:"):
        raise vol.Invalid(f"{text!r} is not a Material Design icon (mdi:...)")
    return str(text)


def _not_same_as_default(value: dict[str, Any]) -> dict[str, Any]:
    """icons.py ensure_not_same_as_default."""
    for key, section in value.items():
        default = section.get("default")
        for state, icon in (section.get("state") or {}).items():
            if default and icon == default:
                raise vol.Invalid(
                    f"the icon of state {key}.{state} is the default icon: remove it"
                )
    return value


_ENTITY_ICON = {
    vol.Optional("default"): _icon,
    vol.Optional("state"): {valid_key: _icon},
    vol.Optional("range"): {vol.Coerce(float): _icon},
    vol.Optional("state_attributes"): vol.All(
        {
            valid_key: {
                vol.Optional("default"): _icon,
                vol.Optional("state"): {valid_key: _icon},
            }
        },
        _not_same_as_default,
    ),
}
ICONS_SCHEMA = vol.Schema(
    {
        vol.Optional("entity"): {
            vol.In(PLATFORMS): vol.All({valid_key: _ENTITY_ICON}, _not_same_as_default)
        },
        vol.Optional("services"): {
            valid_key: vol.Any(
                _icon, {vol.Required("service"): _icon, vol.Optional("sections"): dict}
            )
        },
        vol.Optional("config"): dict,
        vol.Optional("options"): dict,
        vol.Optional("issues"): dict,
    },
    extra=vol.PREVENT_EXTRA,
)


def test_icons_schema() -> None:
    """icons.json passes hassfest's icon schema."""
    ICONS_SCHEMA(load_json(INTEGRATION / "icons.json"))


def test_every_entity_translation_key_has_an_icon() -> None:
    """Each translated entity has an icon, and icons name only known keys and states."""
    icons = load_json(INTEGRATION / "icons.json").get("entity", {})
    entities = read_translations().get("entity", {})
    for platform, entries in entities.items():
        for key, texts in entries.items():
            icon = icons.get(platform, {}).get(key)
            assert icon, f"icons.json lacks entity.{platform}.{key}"
            assert icon.get("default"), f"icons.json: entity.{platform}.{key}.default"
            for state in icon.get("state", {}):
                assert state in texts.get("state", {}), f"{platform}.{key}: {state}"
            for attribute, spec in icon.get("state_attributes", {}).items():
                known = texts.get("state_attributes", {}).get(attribute, {})
                assert set(spec.get("state", {})) <= set(known.get("state", {})), (
                    f"{platform}.{key}.{attribute}"
                )
    for platform, entries in icons.items():
        for key in entries:
            assert key in entities.get(platform, {}), (
                f"stale icon entity.{platform}.{key}"
            )
