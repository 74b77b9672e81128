"""A parsed file: its libcst tree, positions (computed only when something is reported),
its module scope, the models it defines, and the hints it gives about their inputs."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from cnnlint.diagnostics import Span
from cnnlint.interpret.scope import ModuleScope, dotted
from cnnlint.interpret.values import Qual, UserClass

INPUT_COMMENT = re.compile(r"#\s*cnnlint:\s*input-shape\s*=\s*([^\s#]+)")
TENSOR_MAKERS = {"randn", "rand", "zeros", "ones", "empty", "randint", "full"}


@dataclass(frozen=True)
class ModelDef:
    name: str
    kind: str  # "class" | "function"
    node: cst.CSTNode


class FileContext:
    def __init__(self, path: str, source: str):
        self.path = path
        self.source = source
        self.module = cst.parse_module(source)
        self._positions = None
        from cnnlint.interpret.core import Interp

        self.import_cache: dict = {}
        self.scope = ModuleScope(self.module, lambda: Interp(self), path=path, ctx=self)

    # positions ----------------------------------------------------------------------------
    def span(self, node: Optional[cst.CSTNode]) -> Span:
        if node is None:
            return Span(1, 1, 1, 1)
        pos = self.positions().get(node)
        if pos is None:
            return Span(1, 1, 1, 1)
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def owns(self, node) -> bool:
        return node in self.positions()

    def positions(self):
        """node -> CodeRange for every node (what libcst's PositionProvider gives), computed once
        by one lean code generation pass."""
        if self._positions is None:
            self._positions = _positions(self.module)
        return self._positions

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # models -------------------------------------------------------------------------------
    def models(self, interp) -> List[ModelDef]:
        from cnnlint.interpret.classes import torch_base

        from cnnlint.interpret.core import GiveUp

        found: List[ModelDef] = []
        for stmt in self.module.body:
            try:
                if isinstance(stmt, cst.ClassDef):
                    cls = self.scope.classes.get(stmt.name.value)
                    if cls is None:
                        continue
                    base = torch_base(interp, cls)
                    if base is not None or (_defines(stmt, "forward") and _external_base(interp, cls)):
                        found.append(ModelDef(cls.name, "class", stmt))
                elif isinstance(stmt, cst.FunctionDef) and self._returns_module(interp, stmt):
                    found.append(ModelDef(stmt.name.value, "function", stmt))
            except GiveUp:
                # evaluating a name the definition uses (a module-level `X = Build()`) ran out of
                # budget: not a model we can follow; give the next definition a fresh budget
                interp.steps = 0
                interp.started = time.monotonic()
        return found

    def _returns_module(self, interp, fn: cst.FunctionDef) -> bool:
        from cnnlint.interpret.classes import torch_base

        built: Dict[str, bool] = {}

        def makes_module(expr) -> bool:
            if isinstance(expr, cst.Call):
                name = dotted(expr.func)
                if name is None:
                    return False
                head = name.split(".")[0]
                value = self.scope.get_local(head) if head in self.scope.vars or head in self.scope.lazy else None
                if isinstance(value, Qual):
                    full = value.name + name[len(head):]
                    return full.startswith("torch.nn.") and full.rsplit(".", 1)[1][:1].isupper()
                if isinstance(value, UserClass) and "." not in name:
                    return torch_base(interp, value) is not None
                return False
            if isinstance(expr, cst.Name):
                return built.get(expr.value, False)
            return False

        result = False
        prune = lambda n: (isinstance(n, cst.FunctionDef) and n is not fn) or isinstance(n, cst.ClassDef)  # noqa: E731
        for node in walk(fn, prune):
            if isinstance(node, cst.Assign):
                for t in node.targets:
                    if isinstance(t.target, cst.Name) and makes_module(node.value):
                        built[t.target.value] = True
            elif isinstance(node, cst.Return):
                if node.value is not None and makes_module(node.value):
                    result = True
        return result

    def references(self) -> Dict[str, int]:
        """How often each top-level class name is used inside other definitions (not in tests or
        the __main__ block): a class used by another model is a component, not a root."""
        counts: Dict[str, int] = {}
        for stmt in self.module.body:
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                if isinstance(stmt, cst.FunctionDef) and _is_test_name(stmt.name.value):
                    continue
                own = stmt.name.value
                for node in walk(stmt):
                    if isinstance(node, cst.Name) and node.value != own:
                        counts[node.value] = counts.get(node.value, 0) + 1
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and isinstance(small.value, (cst.Dict, cst.List, cst.Tuple)):
                        for node in walk(small.value):
                            if isinstance(node, cst.Name):
                                counts[node.value] = counts.get(node.value, 0) + 1
        return counts

    # hints about inputs --------------------------------------------------------------------
    def comment_input(self, model: ModelDef) -> Optional[str]:
        if INPUT_COMMENT.search(self.source) is None:  # no such comment: no positions needed
            return None
        line = self.span(model.node).line
        lines = self.source.splitlines()
        for i in (line - 1, line - 2):
            if 0 <= i < len(lines):
                m = INPUT_COMMENT.search(lines[i])
                if m:
                    return m.group(1)
        return None

    def usage_hints(self, model_name: str) -> Tuple[Optional[cst.Call], Optional[cst.Call]]:
        """(constructor call, input-tensor call) from the file's own test code:
        ``net = VGG('VGG11'); x = torch.randn(2, 3, 32, 32); y = net(x)``."""
        ctor: Optional[cst.Call] = None
        tensor: Optional[cst.Call] = None
        for block in self._usage_blocks():
            models: Dict[str, cst.Call] = {}
            tensors: Dict[str, cst.Call] = {}
            calls: List[Tuple[str, str]] = []

            class V(cst.CSTVisitor):
                def visit_Assign(self, node):
                    if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                        target = node.targets[0].target.value
                        value = node.value
                        if isinstance(value, cst.Call):
                            fname = dotted(value.func) or ""
                            if fname == model_name or fname.endswith("." + model_name):
                                models[target] = value
                            elif fname.split(".")[-1] in TENSOR_MAKERS and fname.startswith("torch"):
                                tensors[target] = value

                def visit_Call(self, node):
                    if isinstance(node.func, cst.Name) and node.args and isinstance(node.args[0].value, cst.Name):
                        calls.append((node.func.value, node.args[0].value.value))
                    if isinstance(node.func, cst.Call) and (dotted(node.func.func) or "") == model_name:
                        models.setdefault("<inline>", node.func)
                        if node.args and isinstance(node.args[0].value, cst.Name):
                            calls.append(("<inline>", node.args[0].value.value))

            v = V()
            for stmt in block:
                for node in walk(stmt):
                    if isinstance(node, cst.Assign):
                        v.visit_Assign(node)
                    elif isinstance(node, cst.Call):
                        v.visit_Call(node)
            if not models:
                continue
            for fn_name, arg in calls:
                if fn_name in models and arg in tensors:
                    return models[fn_name], tensors[arg]
            if ctor is None:
                ctor = next(iter(models.values()))
                if len(tensors) == 1 and tensor is None:
                    tensor = next(iter(tensors.values()))
        return ctor, tensor

    def _usage_blocks(self):
        for stmt in self.module.body:
            if isinstance(stmt, cst.If) and "__name__" in self.code(stmt.test):
                yield list(stmt.body.body)
            elif isinstance(stmt, cst.FunctionDef) and _is_test_name(stmt.name.value):
                yield list(stmt.body.body)
        yield [s for s in self.module.body if isinstance(s, cst.SimpleStatementLine)]


def _is_test_name(name: str) -> bool:
    n = name.lower()
    return n.startswith("test") or n in ("main", "demo", "run", "example", "_test")


def _defines(cls: cst.ClassDef, name: str) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.name.value == name for s in cls.body.body)


def _external_base(interp, cls: UserClass) -> bool:
    from cnnlint.interpret.classes import bases

    for b in bases(interp, cls):
        if isinstance(b, Qual) and not b.name.startswith(("torch", "typing", "abc", "object")):
            return True
        if isinstance(b, UserClass) and _external_base(interp, b):
            return True
    return False


# a fast tree walk ---------------------------------------------------------------------------
# libcst's visitors rebuild (and re-validate) every node they pass; reading the dataclass fields
# directly visits the same nodes in the same (source) order at a fraction of the cost.
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {  # where libcst visits in another order than declared
    getattr(cst, name): order for name, order in (
        ("Arg", ("keyword", "value")), ("ClassDef", ("decorators", "name", "bases", "keywords", "body")),
        ("ExceptHandler", ("type", "name", "body")), ("ExceptStarHandler", ("type", "name", "body")),
        ("FunctionDef", ("decorators", "name", "params", "returns", "body")), ("IfExp", ("body", "test", "orelse")),
        ("MatchCase", ("pattern", "guard", "body")),
        ("Parameters", ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg")))
    if hasattr(cst, name)}
_SKIP_TYPES: Tuple[type, ...] = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
                                 cst.Newline, cst.Comment, cst.LeftParen, cst.RightParen)


def _fields(tp: type) -> Tuple[str, ...]:
    names = _CHILD_FIELDS.get(tp)
    if names is None:
        import dataclasses

        names = tuple(f.name for f in dataclasses.fields(tp))
        _CHILD_FIELDS[tp] = names
    return names


def walk(root: cst.CSTNode, prune=None):
    """Every node under ``root`` (itself included), depth first in source order, as a libcst
    visitor would see them (whitespace and parentheses left out). ``prune(node)`` true: the
    node is yielded but its children are not."""
    stack = [root]
    node_type = cst.CSTNode
    while stack:
        node = stack.pop()
        yield node
        if prune is not None and prune(node):
            continue
        children = []
        for name in _fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, node_type):
                if not isinstance(value, _SKIP_TYPES):
                    children.append(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, node_type) and not isinstance(item, _SKIP_TYPES):
                        children.append(item)
        stack.extend(reversed(children))


# positions ------------------------------------------------------------------------------------
# libcst's PositionProvider (through MetadataWrapper) walks the whole tree once more and tracks
# line and column on every token: together about as slow as parsing. The same ranges follow from
# character offsets recorded during one code generation, turned into lines only when asked.
class _Positions:
    def __init__(self, ranges, text: str):
        self._ranges = ranges  # node -> (start offset, end offset)
        self._text = text
        self._starts = None

    def __contains__(self, node) -> bool:
        return node in self._ranges

    def get(self, node, default=None):
        r = self._ranges.get(node)
        if r is None:
            return default
        from libcst._position import CodeRange

        return CodeRange(self._where(r[0]), self._where(r[1]))

    def _where(self, offset: int):
        from bisect import bisect_right

        from libcst._position import CodePosition

        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", self._text)]
        line = bisect_right(self._starts, offset)
        return CodePosition(line, offset - self._starts[line - 1])


def _positions(module: cst.Module) -> _Positions:
    from contextlib import contextmanager

    from libcst._nodes.internal import CodegenState

    ranges = {}
    stack = []
    tokens: List[str] = []
    offset = 0

    class State(CodegenState):
        def add_indent_tokens(self) -> None:
            nonlocal offset
            for t in self.indent_tokens:
                tokens.append(t)
                offset += len(t)

        def add_token(self, value: str) -> None:
            nonlocal offset
            tokens.append(value)
            offset += len(value)

        def before_codegen(self, node) -> None:
            stack.append(offset)

        def after_codegen(self, node) -> None:
            start = stack.pop()
            if node not in ranges:
                ranges[node] = (start, offset)

        def pop_trailing_newline(self) -> None:  # positions never step back (as in libcst)
            pass

        @contextmanager
        def record_syntactic_position(self, node, *, start_node=None, end_node=None):
            start = offset
            try:
                yield
            finally:
                ranges[node] = (ranges[start_node][0] if start_node is not None else start,
                                ranges[end_node][1] if end_node is not None else offset)

    module._codegen(State(default_indent=module.default_indent, default_newline=module.default_newline))
    return _Positions(ranges, "".join(tokens))
