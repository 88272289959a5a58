"""Nothing under adapters/ imports Home Assistant (the package can stand alone)."""

from __future__ import annotations

import ast
from pathlib import Path

import custom_components.acs_bridge.adapters as adapters_package

ADAPTERS = Path(adapters_package.__file__).parent
FORBIDDEN = ("homeassistant", "custom_components.acs_bridge.")


def imported_modules(path: Path) -> set[str]:
    """Return every module an import statement of ``path`` names (absolute ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_scan_sees_every_file() -> None:
    files = {p.relative_to(ADAPTERS).as_posix() for p in ADAPTERS.rglob("*.py")}
    assert {
        "__init__.py",
        "base.py",
        "models.py",
        "exceptions.py",
        "registry.py",
        "ax_bs_http/__init__.py",
        "ax_bs_http/adapter.py",
        "ax_bs_http/client.py",
        "ax_bs_http/decode.py",
        "ax_bs_http/parse.py",
        "ax_bs_http/transport.py",
    } <= files


def test_no_home_assistant_import() -> None:
    offenders = {
        f"{path.relative_to(ADAPTERS)}: {name}"
        for path in ADAPTERS.rglob("*.py")
        for name in imported_modules(path)
        if name == "homeassistant"
        or name.startswith(FORBIDDEN)
        or name == "custom_components"
    }
    assert offenders == set()


def test_the_scan_would_catch_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import homeassistant.core\n"
        "from homeassistant.helpers import aiohttp_client\n"
        "from . import fine\n"
        "def later():\n    import homeassistant\n",
        encoding="utf-8",
    )
    assert imported_modules(sample) == {
        "homeassistant.core",
        "homeassistant.helpers",
        "homeassistant",
    }
