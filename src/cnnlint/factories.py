"""Functions that build a model through helpers: which of a file's functions may return an
nn.Module although nothing says so directly.

    def densenet121(pretrained=False, progress=True, **kwargs):
        return _densenet("densenet121", 32, (6, 12, 24, 16), 64, pretrained, progress, **kwargs)

A cheap reading of the function's ast picks the candidates: a function is one when it returns
(or assigns, then returns) a call of a module class of the file or of its project, of another
function of the file that is a model or a candidate (transitively), of a `partial` of one, of an
entry of a table of them, or of a builder that is handed a module class (`build(ResNet, cfg)`),
or when it is annotated to return a module class of the file. The interpreter has the last word:
a candidate whose run does not build a module is no model, and is dropped without a note.
"""
from __future__ import annotations

import ast
from typing import Any, Dict, Iterator, Optional

from cnnlint.abstract.values import Qual, UserClass
from cnnlint.toplevel import walk_ast

_PARTIAL = ("partial", "functools.partial")


class Factories:
    """The verdicts for one file, worked out once per function."""

    def __init__(self, ctx, interp):
        self.ctx = ctx
        self.interp = interp
        self.verdicts: Dict[str, bool] = {}
        self.functions = {s.name: s for s in ctx.statements if s.kind == "function" and s.tree is not None}
        self.assigns = {name: s for s in ctx.statements if s.kind == "assign" for name, whole in s.targets if whole}

    def is_candidate(self, name: str, direct=None) -> bool:
        """Whether the top-level function ``name`` may build a module. ``direct(stmt)``: the
        file's own test of a function that returns a module directly."""
        seen = self.verdicts.get(name)
        if seen is not None:
            return seen
        stmt = self.functions.get(name)
        if stmt is None:
            return False
        self.verdicts[name] = False  # a function that calls itself is not a model for that
        verdict = bool(direct is not None and direct(stmt)) or self._reads_as_factory(stmt.tree, direct)
        self.verdicts[name] = verdict
        return verdict

    def _reads_as_factory(self, fn: ast.AST, direct) -> bool:
        if self._module_annotation(getattr(fn, "returns", None)):
            return True
        assigned: Dict[str, list] = {}
        for node in _own_nodes(fn):
            if type(node) is ast.Assign:
                for t in node.targets:
                    if type(t) is ast.Name:
                        assigned.setdefault(t.id, []).append(node.value)
        for node in _own_nodes(fn):
            if type(node) is ast.Return and node.value is not None and \
                    self._builds(node.value, assigned, direct, set()):
                return True
        return False

    def _builds(self, expr, assigned, direct, seen) -> bool:
        tp = type(expr)
        if tp is ast.IfExp:
            return self._builds(expr.body, assigned, direct, seen) or \
                self._builds(expr.orelse, assigned, direct, seen)
        if tp is ast.Name:
            if expr.id in seen:
                return False
            seen.add(expr.id)
            return any(self._builds(v, assigned, direct, seen) for v in assigned.get(expr.id, ()))
        if tp is not ast.Call:
            return False
        if self._module_maker(expr.func, assigned, direct):
            return True
        # a builder handed a module class: `build_model_with_cfg(ResNet, variant, ...)`
        return any(self._module_class(a) for a in expr.args if type(a) in (ast.Name, ast.Attribute))

    def _module_maker(self, func, assigned, direct) -> bool:
        tp = type(func)
        if tp is ast.Call:  # `partial(Block, dim=64)(x)`
            from cnnlint.abstract.scope import dotted

            return (dotted(func.func) or "") in _PARTIAL and bool(func.args) and \
                self._module_maker(func.args[0], assigned, direct)
        if tp is ast.Subscript:  # `MODELS[name](**kwargs)`
            table = self._table(func.value, assigned)
            return table is not None and any(self._module_maker(e, assigned, direct) for e in table)
        if tp is ast.Name and func.id in assigned:  # `make = partial(ResNet, ...)`, `cls = ResNet`
            return any(self._module_maker(v, assigned, direct) for v in assigned[func.id]
                       if type(v) in (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
        if tp is ast.Name and func.id in self.functions:
            return self.is_candidate(func.id, direct)
        return self._module_class(func)

    def _table(self, expr, assigned) -> Optional[list]:
        """The entries of a dict, list or tuple a name stands for (in the function or at top level)."""
        if type(expr) is not ast.Name:
            return None
        values = assigned.get(expr.id)
        if values is None:
            tree = getattr(self.assigns.get(expr.id), "tree", None)
            values = [tree.value] if type(tree) is ast.Assign else []
        for v in values:
            if type(v) is ast.Dict:
                return [x for x in v.values if x is not None]
            if type(v) in (ast.List, ast.Tuple):
                return list(v.elts)
        return None

    def _module_class(self, expr) -> bool:
        """Whether ``expr`` names a module class: of the file, of its project, or of torch.nn."""
        from cnnlint.abstract.classes import torch_base
        from cnnlint.interpret.imports import resolve
        from cnnlint.abstract.scope import dotted

        name = dotted(expr)
        if name is None:
            return False
        head, _, rest = name.partition(".")
        scope = self.ctx.scope
        table = self.assigns.get(head)
        if head not in scope.vars and (head not in scope.lazy or table is not None and table.displays_value()):
            return False  # not a name of the file, or a table (`CFGS = {...}`)
        value = scope.get_local(head)
        if isinstance(value, Qual):
            value = Qual(value.name + ("." + rest if rest else ""), value.origin)
            found = resolve(self.interp, value)
            if found is None:
                last = value.name.rsplit(".", 1)[-1]
                return value.name.startswith("torch.nn.") and not value.name.startswith("torch.nn.functional.") \
                    and last[:1].isupper()
            value, rest = found, ""
        return isinstance(value, UserClass) and not rest and torch_base(self.interp, value) is not None

    def _module_annotation(self, returns) -> bool:
        """`-> ResNet`, `-> "ResNet"`: a module class of the file named as the return type."""
        if returns is None:
            return False
        if type(returns) is ast.Constant and isinstance(returns.value, str):
            try:
                returns = ast.parse(returns.value, mode="eval").body
            except SyntaxError:
                return False
        if type(returns) is ast.Name and returns.id in self.ctx.scope.classes:
            return self._module_class(returns)
        return False


def _own_nodes(fn) -> Iterator[Any]:
    """The function's own nodes: nested functions, lambdas and classes left out."""
    prune = lambda n: (type(n) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda) and n is not fn) or \
        type(n) is ast.ClassDef  # noqa: E731
    return walk_ast(fn, prune)

