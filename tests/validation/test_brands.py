"""The brand images (Home Assistant 2026.3+ brands proxy; HACS ``validate/brands.py``)."""

from __future__ import annotations

from pathlib import Path
import struct

from .common import INTEGRATION

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
