"""User classes: bases, class attributes, methods, instantiation and super()."""
from __future__ import annotations

from typing import Any, List, Optional

import libcst as cst

from cnnlint.interpret.scope import Scope, _MISSING, dotted
from cnnlint.layers import LAYERS
from cnnlint.interpret.values import (Builtin, EnumMember, Function, Layer, Obj, Qual, SuperProxy, Unknown, UserClass)

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


def instantiate(interp, cls: UserClass, args, kwargs, node):
    member = enum_member(interp, cls, args, kwargs)
    if member is not None:
        return member
    base = torch_base(interp, cls)
    cls.is_module = base is not None
    obj = Obj(cls, node=node)
    init, owner = lookup_class(interp, cls, "__init__")
    if init is _MISSING and any(is_dataclass(c) for c in mro(interp, cls)):
        dataclass_init(interp, cls)(interp, obj, args, kwargs, node)
    elif isinstance(init, Function):
        interp.call_function(Function(init.name, init.source, init.scope, bound=obj, owner=owner), args, kwargs, node)
    elif base is not None and base != "Module":
        torch_init(interp, obj, base, args, kwargs, node)
    return obj


def torch_init(interp, obj: Obj, base: str, args, kwargs, node):
    """nn.Module.__init__ / nn.Sequential.__init__ called on a user subclass."""
    if base in ("Sequential", "ModuleList", "ModuleDict"):
        from cnnlint.interpret.modules import build_container

        built = build_container(interp, base, list(args), dict(kwargs), node)
        if isinstance(built, Layer):
            obj.children.update(built.children)
        else:
            from cnnlint.interpret.values import INCOMPLETE

            obj.children[INCOMPLETE] = built
    elif base in LAYERS:
        from cnnlint.interpret.modules import build_layer

        built = build_layer(interp, base, list(args), dict(kwargs), node, {})
        obj.base_layer = built if isinstance(built, Layer) else None
        if obj.base_layer is None:
            obj.params.append(("?", None))
    return None


def attribute(interp, obj: Obj, name: str):
    if name in obj.children:
        return obj.children[name]
    if name in obj.attrs:
        return obj.attrs[name]
    value, owner = lookup_class(interp, obj.cls, name)
    if value is not _MISSING:
        return bind_value(interp, value, obj, obj.cls)
    if obj.base_layer is not None:
        from cnnlint.interpret.library import layer_attribute

        value = layer_attribute(interp, obj.base_layer, name)
        if not isinstance(value, Unknown):
            return value
    if name == "training":
        return interp.read_mode()
    if name == "__class__":
        return obj.cls
    if name == "__setattr__":
        return Builtin("__setattr__", lambda it, a, k, n: it.setattr(obj, a[0], a[1])
                       if len(a) == 2 and isinstance(a[0], str) else None)
    if name == "__getattr__":
        return Builtin("__getattr__", lambda it, a, k, n: attribute(it, obj, a[0])
                       if len(a) == 1 and isinstance(a[0], str) else Unknown("__getattr__"))
    base = torch_base(interp, obj.cls)
    if base is not None:
        from cnnlint.interpret.library import module_method

        method = module_method(obj, name, base)
        if method is not None:
            return method
    return Unknown(f"attribute '{name}' of {obj.cls.name}")


def make_super(interp, scope, args):
    if len(args) >= 2:
        cls, obj = args[0], args[1]
        return SuperProxy(obj, cls if isinstance(cls, UserClass) else None)
    owner = scope.lookup("__class__")
    if owner is _MISSING or owner is None:
        return Unknown("super() outside a method")
    # the first parameter of the current method
    frame = scope
    while frame is not None:
        for v in frame.vars.values():
            if isinstance(v, Obj):
                return SuperProxy(v, owner)
            break
        frame = frame.parent
    return Unknown("super() without self")


def super_attribute(interp, proxy: SuperProxy, name: str):
    obj = proxy.obj
    if not isinstance(obj, Obj):
        return Unknown("super of a non-object")
    value, owner = lookup_class(interp, obj.cls, name, after=proxy.after)
    if value is not _MISSING:
        return bind_value(interp, value, obj, obj.cls)
    base = torch_base(interp, obj.cls)
    if name == "__init__":
        order = mro(interp, obj.cls)
        rest = order[order.index(proxy.after) + 1:] if proxy.after in order else []
        if any(is_dataclass(c) for c in rest):
            target = next(c for c in rest if is_dataclass(c))
            run = dataclass_init(interp, target)
            return Builtin("__init__", lambda it, a, k, n: run(it, obj, a, k, n))
        def init(it, a, k, n):
            return torch_init(it, obj, base or "Module", a, k, n)

        init.takes_unlisted = True  # *args cnnlint cannot list make the container incomplete
        return Builtin("__init__", init)
    if name == "forward" and base == "Sequential":
        def chain(it, a, k, n):
            x = a[0] if a else None
            for child in obj.children.values():
                if child is not None:
                    x = it.call(child, [x], {}, n)
            return x

        return Builtin("forward", chain)
    if name == "forward" and obj.base_layer is not None and not any(k in obj.attrs for k in obj.base_layer.args):
        # `class BNAct(nn.BatchNorm2d)` whose forward calls super().forward(x): the torch layer's own
        # forward, with the arguments it was built with (unless the subclass rebinds one of them)
        from cnnlint.interpret.modules import apply_layer

        layer = obj.base_layer
        return Builtin("forward", lambda it, a, k, n: apply_layer(
            it, layer, a[0] if a else k.get("input", Unknown("no input")), n, None, tuple(a[1:]),
            {key: v for key, v in k.items() if key != "input"}))
    return Unknown(f"super().{name}")
