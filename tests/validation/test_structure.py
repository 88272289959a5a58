"""The shape of the integration's package, read from its source with ``ast``.

- no module imports from a package that contains it (``from . import X`` in
  ``lock.py`` runs ``__init__.py`` first and ties the platform to the setup);
- no import cycle between the package's modules;
- no Python file over ``MAX_LINES`` lines.

Imports under ``if TYPE_CHECKING:`` and inside functions count like any
other: the composition root (``runtime.py``) imports the parts of an entry for
real, and none of them imports it back.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "custom_components.acs_bridge"
PACKAGE_DIR = ROOT / "custom_components" / "acs_bridge"
MAX_LINES = 600
# Modules whose TYPE_CHECKING imports may close a cycle: none.
TYPE_ONLY_CYCLES_ALLOWED: set[str] = set()


@dataclass(frozen=True)
class Import:
    """One import of a module of the package by another."""

    source: str
    target: str
    line: int
    type_only: bool


def modules(package_dir: Path, package: str) -> dict[str, Path]:
    """Return every module of a package by dotted name (packages by their own)."""
    found: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportVisitor(ast.NodeVisitor):
    """Collect every import statement (function bodies included), and whether
    it sits under ``if TYPE_CHECKING:``."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
        self._type_only = 0

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self._type_only += 1
        for child in node.body:
            self.visit(child)
        self._type_only -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node, self._type_only > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append((node, self._type_only > 0))


def imports(known: dict[str, Path]) -> list[Import]:
    """Return the imports of the package's modules by each other."""
    found: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        here = name if _is_package(path) else name.rpartition(".")[0]
        visitor = _ImportVisitor()
        visitor.visit(tree)
        for node, type_only in visitor.found:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                targets = [
                    f"{module}.{alias.name}"
                    if f"{module}.{alias.name}" in known
                    else module
                    for alias in node.names
                ]
            found.extend(
                Import(name, target, node.lineno, type_only)
                for target in dict.fromkeys(targets)
                if target in known
            )
    return found


def imports_from_enclosing_package(
    known: dict[str, Path], found: list[Import]
) -> list[str]:
    """Return the imports of a module from a package it belongs to."""
    return [
        f"{imp.source}:{imp.line} imports from {imp.target}"
        for imp in found
        if _is_package(known[imp.target]) and imp.source.startswith(f"{imp.target}.")
    ]


def find_cycle(found: list[Import], type_only_allowed: set[str]) -> list[str] | None:
    """Return one import cycle (a list of modules), or None."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        if imp.type_only and imp.source in type_only_allowed:
            continue
        graph.setdefault(imp.source, set()).add(imp.target)
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


KNOWN = modules(PACKAGE_DIR, PACKAGE)
IMPORTS = imports(KNOWN)


def test_the_scan_sees_the_package() -> None:
    assert {
        PACKAGE,
        f"{PACKAGE}.coordinator",
        f"{PACKAGE}.lock",
        f"{PACKAGE}.adapters",
        f"{PACKAGE}.adapters.ax_bs_http.adapter",
    } <= set(KNOWN)
    assert any(
        imp.source == f"{PACKAGE}.lock" and imp.target == f"{PACKAGE}.entity"
        for imp in IMPORTS
    )


def test_no_module_imports_from_its_package() -> None:
    """``__init__.py`` sets the entry up; the modules it loads never import it."""
    assert imports_from_enclosing_package(KNOWN, IMPORTS) == []


def test_no_import_cycle() -> None:
    assert find_cycle(IMPORTS, TYPE_ONLY_CYCLES_ALLOWED) is None


def test_no_cycle_is_allowed_even_of_types() -> None:
    """No exception: a cycle of TYPE_CHECKING imports fails like any other."""
    assert set() == TYPE_ONLY_CYCLES_ALLOWED


def test_the_runtime_data_lives_in_the_composition_root() -> None:
    """The parts of an entry never import the module that wires them."""
    root = f"{PACKAGE}.runtime"
    parts = {
        f"{PACKAGE}.{name}"
        for name in (
            "coordinator",
            "access_pipeline",
            "alarms",
            "commands",
            "door_control",
            "door_modes",
        )
    }
    assert parts <= {imp.target for imp in IMPORTS if imp.source == root}
    assert [imp for imp in IMPORTS if imp.source in parts and imp.target == root] == []


def test_no_file_over_the_line_limit() -> None:
    long = {
        path.relative_to(PACKAGE_DIR).as_posix(): lines
        for path in PACKAGE_DIR.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_scan_would_catch_them(tmp_path: Path) -> None:
    package_dir = tmp_path / "pkg"
    (package_dir / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from . import Thing\nfrom .b import B\nA = 1\n",
        "b.py": "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .c import C\n",
        "c.py": "def later():\n    from .a import A\n",
        "sub/__init__.py": "",
        "sub/d.py": "from .. import a\nfrom . import e\n",
        "sub/e.py": "try:\n    from pkg.sub import d\nexcept ImportError:\n    pass\n",
    }
    for name, text in files.items():
        (package_dir / name).write_text(text, encoding="utf-8")
    known = modules(package_dir, "pkg")
    found = imports(known)
    assert imports_from_enclosing_package(known, found) == ["pkg.a:1 imports from pkg"]
    assert find_cycle(found, set()) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert find_cycle(found, {"pkg.b"}) == ["pkg.sub.d", "pkg.sub.e", "pkg.sub.d"]
