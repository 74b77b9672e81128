"""The shape of the code base: no import cycles, one job per module, knowledge below the evaluator.

Imports are read with ``ast`` from ``src/cnnlint``, every one of them: those at the top of a
module and those inside functions (an import moved into a function to dodge a cycle is still
a cycle).
"""
from __future__ import annotations

import ast
import os
from typing import Dict, List, Set

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
PACKAGE = os.path.join(SRC, "cnnlint")
MAX_LINES = 600
# modules that are one table and may be longer (none today); name -> why
TABLES: Dict[str, str] = {}
# The layers, bottom up: abstract/ (values and the operations on them) <- layers/ and overlays/
# (knowledge of torch.nn, torch, builtins and libraries) <- interpret/ (the evaluator) <- the
# front end and the commands (source, analyze, cli, ...). A folder never imports one above it:
# knowledge is handed the interpreter (``it``) to call back, it does not import it.
ABOVE_KNOWLEDGE = ("cnnlint.interpret", "cnnlint.source", "cnnlint.toplevel", "cnnlint.factories",
                   "cnnlint.analyze", "cnnlint.modes", "cnnlint.api", "cnnlint.cli", "cnnlint.checking",
                   "cnnlint.lsp", "cnnlint.cache", "cnnlint.reporters")
FORBIDDEN = {
    # the user's Python environment: files and folders only, below everything that evaluates
    "cnnlint.environment": ("cnnlint.abstract", "cnnlint.layers", "cnnlint.overlays") + ABOVE_KNOWLEDGE,
    "cnnlint.abstract": ("cnnlint.layers", "cnnlint.overlays") + ABOVE_KNOWLEDGE,
    "cnnlint.layers": ABOVE_KNOWLEDGE,
    "cnnlint.overlays": ABOVE_KNOWLEDGE,
}


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _modules() -> Dict[str, str]:
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                module = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
                if module.endswith(".__init__"):
                    module = module[: -len(".__init__")]
                found[module] = path
    return found


MODULES = _modules()


def _imports(module: str, path: str) -> Set[str]:
    """The cnnlint modules ``module`` imports, anywhere in its body."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
    out: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    out.add(sub)  # from a package import a submodule
                elif base in MODULES:
                    out.add(base)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    out.add(alias.name)
    out.discard(module)
    return out


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _path(graph: Dict[str, Set[str]], start: str, members: Set[str]) -> List[str]:
    """One cycle through ``start`` inside a component, for the failure message."""
    trail, seen = [start], {start}
    while True:
        step = next((m for m in sorted(graph[trail[-1]]) if m == start and len(trail) > 1), None)
        if step:
            return trail + [start]
        step = next((m for m in sorted(graph[trail[-1]]) if m in members and m not in seen), None)
        if step is None:
            return trail
        trail.append(step)
        seen.add(step)


def test_the_graph_reader_sees_function_level_imports_and_cycles(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    # an import at the top and one inside a function both count
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom cnnlint.layers import LAYERS\ndef f():\n    from cnnlint.interpret import core\n")
    assert _imports("cnnlint.probe", str(probe)) == {"cnnlint.layers", "cnnlint.interpret.core"}


def test_no_import_cycles():
    cycles = _cycles(GRAPH)
    messages = [" -> ".join(_path(GRAPH, c[0], set(c))) for c in cycles]
    assert not cycles, "import cycles:\n" + "\n".join(messages)


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_lower_folders_do_not_import_higher_ones(folder):
    wrong = sorted(f"{m} -> {d}" for m in MODULES if _within(m, (folder,))
                   for d in GRAPH[m] if _within(d, FORBIDDEN[folder]))
    assert not wrong, f"{folder} imports what sits above it:\n" + "\n".join(wrong)


def test_the_layer_lists_name_real_modules():
    for prefix in set(ABOVE_KNOWLEDGE) | set(FORBIDDEN):
        assert any(_within(m, (prefix,)) for m in MODULES), prefix


def test_modules_are_small():
    long = {}
    for module, path in MODULES.items():
        with open(path, encoding="utf-8") as fh:
            count = sum(1 for _ in fh)
        if count > MAX_LINES and module not in TABLES:
            long[module] = count
    assert not long, f"modules over {MAX_LINES} lines (split them, or list a table in TABLES): {long}"
