"""No module-level mutable state outside the runtime.

Every module of ``src/dataward`` is imported and its globals listed. A global is state when a
function rebinds it (``global NAME``), when it is a mutable container (dict, list, set, ...)
that a function of its module changes (``NAME[k] = v``, ``NAME.append(...)``, ``del NAME[k]``),
or when it is an object that carries state (a ``ContextVar``, a ``threading.local``, an
instance of a Dataward class). Containers filled only while the module is imported are
constant tables; ``functools`` caches of pure functions, locks and loggers are not state.
State belongs in the runtime (:mod:`dataward.runtime`, :class:`dataward.scope.Scope`); the few
exceptions are listed below, each with its reason.
"""

from __future__ import annotations

import ast
import contextvars
import importlib
import pkgutil
import threading
import types
from collections import OrderedDict, defaultdict, deque
from pathlib import Path

from pydantic import BaseModel

import dataward

ALLOWED: dict[str, str] = {
    "dataward.scope._active": "the runtime in use: the one pointer from the lower layers to it",
    "dataward.scope._process": "the process's default runtime state, made on first use",
    "dataward.audit.actors._acting": "the acting caller of an audit.acting() block (per task)",
    "dataward.detect.registry.detectors": "the detector registry, filled at import by @register",
    "dataward.detect.custom.validators": "the validator registry, filled at import by @register",
    "dataward.sources.base.sources": "the source-format registry, filled at import by @register",
    "dataward.protect.base.operators": "the operator registry, filled at import by @register",
    "dataward.detect.prefilter._HS_COMPILE_CACHE": "whether Hyperscan compiles a pattern (pure)",
    "dataward.detect.engine._WORKER_ENGINE": "worker-process state: a detect_many worker's engine",
    "dataward.classify.analysis._WORKER": "worker-process state: a scan worker's analyzer",
    "dataward.keys.signing._cache": "signing keys by file and mtime (reread when the file changes)",
}
"""``module.name`` -> why it may stay a module global."""

MUTATORS = {
    "append",
    "extend",
    "insert",
    "pop",
    "popitem",
    "remove",
    "clear",
    "update",
    "setdefault",
    "add",
    "discard",
    "appendleft",
    "__setitem__",
}
CONTAINERS = (dict, list, set, bytearray, deque, OrderedDict, defaultdict)
SRC = Path(dataward.__file__).parent
SKIP = {"dataward.store.migrations.env"}  # Alembic's script: runs only under Alembic


def _modules() -> list[types.ModuleType]:
    names = [m.name for m in pkgutil.walk_packages([str(SRC)], "dataward.")]
    return [importlib.import_module(n) for n in sorted(names) if n not in SKIP]


def _mutated_in_functions(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names a function body rebinds with ``global``, and names it changes in place."""
    rebound: set[str] = set()
    changed: set[str] = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Global):
                rebound.update(node.names)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                if isinstance(node.value, ast.Name):
                    changed.add(node.value.id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
                and isinstance(node.func.value, ast.Name)
            ):
                changed.add(node.func.value.id)
    return rebound, changed


def _assigned_here(tree: ast.Module) -> set[str]:
    """Module-level names this module assigns itself (not imported ones)."""
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def module_state() -> dict[str, str]:
    """``module.name`` -> what makes it state, for every module of ``src/dataward``."""
    state: dict[str, str] = {}
    for module in _modules():
        assert module.__file__ is not None
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        rebound, changed = _mutated_in_functions(tree)
        own = _assigned_here(tree)
        for name, value in vars(module).items():
            if name.startswith("__") or name not in own:
                continue
            where = f"{module.__name__}.{name}"
            if name in rebound:
                state[where] = "rebound by `global`"
            elif isinstance(value, CONTAINERS):
                if name in changed:
                    state[where] = f"a {type(value).__name__} changed by a function"
            elif isinstance(value, contextvars.ContextVar | threading.local):
                state[where] = type(value).__name__
            elif (
                type(value).__module__.startswith("dataward.")
                and not callable(value)
                and not _frozen(value)
            ):
                state[where] = f"a {type(value).__name__} instance"
    return state


def _frozen(value: object) -> bool:
    """Values: frozen dataclasses, pydantic models (validated settings), plain constants."""
    params = getattr(type(value), "__dataclass_params__", None)
    if params is not None and params.frozen:
        return True
    return isinstance(value, BaseModel | tuple | str | int | float)


def _allowed(where: str) -> bool:
    return any(where == a or where.startswith(a + ".") for a in ALLOWED)


def test_no_module_state_outside_the_runtime() -> None:
    found = module_state()
    unexpected = {k: v for k, v in found.items() if not _allowed(k)}
    assert not unexpected, (
        "module-level state outside the runtime (keep it in dataward.runtime's Scope, pass it "
        "as a parameter, or add it to ALLOWED with a reason):\n"
        + "\n".join(f"  {k}: {v}" for k, v in sorted(unexpected.items()))
    )


def test_every_allowance_is_still_needed() -> None:
    found = module_state()
    stale = [a for a in ALLOWED if not any(k == a or k.startswith(a + ".") for k in found)]
    assert not stale, f"ALLOWED names state that is gone: {stale}"


def test_the_scanner_finds_state(tmp_path: Path) -> None:
    """The checks can fail: a module cache, a `global` and a ContextVar are all found."""
    source = (
        "import contextvars\n"
        "_cache = {}\n"
        "_flag = False\n"
        "_var = contextvars.ContextVar('v')\n"
        "TABLE = {'a': 1}\n"
        "def f(k):\n"
        "    global _flag\n"
        "    _flag = True\n"
        "    _cache[k] = 1\n"
    )
    tree = ast.parse(source)
    assert _mutated_in_functions(tree) == ({"_flag"}, {"_cache"})
    assert {"_cache", "_flag", "_var", "TABLE"} <= _assigned_here(tree)
