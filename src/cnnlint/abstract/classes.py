"""User classes: bases, MRO, class attributes and methods, dataclass fields and Enum members.
(Calling a class and ``super()`` are the evaluator's: interpret/instances.py.)"""
from __future__ import annotations

from typing import Any, List, Optional

import libcst as cst

from cnnlint.abstract.scope import Scope, dotted
from cnnlint.abstract.values import Builtin, EnumMember, Function, Obj, Qual, Unknown, UserClass, _MISSING

MODULE_BASES = {"torch.nn.Module", "torch.nn.modules.module.Module", "nn.Module"}


class Property:
    def __init__(self, func: Function):
        self.func = func


def bases(interp, cls: UserClass) -> List[Any]:
    if not cls.bases and cls.header.bases:
        resolved = []
        for arg in cls.header.bases:
            if arg.keyword is None:
                resolved.append(interp.eval(arg.value, cls.scope))
        cls.bases = tuple(resolved)
    return list(cls.bases)


def torch_base(interp, cls: UserClass, seen=None) -> Optional[str]:
    """'Module', 'Sequential', ... when the class derives from a torch.nn class."""
    seen = seen or set()
    if id(cls) in seen:
        return None
    seen.add(id(cls))
    for base in bases(interp, cls):
        if isinstance(base, Qual) and base.name.startswith("torch.nn."):
            return base.name.rsplit(".", 1)[1]
        if isinstance(base, Qual) and base.name in ("torch.jit.ScriptModule", "torch.jit.ScriptModule"):
            return "Module"
        if isinstance(base, UserClass):
            found = torch_base(interp, base, seen)
            if found:
                return found
    return None


def is_autograd_function(interp, cls: UserClass) -> bool:
    return any(isinstance(b, Qual) and b.name in ("torch.autograd.Function", "torch.autograd.function.Function")
               for c in mro(interp, cls) for b in bases(interp, c))


def is_module_class(interp, cls: UserClass) -> bool:
    return torch_base(interp, cls) is not None


def mro(interp, cls: UserClass) -> List[UserClass]:
    if cls.mro is not None:  # bases are read once and never change
        return cls.mro
    out: List[UserClass] = []

    def walk(c):
        if c in out:
            return
        out.append(c)
        for b in bases(interp, c):
            if isinstance(b, UserClass):
                walk(b)

    walk(cls)
    cls.mro = out
    return out


def class_attrs(interp, cls: UserClass) -> dict:
    """The class body's names, evaluated once."""
    if "__evaluated__" not in cls.attrs:
        cls.attrs["__evaluated__"] = True
        scope = Scope(cls.scope)
        for stmt in cls.node.body.body:
            if type(stmt) is cst.FunctionDef:
                fn = Function(stmt.name.value, stmt, cls.scope, owner=cls)
                kind = _decorator_kind(stmt)
                if kind == "property":
                    cls.attrs[fn.name] = Property(fn)
                elif kind == "staticmethod":
                    cls.attrs[fn.name] = ("static", fn)
                elif kind == "classmethod":
                    cls.attrs[fn.name] = ("classmethod", fn)
                else:
                    cls.attrs[fn.name] = fn
            elif type(stmt) is cst.SimpleStatementLine:
                try:
                    for small in stmt.body:
                        interp.exec_small(small, scope)
                except Exception:
                    continue
        for k, v in scope.vars.items():
            cls.attrs.setdefault(k, v)
    return cls.attrs


def is_dataclass(cls: UserClass) -> bool:
    """@dataclass classes, and typing.NamedTuple classes (their fields work the same way)."""
    header = cls.header
    for b in header.bases:
        if b.keyword is None and (dotted(b.value) or "").split(".")[-1] == "NamedTuple":
            return True
    for d in header.decorators:
        expr = d.decorator.func if type(d.decorator) is cst.Call else d.decorator
        name = expr.value if type(expr) is cst.Name else (expr.attr.value if type(expr) is cst.Attribute else "")
        if name == "dataclass":
            return True
    return False


def dataclass_fields(interp, cls: UserClass) -> list:
    """The fields @dataclass gives ``cls``, in order: (name, default expression or None, the
    class that declares it)."""
    fields = []
    for c in reversed(mro(interp, cls)):
        if not is_dataclass(c):
            continue
        for stmt in c.node.body.body:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) is cst.AnnAssign and type(small.target) is cst.Name:
                        name = small.target.value
                        fields = [f for f in fields if f[0] != name]
                        fields.append((name, small.value, c))
    return fields


def dataclass_replace(interp, obj, changes: dict, node):
    """``dataclasses.replace(obj, **changes)``: the class built again from obj's fields, the
    changed ones replaced (so __post_init__ runs, as in Python); None when obj is no dataclass
    instance cnnlint knows."""
    if not isinstance(obj, Obj) or not any(is_dataclass(c) for c in mro(interp, obj.cls)):
        return None
    kwargs = {}
    for name, _, _ in dataclass_fields(interp, obj.cls):
        if name in changes:
            kwargs[name] = changes[name]
        elif name in obj.attrs or name in obj.children:
            kwargs[name] = obj.attrs[name] if name in obj.attrs else obj.children[name]
        else:
            return None
    if set(changes) - set(kwargs):
        return None  # a name that is no field: Python's TypeError, left to Python
    return interp.call(obj.cls, [], kwargs, node)


def dataclass_init(interp, cls: UserClass):
    """The __init__ that @dataclass writes: fields in order, with their defaults."""
    fields = dataclass_fields(interp, cls)

    def init(it, obj, args, kwargs, node):
        for i, (name, default, owner) in enumerate(fields):
            if i < len(args):
                value = args[i]
            elif name in kwargs:
                value = kwargs[name]
            elif default is not None:
                value = _field_default(it, default, owner)
            else:
                value = Unknown(f"missing dataclass field {name}")
            it.setattr(obj, name, value)
        post = lookup_method(it, obj, "__post_init__")
        if isinstance(post, Function):
            it.call(post, [], {}, node)
        return None

    return init


def _field_default(it, default, owner):
    """A dataclass field's default: the value, or what ``field(default=..)`` /
    ``field(default_factory=..)`` gives."""
    if type(default) is cst.Call and (type(default.func) is cst.Name and default.func.value == "field" or
                                      type(default.func) is cst.Attribute and default.func.attr.value == "field"):
        for arg in default.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return it.eval(arg.value, Scope(owner.scope))
            if arg.keyword is not None and arg.keyword.value == "default_factory":
                factory = it.eval(arg.value, Scope(owner.scope))
                return it.call(factory, [], {}, default)
        return Unknown("dataclass field without a default")
    return it.eval(default, Scope(owner.scope))


def _decorator_kind(fn: cst.FunctionDef) -> Optional[str]:
    for d in fn.decorators:
        expr = d.decorator
        name = expr.value if type(expr) is cst.Name else (expr.attr.value if type(expr) is cst.Attribute else None)
        if name in ("property", "staticmethod", "classmethod"):
            return name
        if name in ("setter", "getter", "deleter"):
            return "property"
    return None


def lookup_class(interp, cls: UserClass, name: str, after: Optional[UserClass] = None):
    """(value, owner) of the first class in the MRO (after ``after``) that defines ``name``."""
    order = mro(interp, cls)
    if after is not None and after in order:
        order = order[order.index(after) + 1:]
    for c in order:
        attrs = class_attrs(interp, c)
        if name in attrs:
            return attrs[name], c
    return _MISSING, None


def bind_value(interp, value, obj, cls):
    if isinstance(value, Function):
        return Function(value.name, value.source, value.scope, bound=obj, owner=value.owner)
    if isinstance(value, Property):
        return interp.call(Function(value.func.name, value.func.source, value.func.scope, bound=obj,
                                    owner=value.func.owner), [], {}, None)
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "static":
        return value[1]
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "classmethod":
        fn = value[1]
        return Function(fn.name, fn.source, fn.scope, bound=cls, owner=fn.owner)
    return value


def lookup_method(interp, obj: Obj, name: str):
    value, _ = lookup_class(interp, obj.cls, name)
    if value is _MISSING:
        return None
    return bind_value(interp, value, obj, obj.cls)


_ENUMS = ("enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag")


def enum_kind(interp, cls: UserClass) -> Optional[str]:
    """None for a class that is no Enum; "value" for a str or int Enum (``class Format(str,
    Enum)``, IntEnum), whose members cnnlint keeps as their values, which compare as the members
    do; "opaque" for any other Enum, whose members' identity cnnlint does not model."""
    if "__enum_kind__" not in cls.attrs:  # bases never change: worked out once per class
        found = [b for c in mro(interp, cls) for b in bases(interp, c)]
        names = {b.name for b in found if isinstance(b, Qual)}
        kind = None
        if names & set(_ENUMS):
            kind = "value" if names & {"enum.IntEnum", "enum.StrEnum", "enum.IntFlag"} or \
                any(isinstance(b, Builtin) and b.name in ("str", "int") for b in found) else "opaque"
        cls.attrs["__enum_kind__"] = kind
    return cls.attrs["__enum_kind__"]


def enum_member(interp, cls: UserClass, args, kwargs):
    """``Format("NHWC")``: the member of an Enum class (None when the class is no Enum)."""
    kind = enum_kind(interp, cls)
    if kind is None:
        return None
    members = {k: v for k, v in class_attrs(interp, cls).items() if _is_member(k, v)}
    if len(args) == 1 and not kwargs:
        if isinstance(args[0], EnumMember) and args[0].cls is cls:
            return args[0]
        if isinstance(args[0], (str, int)) and not isinstance(args[0], bool):
            for name, value in members.items():
                if type(value) is type(args[0]) and value == args[0]:
                    return value if kind == "value" else enum_attribute(interp, cls, name, value)
    return Unknown(f"a member of the Enum {cls.name}")


def _is_member(name: str, value) -> bool:
    return not name.startswith("_") and not isinstance(value, (Function, tuple, Property, UserClass, Builtin))


def enum_attribute(interp, cls: UserClass, name: str, value):
    """``Cls.NAME``: a member of an opaque Enum is one EnumMember object (torchvision's ``Weights``
    enums: ``isinstance(W.IMAGENET1K_V1, WeightsEnum)`` holds, ``W.IMAGENET1K_V1.meta`` reads
    the member's ``value``); anything else is the value itself."""
    if not _is_member(name, value) or enum_kind(interp, cls) != "opaque":
        return value
    # an alias (`DEFAULT = IMAGENET1K_V1`) is the same member: one object per value, named first
    key = f"__member__{id(value)}"
    if key not in cls.attrs:
        first = next((k for k, v in class_attrs(interp, cls).items() if v is value and _is_member(k, v)), name)
        cls.attrs[key] = EnumMember(cls, first, value)
    return cls.attrs[key]


def member_attribute(interp, member: EnumMember, name: str):
    if name == "value":
        return member.value
    if name == "name":
        return member.name
    value, _ = lookup_class(interp, member.cls, name)
    if value is _MISSING:
        return Unknown(f"attribute '{name}' of {member.cls.name}.{member.name}")
    if isinstance(value, (Function, Property)):
        return bind_value(interp, value, member, member.cls)
    return enum_attribute(interp, member.cls, name, value)


