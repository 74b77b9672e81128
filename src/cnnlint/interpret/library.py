"""What names from outside the file mean: Python builtins, torch, torch.nn.functional,
tensor methods and attributes, and the methods of modules and containers."""
from __future__ import annotations

import math
from typing import Any, Dict

from cnnlint import dims
from cnnlint.interpret import classes, tensors
from cnnlint.interpret.values import (INCOMPLETE, INCOMPLETE_KEY, ArgParser, Builtin, EnumMember, NameListing, Namespace, Record, Function, Layer, Obj, Partial, Qual, SizeTuple, SuperProxy,
                                      SymbolicObj, SymFloat, Tensor, Unknown, UserClass, is_module)
from cnnlint.layers import FUNCTIONALS, LAYERS
from cnnlint.layers.hierarchy import layer_is
from cnnlint.layers.quant import QUALIFIED as QUANT_LAYERS
from cnnlint.overlays import pytypes, quantization
from cnnlint.layers.basic import flatten as flatten_shape, pad_shape, resize
from cnnlint.overlays import nn_utils
from cnnlint.overlays.functional import OPS as FUNCTIONAL_OPS
from cnnlint.overlays.torch_functions import OPS as TORCH_OPS

CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


# --- Python builtins ------------------------------------------------------------------------

def _b(name):
    def register(fn):
        BUILTINS[name] = Builtin(name, fn)
        return fn

    return register


BUILTINS: Dict[str, Builtin] = {}


def _plain(args):
    return all(not isinstance(a, (Unknown, Tensor, SymbolicObj)) for a in args)


@_b("range")
def _range(it, args, kwargs, node):
    vals = [dims.as_int(a) for a in args]
    if not args or any(v is None for v in vals):
        return Unknown("range of unknown bounds")
    try:
        r = range(*vals)
    except (TypeError, ValueError):
        return Unknown("range")
    return list(r) if len(r) <= 100_000 else Unknown("huge range")


@_b("len")
def _len(it, args, kwargs, node):
    v = args[0] if args else None
    if isinstance(v, (set, frozenset)):
        return len(v)
    if isinstance(v, (list, tuple, dict, str)):
        if isinstance(v, (list, tuple)) and any(x is it_star() for x in v):
            return Unknown("length")
        return len(v)
    if isinstance(v, dict) and INCOMPLETE_KEY in v:
        return Unknown("length")
    if isinstance(v, (Layer, Obj)) and INCOMPLETE in v.children:
        return Unknown("length")
    if isinstance(v, Layer):
        return len(v.children)
    if isinstance(v, Obj) and v.cls.is_module and not v.attrs and v.children:
        return len(v.children)
    if isinstance(v, Tensor) and v.shape and not v.free:
        return v.shape[0] if dims.is_dim(v.shape[0]) else Unknown("len")
    return Unknown("len")


def it_star():
    from cnnlint.interpret.core import _STAR_UNKNOWN

    return _STAR_UNKNOWN


def _convert(kind):
    def run(it, args, kwargs, node):
        if not args:
            return kind()
        v = args[0]
        if isinstance(v, SymbolicObj):
            v = it.symbol(v.name)
        if kind in (int, float) and (dims.is_symbolic(v) or type(v) is SymFloat):
            expr = v.expr if type(v) is SymFloat else v
            if kind is float:
                return SymFloat(expr) if not expr.is_Number else float(expr)
            out = dims.to_int(expr) if len(args) == 1 else None  # int() truncates toward zero
            return out if out is not None else Unknown("int() of a size whose sign is unknown")
        if kind is bool and type(v) is SymFloat:
            return it.truth(v)
        if type(v) is SymFloat:
            return Unknown("conversion")
        if kind in (list, tuple):
            items = it.iterate(v)
            return Unknown("conversion") if isinstance(items, Unknown) else kind(items)
        if isinstance(v, (Unknown, Tensor)):
            return Unknown("conversion")
        try:
            return kind(*args)
        except Exception:
            return Unknown("conversion")

    return run


for _k in (int, float, bool, str, list, tuple):
    BUILTINS[_k.__name__] = Builtin(_k.__name__, _convert(_k))


@_b("dict")
def _dict(it, args, kwargs, node):
    out = {}
    if args:
        src = args[0]
        if isinstance(src, dict):
            out.update(src)
        else:
            items = it.iterate(src)
            if isinstance(items, Unknown):
                return items
            for pair in items:
                if isinstance(pair, (tuple, list)) and len(pair) == 2 and not isinstance(pair[0], Unknown):
                    out[pair[0]] = pair[1]
                else:
                    return Unknown("dict")
    out.update(kwargs)
    return out


def _hashable(v) -> bool:
    if isinstance(v, tuple) and not isinstance(v, SizeTuple):
        return all(_hashable(e) for e in v)
    return isinstance(v, (int, float, str, bool, type(None), UserClass, Qual, Function))


@_b("set")
def _set(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else []
    # elements that hash as Python would: numbers, strings, tuples, None, and classes and functions
    # (by identity; a torch class by its name)
    if isinstance(items, Unknown) or not all(_hashable(v) for v in items):
        return Unknown("set")
    try:
        return set(items)
    except TypeError:
        return Unknown("set")


@_b("frozenset")
def _frozenset(it, args, kwargs, node):
    out = _set(it, args, kwargs, node)
    return frozenset(out) if isinstance(out, set) else out


@_b("zip")
def _zip(it, args, kwargs, node):
    lists = [it.iterate(a) for a in args]
    if any(isinstance(l, Unknown) for l in lists):
        return Unknown("zip")
    return [tuple(t) for t in zip(*lists)]


@_b("enumerate")
def _enumerate(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("enumerate")
    if isinstance(items, Unknown):
        return items
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return [(i + start, v) for i, v in enumerate(items)]


@_b("reversed")
def _reversed(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("reversed")
    return items if isinstance(items, Unknown) else list(reversed(items))


@_b("sorted")
def _sorted(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("sorted")
    if isinstance(items, Unknown) or not _plain(items) or kwargs:
        return Unknown("sorted")
    try:
        return sorted(items)
    except TypeError:
        return Unknown("sorted")


def _reduce(fn):
    def run(it, args, kwargs, node):
        items = args if len(args) > 1 else (it.iterate(args[0]) if args else [])
        if isinstance(items, Unknown) or not _plain(items) or "key" in kwargs:
            return Unknown("min/max")
        items = [it.symbol(v.name) if isinstance(v, SymbolicObj) else v for v in items]
        if any(dims.is_symbolic(v) for v in items):
            return pytypes.symbolic_extreme(fn, items)
        try:
            return fn(items)
        except Exception:
            return Unknown("min/max")

    return run


BUILTINS["min"] = Builtin("min", _reduce(min))
BUILTINS["max"] = Builtin("max", _reduce(max))


@_b("sum")
def _sum(it, args, kwargs, node):
    items = it.iterate(args[0]) if args else Unknown("sum")
    if not isinstance(items, Unknown) and items and all(isinstance(v, Tensor) for v in items):
        total = args[1] if len(args) > 1 else 0  # sum(h(x) for h in heads): 0 + t1 + t2 + ...
        for v in items:
            total = it.binop("Add", total, v, node)
        return total
    if isinstance(items, Unknown) or any(isinstance(v, (Unknown, Tensor)) for v in items):
        return Unknown("sum")
    total: Any = args[1] if len(args) > 1 else 0
    for v in items:
        total = dims.norm(total + v)
    return total


@_b("abs")
def _abs(it, args, kwargs, node):
    v = args[0] if args else None
    if isinstance(v, (int, float)):
        return abs(v)
    return v if isinstance(v, Tensor) else Unknown("abs")


@_b("round")
def _round(it, args, kwargs, node):
    if args and isinstance(args[0], (int, float)) and all(isinstance(a, int) for a in args[1:]):
        return round(*args)
    if len(args) == 1 and not kwargs and (type(args[0]) is SymFloat or dims.is_symbolic(args[0])):
        from cnnlint.overlays.pynumbers import symbolic_round

        known = symbolic_round(args[0].expr if type(args[0]) is SymFloat else args[0])
        if known is not None:
            return known
    return Unknown("round")


def _any_all(decisive: bool):
    """any() (decisive True) and all() (decisive False) over values that may be unknown."""
    def run(it, args, kwargs, node):
        items = it.iterate(args[0]) if args else Unknown("any/all")
        if isinstance(items, Unknown):
            return items
        truths = [it.truth(v) for v in items]
        if any(t is decisive for t in truths):
            return decisive
        return (not decisive) if all(t is (not decisive) for t in truths) else Unknown("any/all")

    return run


BUILTINS["any"] = Builtin("any", _any_all(True))
BUILTINS["all"] = Builtin("all", _any_all(False))


@_b("isinstance")
def _isinstance(it, args, kwargs, node):
    if len(args) != 2:
        return Unknown("isinstance")
    v, kinds = args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    result = False
    for k in kinds:
        if isinstance(k, Builtin) and k.name in ("int", "float", "bool", "str", "list", "tuple", "dict"):
            if isinstance(v, (Unknown, SymbolicObj)):
                return Unknown("isinstance")
            py = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "tuple": tuple,
                  "dict": dict}[k.name]
            if isinstance(v, py) or (k.name == "int" and dims.is_symbolic(v)):
                result = True
        elif isinstance(k, Qual) and k.name.startswith("torch.nn."):
            kind = k.name.rsplit(".", 1)[1]
            if isinstance(v, Layer):
                known = layer_is(v.kind, kind)
                if known is None:
                    return Unknown("isinstance")
                result = result or known
            elif isinstance(v, Obj):
                if kind == "Module" and v.cls.is_module:
                    result = True
                else:
                    known = pytypes.instance_of(it, v, k)
                    if known is None:
                        return Unknown("isinstance")
                    result = result or known
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif isinstance(k, Qual) and k.name == "torch.Tensor":
            if isinstance(v, Tensor):
                result = True
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif isinstance(k, UserClass):
            if isinstance(v, (Obj, EnumMember)):
                from cnnlint.interpret.classes import mro

                result = result or k in mro(it, v.cls)
            elif isinstance(v, Unknown):
                return Unknown("isinstance")
        elif pytypes.is_type_object(k):
            known = pytypes.instance_of(it, v, k)
            if known is None:
                return Unknown("isinstance")
            result = result or known
        else:
            return Unknown("isinstance")
    return result


@_b("issubclass")
def _issubclass(it, args, kwargs, node):
    known = pytypes.subclass_of(it, args[0], args[1]) if len(args) == 2 else None
    return Unknown("issubclass") if known is None else known


@_b("getattr")
def _getattr(it, args, kwargs, node):
    if len(args) >= 2 and isinstance(args[1], str):
        v = it.getattr(args[0], args[1], node)
        if isinstance(v, Unknown) and len(args) == 3:
            return args[2] if not isinstance(args[0], (Unknown, SymbolicObj)) else Unknown("getattr")
        return v
    return Unknown("getattr")


@_b("hasattr")
def _hasattr(it, args, kwargs, node):
    if len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], Obj):
        o = args[0]
        if args[1] in o.attrs or args[1] in o.children:
            return True
        from cnnlint.interpret.classes import lookup_class
        from cnnlint.interpret.scope import _MISSING

        value, _ = lookup_class(it, o.cls, args[1])
        return value is not _MISSING
    if len(args) == 2 and isinstance(args[1], str) and isinstance(args[0], Qual):
        from cnnlint.overlays.torch_names import has_name

        if has_name(args[0].name, args[1]):
            return True
    return Unknown("hasattr")


@_b("dir")
def _dir(it, args, kwargs, node):
    if len(args) == 1 and isinstance(args[0], Qual):
        return NameListing(args[0].name)
    return Unknown("dir()")


@_b("setattr")
def _setattr(it, args, kwargs, node):
    if len(args) == 3 and isinstance(args[1], str):
        it.setattr(args[0], args[1], args[2])
    return None


@_b("print")
def _print(it, args, kwargs, node):
    return None


@_b("type")
def _type(it, args, kwargs, node):
    if len(args) == 1 and isinstance(args[0], (Obj, EnumMember)):
        return args[0].cls
    if len(args) == 1 and isinstance(args[0], Layer):
        return Qual(f"torch.nn.{args[0].kind}")  # a Layer is an instance of torch.nn's own class
    known = pytypes.type_of(args[0]) if len(args) == 1 else None
    if known is not None:
        return BUILTINS[known] if known in BUILTINS else pytypes.NONE_TYPE
    return Unknown("type()")


@_b("iter")
def _iter(it, args, kwargs, node):
    return args[0] if args else Unknown("iter")


@_b("map")
def _map(it, args, kwargs, node):
    if len(args) < 2:
        return Unknown("map")
    lists = [it.iterate(a) for a in args[1:]]
    if any(isinstance(l, Unknown) for l in lists):
        return Unknown("map")
    return [it.call(args[0], list(vals), {}, node) for vals in zip(*lists)]


@_b("divmod")
def _divmod(it, args, kwargs, node):
    if len(args) == 2 and all(isinstance(a, int) for a in args) and args[1]:
        return divmod(*args)
    return Unknown("divmod")


@_b("NotImplementedError")
def _nie(it, args, kwargs, node):
    return Unknown("exception")


# --- torch and friends ------------------------------------------------------------------------

def layer_kind(name: str):
    """'torch.nn.Conv2d' / 'torch.nn.modules.conv.Conv2d' -> 'Conv2d'."""
    if not name.startswith("torch.nn."):
        return None
    last = name.rsplit(".", 1)[1]
    if (last in LAYERS and LAYERS[last].library == "nn") or last in CONTAINERS:
        return last
    return None


def call_qual(it, name: str, args, kwargs, node, arg_nodes):
    from cnnlint.interpret.modules import build_layer

    overlay = nn_utils.lookup(name)
    if overlay is not None:
        return overlay(it, args, kwargs, node)
    if name.startswith("einops."):  # a third-party library, known in its own module
        from cnnlint.overlays import einops

        out = einops.call(it, name, args, kwargs, node, arg_nodes)
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
    if name.startswith("itertools."):
        from cnnlint.overlays import iter_tools

        listed = iter_tools.call(it, name[10:], args, kwargs)
        if listed is not None:
            return listed
    if name.startswith("math."):
        return call_math(it, name[5:], args)
    if name in ("numpy.prod", "np.prod", "math.prod"):
        return call_math(it, "prod", args)
    if name.startswith("torch."):
        short = name[6:]
        fn = TORCH_OPS.get(short) or tensors.TORCH_FUNCTIONS.get(short)
        if fn is not None:
            result = fn(it, args, kwargs, node)
            if args and isinstance(args[0], Tensor):
                result = tensors.keep_row(args[0], result)
            return result
    if name.startswith("torch.nn.") and kind is None and name.rsplit(".", 1)[1][:1].isupper():
        it.note(node, f"{name.replace('torch.', '', 1)} is not in cnnlint's layer table; its output shape is unknown")
        return Unknown(f"{name} is not modelled")
    if not name.startswith(_PURE):
        from cnnlint.interpret.core import spoil

        spoil(list(args) + list(kwargs.values()))  # a list given to code cnnlint does not see may change
    return it.unknown_call(Unknown(f"{name} is outside the file"), args, node, f"{name} is outside the file")


# namespaces whose functions never change a Python list or dict they are given
_PURE = ("torch.", "numpy.", "np.", "math.", "typing.", "functools.", "itertools.", "operator.", "logging.",
         "warnings.", "collections.", "os.", "re.", "einops.", "json.", "copy.")


PASS_THROUGH = {"typing.cast": 1, "torch.jit.annotate": 1, "torch.autograd.Variable": 0,
                "torch.autograd.variable.Variable": 0}
CONSTANT_CALLS = {"torch.jit.is_scripting": False, "torch.jit.is_tracing": False, "torch._assert": None,
                  "warnings.warn": None, "logging.info": None, "torch.no_grad": None,
                  "torch.compiler.is_compiling": False, "torch._C._log_api_usage_once": None,
                  # run in eager mode, the way a model meets its shape errors: not traced, not exported
                  "torch._C._get_tracing_state": None, "torch.onnx.is_in_onnx_export": False,
                  "torch.fx._symbolic_trace.is_fx_tracing": False, "torch._dynamo.is_compiling": False}


def deep_copy(value, memo=None):
    """copy.deepcopy of modules: a new module with copies of its submodules (new parameters)."""
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Layer):
        out = Layer(value.kind, dict(value.args), value.node, in_loop=value.in_loop)
        memo[id(value)] = out
        if getattr(value, "functional", None):
            out.functional = value.functional  # type: ignore[attr-defined]
        if getattr(value, "extra_params", None):
            out.extra_params = dict(value.extra_params)  # type: ignore[attr-defined]
        if getattr(value, "reparam", None):
            out.reparam = dict(value.reparam)  # type: ignore[attr-defined]
        out.children.update({k: deep_copy(v, memo) for k, v in value.children.items()})
        return out
    if isinstance(value, Obj):
        out = Obj(value.cls, {}, {}, list(value.params), value.node,
                  deep_copy(value.base_layer, memo) if value.base_layer is not None else None)
        memo[id(value)] = out
        out.attrs.update({k: deep_copy(v, memo) for k, v in value.attrs.items()})
        out.children.update({k: deep_copy(v, memo) for k, v in value.children.items()})
        return out
    if isinstance(value, list):
        return [deep_copy(v, memo) for v in value]
    if isinstance(value, dict):
        return {k: deep_copy(v, memo) for k, v in value.items()}
    if isinstance(value, tuple) and not isinstance(value, SizeTuple):
        return tuple(deep_copy(v, memo) for v in value)
    return value


def shallow_copy(value):
    if isinstance(value, Obj) and not value.cls.is_module:
        return Obj(value.cls, dict(value.attrs), dict(value.children), list(value.params), value.node)
    if isinstance(value, (Layer, Obj)):
        return Unknown("copy.copy of a module")
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (tuple, str, int, float, bool, type(None), Tensor)):
        return value
    return Unknown("copy")


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


KEEP_FUNCTIONALS = {
    "relu", "relu_", "relu6", "elu", "elu_", "selu", "celu", "gelu", "silu", "mish", "leaky_relu", "leaky_relu_",
    "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "hardswish", "hardsigmoid", "hardtanh", "hardtanh_", "softplus",
    "softsign", "normalize", "batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
    "logsigmoid", "threshold", "prelu", "rrelu", "tanhshrink", "softshrink", "hardshrink", "gumbel_softmax",
    "channel_shuffle", "rms_norm",
}


def call_functional(it, fname: str, args, kwargs, node):
    from cnnlint.interpret.modules import LayerCtx, apply_layer, bind, finish_row, start_row

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
        return tensors.split_half(x, d)
    if fname in ("cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "smooth_l1_loss", "kl_div"):
        return Tensor(())
    if fname == "one_hot":
        return Tensor(None)
    return it.unknown_call(Unknown(f"F.{fname}"), args, node, f"F.{fname} is not modelled")


def _tmp_layer(kind, values, node):
    from cnnlint.interpret.values import Arg

    return Layer(kind, {k: Arg(v) for k, v in values.items()}, node)


# --- attributes -------------------------------------------------------------------------------

def get_attribute(it, obj, name: str, node):
    if name in ("__name__", "__qualname__"):
        known = pytypes.class_name(obj)
        if known is not None:
            return known
    if isinstance(obj, Qual):
        from cnnlint.interpret.imports import resolve

        q = Qual(f"{obj.name}.{name}", obj.origin)
        found = resolve(it, q)
        return q if found is None else found
    if isinstance(obj, Obj):
        return classes.attribute(it, obj, name)
    if isinstance(obj, EnumMember):
        return classes.member_attribute(it, obj, name)
    if isinstance(obj, SuperProxy):
        return classes.super_attribute(it, obj, name)
    if isinstance(obj, UserClass):
        from cnnlint.interpret.scope import _MISSING

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
        return tensors.tensor_attribute(it, obj, name)
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
    return Unknown(f"attribute '{name}'")


_TUPLE_ATTRS = ("kernel_size", "stride", "padding", "dilation", "output_padding")


def layer_attribute(it, layer: Layer, name: str):
    if name in layer.children:
        return layer.children[name]
    if name in layer.args and not (name == "bias" and not layer.is_container):
        value = layer.args[name].value
        if name in _TUPLE_ATTRS and layer.kind[-2:] in ("1d", "2d", "3d") and "Conv" in layer.kind and \
                not isinstance(value, str):
            from cnnlint.layers.base import ntuple

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


def as_dim(value):
    """A layer argument as a size: a parameter without a value is its symbol; anything that is
    not a size is None (unknown), so no shape ever holds something else."""
    if isinstance(value, SymbolicObj):
        return dims.symbol(value.name)
    return value if dims.is_dim(value) else None


def weight_tensor(layer: Layer):
    k = layer.kind
    if k in ("Linear", "LazyLinear"):
        return Tensor((as_dim(layer.value("out_features")), as_dim(layer.value("in_features"))), param=True)
    if k.startswith(("Conv", "LazyConv")) and k[-2:] in ("1d", "2d", "3d"):
        from cnnlint.layers.base import ntuple

        n = int(k[-2])
        kern = ntuple(layer.value("kernel_size"), n)
        if kern is None:
            return Tensor(None, param=True)
        g = as_dim(layer.value("groups", 1))
        cin, cout = as_dim(layer.value("in_channels")), as_dim(layer.value("out_channels"))
        if "Transpose" in k:  # [in, out / groups, *kernel]
            shape = (cin, dims.exact_div(cout, g) if cout is not None and g is not None else None)
        else:  # [out, in / groups, *kernel]
            shape = (cout, dims.exact_div(cin, g) if cin is not None and g is not None else None)
        return Tensor(shape + tuple(as_dim(v) for v in kern), param=True)
    if k == "LayerNorm":
        shape = layer.value("normalized_shape")
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        return Tensor(tuple(as_dim(v) for v in shape), param=True)
    if k == "Embedding":
        return Tensor((as_dim(layer.value("num_embeddings")), as_dim(layer.value("embedding_dim"))), param=True)
    if "Norm" in k:
        c = layer.value("num_features", layer.value("num_channels"))
        return Tensor((as_dim(c),), param=True)
    return Tensor(None, param=True)


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
        from cnnlint.interpret.modules import named_modules as walk

        pairs = list(walk(m))
        if any(children_unsure(it, mod) for _, mod in pairs):
            return Unknown("submodules cnnlint cannot list for certain")
        return pairs

    def itself(it, m, args, kwargs, node):
        return m

    def nothing(it, m, args, kwargs, node):
        return None

    def forward(it, m, args, kwargs, node):
        from cnnlint.interpret.modules import call_module

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


def _argparse_method(parser: ArgParser, name: str):
    def add_argument(it, p, args, kwargs, node):
        flags = [a for a in args if isinstance(a, str)]
        longs = [f for f in flags if f.startswith("--")]
        dest = kwargs.get("dest") or (longs[0][2:] if longs else (flags[0].lstrip("-") if flags else None))
        if not isinstance(dest, str):
            return None
        if "default" in kwargs:
            value = kwargs["default"]
        elif kwargs.get("action") == "store_true":
            value = False
        elif kwargs.get("action") == "store_false":
            value = True
        elif flags and not flags[0].startswith("-"):
            value = Unknown(f"positional argument {dest}")  # given on the command line
        else:
            value = None
        p.defaults[dest.replace("-", "_")] = value
        return None

    def parse_args(it, p, args, kwargs, node):
        return Namespace(dict(p.defaults))

    def parse_known_args(it, p, args, kwargs, node):
        return (Namespace(dict(p.defaults)), [])

    table = {"add_argument": add_argument, "parse_args": parse_args, "parse_known_args": parse_known_args}
    fn = table.get(name)
    return Builtin(name, fn, bound=parser) if fn else Unknown(f"ArgumentParser.{name}")


def _dict_method(d: dict, name: str):
    def get(it, m, args, kwargs, node):
        if not args or isinstance(args[0], Unknown) or INCOMPLETE_KEY in m:
            return Unknown("dict.get")
        try:
            return m.get(args[0], args[1] if len(args) > 1 else None)
        except TypeError:
            return Unknown("dict.get")

    def items(it, m, a, k, n):
        return Unknown("items") if INCOMPLETE_KEY in m else list(m.items())

    def keys(it, m, a, k, n):
        return Unknown("keys") if INCOMPLETE_KEY in m else list(m.keys())

    def values(it, m, a, k, n):
        return Unknown("values") if INCOMPLETE_KEY in m else list(m.values())

    def update(it, m, a, k, n):
        it.touched(m)
        from cnnlint.interpret.core import mark_incomplete

        if a and isinstance(a[0], dict) and INCOMPLETE_KEY not in a[0]:
            m.update(a[0])
        elif a:
            pairs = _dict(it, [a[0]], {}, n)
            if not isinstance(pairs, dict):
                mark_incomplete(m, "items")
                return None
            m.update(pairs)
        m.update(k)
        return None

    def setdefault(it, m, a, k, n):
        it.touched(m)
        from cnnlint.interpret.core import mark_incomplete

        if a and not isinstance(a[0], Unknown) and INCOMPLETE_KEY not in m:
            try:
                return m.setdefault(a[0], a[1] if len(a) > 1 else None)
            except TypeError:
                pass
        mark_incomplete(m, "items")
        return Unknown("setdefault")

    def pop(it, m, a, k, n):
        it.touched(m)
        from cnnlint.interpret.core import mark_incomplete

        if a and not isinstance(a[0], Unknown) and INCOMPLETE_KEY not in m:
            try:
                return m.pop(a[0], a[1] if len(a) > 1 else None)
            except TypeError:
                pass
        if INCOMPLETE_KEY not in m:
            mark_incomplete(m, "items")
        return Unknown("pop")

    def copy(it, m, a, k, n):
        return dict(m)

    def clear(it, m, a, k, n):
        it.touched(m)
        m.clear()
        return None

    table = {"get": get, "items": items, "keys": keys, "values": values, "update": update,
             "setdefault": setdefault, "pop": pop, "copy": copy, "clear": clear}
    fn = table.get(name)
    return Builtin(name, fn, bound=d) if fn else Unknown(f"dict.{name}")


def _list_method(lst: list, name: str):
    """A list's methods. One cnnlint does not model leaves the list unknown (see eval_Call)."""
    from cnnlint.interpret.core import mark_incomplete

    def incomplete(m):
        return any(v is it_star() for v in m)

    def append(it, m, a, k, n):
        it.touched(m)
        m.append(a[0] if a else None)
        return None

    def extend(it, m, a, k, n):
        it.touched(m)
        items = it.iterate(a[0]) if a else []
        if isinstance(items, Unknown):
            mark_incomplete(m, "items")
        else:
            m.extend(items)
        return None

    def insert(it, m, a, k, n):
        it.touched(m)
        if len(a) == 2 and isinstance(a[0], int) and not isinstance(a[0], bool):
            m.insert(a[0], a[1])
        else:
            mark_incomplete(m, "items")
        return None

    def pop(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return Unknown("pop from a list of unknown length")
        if not m:
            return Unknown("pop from empty list")
        if a and not (isinstance(a[0], int) and not isinstance(a[0], bool)):
            mark_incomplete(m, "items")
            return Unknown("pop at an unknown index")
        try:
            return m.pop(a[0] if a else -1)
        except IndexError:
            return Unknown("pop index out of range")

    def index(it, m, a, k, n):
        if incomplete(m) or not a or not _plain(list(m) + [a[0]]):
            return Unknown("index")
        try:
            return m.index(a[0])
        except Exception:
            return Unknown("index")

    def count(it, m, a, k, n):
        if incomplete(m) or not a or not _plain(list(m) + [a[0]]):
            return Unknown("count")
        try:
            return m.count(a[0])
        except Exception:
            return Unknown("count")

    def copy(it, m, a, k, n):
        return list(m)

    def reverse(it, m, a, k, n):
        it.touched(m)
        m.reverse()
        return None

    def remove(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return None
        if a and _plain(list(m) + [a[0]]) and a[0] in m and all(
                isinstance(v, (int, float, str, bool, type(None), tuple)) for v in m + [a[0]]):
            m.remove(a[0])
        else:
            mark_incomplete(m, "items")
        return None

    def sort(it, m, a, k, n):
        it.touched(m)
        if incomplete(m):
            return None
        try:
            if k or a or not _plain(m) or any(dims.is_symbolic(v) for v in m):
                raise TypeError
            m.sort()
        except TypeError:
            mark_incomplete(m, "items")
        return None

    def clear(it, m, a, k, n):
        it.touched(m)
        m.clear()
        return None

    table = {"append": append, "extend": extend, "insert": insert, "pop": pop, "index": index, "copy": copy,
             "reverse": reverse, "remove": remove, "sort": sort, "clear": clear, "count": count}
    fn = table.get(name)
    return Builtin(name, fn, bound=lst) if fn else Unknown(f"list.{name}")


def _str_method(s: str, name: str):
    def run(it, m, a, k, n):
        if not _plain(a) or not _plain(list(k.values())):
            return Unknown(f"str.{name}")
        if name == "join":
            items = it.iterate(a[0]) if a else []
            if isinstance(items, Unknown) or not all(isinstance(v, str) for v in items):
                return Unknown("join")
            return m.join(items)
        try:
            return getattr(m, name)(*a, **k)
        except Exception:
            return Unknown(f"str.{name}")

    if name in ("format", "join", "lower", "upper", "startswith", "endswith", "split", "replace", "strip",
                "isdigit", "rstrip", "lstrip"):
        return Builtin(name, run, bound=s)
    return Unknown(f"str.{name}")


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
            from cnnlint.interpret.tensors import _call_desc, _report

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
                from cnnlint.interpret.tensors import _call_desc, _report

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
        from cnnlint.interpret.classes import torch_base

        base = torch_base(it, value.cls)
        if base in ("Sequential", "ModuleList", "ModuleDict"):
            if INCOMPLETE in value.children:
                return Unknown("container of unknown length")
            if base == "ModuleDict":
                return list(value.children.keys())
            return [v for v in value.children.values() if v is not None]
    if isinstance(value, Tensor):
        if value.values is not None:
            from cnnlint.overlays.value_methods import element_tensors

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
