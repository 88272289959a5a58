"""hacs.json and the repository as HACS sees it.

Rules of the HACS action (hacs/integration, ``custom_components/hacs/validate/``):
``hacsjson.py`` with ``utils/validate.py`` (hacs.json schema) and ``license.py``.
"""

from __future__ import annotations

import re
import tomllib

from awesomeversion import (
    AwesomeVersion,
)
from homeassistant.const import __version__ as ha_version
import voluptuous as vol

from custom_components.acs_bridge.const import DOMAIN

from .common import MINIMUM_HOME_ASSISTANT, ROOT, load_json, read_manifest

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
    hacs = load_json(ROOT / "hacs.json")
    HACS_JSON_SCHEMA(hacs)
    assert hacs["name"] == read_manifest()["name"]
    # hacsjson.py: zip_release needs a filename
    assert not hacs.get("zip_release") or hacs.get("filename")
    # utils/validate.py _country_validator: ISO 3166 alpha-2 codes
    countries = hacs.get("country", [])
    for country in [countries] if isinstance(countries, str) else countries:
        assert re.fullmatch(r"[A-Z]{2}", country), country


def test_hacs_minimum_home_assistant() -> None:
    """HACS offers the integration from 2025.4.0 on, and the tests run on it."""
    minimum = load_json(ROOT / "hacs.json")["homeassistant"]
    assert minimum == MINIMUM_HOME_ASSISTANT
    assert AwesomeVersion(ha_version) >= AwesomeVersion(minimum)


def test_hacs_repository_layout() -> None:
    """With content_in_root false, HACS takes the one folder in custom_components."""
    assert load_json(ROOT / "hacs.json").get("content_in_root", False) is False
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
