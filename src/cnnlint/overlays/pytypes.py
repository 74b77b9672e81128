"""Python's own type objects in ``isinstance``/``issubclass``: ``type``, ``types.FunctionType``,
``functools.partial``, ``typing.Callable``/``collections.abc.Callable``, as model factories use
them to tell a layer class from a name or a partial (``isinstance(norm_layer, (type, str,
types.FunctionType, functools.partial))``). Each answer is True, False or None (cannot tell)."""
from __future__ import annotations

from typing import Any, Optional

from cnnlint.abstract.classes import bases, lookup_class, mro, torch_base
from cnnlint.abstract.values import (ArgParser, Builtin, Function, Layer, Namespace, Obj, Partial, Qual,
                                     SymbolicObj, Tensor, Unknown, UserClass)
from cnnlint.abstract.values import _MISSING
from cnnlint.layers.hierarchy import layer_is

# builtins that are classes (isinstance(int, type) is True); the other builtins are functions
_CLASSES = {"int", "float", "bool", "str", "list", "tuple", "dict", "set", "frozenset", "type", "object",
            "range", "enumerate", "zip", "map", "filter", "reversed", "bytes", "complex", "slice", "super",
            "property", "staticmethod", "classmethod"}
_FUNCTION_TYPES = ("types.FunctionType", "types.LambdaType")
_CALLABLE = ("typing.Callable", "collections.abc.Callable")
_PARTIAL = ("functools.partial",)
_INTEGRAL = ("numbers.Integral",)
_REAL = ("numbers.Real", "numbers.Number", "numbers.Rational")
_ITERABLE = ("collections.abc.Iterable", "typing.Iterable")
_SEQUENCE = ("collections.abc.Sequence", "typing.Sequence")
_ABCS = _INTEGRAL + _REAL + _ITERABLE + _SEQUENCE
_NONE_TYPE = ("types.NoneType",)
NONE_TYPE = Qual("types.NoneType")  # what type(None) gives: one object, so `is` holds
_DATA = (int, float, str, bytes, list, tuple, dict, set, frozenset, type(None), Tensor, ArgParser, Namespace)


def torch_class(value: Any) -> Optional[str]:
    """'Conv2d' for the class torch.nn.Conv2d (a Qual), else None."""
    if isinstance(value, Qual) and value.name.startswith("torch.nn.") and value.name.count(".") >= 2:
        last = value.name.rsplit(".", 1)[1]
        if last[:1].isupper() and not value.name.startswith("torch.nn.functional."):
            return last
    return None


def is_type_object(kind: Any) -> bool:
    """Whether ``isinstance(x, kind)`` is one this module answers."""
    if isinstance(kind, Builtin) and kind.bound is None and kind.name == "type":
        return True
    if torch_class(kind) is not None:
        return True
    return isinstance(kind, Qual) and kind.name in _FUNCTION_TYPES + _CALLABLE + _PARTIAL + _ABCS + _NONE_TYPE


def _is_class(value: Any) -> Optional[bool]:
    if isinstance(value, UserClass) or torch_class(value) is not None:
        return True
    if isinstance(value, Builtin):
        return value.bound is None and value.name in _CLASSES
    if isinstance(value, (Function, Partial, Layer, Obj) + _DATA):
        return False
    return None


def _is_function(value: Any) -> Optional[bool]:
    """A plain Python function or lambda (not a bound method, builtin, class or partial)."""
    if isinstance(value, Function):
        return value.bound is None
    if isinstance(value, (UserClass, Partial, Layer, Obj, Builtin) + _DATA) or torch_class(value) is not None:
        return False
    return None


def _is_callable(it, value: Any) -> Optional[bool]:
    if isinstance(value, (Function, Partial, UserClass, Builtin, Layer)) or torch_class(value) is not None:
        return True
    if isinstance(value, Obj):
        if value.cls.is_module:
            return True

        found, _ = lookup_class(it, value.cls, "__call__")
        return found is not _MISSING
    if isinstance(value, _DATA):
        return False
    return None


def instance_of(it, value: Any, kind: Any) -> Optional[bool]:
    """isinstance(value, kind) for a type object ``kind`` (see is_type_object)."""
    if isinstance(value, (Unknown, SymbolicObj)):
        return None
    if isinstance(kind, Builtin):
        return _is_class(value)
    if kind.name in _FUNCTION_TYPES:
        return _is_function(value)
    if kind.name in _PARTIAL:
        if isinstance(value, Partial):
            return True
        return False if _is_class(value) is not None else None
    if kind.name in _ABCS:
        if isinstance(value, Obj) and not value.cls.is_module:
            return _plain_instance(it, value.cls, kind.name)
        return _abc_instance(kind.name, value)
    if kind.name in _NONE_TYPE:
        return value is None
    torch_kind = torch_class(kind)
    if torch_kind is not None:
        return _torch_instance(it, value, torch_kind)
    return _is_callable(it, value)


def _plain_instance(it, cls: UserClass, name: str) -> Optional[bool]:
    """isinstance of an instance of a user class (a config dataclass) against a numbers or
    collections ABC: False when every class it derives from is a user class or ``object``
    (a NamedTuple is a tuple, so a Sequence and an Iterable, and no number)."""
    for c in mro(it, cls):
        for b in bases(it, c):
            if isinstance(b, UserClass):
                continue
            if isinstance(b, Qual) and b.name in ("typing.NamedTuple", "collections.namedtuple"):
                return name in _SEQUENCE + _ITERABLE
            if isinstance(b, Builtin) and b.name == "object":
                continue
            return None  # a base cnnlint does not know may make it one
    return False


def _abc_instance(name: str, value: Any) -> Optional[bool]:
    """numbers.Integral / Real / Number, collections.abc.Iterable / Sequence."""
    from cnnlint import dims

    if name in _INTEGRAL + _REAL:
        if isinstance(value, int) or dims.is_symbolic(value):  # a size is an int (bool is Integral too)
            return True
        if isinstance(value, float):
            return name not in _INTEGRAL
        return False if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset, type(None), Tensor, Layer,
                                           Function, Partial, UserClass)) else None
    if name in _SEQUENCE:
        if isinstance(value, (list, tuple, str, bytes)):
            return True
        return False if isinstance(value, (int, float, dict, set, frozenset, type(None), Tensor, Layer, Function,
                                           Partial, UserClass)) or dims.is_symbolic(value) else None
    if isinstance(value, (list, tuple, str, bytes, dict, set, frozenset, Tensor)):  # Iterable
        return True
    if isinstance(value, Layer):
        return value.kind in ("Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict")
    return False if isinstance(value, (int, float, type(None), Function, Partial, UserClass)) or \
        dims.is_symbolic(value) else None


def _torch_instance(it, value: Any, kind: str) -> Optional[bool]:
    """isinstance(value, nn.<kind>) for an instance of a user class: from the torch.nn classes
    among its bases (a class with no torch.nn base and only known bases is none of them)."""
    if not isinstance(value, Obj):
        return None

    answers = []
    for c in mro(it, value.cls):
        for b in bases(it, c):
            if isinstance(b, UserClass):
                continue
            base_kind = torch_class(b)
            if base_kind is None:
                return None  # a base cnnlint cannot see into
            answers.append(layer_is(base_kind, kind))
    if any(a is True for a in answers):
        return True
    return False if all(a is False for a in answers) else None


def subclass_of(it, cls: Any, base: Any) -> Optional[bool]:
    """issubclass(cls, base) for user classes and torch.nn classes; None when cnnlint cannot tell
    (and when ``cls`` is not a class: Python raises TypeError there)."""
    if isinstance(base, tuple):
        answers = [subclass_of(it, cls, b) for b in base]
        if any(a is True for a in answers):
            return True
        return False if all(a is False for a in answers) else None
    if isinstance(base, Builtin) and base.bound is None and base.name == "object":
        return True if _is_class(cls) else None
    if isinstance(cls, UserClass):
        if isinstance(base, UserClass):
            return base in mro(it, cls)
        kind = torch_class(base)
        if kind is not None:
            found = torch_base(it, cls)
            if found is None:
                # no torch.nn base among its classes: a plain class, unless a base is unknown
                return False if all(isinstance(b, UserClass) for b in _all_bases(it, cls)) else None
            return layer_is(found, kind)
        return None
    own = torch_class(cls)
    if own is not None:
        if isinstance(base, UserClass):
            return False  # a torch class never derives from a class of the checked code
        kind = torch_class(base)
        return layer_is(own, kind) if kind is not None else None
    return None


def _all_bases(it, cls: UserClass):
    out = []
    for c in mro(it, cls):
        out.extend(bases(it, c))
    return out


def class_name(value: Any) -> Optional[str]:
    """``cls.__name__`` of a user class or a torch.nn class; a function's ``__name__``."""
    if isinstance(value, UserClass):
        return value.name
    if isinstance(value, Function) and value.name != "<lambda>":
        return value.name
    return torch_class(value)


def symbolic_extreme(fn, items) -> Any:
    """max()/min() of sizes some of which are symbolic: sympy's Max/Min, which is exact (Python
    returns one of the items; for sizes, equal values are interchangeable). Anything but sizes
    (floats, strings) stays unknown."""
    from cnnlint import dims

    if not items or not all(dims.is_dim(v) for v in items):
        return Unknown("min/max of symbolic sizes")
    sp = dims.sympy()
    try:
        return dims.norm((sp.Max if fn is max else sp.Min)(*items))
    except (TypeError, ValueError):
        return Unknown("min/max of symbolic sizes")


def type_of(value: Any) -> Optional[str]:
    """``type(value)`` for plain Python values: a builtin class's name ('int', 'str', ...) or
    'types.NoneType' (NONE_TYPE); None when cnnlint cannot tell."""
    if value is None:
        return "types.NoneType"
    for py in (bool, int, float, str, list, tuple, dict, set, frozenset):
        if type(value) is py:
            return py.__name__
    return None
