"""The code's layers point one way: core ← views ← hosts (DESIGN §4, issue 12).

Every import of every module is read from its syntax tree, those inside functions too (a
lazy import is still a dependency), and checked against the layer of both ends:

    core    figures and findings: knows no sheet, page, file format or host
    views   renders core results (output sheets, statements, CSV/xlsx exports, PDF)
    hosts   read and write files (io/), drive Excel (excel/, udfs), the command line

A module that no rule places fails the test, so a new one is placed on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

CORE_PACKAGES = {"checks", "ledger", "credit", "rules", "reclass", "importer", "reports"}
CORE_MODULES = {
    "archive", "audit", "book", "celltypes", "codes", "completeness", "demo", "docsections", "edits", "errors",
    "findings", "headers", "history", "i18n", "memory", "mnemonic", "money", "pipeline", "plain", "refs", "schema",
    "settings", "tables", "uscc",
}
VIEW_PACKAGES = {"views"}
HOST_PACKAGES = {"io", "excel", "commands"}
# crashlog and docs write files (a crash log; the README's generated tables)
HOST_MODULES = {"cli", "clihelp", "__main__", "udfs", "crashlog", "docs"}
ORDER = {"core": 0, "views": 1, "hosts": 2}


def layer(module: str) -> str | None:
    """core, views or hosts for a dotted module name (`xlcust.ledger.aging`), None if unplaced."""
    parts = module.split(".")
    if parts[0] != "xlcust":
        return None
    if len(parts) == 1:
        return "core"  # the package itself: __version__ and a docstring
    top = parts[1]
    if top in CORE_PACKAGES or (len(parts) == 2 and top in CORE_MODULES):
        return "core"
    if top in VIEW_PACKAGES:
        return "views"
    if top in HOST_PACKAGES or (len(parts) == 2 and top in HOST_MODULES):
        return "hosts"
    return None


def modules() -> dict[str, Path]:
    """Dotted name → file of every module under src/xlcust."""
    out = {}
    for path in sorted((SRC / "xlcust").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(module: str, path: Path) -> set[str]:
    """The xlcust modules (or packages) `module` imports, anywhere in its body."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "xlcust")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "xlcust":
                continue
            # `from . import io` names a module; `from .io import save` may too
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in ALL else target)
    return found


ALL = modules()


def test_every_module_has_a_layer() -> None:
    assert [m for m in ALL if layer(m) is None] == []


def test_imports_point_from_hosts_to_views_to_core() -> None:
    wrong = []
    for module, path in ALL.items():
        here = layer(module)
        for target in sorted(imports(module, path)):
            there = layer(target)
            if here and there and ORDER[there] > ORDER[here]:
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    assert wrong == []


@pytest.mark.parametrize(("module", "expected"), [
    ("xlcust.ledger.aging", "core"), ("xlcust.book", "core"), ("xlcust.views.sheet", "views"),
    ("xlcust.io.save", "hosts"), ("xlcust.commands.statements", "hosts"), ("xlcust.cli", "hosts"),
    ("xlcust.udfs", "hosts"), ("xlcust.nothing", None),
])
def test_layers_are_named_as_designed(module: str, expected: str | None) -> None:
    assert layer(module) == expected


def test_the_scan_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("from ..io import save\n\n\ndef f():\n    from ..views.sheet import Column\n"
                      "    import xlcust.cli\n")
    assert imports("xlcust.ledger.probe", source) == {"xlcust.io.save", "xlcust.views.sheet", "xlcust.cli"}


def _package_of(module: str) -> str:
    """`xlcust.io.save` → `xlcust.io`; a top-level module is its own unit (`xlcust.cli`)."""
    return ".".join(module.split(".")[:2])


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in ALL.items():
        here = _package_of(module)
        graph.setdefault(here, set()).update(
            there for there in map(_package_of, imports(module, path)) if there not in (here, "xlcust"))
    assert circles(graph) == []


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
