"""The translation keys the code uses (found with ``ast``) exist, and every
translation is used.
"""

from __future__ import annotations

import ast
from typing import Any
from unittest.mock import MagicMock

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.acs_bridge.const import DOMAIN

from .common import (
    INTEGRATION,
    LANGUAGES,
    PLATFORMS,
    flatten,
    lookup,
    placeholders,
    read_translations,
)


class _CodeKeys:
    """The translation keys the integration's Python code uses, found with ast."""

    def __init__(self) -> None:
        self.required: dict[str, str] = {}  # dotted key -> where it is used
        self.placeholders: dict[str, set[str]] = {}  # dotted key -> provided
        self.entity_keys: set[str] = set()
        self.dynamic_entity_keys = False
        self.entity_placeholders: dict[str, set[str]] = {}  # platform -> provided

    def need(self, key: str, where: str, provided: set[str] | None = None) -> None:
        self.required.setdefault(key, where)
        if provided is not None:
            self.placeholders.setdefault(key, set()).update(provided)


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _const(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _dict_keys(node: ast.expr | None) -> set[str] | None:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _scan_code() -> _CodeKeys:
    keys = _CodeKeys()
    for path in sorted(INTEGRATION.glob("*.py")):
        module = path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                key_node = _kw(node, "translation_key")
                key = _const(key_node)
                provided = _dict_keys(_kw(node, "translation_placeholders"))
                if key_node is not None and name.endswith("async_create_issue"):
                    assert key, (
                        f"{where}: a repair issue's translation_key is not a constant"
                    )
                    keys.need(f"issues.{key}.title", where, provided)
                elif key_node is not None and _kw(node, "translation_domain"):
                    if key is not None:
                        keys.need(f"exceptions.{key}.message", where, provided)
                elif key_node is not None and name.endswith("Description"):
                    assert module in PLATFORMS, (
                        f"{where}: entity description outside a platform"
                    )
                    if key is None:
                        keys.dynamic_entity_keys = True
                    else:
                        keys.entity_keys.add(f"{module}.{key}")
                        keys.need(f"entity.{module}.{key}", where)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if not isinstance(target, ast.Attribute | ast.Name):
                        continue
                    attr = (
                        target.attr if isinstance(target, ast.Attribute) else target.id
                    )
                    if attr == "_attr_translation_key" and module in PLATFORMS:
                        if (key := _const(node.value)) is None:
                            keys.dynamic_entity_keys = True
                        else:
                            keys.entity_keys.add(f"{module}.{key}")
                            keys.need(f"entity.{module}.{key}", where)
                    if attr == "_attr_translation_placeholders" and module in PLATFORMS:
                        keys.entity_placeholders.setdefault(module, set()).update(
                            _dict_keys(node.value) or set()
                        )
        if module == "config_flow":
            _scan_config_flow(tree, keys)
    return keys


def _scan_config_flow(tree: ast.Module, keys: _CodeKeys) -> None:
    """Steps, errors and abort reasons of each flow class of config_flow.py."""
    for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        bases = {
            b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
            for b in cls.bases
        }
        if any("OptionsFlow" in b for b in bases):
            section = "options"
        elif any("ConfigFlow" in b for b in bases):
            section = "config"
        else:
            continue
        where = f"config_flow.py {cls.name}"
        methods = {
            n.name
            for n in cls.body
            if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)
        }
        for node in ast.walk(cls):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if (step_id := _const(_kw(node, "step_id"))) is not None:
                    provided = (
                        _dict_keys(_kw(node, "description_placeholders")) or set()
                    )
                    keys.need(f"{section}.step.{step_id}", where, provided)
                if name == "async_abort" and (reason := _const(_kw(node, "reason"))):
                    keys.need(f"{section}.abort.{reason}", where)
                if name == "_abort_if_unique_id_configured":
                    keys.need(f"{section}.abort.already_configured", where)
                if name == "_abort_if_unique_id_mismatch":
                    keys.need(f"{section}.abort.unique_id_mismatch", where)
            # errors["base"] = "cannot_connect"
            if isinstance(node, ast.Assign) and (error := _const(node.value)):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and getattr(target.value, "id", "") == "errors"
                    ):
                        keys.need(f"{section}.error.{error}", where)
            # the error keys a helper such as _async_test returns
            if (
                isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
                and not node.name.startswith("async_step")
                and node.returns is not None
                and "str" in ast.unparse(node.returns)
            ):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and (error := _const(ret.value)):
                        keys.need(f"{section}.error.{error}", where)
        if "async_step_reauth" in methods:
            keys.need(f"{section}.abort.reauth_successful", where)
        if "async_step_reconfigure" in methods:
            keys.need(f"{section}.abort.reconfigure_successful", where)


def test_code_translation_keys_exist() -> None:
    """Every translation key the code uses is in en.json, with its placeholders."""
    english = read_translations()
    keys = _scan_code()
    assert keys.required, "no translation key found in the code"
    missing = [
        f"{key} ({where})"
        for key, where in keys.required.items()
        if lookup(english, key) is None
    ]
    assert not missing, f"en.json lacks {missing}"
    for key, provided in keys.placeholders.items():
        node = lookup(english, key)
        texts = (
            [str(v) for _, v in flatten(node)]
            if isinstance(node, dict)
            else [str(node)]
        )
        used = set().union(*(placeholders(text) for text in texts))
        assert used <= provided, (
            f"{key} uses {used - provided}, which the code does not give"
        )


def test_entity_translations_are_used() -> None:
    """Every entity translation in en.json belongs to an entity of the code."""
    keys = _scan_code()
    if keys.dynamic_entity_keys:
        pytest.skip("some entity translation keys are computed")
    english = read_translations()
    translated = {
        f"{platform}.{key}"
        for platform, entries in english.get("entity", {}).items()
        for key in entries
    }
    assert translated <= keys.entity_keys, (
        f"unused: {sorted(translated - keys.entity_keys)}"
    )
    for platform, entries in english.get("entity", {}).items():
        for key, info in entries.items():
            needed = placeholders(str(info.get("name", "")))
            provided = keys.entity_placeholders.get(platform, set())
            assert needed <= provided, f"entity.{platform}.{key}: {needed - provided}"


async def test_config_flow_forms_are_translated(
    hass: HomeAssistant, mock_adapter: MagicMock
) -> None:
    """Every field of every form the flows show has a label in each language."""
    forms: list[tuple[str, str, list[str]]] = []

    def record(section: str, result: Any) -> None:
        assert result["type"] is FlowResultType.FORM
        fields = [str(key) for key in result["data_schema"].schema]
        forms.append((section, result["step_id"], fields))

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    record("config", result)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="127.0.0.1:6500",
        data={
            "host": "127.0.0.1",
            "port": 6500,
            "username": "a",
            "password": "b",
            "adapter": "ax_bs_http_v1",
        },
    )
    entry.add_to_hass(hass)
    record("config", await entry.start_reauth_flow(hass))
    record("config", await entry.start_reconfigure_flow(hass))
    record("options", await hass.config_entries.options.async_init(entry.entry_id))

    for language in LANGUAGES:
        texts = read_translations(language)
        for section, step_id, fields in forms:
            step = texts[section]["step"][step_id]
            assert step.get("title") or step.get("description"), (section, step_id)
            for field in fields:
                assert field in step.get("data", {}), (
                    f"{language}: {section}.{step_id}.{field}"
                )
                assert field in step.get("data_description", {}), (
                    f"{language}: {section}.{step_id}.data_description.{field}"
                )


async def test_device_triggers_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each device trigger of a door has a name in every language."""
    if not (INTEGRATION / "device_trigger.py").exists():
        pytest.skip("no device triggers")
    from custom_components.acs_bridge import device_trigger

    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    types: set[str] = set()
    for device in devices:
        for trigger in await device_trigger.async_get_triggers(hass, device.id):
            types.add(trigger["type"])
    assert types, "no door device has triggers"
    for language in LANGUAGES:
        names = read_translations(language)["device_automation"]["trigger_type"]
        assert types <= set(names), f"{language}: {types - set(names)}"
