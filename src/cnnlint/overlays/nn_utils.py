"""Helpers from torch itself that model code calls: torch.nn.modules.utils' ``_pair`` family,
torch.nn.utils' weight reparametrizations (weight_norm, spectral_norm and their
``parametrizations`` forms), and the data-parallel wrappers. Each one function
``(it, args, kwargs, node) -> value`` in ``OPS``, keyed by its full name; ``lookup`` also finds
the names torch re-exports (``torch.nn.modules.conv._pair``)."""
from __future__ import annotations

from typing import Callable, Dict, Optional

from cnnlint import dims
from cnnlint.abstract.values import Arg, Builtin, Layer, Obj, Tensor, Unknown, is_module
from cnnlint.layers.base import ntuple as spread
from cnnlint.layers.tree import count_params
from cnnlint.layers.weights import weight_tensor
from cnnlint.overlays.calls import arg, unknown, registry

OPS: Dict[str, Callable] = {}
op = registry(OPS)


def lookup(name: str) -> Optional[Callable]:
    fn = OPS.get(name)
    if fn is None and name.startswith("torch.nn.modules.") and name.rsplit(".", 1)[1] in _NTUPLES:
        fn = OPS.get("torch.nn.modules.utils." + name.rsplit(".", 1)[1])
    return fn


# --- torch.nn.modules.utils: _single, _pair, _triple, _quadruple, _ntuple -----------------------

def ntuple(n: int):
    """torch's parse: an iterable becomes a tuple of its items (whatever their number), anything
    else is repeated n times."""
    def parse(it, args, kwargs, node):
        if len(args) != 1 or kwargs:
            return Unknown("_ntuple")
        x = args[0]
        if isinstance(x, (list, tuple, str, dict, set, frozenset)):
            items = it.iterate(x)
            return Unknown("_ntuple") if isinstance(items, Unknown) else tuple(items)
        if isinstance(x, (Unknown, Tensor)):
            return Unknown("_ntuple of a value cnnlint cannot follow")
        return (x,) * n

    return parse


_NTUPLES = {"_single": 1, "_pair": 2, "_triple": 3, "_quadruple": 4}
for _name, _n in _NTUPLES.items():
    OPS["torch.nn.modules.utils." + _name] = ntuple(_n)


@op("torch.nn.modules.utils._ntuple")
def make_ntuple(it, args, kwargs, node):
    n = arg(args, kwargs, 0, "n")
    if not isinstance(n, int) or isinstance(n, bool):
        return Unknown("_ntuple of an unknown length")
    return Builtin(f"_ntuple({n})", ntuple(n))


# --- weight reparametrizations --------------------------------------------------------------------

def weight_shape(module, name: str):
    """The shape of a module's parameter ``name``, or None."""
    if isinstance(module, Obj):
        for pname, t in module.params:
            if pname == name:
                return t.shape if isinstance(t, Tensor) else None
        return weight_shape(module.base_layer, name) if module.base_layer is not None else None
    if not isinstance(module, Layer) or module.is_container:
        return None
    k = module.kind
    if name == "weight" and k.startswith("ConvTranspose"):
        kern = spread(module.value("kernel_size"), int(k[-2]))
        cin, cout, g = module.value("in_channels"), module.value("out_channels"), module.value("groups", 1)
        per = dims.exact_div(cout, g) if dims.is_dim(cout) and dims.is_dim(g) else None
        return (cin, per) + tuple(kern) if kern is not None else None
    if name == "weight" and k == "Embedding":
        return (module.value("num_embeddings"), module.value("embedding_dim"))
    if name == "weight" and k == "LayerNorm":
        shape = module.value("normalized_shape")
        return tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    if name == "weight":
        return weight_tensor(module).shape
    if name == "bias" and module.value("bias", True) is not False:
        out = module.value("out_channels", module.value("out_features", module.value("num_features")))
        return (out,) if dims.is_dim(out) else None
    return None


def _add_params(module, key: str, count):
    """Parameters a reparametrization adds to a module (``count`` None: unknown)."""
    if isinstance(module, Layer):
        extra = dict(getattr(module, "extra_params", {}))
        extra[key] = count
        module.extra_params = extra  # type: ignore[attr-defined]
    elif isinstance(module, Obj):
        module.params.append((key, Tensor((count,)) if count is not None else None))


def _drop_params(module, key: str):
    if isinstance(module, Layer):
        extra = dict(getattr(module, "extra_params", {}))
        extra.pop(key, None)
        module.extra_params = extra  # type: ignore[attr-defined]
    elif isinstance(module, Obj):
        module.params[:] = [(n, t) for n, t in module.params if n != key]


def _rename(module, name: str, new_names):
    """torch's legacy reparametrizations rename the parameter (weight -> weight_g, weight_v or
    weight_orig); torchinfo's mult-adds follow the names. None: the names are restored."""
    if isinstance(module, Layer):
        names = dict(getattr(module, "reparam", {}))
        if new_names is None:
            names.pop(name, None)
        else:
            names[name] = tuple(new_names)
        module.reparam = names  # type: ignore[attr-defined]


def layer_weights(layer: Layer):
    """(name, element count) of a reparametrized layer's weight and bias, in torch's order
    (the untouched one first), for torchinfo's mult-adds; () when nothing was renamed."""
    renamed = getattr(layer, "reparam", None)
    if not renamed:
        return ()
    kept, new = [], []
    for name in ("weight", "bias"):
        shape = weight_shape(layer, name)
        if shape is None and name == "bias" and (layer.value("bias", True) is False):
            continue
        count = dims.prod(shape) if shape is not None and all(dims.is_dim(d) for d in shape) else None
        if name not in renamed:
            kept.append((name, count))
            continue
        for new_name in renamed[name]:
            extra = getattr(layer, "extra_params", {}).get(new_name) if new_name.endswith("_g") else count
            new.append((new_name, extra))
    return tuple(kept + new)


def _magnitude_count(shape, dim):
    """Elements of weight_norm's magnitude g: the size of ``dim`` (0 by default); one for
    dim=None or -1 (a norm over the whole weight)."""
    if dim is None or (isinstance(dim, int) and dim == -1):
        return 1
    if shape is None or not isinstance(dim, int) or isinstance(dim, bool):
        return None
    if not -len(shape) <= dim < len(shape):
        return None
    size = shape[dim]
    return size if dims.is_dim(size) else None


def _weight_norm(it, args, kwargs, node):
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "name", "weight")
    dim = arg(args, kwargs, 2, "dim", 0)
    if not is_module(module):
        return unknown(it, "weight_norm", args, node)
    if not isinstance(name, str):
        _add_params(module, "?_g", None)
        return module
    # g (one magnitude per slice along dim) joins v (the old weight's shape)
    _add_params(module, f"{name}_g", _magnitude_count(weight_shape(module, name), dim))
    _rename(module, name, (f"{name}_g", f"{name}_v"))
    return module


def _same_count(it, args, kwargs, node):
    """A reparametrization whose stored parameter has the weight's own shape (spectral_norm's
    weight_orig, orthogonal's original): the module, its parameter count unchanged."""
    module = arg(args, kwargs, 0, "module")
    return module if is_module(module) else unknown(it, "reparametrization", args, node)


def _remove_weight_norm(it, args, kwargs, node):
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "name", "weight")
    if not is_module(module):
        return unknown(it, "remove_weight_norm", args, node)
    if isinstance(name, str):
        _drop_params(module, f"{name}_g")
        _rename(module, name, None)
    return module


def _spectral_norm(it, args, kwargs, node):
    """spectral_norm(module, name="weight"): weight_orig replaces the weight (same count)."""
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "name", "weight")
    if not is_module(module):
        return unknown(it, "spectral_norm", args, node)
    if isinstance(name, str):
        _rename(module, name, (f"{name}_orig",))
    return module


def _remove_spectral_norm(it, args, kwargs, node):
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "name", "weight")
    if not is_module(module):
        return unknown(it, "remove_spectral_norm", args, node)
    if isinstance(name, str):
        _rename(module, name, None)
    return module


def _register_parametrization(it, args, kwargs, node):
    """register_parametrization(module, name, parametrization): the parametrization module's
    own parameters join the module's."""
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "tensor_name")
    param = arg(args, kwargs, 2, "parametrization")
    if not is_module(module):
        return unknown(it, "register_parametrization", args, node)
    extra = count_params(param) if is_module(param) else None
    if extra != 0:
        _add_params(module, f"{name}_parametrization", extra)
    return module


def _remove_parametrizations(it, args, kwargs, node):
    module = arg(args, kwargs, 0, "module")
    name = arg(args, kwargs, 1, "tensor_name")
    if not is_module(module):
        return unknown(it, "remove_parametrizations", args, node)
    if isinstance(name, str):
        _drop_params(module, f"{name}_g")
        _drop_params(module, f"{name}_parametrization")
    return module


for _prefix in ("torch.nn.utils.", "torch.nn.utils.weight_norm."):
    OPS[_prefix + "weight_norm"] = _weight_norm
    OPS[_prefix + "remove_weight_norm"] = _remove_weight_norm
OPS["torch.nn.utils.parametrizations.weight_norm"] = _weight_norm
for _name in ("torch.nn.utils.parametrizations.spectral_norm", "torch.nn.utils.parametrizations.orthogonal"):
    OPS[_name] = _same_count
for _name in ("torch.nn.utils.spectral_norm", "torch.nn.utils.spectral_norm.spectral_norm"):
    OPS[_name] = _spectral_norm
for _name in ("torch.nn.utils.remove_spectral_norm", "torch.nn.utils.spectral_norm.remove_spectral_norm"):
    OPS[_name] = _remove_spectral_norm
OPS["torch.nn.utils.parametrize.register_parametrization"] = _register_parametrization
OPS["torch.nn.utils.parametrize.remove_parametrizations"] = _remove_parametrizations


# --- data-parallel wrappers ------------------------------------------------------------------

def _wrapper(kind: str):
    def build(it, args, kwargs, node):
        module = arg(args, kwargs, 0, "module")
        if not is_module(module):
            return unknown(it, f"nn.{kind}", args, node)
        wrapper = Layer(kind, {"module": Arg(module)}, node, in_loop=it.loop_depth > 0)
        wrapper.children["module"] = module
        return wrapper

    return build


for _name in ("torch.nn.DataParallel", "torch.nn.parallel.DataParallel",
              "torch.nn.parallel.data_parallel.DataParallel"):
    OPS[_name] = _wrapper("DataParallel")
for _name in ("torch.nn.parallel.DistributedDataParallel", "torch.nn.parallel.distributed.DistributedDataParallel",
              "torch.nn.DistributedDataParallel"):
    OPS[_name] = _wrapper("DistributedDataParallel")


@op("torch.nn.parallel.data_parallel", "torch.nn.parallel.data_parallel.data_parallel")
def data_parallel(it, args, kwargs, node):
    """data_parallel(module, inputs, ...): module(*inputs) for shapes (inputs a tensor or a tuple)."""
    module = arg(args, kwargs, 0, "module")
    inputs = arg(args, kwargs, 1, "inputs")
    extra = arg(args, kwargs, 5, "module_kwargs") or {}
    if not is_module(module) or not isinstance(extra, dict):
        return unknown(it, "nn.parallel.data_parallel", args, node)
    inputs = list(inputs) if isinstance(inputs, tuple) else [inputs]
    return it.call(module, inputs, dict(extra), node)
