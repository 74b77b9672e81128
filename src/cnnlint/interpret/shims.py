"""Compatibility shims at a file's top level: names bound inside an `if`.

    if hasattr(nn, "SiLU"):
        SiLU = nn.SiLU
    else:
        class SiLU(nn.Module): ...

The condition is evaluated when one of the names is first used. When its answer is known
(`hasattr(nn, "SiLU")` asks about torch.nn itself, whose layers cnnlint knows) only that branch
runs. When it is not (`torch.__version__ >= "1.7"`) both run: a name both give the same value
keeps it, and a name both bind to module classes that differ stands for a module whose shapes
are unknown. It is still a module: a model that holds one is listed and checked up to it.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import libcst as cst

from cnnlint.abstract.classes import torch_base
from cnnlint.abstract.scope import Scope
from cnnlint.abstract.values import Builtin, Function, Obj, Qual, Unknown, UserClass, _MISSING
from cnnlint.interpret.operators import join
from cnnlint.interpret.signals import BreakSignal, ContinueSignal, DeadPath, ReturnSignal
from cnnlint.layers.hierarchy import layer_kind


@dataclass(frozen=True, eq=False)
class Conditional:
    """A top-level `if` statement (toplevel.Statement), the names its branches bind, and the
    value each had before it (a class, function or import defined above), if any."""

    statement: Any
    names: Tuple[str, ...]
    prior: Dict[str, Any] = field(default_factory=dict)


def bound_names(tree: ast.If) -> Tuple[str, ...]:
    """The names an `if` at top level binds in any branch: assignments, classes, functions,
    imports (nested `if`/`try` blocks included, function and class bodies left out)."""
    out: Dict[str, None] = {}

    def targets(t):
        if isinstance(t, ast.Name):
            out[t.id] = None
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                targets(e)

    def block(stmts):
        for s in stmts:
            if isinstance(s, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                out[s.name] = None
            elif isinstance(s, ast.Assign):
                for t in s.targets:
                    targets(t)
            elif isinstance(s, (ast.AnnAssign, ast.AugAssign)) and getattr(s, "value", None) is not None:
                targets(s.target)
            elif isinstance(s, ast.Import):
                for a in s.names:
                    out[a.asname or a.name.split(".")[0]] = None
            elif isinstance(s, ast.ImportFrom):
                for a in s.names:
                    if a.name != "*":
                        out[a.asname or a.name] = None
            elif isinstance(s, ast.If):
                block(s.body)
                block(s.orelse)
            elif isinstance(s, ast.Try):
                block(s.body)
                for h in s.handlers:
                    block(h.body)
                block(s.orelse)
                block(s.finalbody)

    block(tree.body)
    block(tree.orelse)
    return tuple(out)


def tests_main(tree: ast.If) -> bool:
    """`if __name__ == "__main__":` (the file's script part, not a shim)."""
    return any(type(n) is ast.Name and n.id == "__name__" for n in ast.walk(tree.test))


def branch_values(interp, node: cst.If, module_scope, prior=None) -> Dict[str, Any]:
    """The value each name of the `if` has after it runs (see the module's docstring); ``prior``:
    the values some had before it."""
    def run(body) -> Optional[Dict[str, Any]]:
        local = Scope(module_scope)
        try:
            interp.exec_block(body, local)
        except (DeadPath, ReturnSignal, BreakSignal, ContinueSignal):
            return None  # `else: raise ImportError(...)`: that path goes no further
        for value in local.vars.values():  # defined at top level: their globals are the file's
            if isinstance(value, (UserClass, Function)) and value.scope is local:
                value.scope = module_scope
        return {**(prior or {}), **local.vars}

    def orelse() -> Optional[Dict[str, Any]]:
        if type(node.orelse) is cst.If:
            return branch_values(interp, node.orelse, module_scope, prior)
        if type(node.orelse) is cst.Else:
            return run(node.orelse.body)
        return dict(prior or {})

    truth = interp.truth(interp.eval(node.test, module_scope))
    if truth is True:
        return run(node.body) or {}
    if truth is False:
        return orelse() or {}
    first, second = run(node.body), orelse()
    if first is None or second is None:
        return (second if first is None else first) or {}
    return {n: merge(interp, first.get(n, _MISSING), second.get(n, _MISSING), n)
            for n in list(first) + [k for k in second if k not in first]}


def merge(interp, a, b, name: str):
    """What a name is after an `if` whose condition cnnlint cannot decide."""
    if a is _MISSING or b is _MISSING:
        return Unknown(f"'{name}' is bound on one path of a condition cnnlint cannot decide")
    if a is b or _same_class(a, b):
        return a
    if _module_class(interp, a) and _module_class(interp, b):
        return unknown_module_class(name)
    return join(a, b, None)


def _same_class(a, b) -> bool:
    return isinstance(a, Qual) and isinstance(b, Qual) and a.name == b.name


def _module_class(interp, value) -> bool:
    if isinstance(value, Qual):  # a torch.nn class, in cnnlint's layer table or not
        last = value.name.rsplit(".", 1)[-1]
        return layer_kind(value.name) is not None or (
            value.name.startswith("torch.nn.") and not value.name.startswith("torch.nn.functional.")
            and last[:1].isupper() and last not in ("Parameter", "ParameterList", "ParameterDict"))
    if isinstance(value, UserClass):
        return torch_base(interp, value) is not None
    return isinstance(value, Builtin) and value.name.startswith(UNKNOWN_MODULE)


UNKNOWN_MODULE = "unknown module "
_STUB: Any = None


def unknown_module_class(name: str) -> Builtin:
    """A class that builds an nn.Module cnnlint cannot tell the shapes or parameters of."""
    global _STUB
    if _STUB is None:
        _STUB = cst.parse_statement("class _:\n    pass\n")
    reason = f"{name} is defined in two ways under a condition cnnlint cannot decide"

    def forward(it, args, kwargs, node):
        it.note(node, f"{reason}; its output shape is unknown")
        return Unknown(reason)

    cls = UserClass(name, _STUB, None, bases=(Qual("torch.nn.Module"),),
                    attrs={"__evaluated__": True, "forward": Builtin("forward", forward)}, is_module=True)
    cls.mro = [cls]

    def build(it, args, kwargs, node):
        return Obj(cls, node=node, params=[("?", None)])

    return Builtin(UNKNOWN_MODULE + name, build)
