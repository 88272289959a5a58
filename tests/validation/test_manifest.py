"""manifest.json, with hassfest's ``manifest.py`` and HACS's ``integration_manifest.py`` rules."""

from __future__ import annotations

from pathlib import Path
import re
import tomllib
from urllib.parse import urlparse

from awesomeversion import (
    AwesomeVersion,
    AwesomeVersionException,
    AwesomeVersionStrategy,
)
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_custom_components, async_get_integration
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

from .common import INTEGRATION, ROOT, read_manifest

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
    manifest = read_manifest()
    MANIFEST_SCHEMA(manifest)
    # hassfest: "Domain does not match dir name"
    assert manifest["domain"] == INTEGRATION.name == DOMAIN
    # hassfest (warning): a custom domain must not shadow a core integration
    import homeassistant.components as core_components

    assert not (Path(core_components.__path__[0]) / DOMAIN).exists()


def test_manifest_keys_sorted() -> None:
    """hassfest sort_manifest: domain, name, then the other keys alphabetically."""
    keys = list(read_manifest())
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_version_matches_the_package() -> None:
    """The version HACS shows is the project's version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert read_manifest()["version"] == project["project"]["version"]


def test_manifest_dependencies_exist() -> None:
    """Every dependency names an integration that Home Assistant ships."""
    import homeassistant.components as core_components

    components = Path(core_components.__path__[0])
    manifest = read_manifest()
    for dependency in manifest.get("dependencies", []) + manifest.get(
        "after_dependencies", []
    ):
        assert (components / dependency / "manifest.json").exists(), dependency


async def test_home_assistant_loads_the_manifest(hass: HomeAssistant) -> None:
    """Home Assistant's loader accepts the integration (it rejects a bad version)."""
    custom = await async_get_custom_components(hass)
    assert DOMAIN in custom
    integration = await async_get_integration(hass, DOMAIN)
    assert str(integration.version) == read_manifest()["version"]
    assert integration.config_flow
    assert integration.manifest["iot_class"] == read_manifest()["iot_class"]
