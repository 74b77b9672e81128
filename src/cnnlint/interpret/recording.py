"""What the checked file's own expressions evaluated to, for the language server's hover, inlay
hints and code lens (shape_index.py). Off unless ``RECORDER`` is set, so a one-shot run never pays
for it: ``Interp.__init__`` then hands each model run's interpreter to ``RECORDER.attach``.

``attach`` shadows three of the interpreter's methods on that one instance (``eval``, ``assign``
and ``exec_small``) with versions that call the plain method and note the result; the plain
methods are unchanged. Only code of the file itself is noted (the innermost running function's
module is the file's), never a library read from source or another project file, and never the
second, unbatched run that only confirms an error (analyze.run_model).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from cnnlint.abstract.values import Layer, Obj, Tensor, Unknown, UnknownPlain

KEPT = (Tensor, Layer, Unknown, UnknownPlain)  # what an expression's value is noted for (and a module Obj)
ASSIGNS = (cst.Assign, cst.AugAssign, cst.AnnAssign)
MAX_VALUES = 200_000  # noted values per analysis: a file that loops for long keeps its first ones


@dataclass(frozen=True)
class Assigned:
    """One execution of an assignment statement: what one of its targets was given."""

    model: str
    statement: Any  # the Assign / AugAssign / AnnAssign node
    target: Any  # a Name, Attribute or Subscript node inside its targets
    value: Any
    interp: Any
    rows: Tuple[int, int, int]  # (first, end) of interp.rows made while it ran, and the module depth
    findings: Tuple[Any, ...]  # the findings reported while it ran (their severity is settled later)


class Recorder:
    """The values of one analysis, in evaluation order."""

    def __init__(self) -> None:
        self.values: List[Tuple[str, Any, Any]] = []  # (model, node, value) of the file's expressions
        self.assigned: List[Assigned] = []
        self.interps: List[Any] = []  # every model run's interpreter, for their call rows

    def attach(self, interp) -> None:
        self.interps.append(interp)
        home = interp.file.scope if interp.file is not None else None
        stack = interp.module_stack
        model = interp.model_name
        values = self.values
        plain_eval, plain_assign, plain_small = interp.eval, interp.assign, interp.exec_small
        current: List[Any] = [None, 0, 0, 0]  # the assignment running, its first row, its depth, its first finding
        targets_of: Dict[int, Tuple[Any, frozenset]] = {}

        def eval(node, scope):
            value = plain_eval(node, scope)
            if stack[-1] is home and (type(value) in KEPT or type(value) is Obj and value.cls.is_module) \
                    and not interp.unbatched and len(values) < MAX_VALUES:
                values.append((model, node, value))
            return value

        def exec_small(small, scope):
            if type(small) not in ASSIGNS or stack[-1] is not home:
                return plain_small(small, scope)
            before = current[:]
            current[:] = [small, len(interp.rows), interp.module_depth, len(interp.findings)]
            try:
                return plain_small(small, scope)
            finally:
                current[:] = before

        def assign(target, value, scope):
            plain_assign(target, value, scope)
            small = current[0]
            if small is None or interp.unbatched or type(target) in (cst.Tuple, cst.List, cst.StarredElement):
                return
            known = targets_of.get(id(small))
            if known is None or known[0] is not small:
                known = targets_of[id(small)] = (small, frozenset(id(t) for t in _targets(small)))
            if id(target) in known[1] and len(self.assigned) < MAX_VALUES:
                self.assigned.append(Assigned(model, small, target, value, interp,
                                              (current[1], len(interp.rows), current[2]),
                                              tuple(interp.findings[current[3]:])))

        interp.eval, interp.assign, interp.exec_small = eval, assign, exec_small


def _targets(small) -> List[Any]:
    """The Name / Attribute / Subscript nodes a statement assigns to, inside tuples and lists."""
    if type(small) is cst.Assign:
        todo = [t.target for t in small.targets]
    else:
        todo = [small.target]
    out = []
    while todo:
        node = todo.pop()
        if type(node) in (cst.Tuple, cst.List):
            todo.extend(e.value for e in node.elements)
        elif type(node) is cst.StarredElement:
            todo.append(node.value)
        else:
            out.append(node)
    return out


RECORDER: Optional[Recorder] = None  # set by the language server around one analysis
