"""The interpreter's expressions: names, literals, operators, attributes, subscripts and
comprehensions. A mixin of ``core.Interp``.
"""
from __future__ import annotations

from typing import Any, Dict

import libcst as cst

from cnnlint import dims
from cnnlint.abstract.mutation import _STAR_UNKNOWN
from cnnlint.abstract.scope import Scope
from cnnlint.abstract.values import (UnknownPlain, Builtin, Function, INCOMPLETE, Layer, Obj, Partial, Qual, SizeTuple,
                                     SymFloat, SymbolicObj, Tensor, Unknown, UserClass, _MISSING)
from cnnlint.interpret.imports import resolve as _resolve
from cnnlint.interpret.library import (BUILTINS as _BUILTINS, get_attribute as _get_attribute, iterate as
                                       _iterate, subscript as _subscript, tensor_binop as _tensor_binop)
from cnnlint.interpret.limits import MAX_LOOP
from cnnlint.interpret.operators import _float_binop, compare, join
from cnnlint.overlays.tensor_methods import compare_tensors


class Expressions:
    def eval(self, node, scope: Scope):
        self.steps += 1  # self.tick(), inline: this runs for every expression
        if self.steps >= self.next_check:
            self.check_budget()
        method = _EVAL.get(type(node))
        if method is None:
            method = _EVAL[type(node)] = getattr(type(self), "eval_" + type(node).__name__, _eval_unknown)
        return method(self, node, scope)

    def eval_Name(self, node, scope):
        name = node.value
        value = scope.vars.get(name, _MISSING)  # a local name, the common case
        if value is _MISSING:
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            value = scope.lookup(name)
        if value is not _MISSING:
            if isinstance(value, Qual) and value.origin:
                found = _resolve(self, value)
                if found is not None:
                    return found
            return value
        if name in _BUILTINS:
            return _BUILTINS[name]
        return Unknown(f"name '{name}' is not defined in this file")

    def eval_Integer(self, node, scope):
        return int(node.value.replace("_", ""), 0) if not node.value.startswith("0") or node.value == "0" or \
            node.value[:2].lower() in ("0x", "0o", "0b") else int(node.value.replace("_", ""))

    def eval_Float(self, node, scope):
        return float(node.value.replace("_", ""))

    def eval_Imaginary(self, node, scope):
        return Unknown("complex number")

    def eval_SimpleString(self, node, scope):
        text = node.value
        if "\\" not in text and "\r" not in text and text[:1] in "'\"":  # no prefix, escape or CR: as written
            quote = 3 if text[:3] in ('"""', "\'\'\'") else 1
            return text[quote:-quote]
        try:
            value = node.evaluated_value
        except Exception:
            return Unknown("string")
        return value if isinstance(value, str) else Unknown("bytes")

    def eval_ConcatenatedString(self, node, scope):
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return Unknown("string")

    def eval_FormattedString(self, node, scope):
        parts = []
        for part in node.parts:
            if type(part) is cst.FormattedStringText:
                parts.append(part.value)
                continue
            value = self.eval(part.expression, scope)
            if isinstance(value, SymbolicObj) or isinstance(value, (Unknown, Tensor)) or \
                    not isinstance(value, (int, float, str, bool)) or part.format_spec is not None:
                return Unknown("f-string")
            parts.append(str(value))
        return "".join(parts)

    def eval_Ellipsis(self, node, scope):
        return Ellipsis

    def eval_Tuple(self, node, scope):
        items = self.eval_elements(node.elements, scope)
        return items if isinstance(items, Unknown) else tuple(items)

    def eval_List(self, node, scope):
        items = self.eval_elements(node.elements, scope)
        return items if isinstance(items, Unknown) else list(items)

    def eval_Set(self, node, scope):
        return _BUILTINS["set"].fn(self, [self.eval_elements(node.elements, scope)], {}, node)

    def eval_elements(self, elements, scope):
        out = []
        for el in elements:
            if type(el) is cst.StarredElement:
                items = self.iterate(self.eval(el.value, scope))
                if isinstance(items, Unknown):
                    return [_STAR_UNKNOWN]  # length unknown
                out.extend(items)
            else:
                out.append(self.eval(el.value, scope))
        return out

    def eval_Dict(self, node, scope):
        out = {}
        for el in node.elements:
            if type(el) is cst.StarredDictElement:
                other = self.eval(el.value, scope)
                if not isinstance(other, dict):
                    return Unknown("dict unpacks entries cnnlint cannot list")
                out.update(other)
                continue
            key = self.eval(el.key, scope)
            if isinstance(key, Unknown):
                return Unknown("dict with an unknown key")
            try:
                out[key] = self.eval(el.value, scope)
            except TypeError:
                return Unknown("dict key")
        return out

    def eval_Comparison(self, node, scope):
        left = self.eval(node.left, scope)
        result: Any = True
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            if (isinstance(left, Tensor) or isinstance(right, Tensor)) and len(node.comparisons) == 1:
                found = compare_tensors(self, type(target.operator).__name__, left, right, node)
                if found is not None:
                    return found
            r = compare(type(target.operator).__name__, left, right)
            if r is False:
                return False
            if isinstance(r, Unknown):
                result = r
            left = right
        return result

    def eval_BooleanOperation(self, node, scope):
        left = self.eval(node.left, scope)
        t = self.truth(left)
        if type(node.operator) is cst.And:
            if t is False:
                return left
            right = self.eval(node.right, scope)
            return right if t is True else (Unknown("condition") if self.truth(right) is not False else False)
        if t is True:
            return left
        right = self.eval(node.right, scope)
        return right if t is False else (Unknown("condition") if self.truth(right) is not True else True)

    def eval_UnaryOperation(self, node, scope):
        value = self.eval(node.expression, scope)
        op = type(node.operator).__name__
        if op == "Not":
            t = self.truth(value)
            return UnknownPlain("condition") if isinstance(t, Unknown) else not t
        if isinstance(value, Tensor):
            return value
        if isinstance(value, SymFloat):
            return SymFloat(-value.expr) if op == "Minus" else value if op == "Plus" else Unknown("unary operation")
        if op == "Minus" and (dims.is_dim(value) or isinstance(value, float)):
            return dims.norm(-value)
        if op == "Plus":
            return value
        if op == "BitInvert" and isinstance(value, int):
            return ~value
        return Unknown("unary operation")

    def eval_BinaryOperation(self, node, scope):
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binop(type(node.operator).__name__, left, right, node)

    def binop(self, op: str, left, right, node):
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return _tensor_binop(self, op, left, right, node)
        if isinstance(left, SymbolicObj):
            left = self.symbol(left.name)
        if isinstance(right, SymbolicObj):
            right = self.symbol(right.name)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            # `a + b` may join two nn.Sequential; any other operator's result holds no module
            return Unknown("arithmetic on an unknown value") if op == "Add" else \
                UnknownPlain("arithmetic on an unknown value")
        if left is None or right is None:
            return Unknown("arithmetic on None")
        if type(left) is SymFloat or type(right) is SymFloat or (
                (dims.is_symbolic(left) or dims.is_symbolic(right)) and
                (op in ("Divide", "Power") or type(left) is float or type(right) is float)):
            return _float_binop(op, left, right)
        try:
            if op == "Add":
                return dims.norm(left + right)
            if op == "Subtract":
                return dims.norm(left - right)
            if op == "Multiply":
                if isinstance(left, (list, tuple, str)) and not isinstance(right, int):
                    return Unknown("sequence repeat")
                if isinstance(right, (list, tuple, str)) and not isinstance(left, int):
                    return Unknown("sequence repeat")
                out = left * right
                return SizeTuple(out) if isinstance(left, SizeTuple) else dims.norm(out)
            if op == "Divide":
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return dims.norm(left / right)
                return left / right
            if op == "FloorDivide":
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return dims.floordiv(left, right)
                return left // right
            if op == "Modulo":
                if isinstance(left, str):
                    values = right if isinstance(right, tuple) else (right,)
                    if all(isinstance(v, (int, float, str)) for v in values):
                        return left % right
                    return Unknown("string formatting")
                if dims.is_symbolic(left) or dims.is_symbolic(right):
                    return Unknown("symbolic remainder")
                return left % right
            if op == "Power":
                if isinstance(right, int) and abs(right) > 64:
                    return Unknown("large power")
                return dims.norm(left ** right)
            if op in ("BitOr", "BitAnd", "BitXor", "LeftShift", "RightShift") and isinstance(left, int) \
                    and isinstance(right, int):
                return {"BitOr": left | right, "BitAnd": left & right, "BitXor": left ^ right,
                        "LeftShift": left << min(right, 64), "RightShift": left >> right}[op]
        except Exception:
            return Unknown("arithmetic") if op == "Add" else UnknownPlain("arithmetic")
        return Unknown(f"operator {op}")

    def eval_IfExp(self, node, scope):
        t = self.truth(self.eval(node.test, scope))
        if t is True:
            return self.eval(node.body, scope)
        if t is False:
            return self.eval(node.orelse, scope)
        a, b = self.eval(node.body, scope), self.eval(node.orelse, scope)
        return join(a, b, node)

    def eval_Lambda(self, node, scope):
        return Function("<lambda>", node, scope)

    def eval_Attribute(self, node, scope):
        obj = self.eval(node.value, scope)
        name = node.attr.value
        if type(obj) is Obj:  # `self.conv1`: a submodule or attribute, the common case
            found = obj.children.get(name, _MISSING)
            if found is not _MISSING:
                return found
        return _get_attribute(self, obj, name, node)

    def eval_Subscript(self, node, scope):
        subscript = _subscript
        value = self.eval(node.value, scope)
        keys = []
        for el in node.slice:
            s = el.slice
            if type(s) is cst.Index:
                keys.append(self.eval(s.value, scope))
            else:
                parts = [None if p is None else self.eval(p, scope) for p in (s.lower, s.upper, s.step)]
                if any(isinstance(p, Unknown) for p in parts):
                    keys.append(Unknown("slice bound"))
                else:
                    try:
                        keys.append(slice(*parts))
                    except TypeError:
                        keys.append(Unknown("slice"))
        key = keys[0] if len(keys) == 1 else tuple(keys)
        return subscript(self, value, key, node)

    def eval_ListComp(self, node, scope):
        return self.comprehension(node, scope, list)

    def eval_GeneratorExp(self, node, scope):
        return self.comprehension(node, scope, list)

    def eval_SetComp(self, node, scope):
        out = self.comprehension(node, scope, list)
        return _BUILTINS["set"].fn(self, [out], {}, node) if isinstance(out, list) else out

    def eval_DictComp(self, node, scope):
        out = self.comprehension(node, scope, list, pairs=True)
        return dict(out) if isinstance(out, list) else out

    def comprehension(self, node, scope, kind, pairs=False):
        local = Scope(scope)
        results = []

        def run(for_in, depth):
            items = self.iterate(self.eval(for_in.iter, local))
            if isinstance(items, Unknown) or len(items) > MAX_LOOP:
                raise _CompUnknown()
            for item in items:
                self.assign(for_in.target, item, local)
                ok = True
                for cond in for_in.ifs:
                    t = self.truth(self.eval(cond.test, local))
                    if isinstance(t, Unknown):
                        raise _CompUnknown()
                    if not t:
                        ok = False
                        break
                if not ok:
                    continue
                if for_in.inner_for_in is not None:
                    run(for_in.inner_for_in, depth + 1)
                elif pairs:
                    key = self.eval(node.key, local)
                    if isinstance(key, Unknown):
                        raise _CompUnknown()
                    results.append((key, self.eval(node.value, local)))
                else:
                    results.append(self.eval(node.elt, local))

        try:
            run(node.for_in, 0)
        except _CompUnknown:
            return Unknown("a comprehension over values cnnlint cannot list")
        return kind(results)

    def eval_NamedExpr(self, node, scope):
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    def eval_Await(self, node, scope):
        return Unknown("await")

    def eval_Yield(self, node, scope):
        return Unknown("yield")

    def truth(self, value):
        if isinstance(value, (Unknown, Tensor, SymbolicObj)):
            return Unknown("condition")
        if type(value) is SymFloat:
            value = value.expr
        if dims.is_symbolic(value):
            try:
                return bool(value)
            except TypeError:
                return Unknown("condition on a symbolic size")
        if isinstance(value, Layer) and value.is_container:
            return Unknown("condition") if INCOMPLETE in value.children else bool(value.children)
        if isinstance(value, (Layer, Obj, Function, Builtin, UserClass, Qual, Partial)):
            return True
        if isinstance(value, (list, tuple)) and any(v is _STAR_UNKNOWN for v in value):
            return Unknown("condition")
        try:
            return bool(value)
        except Exception:
            return Unknown("condition")

    def iterate(self, value):
        return _iterate(self, value)

    def getattr(self, obj, name: str, node=None):
        return _get_attribute(self, obj, name, node)


_CONSTANTS = {"None": None, "True": True, "False": False}


_EVAL: Dict[type, Any] = {}


def _eval_unknown(interp, node, scope):
    return Unknown(f"{type(node).__name__} expression")


class _CompUnknown(Exception):
    pass
