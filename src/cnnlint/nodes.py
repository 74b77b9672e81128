"""Walking libcst and ast trees in source order, and the line/column of a libcst node."""
from __future__ import annotations

import re
from typing import Dict
from typing import List, Optional, Tuple

import libcst as cst


def _fields(tp: type) -> Tuple[str, ...]:
    names = _CHILD_FIELDS.get(tp)
    if names is None:
        import dataclasses

        names = tuple(f.name for f in dataclasses.fields(tp))
        _CHILD_FIELDS[tp] = names
    return names


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
    return depth_first(root, _children, prune)


def _children(node) -> list:
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
    return children


def depth_first(root, children, prune=None):
    """``root`` and everything under it, depth first in source order; ``children(node)`` lists a
    node's children in order; ``prune(node)`` true: its children are left out."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if prune is not None and prune(node):
            continue
        stack.extend(reversed(children(node)))


# positions ------------------------------------------------------------------------------------
# libcst's PositionProvider (through MetadataWrapper) walks the whole tree once more and tracks
# line and column on every token: together about as slow as parsing. The same ranges follow from
# character offsets recorded during one code generation, turned into lines only when asked.
class _Positions:
    def __init__(self, ranges, text: str, line_offset: int = 0):
        self._ranges = ranges  # node -> (start offset, end offset)
        self._text = text
        self._starts = None
        self._line_offset = line_offset

    def __contains__(self, node) -> bool:
        return node in self._ranges

    def moved(self, line_offset: int) -> "_Positions":
        """The same positions for the same code starting ``line_offset`` lines further down."""
        out = _Positions(self._ranges, self._text, line_offset)
        out._starts = self._starts
        return out

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
        return CodePosition(line + self._line_offset, offset - self._starts[line - 1])


def _positions(module: cst.Module, line_offset: int = 0, node: Optional[cst.CSTNode] = None,
               indent: Optional[str] = None) -> _Positions:
    """Positions of every node of ``module``; or of ``node`` alone (a statement of a class body,
    indented by ``indent``), whose code starts ``line_offset`` lines into the file."""
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

    state = State(default_indent=module.default_indent, default_newline=module.default_newline)
    if node is None:
        module._codegen(state)
    else:
        state.increase_indent(indent if indent is not None else module.default_indent)
        node._codegen(state)
    return _Positions(ranges, "".join(tokens), line_offset)


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


_IS_CHILD: Dict[type, bool] = {}
