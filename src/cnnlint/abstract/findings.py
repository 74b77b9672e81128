"""What the interpreter records: a ``Finding`` (a diagnostic before it has a position) and a
``CallRow`` (one layer or op call of the shapes table), and how a node and a shape are written out.
"""
from __future__ import annotations

from typing import Any, List, Tuple

import libcst as cst

from cnnlint import dims
from cnnlint.fromast import text_of


class Finding:
    __slots__ = ("code", "message", "node", "declared", "inferred", "arg_node", "severity", "options",
                 "fix_text", "factors", "explain", "model", "site", "sources", "repairable")

    def __init__(self, code, message, node, declared=None, inferred=None, arg_node=None, severity=None,
                 options=(), fix_text=None, factors=None, explain=(), model=None):
        self.code, self.message, self.node = code, message, node
        self.declared, self.inferred, self.arg_node = declared, inferred, arg_node
        self.severity, self.options, self.fix_text = severity, options, fix_text
        self.factors, self.explain, self.model = factors, explain, model
        self.site = None
        self.repairable = True  # False: no one number mends it (a flatten is missing), no repair is searched
        self.sources: Tuple[int, ...] = ()  # the call rows that made the tensors an operation joins, the odd one first


class CallRow:
    """A module or functional call, filled in as the call completes."""

    __slots__ = ("module", "name", "type", "node", "depth", "output", "explain", "finding", "input", "sources",
                 "op", "last")

    def __init__(self, module, name, type_, node, depth, input_=None, sources=(), op=False):
        self.module, self.name, self.type, self.node, self.depth = module, name, type_, node, depth
        self.sources = tuple(sources)
        self.op = op
        self.output: Any = None
        self.last: Any = None  # output's last size when its rank is unknown
        self.explain: List[str] = []
        self.finding = ""
        self.input = input_


def code_of(node) -> str:
    text = text_of(node)  # the file's own text, for a node built from the ast
    if text is not None:
        return text
    try:
        return cst.Module([]).code_for_node(node)
    except Exception:
        return "call"


INPUT_SYMBOLS = {"N", "C", "H", "W", "D", "L"}


def fmt_shape(shape) -> str:
    if shape is None:
        return "[?]"
    return "[" + ", ".join(dims.fmt(d) for d in shape) + "]"
