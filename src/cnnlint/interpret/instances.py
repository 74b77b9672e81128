"""Instances of user classes: calling a class (``__init__``, torch base classes, dataclasses, enums),
reading an attribute of an instance, and ``super()``.
"""
from __future__ import annotations

from cnnlint.abstract.classes import (bind_value, dataclass_init, enum_member, is_dataclass, lookup_class,
                                      mro, torch_base)
from cnnlint.abstract.values import (Builtin, Function, INCOMPLETE, Layer, Obj, SuperProxy, Unknown,
                                     UserClass, _MISSING)
from cnnlint.interpret.module_methods import layer_attribute, module_method
from cnnlint.interpret.modules import apply_layer, build_container, build_layer
from cnnlint.layers.base import LAYERS


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
        built = build_container(interp, base, list(args), dict(kwargs), node)
        if isinstance(built, Layer):
            obj.children.update(built.children)
        else:
            obj.children[INCOMPLETE] = built
    elif base in LAYERS:
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

        layer = obj.base_layer
        return Builtin("forward", lambda it, a, k, n: apply_layer(
            it, layer, a[0] if a else k.get("input", Unknown("no input")), n, None, tuple(a[1:]),
            {key: v for key, v in k.items() if key != "input"}))
    return Unknown(f"super().{name}")
