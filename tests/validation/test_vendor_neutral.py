"""Nothing above the adapter interface knows which plugin it talks to.

Outside ``adapters/``, no module imports a plugin package, compares an adapter
key, or names a vendor in code (a vendor's name, its default port, its cache
window). Comments and docstrings may explain; code may not depend.
"""

from __future__ import annotations

import ast
from pathlib import Path
import re

from custom_components.acs_bridge.adapters import available_adapters

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "custom_components" / "acs_bridge"
ADAPTERS_DIR = PACKAGE_DIR / "adapters"
PLUGINS = sorted(path.parent.name for path in ADAPTERS_DIR.glob("*/__init__.py"))
#: Words that name a vendor, its protocol or its timing, in identifiers and strings.
VENDOR_WORDS = re.compile(
    r"(?i)(\bax\b|\bax[-_]|[-_]ax\b|ax-acs|bs[-_]http|hikvision|isapi|realtime_cache"
    r"|cache_seconds|cache_window)"
)
#: Numbers that are a vendor's: AX's port. (A cache window is caught by its
#: name: a bare 2.0 is also a save delay.)
VENDOR_NUMBERS = {6500}
#: The one place that may name an adapter key: the migration of entries made
#: before the key was stored (``__init__.py``).
ALLOWED = {("__init__.py", "LEGACY_ADAPTER")}


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _assigned_name(tree: ast.AST, node: ast.AST) -> str | None:
    for parent in ast.walk(tree):
        if isinstance(parent, ast.Assign | ast.AnnAssign) and parent.value is node:
            targets = (
                parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            )
            for target in targets:
                if isinstance(target, ast.Name):
                    return target.id
    return None


def offences(path: Path, relative: str, keys: set[str]) -> list[str]:
    """Return what ``path`` does that only a plugin may do."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = _docstrings(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            parts = module.split(".")
            if any(plugin in parts for plugin in PLUGINS) or any(
                alias.name in PLUGINS for alias in node.names
            ):
                found.append(f"{where} imports a plugin package: {module}")
        elif isinstance(node, ast.Import):
            found.extend(
                f"{where} imports a plugin package: {alias.name}"
                for alias in node.names
                if any(plugin in alias.name.split(".") for plugin in PLUGINS)
            )
        elif isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                if (
                    isinstance(operand, ast.Attribute)
                    and operand.attr == "key"
                    and "adapter" in ast.unparse(operand.value).lower()
                ) or any(
                    isinstance(part, ast.Name) and part.id == "CONF_ADAPTER"
                    for part in ast.walk(operand)
                ):
                    found.append(f"{where} compares an adapter key")
                    break
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str) and id(node) not in docstrings:
                if value in keys:
                    if (relative, _assigned_name(tree, node)) not in ALLOWED:
                        found.append(f"{where} names the adapter key {value!r}")
                elif VENDOR_WORDS.search(value):
                    found.append(f"{where} names a vendor: {value!r}")
            elif (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and value in VENDOR_NUMBERS
            ):
                found.append(f"{where} names a vendor's number: {value!r}")
        elif isinstance(node, ast.Name | ast.arg | ast.Attribute):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.arg
                if isinstance(node, ast.arg)
                else node.attr
            )
            if VENDOR_WORDS.search(name):
                found.append(f"{where} names a vendor: {name}")
        elif isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ) and VENDOR_WORDS.search(node.name):
            found.append(f"{where} names a vendor: {node.name}")
    return found


def integration_files() -> list[Path]:
    return sorted(
        path for path in PACKAGE_DIR.rglob("*.py") if ADAPTERS_DIR not in path.parents
    )


def test_the_scan_sees_the_integration_and_the_plugins() -> None:
    names = {path.relative_to(PACKAGE_DIR).as_posix() for path in integration_files()}
    assert {"__init__.py", "coordinator.py", "access_pipeline.py", "const.py"} <= names
    assert "ax_bs_http" in PLUGINS


def test_nothing_outside_the_adapters_knows_a_plugin() -> None:
    keys = set(available_adapters())
    found = [
        offence
        for path in integration_files()
        for offence in offences(path, path.relative_to(PACKAGE_DIR).as_posix(), keys)
    ]
    assert found == []


def test_the_scan_would_catch_them(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring may say AX-ACS and 6500."""\n'
        "from .adapters.ax_bs_http import AxBsHttpV1Adapter\n"
        "from .adapters import ax_bs_http\n"
        "import custom_components.acs_bridge.adapters.ax_bs_http.client\n"
        "MANUFACTURER = 'AX-ACS'\n"
        "PORT = 6500\n"
        "CACHE_WINDOW = 2.0\n"
        "realtime_cache_seconds = 1\n"
        "if adapter.key == other: pass\n"
        "if description.key == other: pass\n"
        "if entry.data[CONF_ADAPTER] == x: pass\n"
        "KIND = 'ax_bs_http_v1'\n"
        "def f():\n    '''AX here is a docstring.'''\n    # AX in a comment\n",
        encoding="utf-8",
    )
    found = offences(sample, "sample.py", {"ax_bs_http_v1"})
    assert len(found) == 10, found
    assert not any(":1 " in offence for offence in found)
