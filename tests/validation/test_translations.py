"""The translation files, with hassfest's ``translations.py`` rules."""

from __future__ import annotations

import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.translation import async_get_translations
import pytest
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

from .common import (
    LANGUAGES,
    PLATFORMS,
    flatten,
    placeholders,
    read_translations,
    valid_key,
)


def _value(value: Any) -> str:
    """translations.py translation_value_validator."""
    text = cv.string_with_no_html(value)
    if re.search(r"'\{\w+\}'", text):
        raise vol.Invalid("placeholders must not be in single quotes")
    if re.search(r"(.+\[%)|(%\].+)", text):
        raise vol.Invalid("combined translations are not allowed")
    if text != text.strip():
        raise vol.Invalid("no leading or trailing spaces")
    if re.search(r"\[%key:", text):
        # references are resolved only for core integrations' strings.json
        raise vol.Invalid("a custom integration cannot use [%key:...%] references")
    return str(text)


def _data_entry_schema() -> vol.All:
    """translations.py gen_data_entry_schema (config and options flows)."""
    step = {
        vol.Optional("title"): _value,
        vol.Optional("description"): _value,
        vol.Optional("data"): {str: _value},
        vol.Optional("data_description"): {str: _value},
        vol.Optional("menu_options"): {str: _value},
        vol.Optional("submit"): _value,
        vol.Optional("sections"): {
            str: {
                vol.Optional("data"): {str: _value},
                vol.Optional("data_description"): {str: _value},
                vol.Optional("description"): _value,
                vol.Optional("name"): _value,
            }
        },
    }

    def data_description_in_data(value: dict[str, Any]) -> dict[str, Any]:
        for step_id, info in value["step"].items():
            for key in info.get("data_description", {}):
                if key not in info.get("data", {}):
                    raise vol.Invalid(
                        f"step {step_id}: data_description {key} not in data"
                    )
        return value

    return vol.All(
        vol.Schema(
            {
                vol.Optional("flow_title"): _value,
                vol.Required("step"): {str: step},
                vol.Optional("error"): {str: _value},
                vol.Optional("abort"): {str: _value},
                vol.Optional("progress"): {str: _value},
                vol.Optional("create_entry"): {str: _value},
            }
        ),
        data_description_in_data,
    )


_STATE_TEXTS = {valid_key: _value}
TRANSLATIONS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): _value,
        vol.Optional("config"): _data_entry_schema(),
        vol.Optional("options"): _data_entry_schema(),
        vol.Optional("selector"): {
            valid_key: {vol.Required("options"): _STATE_TEXTS},
        },
        vol.Optional("device_automation"): {
            vol.Optional("action_type"): {str: _value},
            vol.Optional("condition_type"): {str: _value},
            vol.Optional("trigger_type"): {str: _value},
            vol.Optional("trigger_subtype"): {str: _value},
            vol.Optional("extra_fields"): {str: _value},
            vol.Optional("extra_fields_descriptions"): {str: _value},
        },
        vol.Optional("device"): {valid_key: {vol.Optional("name"): _value}},
        vol.Optional("entity"): {
            vol.In(PLATFORMS): {
                valid_key: {
                    vol.Optional("name"): _value,
                    vol.Optional("state"): _STATE_TEXTS,
                    vol.Optional("state_attributes"): {
                        valid_key: {
                            vol.Optional("name"): _value,
                            vol.Optional("state"): _STATE_TEXTS,
                        }
                    },
                    vol.Optional("unit_of_measurement"): _value,
                }
            }
        },
        vol.Optional("exceptions"): {valid_key: {vol.Required("message"): _value}},
        vol.Optional("issues"): {
            valid_key: vol.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                {
                    vol.Required("title"): _value,
                    vol.Exclusive("description", "fixable"): _value,
                    vol.Exclusive("fix_flow", "fixable"): _data_entry_schema(),
                },
            )
        },
        vol.Optional("services"): {
            valid_key: {
                vol.Required("name"): _value,
                vol.Required("description"): _value,
                vol.Optional("fields"): {
                    valid_key: {
                        vol.Required("name"): _value,
                        vol.Required("description"): _value,
                        vol.Optional("example"): _value,
                    }
                },
                vol.Optional("sections"): {
                    valid_key: {
                        vol.Required("name"): _value,
                        vol.Optional("description"): _value,
                    }
                },
            }
        },
        vol.Optional("system_health"): {vol.Optional("info"): _STATE_TEXTS},
        vol.Optional("common"): {valid_key: _value},
    },
    extra=vol.PREVENT_EXTRA,
)


def test_translation_languages() -> None:
    """English (required by hassfest) and Simplified Chinese are shipped."""
    assert "en" in LANGUAGES
    assert "zh-Hans" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_file_schema(language: str) -> None:
    """Each translation file passes hassfest's translation schema."""
    TRANSLATIONS_SCHEMA(read_translations(language))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_in_sync(language: str) -> None:
    """Every language has exactly English's keys, and the same placeholders."""
    english = dict(flatten(read_translations("en")))
    other = dict(flatten(read_translations(language)))
    missing = sorted(set(english) - set(other))
    extra = sorted(set(other) - set(english))
    assert not missing, f"{language}.json lacks {missing}"
    assert not extra, f"{language}.json has keys English lacks: {extra}"
    for key, text in english.items():
        assert placeholders(str(other[key])) == placeholders(str(text)), (
            f"{language}.json {key}: placeholders differ from English"
        )
        assert str(other[key]).strip(), f"{language}.json {key} is empty"


async def test_home_assistant_loads_the_translations(hass: HomeAssistant) -> None:
    """Home Assistant's translation loader finds both languages."""
    for language in LANGUAGES:
        for category in ("config", "entity", "exceptions"):
            texts = await async_get_translations(hass, language, category, [DOMAIN])
            flat = dict(flatten(read_translations(language)[category]))
            for key, text in flat.items():
                assert texts[f"component.{DOMAIN}.{category}.{key}"] == text
