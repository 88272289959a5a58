"""Nothing above the adapter interface knows which plugin it talks to.

Outside ``adapters/``, no module imports a plugin package, compares an adapter
key, or names a vendor (a vendor's name, its default port, its cache window):
not in code, and not in comments or docstrings either (the Home Assistant side
does not know which protocol it talks to). The one exception: the config entry
migration may name the adapter key of entries made before the key was stored.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path
import re
import tokenize

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
#: before the key was stored (``__init__.py``, this function).
ALLOWED = {("__init__.py", "async_migrate_entry")}


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


def _enclosing_function(tree: ast.AST, node: ast.AST) -> str | None:
    """Return the name of the function ``node`` is in (None: module level)."""
    for parent in ast.walk(tree):
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            child is node for child in ast.walk(parent)
        ):
            return parent.name
    return None


def comment_offences(text: str, relative: str) -> list[str]:
    """Return the comments that name a vendor."""
    return [
        f"{relative}:{token.start[0]} names a vendor in a comment: {token.string!r}"
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT and VENDOR_WORDS.search(token.string)
    ]


def offences(path: Path, relative: str, keys: set[str]) -> list[str]:
    """Return what ``path`` does that only a plugin may do."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    docstrings = _docstrings(tree)
    found: list[str] = comment_offences(text, relative)
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
                    if (relative, _enclosing_function(tree, node)) not in ALLOWED:
                        found.append(f"{where} names the adapter key {value!r}")
                elif VENDOR_WORDS.search(value):
                    found.append(f"{where} names a vendor: {value!r}")
            elif isinstance(value, str) and VENDOR_WORDS.search(value):
                found.append(f"{where} names a vendor in a docstring")
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


SAMPLE = '''"""A docstring says AX-ACS."""
from .adapters.ax_bs_http import AxBsHttpV1Adapter
from .adapters import ax_bs_http
import custom_components.acs_bridge.adapters.ax_bs_http.client
MANUFACTURER = 'AX-ACS'
PORT = 6500
CACHE_WINDOW = 2.0
realtime_cache_seconds = 1
if adapter.key == other: pass
if description.key == other: pass
if entry.data[CONF_ADAPTER] == x: pass
KIND = 'ax_bs_http_v1'
def f():
    "AX here is a docstring."
    # AX in a comment
def async_migrate_entry():
    return 'ax_bs_http_v1'
'''


def test_the_scan_would_catch_them(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    found = offences(sample, "sample.py", {"ax_bs_http_v1"})
    assert len(found) == 14, found
    # The old adapter key is allowed only in __init__.py's entry migration.
    assert sum("names the adapter key" in offence for offence in found) == 2
    allowed = offences(sample, "__init__.py", {"ax_bs_http_v1"})
    assert sum("names the adapter key" in offence for offence in allowed) == 1
