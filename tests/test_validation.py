"""The checks a HACS user relies on, with the rules hassfest and the HACS action apply.

``script.hassfest`` is not part of the ``homeassistant`` wheel and the HACS
action runs only on GitHub, so their rules are written out here, each citing
where it comes from:

- hassfest (home-assistant/core, ``script/hassfest/``): ``manifest.py``
  (manifest schema, version, sorted keys, quality scale), ``translations.py``
  (translation file schema, keys, values), ``icons.py`` (icons.json schema),
  ``services.py`` (services.yaml, names and descriptions, icons);
- the HACS action (hacs/integration, ``custom_components/hacs/validate/``):
  ``hacsjson.py`` with ``utils/validate.py`` (hacs.json schema),
  ``integration_manifest.py`` (manifest keys HACS needs), ``brands.py`` (brand
  images inside the integration, accepted since Home Assistant 2026.3).

Where Home Assistant's own code can judge (the loader, the translation loader,
the automation config validator, the service registry), the tests ask it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import struct
import tomllib
from typing import Any
from unittest.mock import MagicMock
from urllib.parse import urlparse

from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionException,
    AwesomeVersionStrategy,
)
from homeassistant import config_entries
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.const import Platform, __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.selector import validate_selector
from homeassistant.helpers.translation import async_get_translations
from homeassistant.loader import async_get_custom_components, async_get_integration
from homeassistant.util.yaml import load_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

from custom_components.acs_bridge.const import DOMAIN

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / DOMAIN
TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))
PLATFORMS = {platform.value for platform in Platform}
MINIMUM_HOME_ASSISTANT = "2025.4.0"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = _json(INTEGRATION / "manifest.json")
    return data


def _translations(language: str = "en") -> dict[str, Any]:
    data: dict[str, Any] = _json(TRANSLATIONS / f"{language}.json")
    return data


def _services_yaml() -> dict[str, Any] | None:
    path = INTEGRATION / "services.yaml"
    if not path.exists():
        return None
    data = load_yaml(str(path))
    assert isinstance(data, dict), "services.yaml must be a mapping of services"
    return data


def _flatten(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, leaf) pairs of a nested mapping."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _flatten(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), tree


def _placeholders(text: str) -> set[str]:
    """Return the ``{placeholder}`` names of a translated string."""
    return set(re.findall(r"\{(\w+)\}", text))


def _lookup(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# --- hacs.json (HACS action: validate/hacsjson.py, utils/validate.py) ------------

# utils/validate.py HACS_MANIFEST_JSON_SCHEMA: these keys only, "name" required.
HACS_JSON_SCHEMA = vol.Schema(
    {
        vol.Required("name"): str,
        vol.Optional("content_in_root"): bool,
        vol.Optional("country"): vol.Any(str, [str]),
        vol.Optional("filename"): str,
        vol.Optional("hacs"): str,
        vol.Optional("hide_default_branch"): bool,
        vol.Optional("homeassistant"): str,
        vol.Optional("persistent_directory"): str,
        vol.Optional("render_readme"): bool,
        vol.Optional("zip_release"): bool,
    },
    extra=vol.PREVENT_EXTRA,
)


def test_hacs_json_schema() -> None:
    """hacs.json has the keys HACS knows, with the right types, and no others."""
    hacs = _json(ROOT / "hacs.json")
    HACS_JSON_SCHEMA(hacs)
    assert hacs["name"] == _manifest()["name"]
    # hacsjson.py: zip_release needs a filename
    assert not hacs.get("zip_release") or hacs.get("filename")
    # utils/validate.py _country_validator: ISO 3166 alpha-2 codes
    countries = hacs.get("country", [])
    for country in [countries] if isinstance(countries, str) else countries:
        assert re.fullmatch(r"[A-Z]{2}", country), country


def test_hacs_minimum_home_assistant() -> None:
    """HACS offers the integration from 2025.4.0 on, and the tests run on it."""
    minimum = _json(ROOT / "hacs.json")["homeassistant"]
    assert minimum == MINIMUM_HOME_ASSISTANT
    assert AwesomeVersion(ha_version) >= AwesomeVersion(minimum)


def test_hacs_repository_layout() -> None:
    """With content_in_root false, HACS takes the one folder in custom_components."""
    assert _json(ROOT / "hacs.json").get("content_in_root", False) is False
    folders = [
        path.name
        for path in (ROOT / "custom_components").iterdir()
        if path.is_dir() and not path.name.startswith((".", "__"))
    ]
    assert folders == [DOMAIN]


def test_repository_license() -> None:
    """HACS validate/license.py: the repository has an OSI-approved licence file.

    GitHub detects the licence from a LICENSE file at the root; HACS reads its
    SPDX id. It must be the licence pyproject.toml declares.
    """
    files = [
        path
        for path in ROOT.iterdir()
        if path.is_file() and path.stem.upper() in ("LICENSE", "LICENCE", "COPYING")
    ]
    assert files, "no LICENSE file at the repository root"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["project"]["license"]
    text = files[0].read_text(encoding="utf-8")
    if declared == "MIT":
        assert "Permission is hereby granted, free of charge" in text


# --- manifest.json (hassfest manifest.py; HACS validate/integration_manifest.py) ---

IOT_CLASSES = [
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
]
INTEGRATION_TYPES = [
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
]
QUALITY_SCALES = ["internal", "bronze", "silver", "gold", "platinum"]


def _version(value: str) -> str:
    """Check a version the way hassfest's verify_version does."""
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        raise vol.Invalid(f"{value!r} is not a valid version") from err
    return value


def _https_url(value: str) -> str:
    url = vol.Url()(value)
    if urlparse(url).scheme != "https":
        raise vol.Invalid("not an https URL")
    return str(url)


def _pinned(value: str) -> str:
    # hassfest requirements.py: a requirement is pinned with ==
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[\w,-]+\])?==[\w.+!-]+", value):
        raise vol.Invalid(f"requirement {value!r} is not pinned with ==")
    return value


# hassfest manifest.py CUSTOM_INTEGRATION_MANIFEST_SCHEMA (the keys this
# integration may use) merged with HACS's INTEGRATION_MANIFEST_JSON_SCHEMA
# (codeowners, documentation, issue_tracker and version are required by HACS).
MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): str,
        vol.Required("name"): str,
        vol.Required("codeowners"): [vol.Match(r"^@[\w-]+(/[\w-]+)?$")],
        vol.Required("config_flow"): True,
        vol.Required("documentation"): _https_url,
        vol.Required("issue_tracker"): _https_url,
        vol.Required("integration_type"): vol.In(INTEGRATION_TYPES),
        vol.Required("iot_class"): vol.In(IOT_CLASSES),
        vol.Required("version"): vol.All(str, _version),
        vol.Optional("requirements"): [vol.All(str, _pinned)],
        vol.Optional("dependencies"): [str],
        vol.Optional("after_dependencies"): [str],
        vol.Optional("loggers"): [str],
        vol.Optional("quality_scale"): vol.In(QUALITY_SCALES),
        vol.Optional("single_config_entry"): bool,
        vol.Optional("import_executor"): bool,
        vol.Optional("dhcp"): list,
        vol.Optional("zeroconf"): list,
        vol.Optional("ssdp"): list,
        vol.Optional("usb"): list,
        vol.Optional("homekit"): dict,
        vol.Optional("bluetooth"): list,
        vol.Optional("mqtt"): [str],
        vol.Optional("disabled"): str,
    },
    extra=vol.PREVENT_EXTRA,
)


def test_manifest_schema() -> None:
    """manifest.json has the keys, types and values hassfest and HACS require."""
    manifest = _manifest()
    MANIFEST_SCHEMA(manifest)
    # hassfest: "Domain does not match dir name"
    assert manifest["domain"] == INTEGRATION.name == DOMAIN
    # hassfest (warning): a custom domain must not shadow a core integration
    import homeassistant.components as core_components

    assert not (Path(core_components.__path__[0]) / DOMAIN).exists()


def test_manifest_keys_sorted() -> None:
    """hassfest sort_manifest: domain, name, then the other keys alphabetically."""
    keys = list(_manifest())
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_version_matches_the_package() -> None:
    """The version HACS shows is the project's version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert _manifest()["version"] == project["project"]["version"]


def test_manifest_dependencies_exist() -> None:
    """Every dependency names an integration that Home Assistant ships."""
    import homeassistant.components as core_components

    components = Path(core_components.__path__[0])
    manifest = _manifest()
    for dependency in manifest.get("dependencies", []) + manifest.get(
        "after_dependencies", []
    ):
        assert (components / dependency / "manifest.json").exists(), dependency


def test_manifest_quality_scale_rules() -> None:
    """hassfest: gold and platinum integrations have code owners and diagnostics."""
    manifest = _manifest()
    if manifest.get("quality_scale") in ("gold", "platinum"):
        assert manifest["codeowners"]
        assert (INTEGRATION / "diagnostics.py").exists()


async def test_home_assistant_loads_the_manifest(hass: HomeAssistant) -> None:
    """Home Assistant's loader accepts the integration (it rejects a bad version)."""
    custom = await async_get_custom_components(hass)
    assert DOMAIN in custom
    integration = await async_get_integration(hass, DOMAIN)
    assert str(integration.version) == _manifest()["version"]
    assert integration.config_flow
    assert integration.manifest["iot_class"] == _manifest()["iot_class"]


# --- translations (hassfest translations.py) -------------------------------------

# translations.py RE_TRANSLATION_KEY / translation_key_validator
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")


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


def _key(value: Any) -> str:
    if not isinstance(value, str) or not RE_TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value


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


_STATE_TEXTS = {_key: _value}
TRANSLATIONS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): _value,
        vol.Optional("config"): _data_entry_schema(),
        vol.Optional("options"): _data_entry_schema(),
        vol.Optional("selector"): {
            _key: {vol.Required("options"): _STATE_TEXTS},
        },
        vol.Optional("device_automation"): {
            vol.Optional("action_type"): {str: _value},
            vol.Optional("condition_type"): {str: _value},
            vol.Optional("trigger_type"): {str: _value},
            vol.Optional("trigger_subtype"): {str: _value},
            vol.Optional("extra_fields"): {str: _value},
            vol.Optional("extra_fields_descriptions"): {str: _value},
        },
        vol.Optional("device"): {_key: {vol.Optional("name"): _value}},
        vol.Optional("entity"): {
            vol.In(PLATFORMS): {
                _key: {
                    vol.Optional("name"): _value,
                    vol.Optional("state"): _STATE_TEXTS,
                    vol.Optional("state_attributes"): {
                        _key: {
                            vol.Optional("name"): _value,
                            vol.Optional("state"): _STATE_TEXTS,
                        }
                    },
                    vol.Optional("unit_of_measurement"): _value,
                }
            }
        },
        vol.Optional("exceptions"): {_key: {vol.Required("message"): _value}},
        vol.Optional("issues"): {
            _key: vol.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                {
                    vol.Required("title"): _value,
                    vol.Exclusive("description", "fixable"): _value,
                    vol.Exclusive("fix_flow", "fixable"): _data_entry_schema(),
                },
            )
        },
        vol.Optional("services"): {
            _key: {
                vol.Required("name"): _value,
                vol.Required("description"): _value,
                vol.Optional("fields"): {
                    _key: {
                        vol.Required("name"): _value,
                        vol.Required("description"): _value,
                        vol.Optional("example"): _value,
                    }
                },
                vol.Optional("sections"): {
                    _key: {
                        vol.Required("name"): _value,
                        vol.Optional("description"): _value,
                    }
                },
            }
        },
        vol.Optional("system_health"): {vol.Optional("info"): _STATE_TEXTS},
        vol.Optional("common"): {_key: _value},
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
    TRANSLATIONS_SCHEMA(_translations(language))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_in_sync(language: str) -> None:
    """Every language has exactly English's keys, and the same placeholders."""
    english = dict(_flatten(_translations("en")))
    other = dict(_flatten(_translations(language)))
    missing = sorted(set(english) - set(other))
    extra = sorted(set(other) - set(english))
    assert not missing, f"{language}.json lacks {missing}"
    assert not extra, f"{language}.json has keys English lacks: {extra}"
    for key, text in english.items():
        assert _placeholders(str(other[key])) == _placeholders(str(text)), (
            f"{language}.json {key}: placeholders differ from English"
        )
        assert str(other[key]).strip(), f"{language}.json {key} is empty"


async def test_home_assistant_loads_the_translations(hass: HomeAssistant) -> None:
    """Home Assistant's translation loader finds both languages."""
    for language in LANGUAGES:
        for category in ("config", "entity", "exceptions"):
            texts = await async_get_translations(hass, language, category, [DOMAIN])
            flat = dict(_flatten(_translations(language)[category]))
            for key, text in flat.items():
                assert texts[f"component.{DOMAIN}.{category}.{key}"] == text


# --- translation keys used by the code -----------------------------------------


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
    english = _translations()
    keys = _scan_code()
    assert keys.required, "no translation key found in the code"
    missing = [
        f"{key} ({where})"
        for key, where in keys.required.items()
        if _lookup(english, key) is None
    ]
    assert not missing, f"en.json lacks {missing}"
    for key, provided in keys.placeholders.items():
        node = _lookup(english, key)
        texts = (
            [str(v) for _, v in _flatten(node)]
            if isinstance(node, dict)
            else [str(node)]
        )
        used = set().union(*(_placeholders(text) for text in texts))
        assert used <= provided, (
            f"{key} uses {used - provided}, which the code does not give"
        )


def test_entity_translations_are_used() -> None:
    """Every entity translation in en.json belongs to an entity of the code."""
    keys = _scan_code()
    if keys.dynamic_entity_keys:
        pytest.skip("some entity translation keys are computed")
    english = _translations()
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
            needed = _placeholders(str(info.get("name", "")))
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
        data={"host": "127.0.0.1", "port": 6500, "username": "a", "password": "b"},
    )
    entry.add_to_hass(hass)
    record("config", await entry.start_reauth_flow(hass))
    record("config", await entry.start_reconfigure_flow(hass))
    record("options", await hass.config_entries.options.async_init(entry.entry_id))

    for language in LANGUAGES:
        texts = _translations(language)
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
        names = _translations(language)["device_automation"]["trigger_type"]
        assert types <= set(names), f"{language}: {types - set(names)}"


# --- services.yaml (hassfest services.py) ----------------------------------------

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
    services = _services_yaml()
    uses_services = any(
        "services.async_register" in path.read_text(encoding="utf-8")
        or "async_register_entity_service" in path.read_text(encoding="utf-8")
        for path in INTEGRATION.glob("*.py")
    )
    if services is None:
        assert not uses_services, "registers actions but has no services.yaml"
        pytest.skip("no actions")
    icons = _json(INTEGRATION / "icons.json").get("services", {})
    for name, service in services.items():
        assert re.fullmatch(r"[a-z0-9_]+", name), name
        SERVICE_SCHEMA(service)
        icon = icons.get(name)
        icon = icon.get("service") if isinstance(icon, dict) else icon
        assert isinstance(icon, str), f"icons.json has no icon for the action {name}"
        assert icon.startswith("mdi:"), icon
        for language in LANGUAGES:
            texts = _translations(language).get("services", {}).get(name, {})
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
                    options = _translations(language).get("selector", {}).get(key, {})
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
    services = _services_yaml() or {}
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


# --- icons.json (hassfest icons.py) -------------------------------------------------


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
    vol.Optional("state"): {_key: _icon},
    vol.Optional("range"): {vol.Coerce(float): _icon},
    vol.Optional("state_attributes"): vol.All(
        {
            _key: {
                vol.Optional("default"): _icon,
                vol.Optional("state"): {_key: _icon},
            }
        },
        _not_same_as_default,
    ),
}
ICONS_SCHEMA = vol.Schema(
    {
        vol.Optional("entity"): {
            vol.In(PLATFORMS): vol.All({_key: _ENTITY_ICON}, _not_same_as_default)
        },
        vol.Optional("services"): {
            _key: vol.Any(
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
    ICONS_SCHEMA(_json(INTEGRATION / "icons.json"))


def test_every_entity_translation_key_has_an_icon() -> None:
    """Each translated entity has an icon, and icons name only known keys and states."""
    icons = _json(INTEGRATION / "icons.json").get("entity", {})
    entities = _translations().get("entity", {})
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


# --- brand images (HA 2026.3+ brands proxy; HACS validate/brands.py) ------------------

# homeassistant/components/brands/const.py ALLOWED_IMAGES
BRAND_IMAGES = {
    "icon.png",
    "logo.png",
    "icon@2x.png",
    "logo@2x.png",
    "dark_icon.png",
    "dark_logo.png",
    "dark_icon@2x.png",
    "dark_logo@2x.png",
}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_brand_images() -> None:
    """brand/icon.png is where HACS and Home Assistant look, in the brands' sizes.

    Sizes from home-assistant/brands: icon 256x256 (@2x 512x512); logo's
    shortest side 128-256 px (@2x 256-512 px).
    """
    brand = INTEGRATION / "brand"
    assert (brand / "icon.png").is_file()
    for path in brand.iterdir():
        assert path.name in BRAND_IMAGES, f"Home Assistant ignores brand/{path.name}"
        width, height = _png_size(path)
        double = "@2x" in path.name
        if "icon" in path.name:
            assert (width, height) == ((512, 512) if double else (256, 256)), path.name
        else:
            low, high = (256, 512) if double else (128, 256)
            assert low <= min(width, height) <= high, path.name


# --- README and the example automations ---------------------------------------------

READMES = ["README.md", "README.zh-Hans.md"]
AUTOMATIONS = sorted((ROOT / "demo" / "automations").glob("*.yaml"))


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
    """README.md's example automations are the files the demo loads."""
    files = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in AUTOMATIONS]
    assert len(files) >= 3

    def by_id(automations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(automations, key=lambda automation: str(automation.get("id")))

    assert by_id(_automations_in("README.md")) == by_id(files)


@pytest.mark.parametrize(
    "source",
    [path.relative_to(ROOT).as_posix() for path in AUTOMATIONS] + READMES,
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
                    )
