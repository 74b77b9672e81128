"""Which findings carry an edit, and the edit's text in the author's style."""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from cnnlint.diagnostics import Edit, Fix


def literal_value(node) -> Optional[int]:
    """The int an expression of integer literals computes, else None."""
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(node, cst.BinaryOperation):
        a, b = literal_value(node.left), literal_value(node.right)
        if a is None or b is None:
            return None
        op = type(node.operator).__name__
        if op == "Multiply":
            return a * b
        if op == "Add":
            return a + b
        if op == "Subtract":
            return a - b
        if op == "FloorDivide" and b:
            return a // b
        return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        v = literal_value(node.expression)
        return None if v is None else -v
    return None


def product_literals(node) -> Optional[List[cst.Integer]]:
    """The literals of ``32*8*8`` in order, when the expression is only a product of them."""
    if isinstance(node, cst.Integer):
        return [node]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply) and not node.lpar:
        left, right = product_literals(node.left), product_literals(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None


def make_fix(ctx, finding) -> Optional[Fix]:
    """A fix for a declared size that differs from the inferred one, when the size is written
    as literals in the layer call (so the edit is local and certain)."""
    node = finding.arg_node
    inferred = finding.inferred
    if node is None or not isinstance(inferred, int) or literal_value(node) is None:
        return None
    edits = []
    literals = product_literals(node)
    factors = finding.factors
    if literals and factors and len(literals) == len(factors) and len(literals) > 1 and \
            all(isinstance(f, int) or (hasattr(f, "is_Integer") and f.is_Integer) for f in factors):
        for lit, f in zip(literals, factors):
            if literal_value(lit) != int(f):
                edits.append(Edit(ctx.span(lit), str(int(f))))
    if not edits:
        edits = [Edit(ctx.span(node), str(inferred))]
    safe = finding.code == "CNN102" or (finding.code == "CNN101" and not finding.options)
    return Fix(f"set {finding.declared} to {inferred}", tuple(edits), safe=safe)
