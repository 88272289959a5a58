"""quality_scale.yaml and the manifest's tier, with hassfest's ``quality_scale.py`` rules.

hassfest checks this file only for core integrations; the same rules are applied
here, so the file and the tier the manifest declares stay true.
"""

from __future__ import annotations

from typing import Any

from homeassistant.util.yaml import load_yaml
import voluptuous as vol

from .common import INTEGRATION, read_manifest

# hassfest quality_scale.py ALL_RULES, by tier (home-assistant/core, 2026).
RULES: dict[str, list[str]] = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
TIERS = list(RULES)

# hassfest quality_scale.py SCHEMA: todo or done, alone or with a comment;
# exempt only with a comment.
SCHEMA = vol.Schema(
    {
        vol.Required("rules"): vol.Schema(
            {
                vol.Optional(rule): vol.Any(
                    vol.In(["todo", "done"]),
                    vol.Schema(
                        {
                            vol.Required("status"): vol.In(["todo", "done"]),
                            vol.Required("comment"): str,
                        }
                    ),
                    vol.Schema(
                        {
                            vol.Required("status"): "exempt",
                            vol.Required("comment"): str,
                        }
                    ),
                )
                for rules in RULES.values()
                for rule in rules
            }
        )
    }
)


def _rules() -> dict[str, Any]:
    data = load_yaml(str(INTEGRATION / "quality_scale.yaml"))
    assert isinstance(data, dict)
    SCHEMA(data)
    rules: dict[str, Any] = data["rules"]
    return rules


def _status(value: Any) -> str:
    return str(value["status"] if isinstance(value, dict) else value)


def test_quality_scale_schema() -> None:
    """Every rule hassfest knows is listed once, with a status hassfest accepts."""
    assert set(_rules()) == {rule for rules in RULES.values() for rule in rules}


def test_rules_not_done_say_why() -> None:
    """A rule that is not done carries a comment (hassfest asks it of exempt only)."""
    for rule, value in _rules().items():
        if _status(value) != "done":
            assert isinstance(value, dict), rule
            assert value["comment"].strip(), rule


def test_manifest_tier_is_met() -> None:
    """hassfest: the declared tier needs every rule of it and the tiers below met."""
    tier = read_manifest().get("quality_scale")
    assert tier in TIERS
    rules = _rules()
    for below in TIERS[: TIERS.index(tier) + 1]:
        unmet = [r for r in RULES[below] if _status(rules[r]) not in ("done", "exempt")]
        assert not unmet, f"{tier} needs the {below} rules {unmet}"
    above = TIERS[TIERS.index(tier) + 1 :]
    assert not above or any(_status(rules[r]) == "todo" for r in RULES[above[0]]), (
        f"every {above[0]} rule is met: declare {above[0]}"
    )


def test_manifest_quality_scale_rules() -> None:
    """hassfest: gold and platinum integrations have code owners and diagnostics."""
    manifest = read_manifest()
    if manifest.get("quality_scale") in ("gold", "platinum"):
        assert manifest["codeowners"]
        assert (INTEGRATION / "diagnostics.py").exists()
