"""Layers and modules: building torch.nn layers, calling modules, and naming them as torch does."""
from __future__ import annotations

from typing import Any, Dict, Optional

from cnnlint.abstract.classes import lookup_method, torch_base
from cnnlint.abstract.findings import CallRow
from cnnlint.abstract.values import Arg, Layer, Obj, SymbolicObj, Tensor, Unknown, is_module
from cnnlint.layers import KEYWORD_ONLY, LAYERS, REQUIRED
from cnnlint.layers.context import LayerCtx
from cnnlint.layers.hierarchy import CONTAINERS

SITES_KEPT = 3  # the innermost calls a layer was built in that it remembers (Layer.sites)


def bind(signature, args, kwargs, arg_nodes) -> Optional[Dict[str, Arg]]:
    """Match a call's arguments to a layer signature; None when they do not fit."""
    names = [n for n, _ in signature if n != KEYWORD_ONLY]
    catch_all = "args" in names
    positional = [n for n, _ in signature]
    positional = positional[:positional.index(KEYWORD_ONLY)] if KEYWORD_ONLY in positional else names
    out: Dict[str, Arg] = {}
    for i, value in enumerate(args):
        if i >= len(positional):
            if catch_all:
                break
            return None
        out[names[i]] = Arg(value, arg_nodes.get(i))
    for key, value in kwargs.items():
        if key not in names:
            if catch_all:
                continue
            return None
        out[key] = Arg(value, arg_nodes.get(key), keyword=True)
    for name, default in signature:
        if name not in out and name != KEYWORD_ONLY:
            if default is REQUIRED:
                return None
            out[name] = Arg(default)
    return out


def build_layer(interp, kind: str, args, kwargs, node, arg_nodes) -> Any:
    if kind in CONTAINERS:
        return build_container(interp, kind, args, kwargs, node)
    spec = LAYERS[kind]
    bound = bind(spec.signature, args, kwargs, arg_nodes)
    if bound is None:
        interp.note(node, f"nn.{kind}(...) has arguments cnnlint cannot match to its signature")
        return Unknown(f"nn.{kind} with unexpected arguments")
    for arg in bound.values():
        if type(arg.value) is SymbolicObj:  # a constructor parameter without a value: its symbol
            arg.value = interp.symbol(arg.value.name)
    layer = Layer(kind, bound, node, in_loop=interp.loop_depth > 0, sites=tuple(interp.sites[-SITES_KEPT:]))
    if spec.build_check is not None:
        spec.build_check(layer, LayerCtx(interp, layer, None))
    return layer


def build_container(interp, kind, args, kwargs, node):
    layer = Layer(kind, {}, node, in_loop=interp.loop_depth > 0)
    if kind == "Sequential":
        if len(args) == 1 and isinstance(args[0], dict):
            for k, v in args[0].items():
                layer.children[str(k)] = v
        else:
            for i, v in enumerate(args):
                if isinstance(v, Unknown):
                    return Unknown("nn.Sequential of modules cnnlint cannot list")
                layer.children[str(i)] = v
    else:
        source = args[0] if args else kwargs.get("modules", kwargs.get("dict"))
        if source is None:
            return layer
        if kind == "ModuleDict":
            items = list(source.items()) if isinstance(source, dict) else interp.iterate(source)
            if isinstance(items, Unknown):
                return Unknown("nn.ModuleDict of modules cnnlint cannot list")
            for pair in items:
                if isinstance(pair, (tuple, list)) and len(pair) == 2:
                    layer.children[str(pair[0])] = pair[1]
        else:
            items = interp.iterate(source)
            if isinstance(items, Unknown):
                return Unknown("nn.ModuleList of modules cnnlint cannot list")
            for i, v in enumerate(items):
                layer.children[str(i)] = v
    return layer


# --- naming and counting ------------------------------------------------------------------

# --- calling modules ------------------------------------------------------------------------

def call_module(interp, module, args, kwargs, node):
    if isinstance(module, Layer):
        if module.kind == "Sequential":
            row = start_row(interp, module, "Sequential", args)
            x = args[0] if args else kwargs.get("input")
            x = run_sequence(interp, module, x, node)
            finish_row(interp, row, x)
            return x
        if module.kind in ("ModuleList", "ModuleDict"):
            return Unknown(f"nn.{module.kind} is not callable")
        x = args[0] if args else kwargs.get("input", Unknown("no input"))
        return apply_module_layer(interp, module, x, args[1:], kwargs)
    if isinstance(module, Obj):
        forward = lookup_method(interp, module, "forward")
        if forward is None and not module.cls.is_module:
            # an instance of a plain class (timm's EfficientNetBuilder): its __call__
            call = lookup_method(interp, module, "__call__")
            if call is not None:
                return interp.call(call, args, kwargs, node)
        row = start_row(interp, module, module.cls.name, args)
        interp.module_depth += 1
        try:
            if forward is None:
                base = torch_base(interp, module.cls)
                if base == "Sequential":
                    interp.module_depth -= 1
                    result = run_sequence(interp, module, args[0] if args else None, node)
                    interp.module_depth += 1
                elif module.base_layer is not None:
                    x = args[0] if args else kwargs.get("input", Unknown("no input"))
                    result = apply_layer(interp, module.base_layer, x, module.base_layer.node, row)
                else:
                    interp.note(module.cls.node, f"{module.cls.name} has no forward() cnnlint can see; "
                                                 "its output shape is unknown")
                    result = Unknown(f"{module.cls.name}.forward is not visible")
            else:
                result = interp.call(forward, args, kwargs, node)
        finally:
            interp.module_depth -= 1
        finish_row(interp, row, result)
        return result
    return Unknown("not a module")


def run_sequence(interp, module, x, node):
    """nn.Sequential's forward: each child in order."""
    interp.module_depth += 1
    try:
        for child in module.children.values():
            if child is None:
                continue
            if not is_module(child):
                interp.note(module.node, "an nn.Sequential holds modules cnnlint cannot list; "
                                         "its output shape is unknown")
                return Tensor(None)
            x = interp.call(child, [x], {}, node)
    finally:
        interp.module_depth -= 1
    return x


def start_row(interp, module, type_name, args) -> CallRow:
    name = interp.names.get(id(module), "")
    first = args[0] if args else None
    sources = [a.row if a.row is not None else -2 for a in args if isinstance(a, Tensor)]
    row = CallRow(module, name, type_name, getattr(module, "node", None), interp.module_depth,
                  first.shape if isinstance(first, Tensor) else None, sources)
    interp.rows.append(row)
    return row


def finish_row(interp, row, result):
    if isinstance(result, Tensor):
        row.output = result.shape
        row.last = result.last if result.shape is None else None
    elif isinstance(result, tuple) and result and isinstance(result[0], Tensor):
        row.output = result[0].shape
    else:
        row.output = None


def as_tensor(value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor(None)


def apply_module_layer(interp, layer: Layer, x, more=(), kwargs=None):
    row = start_row(interp, layer, layer.kind, [x])
    previous = interp.current_row
    interp.current_row = row
    try:
        out = apply_layer(interp, layer, x, layer.node, row, more, kwargs)
    finally:
        interp.current_row = previous
    if isinstance(out, Tensor):
        out = Tensor(out.shape, src=row.name or out.src, flat=None, row=interp.rows.index(row), last=out.last)
    finish_row(interp, row, out)
    return out


def apply_layer(interp, layer: Layer, x, report_node, row=None, more=(), kwargs=None):
    """``x``: the first input; ``more`` and ``kwargs``: the call's other arguments (MaxUnpool's
    indices and output_size), which most layers ignore."""
    spec = LAYERS.get(layer.kind)
    if spec is None:
        return Tensor(None)
    if not isinstance(x, Tensor):
        if x is not None and not isinstance(x, Unknown):
            return Tensor(None)
        x = Tensor(None)
    ctx = LayerCtx(interp, layer, report_node, x, row)
    ctx.more, ctx.kwargs = tuple(more), dict(kwargs or {})
    return spec.forward(layer, x, ctx)


