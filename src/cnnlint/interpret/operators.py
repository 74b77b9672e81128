"""Python's operators on abstract values: comparisons, arithmetic on floats, and joining the values
two branches give a name.
"""
from __future__ import annotations

from cnnlint import dims
from cnnlint.abstract.values import (UnknownPlain, INCOMPLETE_KEY, Layer, NameListing, Obj, Qual, SymFloat, SymbolicObj,
                                     Tensor, Unknown, _MISSING)
from cnnlint.overlays.torch_names import has_name


def _float_binop(op: str, left, right):
    """Arithmetic where Python gives a float and a size is symbolic (``4.0 * dim``, ``dim / 2``):
    a SymFloat, exact; a concrete result is a plain float."""
    floats = type(left) is SymFloat or type(right) is SymFloat or type(left) is float or type(right) is float
    a = left.expr if type(left) is SymFloat else left
    b = right.expr if type(right) is SymFloat else right
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) or dims.is_symbolic(v) for v in (a, b)):
        return Unknown(f"operator {op}")
    a, b = dims.exact(a), dims.exact(b)
    if a is None or b is None:
        return Unknown("arithmetic")
    try:
        if op == "Add":
            out = a + b
        elif op == "Subtract":
            out = a - b
        elif op == "Multiply":
            out = a * b
        elif op == "Divide":
            floats = True
            out = a / b
        elif op == "Power":
            if not floats and dims.as_int(b) is not None and dims.as_int(b) >= 0:
                return dims.norm(a ** b)  # an int to a whole power: an int
            floats = True
            out = a ** b
        elif op == "FloorDivide":
            q = dims.floordiv(a, b) if b != 0 else None
            if q is None:
                return Unknown("floor division")
            out = q
        else:
            return Unknown(f"operator {op} on a float")
    except Exception:
        return Unknown("arithmetic")
    if dims.is_symbolic(out) and out.has(dims.sympy().zoo, dims.sympy().nan):
        return Unknown("arithmetic")
    if not dims.is_symbolic(out) or out.is_Number:
        value = dims.norm(out) if not dims.is_symbolic(out) else out
        try:
            return float(value) if floats else dims.norm(value)
        except (TypeError, ValueError):
            return Unknown("arithmetic")
    return SymFloat(out) if floats else dims.norm(out)


def join(a, b, node):
    """The value a name has after two paths that may set it differently."""
    if a is b:
        return a
    if a is _MISSING or b is _MISSING:
        return Unknown("set on one path only")
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape):
            shape = tuple(x if dims.same(x, y) else None for x, y in zip(a.shape, b.shape))
            return Tensor(shape)
        return Tensor(None)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Tensor(None)
    try:
        if type(a) is type(b) and not isinstance(a, (Layer, Obj)) and a == b:
            return a
    except Exception:
        pass
    if dims.is_dim(a) and dims.is_dim(b) and dims.same(a, b):
        return a
    return Unknown("differs between the branches of a condition")


def _same_torch_class(left, right):
    """For two names of torch.nn classes (`torch.nn.ReLU`, `torch.nn.modules.activation.ReLU`):
    whether they name the same class; None for anything else."""
    if isinstance(left, Qual) and isinstance(right, Qual) and left.name.startswith("torch.nn.") and \
            right.name.startswith("torch.nn.") and not left.name.startswith("torch.nn.functional.") and \
            not right.name.startswith("torch.nn.functional."):
        return left.name.rsplit(".", 1)[1] == right.name.rsplit(".", 1)[1]
    return None


def compare(op: str, left, right):
    if type(left) is SymFloat:
        left = left.expr
    if type(right) is SymFloat:
        right = right.expr
    same_class = _same_torch_class(left, right)
    if same_class is not None and op in ("Is", "IsNot", "Equal", "NotEqual"):
        return same_class if op in ("Is", "Equal") else not same_class  # `type(m) is nn.ReLU`
    if op in ("Is", "IsNot"):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return UnknownPlain("identity test")
        r = left is right or (left is None and right is None)
        if isinstance(left, (int, str, bool)) and isinstance(right, (int, str, bool)):
            r = left == right and type(left) is type(right)
        return r if op == "Is" else not r
    if op in ("In", "NotIn"):
        if isinstance(right, (set, frozenset)) and (isinstance(left, (Unknown, SymbolicObj, Tensor)) or
                                                    dims.is_symbolic(left)):
            return UnknownPlain("membership")
        if isinstance(right, (list, tuple, dict, str, set, frozenset)) and not isinstance(left, Unknown):
            try:
                if isinstance(right, (list, tuple)) and any(isinstance(v, Unknown) for v in right):
                    return UnknownPlain("membership")
                if isinstance(right, dict) and INCOMPLETE_KEY in right:
                    return UnknownPlain("membership")
                r = left in right
            except Exception:
                return UnknownPlain("membership")
            return r if op == "In" else not r
        if isinstance(right, Layer) and isinstance(left, str):
            r = left in right.children
            return r if op == "In" else not r
        if isinstance(right, NameListing) and isinstance(left, str):
            if has_name(right.module, left):  # `"silu" in dir(F)`: known names only, never False
                return op == "In"
        return UnknownPlain("membership")
    if isinstance(left, (Unknown, Tensor, SymbolicObj)) or isinstance(right, (Unknown, Tensor, SymbolicObj)):
        return UnknownPlain("comparison")
    try:
        if op == "Equal":
            if dims.is_symbolic(left) or dims.is_symbolic(right):
                return True if dims.same(left, right) else UnknownPlain("symbolic comparison")
            return left == right
        if op == "NotEqual":
            if dims.is_symbolic(left) or dims.is_symbolic(right):
                return False if dims.same(left, right) else UnknownPlain("symbolic comparison")
            return left != right
        fn = {"LessThan": lambda a, b: a < b, "GreaterThan": lambda a, b: a > b,
              "LessThanEqual": lambda a, b: a <= b, "GreaterThanEqual": lambda a, b: a >= b}[op]
        r = fn(left, right)
        if dims.is_symbolic(r) or not isinstance(r, bool):
            try:
                return bool(r)
            except TypeError:
                return UnknownPlain("symbolic comparison")
        return r
    except Exception:
        return UnknownPlain("comparison")
