"""services.yaml, with hassfest's ``services.py`` rules, against the registered actions."""

from __future__ import annotations

import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import validate_selector
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

from .common import (
    INTEGRATION,
    LANGUAGES,
    load_json,
    read_services_yaml,
    read_translations,
)

FIELD_SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("description"): str,
        vol.Optional("example"): vol.Any(str, int, float, bool, list, dict),
        vol.Optional("default"): object,
        vol.Optional("required"): bool,
        vol.Optional("advanced"): bool,
        vol.Optional("selector"): validate_selector,
        vol.Optional("filter"): dict,
    }
)
SERVICE_SCHEMA = vol.Any(
    None,
    vol.Schema(
        {
            vol.Optional("name"): str,
            vol.Optional("description"): str,
            vol.Optional("target"): vol.Any(None, dict),
            vol.Optional("fields"): {
                str: vol.Any(
                    FIELD_SCHEMA,
                    {  # a section of fields
                        vol.Required("fields"): {str: FIELD_SCHEMA},
                        vol.Optional("collapsed"): bool,
                    },
                )
            },
            vol.Optional("response"): {vol.Optional("optional"): bool},
        }
    ),
)


def _service_fields(service: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    fields: dict[str, dict[str, Any]] = {}
    for name, field in ((service or {}).get("fields") or {}).items():
        if "fields" in field and "selector" not in field:
            fields.update(field["fields"])
        else:
            fields[name] = field
    return fields


def test_services_yaml() -> None:
    """services.yaml passes hassfest's schema; each action and field is translated.

    hassfest services.py: an action and each of its fields needs a name and a
    description, in services.yaml or in the translations' "services" section;
    icons.py/services.py: each action has an icon in icons.json; a select
    selector's translation_key needs the options in the "selector" section.
    """
    services = read_services_yaml()
    uses_services = any(
        "services.async_register" in path.read_text(encoding="utf-8")
        or "async_register_entity_service" in path.read_text(encoding="utf-8")
        for path in INTEGRATION.glob("*.py")
    )
    if services is None:
        assert not uses_services, "registers actions but has no services.yaml"
        pytest.skip("no actions")
    icons = load_json(INTEGRATION / "icons.json").get("services", {})
    for name, service in services.items():
        assert re.fullmatch(r"[a-z0-9_]+", name), name
        SERVICE_SCHEMA(service)
        icon = icons.get(name)
        icon = icon.get("service") if isinstance(icon, dict) else icon
        assert isinstance(icon, str), f"icons.json has no icon for the action {name}"
        assert icon.startswith("mdi:"), icon
        for language in LANGUAGES:
            texts = read_translations(language).get("services", {}).get(name, {})
            assert texts.get("name"), f"{language}: services.{name}.name"
            assert texts.get("description"), f"{language}: services.{name}.description"
            for field, spec in _service_fields(service).items():
                field_texts = texts.get("fields", {}).get(field, {})
                for part in ("name", "description"):
                    assert field_texts.get(part), (
                        f"{language}: services.{name}.fields.{field}.{part}"
                    )
                selector = (spec or {}).get("selector") or {}
                if "select" in selector and (
                    key := selector["select"].get("translation_key")
                ):
                    options = (
                        read_translations(language).get("selector", {}).get(key, {})
                    )
                    for option in selector["select"].get("options", []):
                        value = option["value"] if isinstance(option, dict) else option
                        assert value in options.get("options", {}), (
                            f"{language}: selector.{key}.options.{value}"
                        )
        for field, spec in _service_fields(service).items():
            assert "selector" in (spec or {}), f"{name}.{field} has no selector"


def _schema_keys(schema: Any) -> set[str] | None:
    """The field names of a registered action's voluptuous schema."""
    if isinstance(schema, vol.Schema) and isinstance(schema.schema, dict):
        return {str(key) for key in schema.schema}
    if isinstance(schema, vol.All | vol.Any):
        for validator in schema.validators:
            if (keys := _schema_keys(validator)) is not None:
                return keys
    return None


async def test_registered_actions_match_services_yaml(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The actions Home Assistant has registered are those services.yaml describes."""
    services = read_services_yaml() or {}
    registered = hass.services.async_services_for_domain(DOMAIN)
    assert set(registered) == set(services)
    # An action with a target also takes the target's fields (entity_id, ...).
    target_keys = {str(key) for key in cv.ENTITY_SERVICE_FIELDS} | {"metadata"}
    for name, service in registered.items():
        keys = _schema_keys(service.schema)
        if keys is not None:
            if "target" in services[name]:
                keys -= target_keys
            assert keys == set(_service_fields(services[name])), name
