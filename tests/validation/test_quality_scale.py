"""quality_scale.yaml and the manifest's tier, with hassfest's ``quality_scale.py`` rules."""

from __future__ import annotations

from .common import INTEGRATION, read_manifest


def test_manifest_quality_scale_rules() -> None:
    """hassfest: gold and platinum integrations have code owners and diagnostics."""
    manifest = read_manifest()
    if manifest.get("quality_scale") in ("gold", "platinum"):
        assert manifest["codeowners"]
        assert (INTEGRATION / "diagnostics.py").exists()
