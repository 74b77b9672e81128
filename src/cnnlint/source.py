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
                if type(stmt) is cst.ClassDef:
                    cls = self.scope.classes.get(stmt.name.value)
                    if cls is None:
                        continue
                    base = torch_base(interp, cls)
                    if base is not None or (_defines(stmt, "forward") and _external_base(interp, cls)):
                        found.append(ModelDef(cls.name, "class", stmt))
                elif type(stmt) is cst.FunctionDef and self._returns_module(interp, stmt):
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
            if type(expr) is cst.Call:
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
            if type(expr) is cst.Name:
                return built.get(expr.value, False)
            return False

        result = False
        prune = lambda n: (type(n) is cst.FunctionDef and n is not fn) or type(n) is cst.ClassDef  # noqa: E731
        for node in walk(fn, prune):
            if type(node) is cst.Assign:
                for t in node.targets:
                    if type(t.target) is cst.Name and makes_module(node.value):
                        built[t.target.value] = True
            elif type(node) is cst.Return:
                if node.value is not None and makes_module(node.value):
                    result = True
        return result

    def references(self) -> Dict[str, int]:
        """How often each top-level class name is used inside other definitions (not in tests or
        the __main__ block): a class used by another model is a component, not a root."""
        counts: Dict[str, int] = {}
        for stmt in self.module.body:
            if type(stmt) in (cst.ClassDef, cst.FunctionDef):
                if type(stmt) is cst.FunctionDef and _is_test_name(stmt.name.value):
                    continue
                own = stmt.name.value
                for node in walk(stmt):
                    if type(node) is cst.Name and node.value != own:
                        counts[node.value] = counts.get(node.value, 0) + 1
            elif type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) is cst.Assign and type(small.value) in (cst.Dict, cst.List, cst.Tuple):
                        for node in walk(small.value):
                            if type(node) is cst.Name:
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
        for block in self._usage_blocks():
            models: Dict[str, Optional[cst.Call]] = {}  # name -> our model's constructor call, or None
            tensors: Dict[str, cst.Call] = {}
            for stmt in block:
                # calls first, with the bindings as they stand before this statement...
                for node in walk(stmt):
                    if type(node) is not cst.Call or not node.args:
                        continue
                    first = node.args[0].value
                    if type(first) is cst.Name:
                        given = tensors.get(first.value)
                    elif type(first) is cst.Call and _makes_tensor(first):
                        given = first  # net(torch.randn(2, 3, 32, 32))
                    else:
                        continue
                    if given is None:
                        continue
                    if type(node.func) is cst.Name and models.get(node.func.value) is not None:
                        return models[node.func.value], given
                    if type(node.func) is cst.Call and _calls(node.func, model_name):
                        return node.func, given
                # ...then what the statement binds
                for node in walk(stmt):
                    if type(node) is not cst.Assign or len(node.targets) != 1:
                        continue
                    target = node.targets[0].target
                    if type(target) is not cst.Name:
                        continue
                    name, value = target.value, node.value
                    models.pop(name, None)
                    tensors.pop(name, None)
                    if type(value) is cst.Call:
                        fname = dotted(value.func) or ""
                        if _calls(value, model_name):
                            models[name] = value
                            ctor = ctor or value
                        elif _makes_tensor(value):
                            tensors[name] = value
                        elif type(value.func) in (cst.Name, cst.Attribute) and fname[:1].isupper():
                            models[name] = None  # another model now holds this name
        return ctor, None

    def _usage_blocks(self):
        for stmt in self.module.body:
            if type(stmt) is cst.If and "__name__" in self.code(stmt.test):
                yield list(stmt.body.body)
            elif type(stmt) is cst.FunctionDef and _is_test_name(stmt.name.value):
                yield list(stmt.body.body)
        yield [s for s in self.module.body if type(s) is cst.SimpleStatementLine]


def _makes_tensor(call: cst.Call) -> bool:
    fname = dotted(call.func) or ""
    return fname.split(".")[-1] in TENSOR_MAKERS and fname.startswith("torch")


def _calls(call: cst.Call, model_name: str) -> bool:
    fname = dotted(call.func) or ""
    return fname == model_name or fname.endswith("." + model_name)


def _is_test_name(name: str) -> bool:
    n = name.lower()
    return n.startswith("test") or n in ("main", "demo", "run", "example", "_test")


def _defines(cls: cst.ClassDef, name: str) -> bool:
    return any(type(s) is cst.FunctionDef and s.name.value == name for s in cls.body.body)


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


_IS_CHILD: Dict[type, bool] = {}


def _is_child(tp: type) -> bool:
    """Whether a field value of this type is a node the walk visits (cached: libcst's node
    classes are ABCs, and isinstance against an ABC is slow)."""
    v = _IS_CHILD.get(tp)
    if v is None:
        v = _IS_CHILD[tp] = issubclass(tp, cst.CSTNode) and not issubclass(tp, _SKIP_TYPES)
    return v


def walk(root: cst.CSTNode, prune=None):
    """Every node under ``root`` (itself included), depth first in source order, as a libcst
    visitor would see them (whitespace and parentheses left out). ``prune(node)`` true: the
    node is yielded but its children are not."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if prune is not None and prune(node):
            continue
        children = []
        for name in _fields(type(node)):
            value = getattr(node, name)
            tp = type(value)
            if tp is list or tp is tuple:
                for item in value:
                    if _is_child(type(item)):
                        children.append(item)
            elif _is_child(tp):
                children.append(value)
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
