"""Attributes and methods of nn.Module and of torch layers: ``children()``, ``named_modules()``,
``parameters()``, ``add_module``, ``in_features`` / ``kernel_size`` / ``weight``, ...
"""
from __future__ import annotations

from cnnlint.abstract import classes
from cnnlint.abstract.values import (Builtin, INCOMPLETE, Layer, Obj, Qual, SymbolicObj, Tensor, Unknown,
                                     UserClass, is_module)
from cnnlint.interpret.modules import call_module
from cnnlint.layers.base import ntuple
from cnnlint.layers.tree import named_modules as walk
from cnnlint.layers.weights import as_dim, weight_tensor
from cnnlint.overlays import quantization

_TUPLE_ATTRS = ("kernel_size", "stride", "padding", "dilation", "output_padding")


def layer_attribute(it, layer: Layer, name: str):
    if name in layer.children:
        return layer.children[name]
    if name in layer.args and not (name == "bias" and not layer.is_container):
        value = layer.args[name].value
        if name in _TUPLE_ATTRS and layer.kind[-2:] in ("1d", "2d", "3d") and "Conv" in layer.kind and \
                not isinstance(value, str):
            # a conv layer keeps these as tuples (`self.kernel_size[0]`), as torch's _ConvNd does
            spread = ntuple(value, int(layer.kind[-2]))
            return spread if spread is not None else Unknown(f"{name} of nn.{layer.kind}")
        if name == "normalized_shape" and layer.kind == "LayerNorm" and not isinstance(value, (tuple, list)):
            return (value,)
        return value
    if name == "weight" and not layer.is_container:
        return weight_tensor(layer)
    if name == "bias" and not layer.is_container:
        out = layer.value("out_channels", layer.value("out_features", layer.value("num_features",
                          layer.value("num_channels"))))
        if layer.value("bias", True) is False or layer.value("affine", True) is False or \
                layer.value("elementwise_affine", True) is False:
            return None
        if layer.kind == "LayerNorm":
            return weight_tensor(layer)
        out = as_dim(out)
        return Tensor((out,) if out is not None else None, param=True)
    if name == "training":
        return it.read_mode()
    if name == "normalized_shape" and "normalized_shape" in layer.args:
        return layer.value("normalized_shape")
    method = module_method(layer, name, layer.kind) or quantization.method(layer, name)
    if method is not None:
        return method
    return Unknown(f"attribute '{name}' of nn.{layer.kind}")


def module_method(module, name: str, kind: str):
    """Methods of nn.Module and the containers, bound to ``module``."""

    def add_module(it, m, args, kwargs, node):
        it.touched(m)
        if len(args) == 2 and isinstance(args[0], str):
            m.children[args[0]] = args[1]
        else:
            it.note(node, "add_module with a name cnnlint cannot compute")
            m.children[INCOMPLETE] = Unknown("add_module")
        return None

    def append(it, m, args, kwargs, node):
        it.touched(m)
        if args:
            m.children[str(len(m.children))] = args[0]
        return m

    def extend(it, m, args, kwargs, node):
        it.touched(m)
        items = it.iterate(args[0]) if args else []
        if isinstance(items, Unknown):
            m.children[INCOMPLETE] = Unknown("extend")
            return m
        for v in items:
            m.children[str(len(m.children))] = v
        return m

    def insert(it, m, args, kwargs, node):
        it.touched(m)
        if len(args) == 2 and isinstance(args[0], int):
            values = list(m.children.values())
            values.insert(args[0], args[1])
            m.children.clear()
            m.children.update({str(i): v for i, v in enumerate(values)})
        return None

    def register_buffer(it, m, args, kwargs, node):
        if len(args) >= 2 and isinstance(args[0], str) and isinstance(m, Obj):
            m.attrs[args[0]] = args[1]
        return None

    def register_parameter(it, m, args, kwargs, node):
        if len(args) >= 2 and isinstance(args[0], str) and isinstance(m, Obj):
            it.setattr(m, args[0], args[1])
        return None

    def children(it, m, args, kwargs, node):
        pairs = named_children(it, m, args, kwargs, node)
        return pairs if isinstance(pairs, Unknown) else [c for _, c in pairs]

    def named_children(it, m, args, kwargs, node):
        if children_unsure(it, m):
            return Unknown("submodules cnnlint cannot list for certain")
        seen, out = set(), []
        for k, c in m.children.items():
            if c is not None and id(c) not in seen:  # torch lists a module registered twice once
                seen.add(id(c))
                out.append((k, c))
        return out

    def modules(it, m, args, kwargs, node):
        pairs = named_modules(it, m, args, kwargs, node)
        return pairs if isinstance(pairs, Unknown) else [mod for _, mod in pairs]

    def named_modules(it, m, args, kwargs, node):
        pairs = list(walk(m))
        if any(children_unsure(it, mod) for _, mod in pairs):
            return Unknown("submodules cnnlint cannot list for certain")
        return pairs

    def itself(it, m, args, kwargs, node):
        return m

    def nothing(it, m, args, kwargs, node):
        return None

    def forward(it, m, args, kwargs, node):
        if isinstance(m, Obj):
            # an Obj without its own forward: a Sequential subclass
            x = args[0] if args else None
            for child in m.children.values():
                if child is not None:
                    x = it.call(child, [x], {}, node)
            return x
        return call_module(it, m, args, kwargs, node)

    def items(it, m, args, kwargs, node):
        return list(m.children.items())

    def keys(it, m, args, kwargs, node):
        return list(m.children.keys())

    def values(it, m, args, kwargs, node):
        return list(m.children.values())

    def unknown(it, m, args, kwargs, node):
        return Unknown(f"{name}()")

    table = {
        "add_module": add_module, "register_module": add_module, "append": append, "extend": extend,
        "insert": insert, "register_buffer": register_buffer, "register_parameter": register_parameter,
        "children": children, "named_children": named_children, "modules": modules,
        "named_modules": named_modules, "apply": itself, "to": itself, "cuda": itself, "cpu": itself,
        "eval": itself, "train": itself, "float": itself, "double": itself, "half": itself,
        "requires_grad_": itself, "zero_grad": nothing, "forward": forward, "__call__": forward,
        "items": items, "keys": keys, "values": values, "parameters": unknown, "named_parameters": unknown,
        "state_dict": unknown, "load_state_dict": unknown, "buffers": unknown,
    }
    fn = table.get(name)
    if fn is None:
        return None
    if name in ("forward", "__call__") and isinstance(module, Obj):
        return Builtin(name, fn, bound=module)
    return Builtin(name, fn, bound=module)


# torch.nn layers that hold submodules of their own, which cnnlint does not build
COMPOSITE = {"MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
             "TransformerEncoderLayer", "TransformerDecoderLayer"}


def children_unsure(it, m) -> bool:
    """Whether cnnlint may not know all of ``m``'s submodules, in order: one it could not list or
    build (a container filled by code it cannot run, an attribute it could not follow that may be
    a module), one registered on a path that may not run, a base class it cannot see, or a torch
    layer whose own submodules it does not build."""
    if INCOMPLETE in m.children:
        return True
    if any(c is not None and not is_module(c) for c in m.children.values()):
        return True
    if isinstance(m, Layer):
        return not m.is_container and m.kind in COMPOSITE
    if isinstance(m, Obj):
        if m.unsure or (m.base_layer is not None and m.base_layer.kind in COMPOSITE):
            return True
        if any(isinstance(v, (Unknown, SymbolicObj)) for v in m.attrs.values()):
            return True
        for c in classes.mro(it, m.cls):
            for b in classes.bases(it, c):
                if not isinstance(b, UserClass) and not (isinstance(b, Qual) and b.name.startswith(
                        ("torch.", "typing.", "abc.", "object"))):
                    return True  # a base class outside what cnnlint reads may register modules
    return False
