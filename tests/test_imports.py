"""No import cycle in ``src/dataward``.

The import graph is built from the source (AST), so imports inside functions count: an import
moved into a function to dodge a circular import at load time is still a cycle in the design.
Imports under ``if TYPE_CHECKING:`` do not count (they never run). An import is an edge to the
module that defines what it names: ``from dataward.a.b import c`` goes to ``dataward.a.b.c`` when
that is a module and to ``dataward.a.b`` otherwise; ``import dataward.a.b`` goes to
``dataward.a.b``, not to the package ``dataward.a``.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

Edge = tuple[str, int]
"""(file, line) of the import behind an edge."""


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((SRC / "dataward").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, except under ``if TYPE_CHECKING:``
    (its ``else:`` branch runs, so it counts)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for branch in child.orelse:
                yield from _imports(ast.Module(body=[branch], type_ignores=[]))
        elif isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        else:
            yield from _imports(child)


def _defining(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` is or lives in (the longest module prefix)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], Edge]]:
    """Module → the modules it imports, and where each edge's import is."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    where: dict[tuple[str, str], Edge] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                found = _defining(target, modules) if target.startswith("dataward") else None
                if found is not None and found != name:
                    graph[name].add(found)
                    where.setdefault((name, found), (str(path.relative_to(SRC)), node.lineno))
    return graph, where


def test_the_graph_sees_function_level_imports_and_skips_type_checking() -> None:
    graph, _ = import_graph()
    assert "dataward.keys.ring" in graph["dataward.protect.base"]  # module level
    assert "dataward.keys.records" in graph["dataward.keys.ring"]
    assert "dataward.settings" in graph["dataward.keys.ring"]  # inside load_or_create
    assert "dataward.policy.engine" not in graph["dataward.policy.tokens"]  # TYPE_CHECKING only


def test_no_import_cycle() -> None:
    graph, where = import_graph()
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1][::-1]  # graphlib lists it importee first
        steps = [
            f"  {a} imports {b} ({':'.join(map(str, where[(a, b)]))})" for a, b in pairwise(cycle)
        ]
        raise AssertionError("import cycle in src/dataward:\n" + "\n".join(steps)) from None
