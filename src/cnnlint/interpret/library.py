"""The evaluator's dispatch for what comes from outside the file: a call of a qualified name
(``torch.cat``, ``nn.Conv2d``, ``F.relu``, ``einops.rearrange``), an attribute, a subscript, an
iteration. It decides which knowledge answers (layers/, overlays/); it holds none itself."""
from __future__ import annotations

import math

from cnnlint import dims
from cnnlint.abstract import classes, tensors
from cnnlint.abstract.classes import torch_base
from cnnlint.abstract.mutation import deep_copy, shallow_copy, spoil
from cnnlint.abstract.tensors import _call_desc, _report
from cnnlint.abstract.values import (INCOMPLETE, INCOMPLETE_KEY, ArgParser, Builtin, EnumMember, Namespace,
                                     Record, Function, Layer, Obj, Partial, Qual, SizeTuple, SuperProxy,
                                     SymbolicObj, SymFloat, Tensor, Unknown, UserClass, is_module)
from cnnlint.abstract.values import _MISSING
from cnnlint.interpret import instances
from cnnlint.interpret.imports import resolve
from cnnlint.interpret.module_methods import layer_attribute, module_method
from cnnlint.interpret.modules import apply_layer, bind, build_layer, finish_row, start_row
from cnnlint.layers import FUNCTIONALS, LAYERS
from cnnlint.layers.basic import flatten as flatten_shape, pad_shape, resize
from cnnlint.layers.context import LayerCtx, _tmp_layer
from cnnlint.layers.hierarchy import layer_kind
from cnnlint.layers.quant import QUALIFIED as QUANT_LAYERS
from cnnlint.overlays import libraries, nn_utils, pytypes, tensor_attributes, tensor_basics
from cnnlint.overlays.builtins import BUILTINS, it_star
from cnnlint.overlays.containers import _argparse_method, _dict_method, _list_method, _str_method
from cnnlint.overlays.functional import OPS as FUNCTIONAL_OPS
from cnnlint.overlays.torch_calls import CONSTANT_CALLS, KEEP_FUNCTIONALS, NUMBER_CONSTANTS, PASS_THROUGH
from cnnlint.overlays.torch_functions import OPS as TORCH_OPS
from cnnlint.overlays.value_methods import element_tensors

# --- torch and friends ------------------------------------------------------------------------

def call_qual(it, name: str, args, kwargs, node, arg_nodes):
    overlay = nn_utils.lookup(name)
    if overlay is not None:
        return overlay(it, args, kwargs, node)
    out = libraries.call(it, name, args, kwargs, node, arg_nodes)  # einops, itertools, ...: overlays/libraries.py
    if out is not None:
        return out

    kind = layer_kind(name)
    if kind is not None and (name.count(".") == 2 or ".modules." in name):
        return build_layer(it, kind, args, kwargs, node, arg_nodes)
    if name in QUANT_LAYERS:
        built = build_layer(it, QUANT_LAYERS[name], args, kwargs, node, arg_nodes)
        if isinstance(built, Layer) and built.kind == "FloatFunctional":
            built.children["activation_post_process"] = Layer("Identity", {}, node)  # as torch builds it
        return built
    if name in ("torch.nn.Parameter", "torch.nn.parameter.Parameter"):
        t = args[0] if args else kwargs.get("data")
        if isinstance(t, Tensor):
            return Tensor(t.shape, param=True)  # counted by parameters() whether it requires grad or not
        return Tensor(None, param=True)
    if name.startswith("torch.nn.functional."):
        return call_functional(it, name.rsplit(".", 1)[1], args, kwargs, node)
    if name == "copy.copy" and len(args) == 1:
        return shallow_copy(args[0])
    if name == "copy.deepcopy" and len(args) == 1:
        return deep_copy(args[0])
    if name in ("collections.namedtuple", "typing.NamedTuple"):
        names = args[1] if len(args) > 1 else kwargs.get("field_names", ())
        if isinstance(names, str):
            names = names.replace(",", " ").split()
        fields = tuple(f for f in names if isinstance(f, str)) if isinstance(names, (list, tuple)) else ()

        def make(it, a, k, n):
            values = list(a) + [k[f] for f in fields[len(a):] if f in k]
            rec = Record(values)
            rec.fields = fields
            return rec

        return Builtin("namedtuple", make)
    if name == "argparse.ArgumentParser":
        return ArgParser()
    if name in ("types.SimpleNamespace", "argparse.Namespace"):
        return Namespace(dict(kwargs))
    if name in PASS_THROUGH:
        return args[PASS_THROUGH[name]] if len(args) > PASS_THROUGH[name] else Unknown(name)
    if name in CONSTANT_CALLS:
        return CONSTANT_CALLS[name]
    if name.startswith("torch.nn.init."):
        return args[0] if args else None
    if name in ("collections.OrderedDict", "typing.OrderedDict"):
        return BUILTINS["dict"].fn(it, args, kwargs, node)
    if name == "functools.partial":
        if not args:
            return Unknown("partial")
        return Partial(args[0], tuple(args[1:]), dict(kwargs))
    if name == "dataclasses.field":  # the class attribute: the default; a factory's is made per instance
        return kwargs["default"] if "default" in kwargs else Unknown("a dataclass field's default factory")
    if name == "dataclasses.replace" and args:
        replaced = classes.dataclass_replace(it, args[0], kwargs, node)
        if replaced is not None:
            return replaced
    if name.startswith("math."):
        return call_math(it, name[5:], args)
    if name in ("numpy.prod", "np.prod", "math.prod"):
        return call_math(it, "prod", args)
    if name.startswith("torch."):
        short = name[6:]
        fn = TORCH_OPS.get(short) or tensor_basics.TORCH_FUNCTIONS.get(short)
        if fn is not None:
            result = fn(it, args, kwargs, node)
            if args and isinstance(args[0], Tensor):
                result = tensors.keep_row(args[0], result)
            return result
    if name.startswith("torch.nn.") and kind is None and name.rsplit(".", 1)[1][:1].isupper():
        it.note(node, f"{name.replace('torch.', '', 1)} is not in cnnlint's layer table; its output shape is unknown")
        return Unknown(f"{name} is not modelled")
    if not name.startswith(_PURE):
        spoil(list(args) + list(kwargs.values()))  # a list given to code cnnlint does not see may change
    return it.unknown_call(Unknown(f"{name} is outside the file"), args, node, f"{name} is outside the file")


# namespaces whose functions never change a Python list or dict they are given
_PURE = ("torch.", "numpy.", "np.", "math.", "typing.", "functools.", "itertools.", "operator.", "logging.",
         "warnings.", "collections.", "os.", "re.", "einops.", "json.", "copy.")


def call_math(it, fn, args):
    vals = [it.symbol(a.name) if isinstance(a, SymbolicObj) else a for a in args]
    if any(type(v) is SymFloat for v in vals):
        if fn in ("floor", "ceil") and len(vals) == 1:
            out = dims.to_int(vals[0].expr, fn)
            return out if out is not None else Unknown(f"math.{fn}")
        return Unknown(f"math.{fn}")
    if fn == "prod":
        items = it.iterate(vals[0]) if vals else Unknown("prod")
        if isinstance(items, Unknown):
            return items
        return dims.prod(items) if all(dims.is_dim(v) for v in items) else Unknown("prod")
    if any(isinstance(v, (Unknown, Tensor)) for v in vals) or any(dims.is_symbolic(v) for v in vals):
        if fn in ("floor", "ceil") and len(vals) == 1 and dims.is_symbolic(vals[0]):
            out = dims.to_int(vals[0], fn)
            return out if out is not None else Unknown(f"math.{fn}")
        return Unknown(f"math.{fn}")
    f = getattr(math, fn, None)
    if f is None or not callable(f):
        return Unknown(f"math.{fn}")
    try:
        return f(*vals)
    except Exception:
        return Unknown(f"math.{fn}")


def call_functional(it, fname: str, args, kwargs, node):
    overlay = FUNCTIONAL_OPS.get(fname)
    if overlay is not None:
        return overlay(it, args, kwargs, node)
    x = args[0] if args else kwargs.get("input")
    if fname in KEEP_FUNCTIONALS:
        return x if isinstance(x, Tensor) else Tensor(None) if isinstance(x, Unknown) else x
    fdef = FUNCTIONALS.get(fname)
    if fdef is not None:
        bound = bind(fdef.signature, list(args[1:]), {k: v for k, v in kwargs.items() if k != "input"}, {})
        if bound is None:
            return it.unknown_call(Unknown(f"F.{fname}"), args, node, f"F.{fname} with unexpected arguments")
        layer = Layer(fdef.layer, bound, node)
        layer.functional = f"F.{fname}"  # type: ignore[attr-defined]
        row = start_row(it, layer, f"F.{fname}", [x])
        row.name = fname
        prev = it.current_row
        it.current_row = row
        try:
            out = apply_layer(it, layer, x, node, row)
        finally:
            it.current_row = prev
        finish_row(it, row, out)
        if isinstance(out, Tensor):
            out = Tensor(out.shape, src=out.src, flat=out.flat, row=it.rows.index(row), last=out.last)
        return out
    if not isinstance(x, Tensor):
        return it.unknown_call(Unknown(f"F.{fname}"), args, node, f"F.{fname} on a value cnnlint cannot follow")
    ctx = LayerCtx(it, Layer("Functional", {}, node), node, x)
    ctx.layer.functional = f"F.{fname}"  # type: ignore[attr-defined]
    if fname in ("interpolate", "upsample", "upsample_nearest", "upsample_bilinear"):
        size = args[1] if len(args) > 1 else kwargs.get("size")
        scale = args[2] if len(args) > 2 else kwargs.get("scale_factor")
        if x.free:
            return Tensor(None)
        return resize(x, size, scale, ctx)
    if fname == "pad":
        pad = args[1] if len(args) > 1 else kwargs.get("pad")
        return pad_shape(x, pad, ctx)
    if fname in ("conv1d", "conv2d", "conv3d"):
        w = args[1] if len(args) > 1 else kwargs.get("weight")
        n = int(fname[4])
        if not (isinstance(w, Tensor) and w.shape is not None and len(w.shape) == n + 2):
            return Tensor(None)

        def arg(i, name, default):
            return args[i] if len(args) > i else kwargs.get(name, default)

        groups = arg(6, "groups", 1)
        cin = dims.mul(w.shape[1], groups) if dims.is_dim(groups) and w.shape[1] is not None else None
        layer = _tmp_layer(f"Conv{n}d", {"in_channels": cin, "out_channels": w.shape[0],
                                         "kernel_size": tuple(w.shape[2:]), "stride": arg(3, "stride", 1),
                                         "padding": arg(4, "padding", 0), "dilation": arg(5, "dilation", 1),
                                         "groups": groups}, node)
        layer.functional = f"F.{fname}"  # type: ignore[attr-defined]
        return LAYERS[f"Conv{n}d"].forward(layer, x, LayerCtx(it, layer, node, x))
    if fname == "linear":
        w = args[1] if len(args) > 1 else kwargs.get("weight")
        if isinstance(w, Tensor) and w.shape and len(w.shape) == 2 and x.shape:
            return Tensor(x.shape[:-1] + (w.shape[0],))
        return Tensor(None)
    if fname == "flatten":
        return flatten_shape(x, args[1] if len(args) > 1 else 0, args[2] if len(args) > 2 else -1, ctx)
    if fname == "pixel_shuffle":
        return LAYERS["PixelShuffle"].forward(_tmp_layer("PixelShuffle", {"upscale_factor": args[1]}, node), x, ctx)
    if fname == "glu":
        d = args[1] if len(args) > 1 else kwargs.get("dim", -1)
        return tensor_basics.split_half(x, d)
    if fname in ("cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "smooth_l1_loss", "kl_div"):
        return Tensor(())
    if fname == "one_hot":
        return Tensor(None)
    return it.unknown_call(Unknown(f"F.{fname}"), args, node, f"F.{fname} is not modelled")


# --- attributes -------------------------------------------------------------------------------

def get_attribute(it, obj, name: str, node):
    if name in ("__name__", "__qualname__"):
        known = pytypes.class_name(obj)
        if known is not None:
            return known
    if isinstance(obj, Qual):
        q = Qual(f"{obj.name}.{name}", obj.origin)
        if q.name in NUMBER_CONSTANTS:
            return NUMBER_CONSTANTS[q.name]
        found = resolve(it, q)
        return q if found is None else found
    if isinstance(obj, Obj):
        return instances.attribute(it, obj, name)
    if isinstance(obj, EnumMember):
        return classes.member_attribute(it, obj, name)
    if isinstance(obj, SuperProxy):
        return instances.super_attribute(it, obj, name)
    if isinstance(obj, UserClass):
        value, _ = classes.lookup_class(it, obj, name)
        if value is _MISSING and name == "apply" and classes.is_autograd_function(it, obj):
            forward, _ = classes.lookup_class(it, obj, "forward")
            fn = forward[1] if isinstance(forward, tuple) else forward
            if isinstance(fn, Function):  # Fn.apply(*args) runs forward(ctx, *args)
                return Builtin("apply", lambda it2, a, k, n: it2.call(fn, [Unknown("autograd ctx")] + list(a), k, n))
        if value is _MISSING:
            return Unknown(f"{obj.name}.{name}")
        if isinstance(value, tuple) and len(value) == 2 and value[0] in ("static", "classmethod"):
            return classes.bind_value(it, value, obj, obj)
        return classes.enum_attribute(it, obj, name, value)
    if isinstance(obj, Tensor):
        return tensor_attributes.tensor_attribute(it, obj, name)
    if isinstance(obj, Layer):
        return layer_attribute(it, obj, name)
    if isinstance(obj, SymbolicObj):
        return SymbolicObj(f"{obj.name}.{name}")
    if isinstance(obj, dict):
        return _dict_method(obj, name)
    if isinstance(obj, list):
        return _list_method(obj, name)
    if isinstance(obj, str):
        return _str_method(obj, name)
    if isinstance(obj, ArgParser):
        return _argparse_method(obj, name)
    if isinstance(obj, Namespace):
        return obj.values.get(name, Unknown(f"option '{name}'"))
    if isinstance(obj, Record) and name in obj.fields and obj.fields.index(name) < len(obj):
        return obj[obj.fields.index(name)]
    if isinstance(obj, Partial) and name == "func":
        return obj.func
    if isinstance(obj, Partial) and name == "keywords":  # timm's get_norm_act_layer rebinds them
        return dict(obj.kwargs)
    if isinstance(obj, Partial) and name == "args":
        return tuple(obj.args)
    return Unknown(f"attribute '{name}'")


# --- subscripts and iteration -------------------------------------------------------------------

def subscript(it, value, key, node):
    if isinstance(key, Unknown) and not isinstance(value, Tensor):
        return Unknown("subscript with an unknown key")
    if isinstance(value, Tensor):
        return tensors.index(it, value, key, node)
    if isinstance(value, SizeTuple):
        try:
            out = value[key] if not isinstance(key, tuple) else Unknown("tuple index")
        except IndexError:
            _report(it, "CNN107", f"{_call_desc(node)}: index {key} is out of range for a {len(value)}D tensor", node)
            return Unknown("size index")
        except TypeError:
            return Unknown("size index")
        return SizeTuple(out) if isinstance(out, tuple) else out
    if isinstance(value, (list, tuple, str)):
        if isinstance(value, (list, tuple)) and any(v is it_star() for v in value):
            return Unknown("index into a list of unknown length")
        if isinstance(key, SymbolicObj) or dims.is_symbolic(key):
            return Unknown("symbolic index")
        try:
            return value[key]
        except IndexError:
            # an empty list is often filled later by code outside the model's own methods: no claim
            if isinstance(value, (list, tuple)) and value and isinstance(key, int) and node is not None:
                kind = "list" if isinstance(value, list) else "tuple"
                _report(it, "CNN109", f"{_call_desc(node)}: index {key} is out of range for a {kind} of "
                                      f"{len(value)}", node, declared=key, inferred=len(value))
            return Unknown("index")
        except (TypeError, KeyError):
            return Unknown("index")
    if isinstance(value, dict):
        if INCOMPLETE_KEY in value:
            return Unknown("a dict changed by code cnnlint cannot run")
        try:
            return value[key] if key in value else Unknown(f"key {key!r}")
        except TypeError:
            return Unknown("key")
    if isinstance(value, Layer) or (isinstance(value, Obj) and value.cls.is_module and value.children):
        children = value.children
        if isinstance(key, str):
            return children.get(key, Unknown(f"no submodule {key!r}"))
        if INCOMPLETE in children:
            return Unknown("a container cnnlint could not list")
        if isinstance(key, int):
            items = list(children.values())
            if -len(items) <= key < len(items):
                return items[key]
            return Unknown("index")
        if isinstance(key, slice):
            picked = list(children.items())[key]
            out = Layer("Sequential" if not isinstance(value, Layer) else value.kind, {}, getattr(value, "node", None))
            out.children.update(picked)
            return out
    return Unknown("subscript")


def iterate(it, value):
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    if isinstance(value, (list, tuple)):
        if any(v is it_star() for v in value):
            return Unknown("iteration over a list of unknown length")
        return list(value)
    if isinstance(value, dict):
        if INCOMPLETE_KEY in value:
            return Unknown("dict filled by code cnnlint cannot run")
        return list(value.keys())
    if isinstance(value, str):
        return list(value)
    if isinstance(value, Layer):
        if value.kind == "ModuleDict":
            return list(value.children.keys())
        if INCOMPLETE in value.children:
            return Unknown("container of unknown length")
        return [v for v in value.children.values() if v is not None]
    if isinstance(value, Obj) and value.cls.is_module:
        base = torch_base(it, value.cls)
        if base in ("Sequential", "ModuleList", "ModuleDict"):
            if INCOMPLETE in value.children:
                return Unknown("container of unknown length")
            if base == "ModuleDict":
                return list(value.children.keys())
            return [v for v in value.children.values() if v is not None]
    if isinstance(value, Tensor):
        if value.values is not None:
            parts = element_tensors(value)
            if parts is not None:
                return parts
        if value.shape and dims.as_int(value.shape[0]) is not None and dims.as_int(value.shape[0]) <= 64:
            return [Tensor(value.shape[1:]) for _ in range(dims.as_int(value.shape[0]))]
    return Unknown("iteration")


def tensor_binop(it, op, left, right, node):
    return tensors.binop(it, op, left, right, node)


__all__ = ["BUILTINS", "call_qual", "get_attribute", "subscript", "iterate", "tensor_binop", "module_method",
           "Function", "is_module"]
