"""A file's top level, read lazily: a module-level name is evaluated the first time it is used,
within one step budget per file; imports, star imports and ``if``-guarded compatibility shims.
"""
from __future__ import annotations

import ast
from typing import Any, Dict, Optional

import libcst as cst

from cnnlint.abstract.scope import Scope, dotted
from cnnlint.abstract.values import ArgParser, Deferred, Function, Qual, Unknown, UserClass, _MISSING
from cnnlint.interpret import shims
from cnnlint.interpret.imports import resolve_plain
from cnnlint.interpret.signals import GiveUp

LAZY_STEPS = 100_000  # steps a file's module-level values may take, all together


BIG_VALUE_LINES = 1000  # a module-level value longer than this is left unknown, not parsed


class ModuleScope(Scope):
    """The names a file defines at top level: imports, classes, functions and constants.

    Constants are evaluated on first use, so a file's scripts and training loops are
    never interpreted."""

    def __init__(self, statements, interp_factory, path: Optional[str] = None, ctx=None):
        """``statements``: the file's top-level statements (toplevel.Statement), parsed by libcst
        only as far as declaring their names needs: classes, functions and assigned values are
        parsed when first used."""
        super().__init__(None)
        self.path = path
        self.ctx = ctx
        self.star_imports: list = []  # modules named by `from X import *`
        self.calls_on: Dict[str, list] = {}  # `parser.add_argument(...)` statements, by name
        self.lazy: Dict[str, cst.BaseExpression] = {}
        self.classes: Dict[str, UserClass] = {}
        self.functions: Dict[str, Function] = {}
        self._evaluating: set = set()
        self._interp_factory = interp_factory
        self.lazy_budget = LAZY_STEPS  # steps left for working out module-level values
        for stmt in statements:
            self._declare_statement(stmt)

    def _declare_statement(self, stmt) -> None:
        if stmt.kind == "if" and isinstance(stmt.tree, ast.If) and not shims.tests_main(stmt.tree):
            cond = shims.Conditional(stmt, shims.bound_names(stmt.tree))
            for name in cond.names:  # worked out when one of them is first used
                if name in self.vars and name not in self.lazy:
                    # a class, function or import the `if` may rebind: its value on the path that does not
                    cond.prior[name] = self.vars.pop(name)
                    self.lazy[name] = cond
                else:
                    self._lazy_name(name, cond)
        elif stmt.parsed:
            self._declare(stmt.resolve())
        elif stmt.kind == "class":
            self._declare_class(UserClass(stmt.name, stmt, self))
        elif stmt.kind == "function":
            self._declare_function(Function(stmt.name, stmt, self))
        elif stmt.kind == "assign":
            for name, whole in stmt.targets:
                if whole:
                    self._lazy_name(name, stmt)
                else:
                    self.lazy[name] = None  # type: ignore[assignment]
        elif stmt.kind == "import" and all(type(t).__name__ in ("Import", "ImportFrom") for t in stmt.trees):
            for tree in stmt.trees:  # no libcst needed: the ast says all an import binds
                bind_import_ast(tree, self)
        elif stmt.kind in ("import", "simple", "try") or (stmt.kind == "if" and _imports_in(stmt.tree)):
            self._declare(stmt.resolve())

    def _declare_class(self, cls: UserClass) -> None:
        self.classes[cls.name] = cls
        self.vars[cls.name] = cls

    def _declare_function(self, fn: Function) -> None:
        self.functions[fn.name] = fn
        self.vars[fn.name] = fn

    def _declare(self, stmt: cst.CSTNode) -> None:
        if type(stmt) is cst.ClassDef:
            self._declare_class(UserClass(stmt.name.value, stmt, self))
        elif type(stmt) is cst.FunctionDef:
            self._declare_function(Function(stmt.name.value, stmt, self))
        elif type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                if type(small) in (cst.Import, cst.ImportFrom):
                    bind_import(small, self)
                elif type(small) is cst.Assign:
                    for t in small.targets:
                        self._lazy_target(t.target, small.value)
                elif type(small) is cst.AnnAssign and small.value is not None:
                    self._lazy_target(small.target, small.value)
                elif type(small) is cst.Expr and type(small.value) is cst.Call and \
                        type(small.value.func) is cst.Attribute and type(small.value.func.value) is cst.Name:
                    self.calls_on.setdefault(small.value.func.value.value, []).append(small.value)
        elif type(stmt) is cst.If:
            # `try: import x / except` and `if TYPE_CHECKING:` style imports
            for inner in stmt.body.body:
                if type(inner) is cst.SimpleStatementLine:
                    for small in inner.body:
                        if type(small) in (cst.Import, cst.ImportFrom):
                            bind_import(small, self)
        elif type(stmt) is cst.Try:
            for inner in stmt.body.body:
                self._declare(inner)

    def _lazy_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if type(target) is cst.Name:
            self._lazy_name(target.value, value)
        elif type(target) in (cst.Tuple, cst.List):
            for el in target.elements:
                if type(el.value) is cst.Name:
                    self.lazy[el.value.value] = None  # type: ignore[assignment]

    def _lazy_name(self, name: str, value: Any) -> None:
        """``value``: the expression, or the Deferred statement that assigns it."""
        if name in self.lazy or name in self.classes or name in self.functions:
            # assigned twice at top level: which value holds depends on run order
            self.lazy[name] = None  # type: ignore[assignment]
            self.vars.pop(name, None)
        else:
            self.lazy[name] = value

    def get_local(self, name: str) -> Any:
        value = self.vars.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name in self.lazy:
            expr = self.lazy[name]
            if isinstance(expr, shims.Conditional):
                return self._run_conditional(expr, name)
            if isinstance(expr, Deferred):
                if expr.size() > BIG_VALUE_LINES:  # a table of thousands of lines: not model code
                    literal = expr.literal()  # unless it is a plain list of names (ImageNet's classes)
                    value = self.vars[name] = literal if literal is not None else \
                        Unknown(f"'{name}' is a value of {expr.size()} lines, too big to follow")
                    return value
                expr = self.lazy[name] = expr.value()
            if expr is None or name in self._evaluating:
                return Unknown(f"'{name}' is assigned more than once at module level")
            self._evaluating.add(name)
            interp = self._budgeted_interp()
            try:
                value = self.vars[name] = interp.eval(expr, self)
                if isinstance(value, ArgParser):  # the top level's parser.add_argument(...) lines
                    for call in self.calls_on.get(name, ()):
                        interp.eval(call, self)
            except GiveUp:
                value = Unknown(f"'{name}' takes too long to work out")
            finally:
                self.lazy_budget -= interp.steps
                self._evaluating.discard(name)
            self.vars[name] = value
            return value
        for star in self.star_imports:  # `from .blocks import *`: a name of that module, if it has it
            if star.name.split(".")[0] in ("torch", "typing", "math", "numpy", "collections"):
                if star.name in ("torch.nn", "torch") and name[:1].isupper():
                    return Qual(f"{star.name}.{name}", star.origin)
                continue
            found = resolve_plain(Qual(f"{star.name}.{name}", star.origin))
            if found is not None:
                self.vars[name] = found
                return found
        return _MISSING

    def _budgeted_interp(self):
        """An interpreter for module-level values. They are mostly small (sizes, configs, layer
        lists): a file's constants share one step budget, so that code which computes at import
        time (tables, symbolic algebra) is given up on early instead of run."""
        interp = self._interp_factory()
        interp.max_steps = min(interp.max_steps, max(0, self.lazy_budget))
        interp.next_check = min(interp.next_check, interp.max_steps + 1)
        return interp

    def _run_conditional(self, cond, name: str) -> Any:
        """The values the names of a top-level `if` get (shims.py), worked out once."""
        if cond in self._evaluating:
            return Unknown(f"'{name}' is used in the condition that defines it")
        self._evaluating.add(cond)
        interp = self._budgeted_interp()
        try:
            values = shims.branch_values(interp, cond.statement.resolve(), self, cond.prior)
        except GiveUp:
            values = {}
        finally:
            self.lazy_budget -= interp.steps
            self._evaluating.discard(cond)
        for n in cond.names:
            if self.lazy.get(n) is cond:
                self.vars[n] = values.get(n, cond.prior.get(n, Unknown(f"'{n}' is not bound by the condition "
                                                                       "that defines it")))
        return self.vars.get(name, Unknown(f"'{name}' is assigned more than once at module level"))


def _imports_in(tree) -> bool:
    """Whether an `if` at top level imports something directly in its body (`if TYPE_CHECKING:`)."""
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)


def bind_import_ast(node, scope: "ModuleScope") -> None:
    """What an import statement binds, from its ast (as bind_import does from libcst)."""
    names = [(a.name, a.asname) for a in node.names]
    if type(node) is ast.Import:
        _bind_import(scope, names)
    else:
        _bind_from(scope, node.module, node.level, names)


def bind_import(node: cst.CSTNode, scope: Scope) -> None:
    """Record what an import statement binds: local name -> qualified name."""
    def aliases(items):
        return [(dotted(a.name), a.asname.name.value if a.asname is not None and type(a.asname.name) is cst.Name
                 else None) for a in items]

    if type(node) is cst.Import:
        _bind_import(scope, aliases(node.names))
    elif type(node) is cst.ImportFrom:
        module = dotted(node.module) if node.module is not None else None
        names = [("*", None)] if type(node.names) is cst.ImportStar else aliases(node.names)
        _bind_from(scope, module, len(node.relative), names)


def _bind_import(scope: Scope, names) -> None:
    """``import a.b`` binds ``a``; ``import a.b as c`` binds ``c`` to ``a.b``."""
    origin = getattr(scope.module(), "path", None)
    for full, local in names:
        if full is not None:
            head = full.split(".")[0]
            scope.set(local or head, Qual(full if local else head, origin))


def _bind_from(scope: Scope, module: Optional[str], level: int, names) -> None:
    """``from ..module import name as local`` (``level`` dots); ``*`` is remembered on the module
    scope, to be looked into for names the file does not define."""
    origin = getattr(scope.module(), "path", None)
    if level:
        prefix = "." * level + (module + "." if module else "")
    elif module is None:
        return
    else:
        prefix = module + "."
    for name, local in names:
        if name == "*":
            if isinstance(scope, ModuleScope) and origin:
                scope.star_imports.append(Qual(prefix.rstrip("."), origin))
        elif name is not None:
            scope.set(local or name, Qual(prefix + name, origin))
