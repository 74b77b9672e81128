"""Linear, shape-keeping layers (activations, dropout), reshaping layers, resizing and padding."""
from __future__ import annotations

import math

from cnnlint import dims
from cnnlint.abstract.values import Arg, Layer as _Layer, Tensor
from cnnlint.layers.base import (LAYERS, dim_or_none, keep, layer, ntuple, same_as, sig,
                                 unknown_output)

# --- Linear ---------------------------------------------------------------------------

def linear_params(layer):
    i, o = layer.value("in_features"), layer.value("out_features")
    if not dims.is_dim(i) or not dims.is_dim(o):
        return None
    w = dims.mul(i, o)
    return dims.add(w, o) if layer.value("bias", True) is not False else w


@layer("Linear", sig("in_features", "out_features", ("bias", True), ("device", None), ("dtype", None)),
       params=linear_params)
def linear(layer, x, ctx):
    i, o = layer.value("in_features"), layer.value("out_features")
    if x.shape is None:
        # an input of unknown rank (the model's own input, without --input-shape) stays of
        # unknown rank: only its last dimension, which a Linear acts on, is known after it
        if x.last is not None:
            ctx.expect("in_features", i, x.last, "CNN102", "input features", linear=True)
        return Tensor(None, last=dim_or_none(o))
    if len(x.shape) == 0:
        ctx.fail("CNN107", f"{ctx.layer_title()} cannot take a 0D tensor")
        return Tensor(None)
    sizes = [dims.as_int(v) for v in x.shape[1:]]
    per_sample = None if None in sizes else math.prod(sizes)
    if len(x.shape) > 2 and per_sample is not None and dims.as_int(i) == per_sample and \
            dims.as_int(x.shape[-1]) not in (None, per_sample):
        # [N, 512, 1, 1] into Linear(512, ...): the sizes fit once flattened, no number is wrong
        ctx.fail("CNN102", f"{ctx.layer_title()} expects {per_sample} input features but receives "
                           f"{dims.fmt(x.shape[-1])} (its input {ctx.fmt_shape(x.shape)} holds {per_sample} per sample: "
                           "a flatten is missing)", declared=i, inferred=x.shape[-1],
                 options=("flatten the input first: `torch.flatten(x, 1)` in forward, or `nn.Flatten()` before it",),
                 repairable=False)
        return Tensor(x.shape[:-1] + (dim_or_none(o),))
    ctx.expect("in_features", i, x.shape[-1], "CNN102", "input features", linear=True)
    return Tensor(x.shape[:-1] + (dim_or_none(o),))


@layer("LazyLinear", sig("out_features", ("bias", True), ("device", None), ("dtype", None)),
       params=lambda l: linear_params(l) if l.value("in_features") is not None else None)
def lazy_linear(layer, x, ctx):
    o = layer.value("out_features")
    if x.shape and not x.free:
        layer.args["in_features"] = Arg(x.shape[-1])
        return Tensor(x.shape[:-1] + (dim_or_none(o),))
    return Tensor(None, last=dim_or_none(o))


@layer("Bilinear", sig("in1_features", "in2_features", "out_features", ("bias", True), ("device", None),
                       ("dtype", None)),
       params=lambda l: _bilinear_params(l))
def bilinear(layer, x, ctx):
    o = layer.value("out_features")
    if x.shape is None:
        return Tensor(None, last=dim_or_none(o))
    return Tensor(x.shape[:-1] + (dim_or_none(o),))


def _bilinear_params(layer):
    a, b, o = (layer.value(n) for n in ("in1_features", "in2_features", "out_features"))
    if not all(dims.is_dim(v) for v in (a, b, o)):
        return None
    return dims.add(dims.prod((a, b, o)), o)


# --- shape-keeping layers --------------------------------------------------------------

_KEEP = {
    "ReLU": sig(("inplace", False)), "ReLU6": sig(("inplace", False)),
    "LeakyReLU": sig(("negative_slope", 0.01), ("inplace", False)),
    "ELU": sig(("alpha", 1.0), ("inplace", False)), "CELU": sig(("alpha", 1.0), ("inplace", False)),
    "SELU": sig(("inplace", False)), "GELU": sig(("approximate", "none")),
    "SiLU": sig(("inplace", False)), "Mish": sig(("inplace", False)),
    "Sigmoid": sig(), "Tanh": sig(), "LogSigmoid": sig(), "Softsign": sig(), "Tanhshrink": sig(),
    "Hardtanh": sig(("min_val", -1.0), ("max_val", 1.0), ("inplace", False), ("min_value", None),
                    ("max_value", None)),
    "Hardswish": sig(("inplace", False)), "Hardsigmoid": sig(("inplace", False)),
    "Hardshrink": sig(("lambd", 0.5)), "Softshrink": sig(("lambd", 0.5)),
    "Softplus": sig(("beta", 1.0), ("threshold", 20.0)),
    "Threshold": sig("threshold", "value", ("inplace", False)),
    "RReLU": sig(("lower", 1 / 8), ("upper", 1 / 3), ("inplace", False)),
    "Softmax": sig(("dim", None)), "LogSoftmax": sig(("dim", None)), "Softmin": sig(("dim", None)),
    "Softmax2d": sig(), "GLU": sig(("dim", -1)),
    "Dropout": sig(("p", 0.5), ("inplace", False)), "Dropout1d": sig(("p", 0.5), ("inplace", False)),
    "Dropout2d": sig(("p", 0.5), ("inplace", False)), "Dropout3d": sig(("p", 0.5), ("inplace", False)),
    "AlphaDropout": sig(("p", 0.5), ("inplace", False)),
    "FeatureAlphaDropout": sig(("p", 0.5), ("inplace", False)),
    "ChannelShuffle": sig("groups"),
}
for _name, _sig in _KEEP.items():
    layer(_name, _sig)(keep)


@layer("Identity", sig(("args", None)))
def identity(layer, x, ctx):
    return x


@layer("PReLU", sig(("num_parameters", 1), ("init", 0.25), ("device", None), ("dtype", None)),
       params=lambda l: l.value("num_parameters", 1) if dims.is_dim(l.value("num_parameters", 1)) else None)
def prelu(layer, x, ctx):
    n = layer.value("num_parameters", 1)
    if dims.as_int(n) not in (1, None) and x.shape and not x.free and len(x.shape) >= 2:
        ctx.expect("num_parameters", n, x.shape[1], "CNN101", "channels")
    return x


# --- reshaping layers --------------------------------------------------------------------

def _axis(d, rank):
    d = dims.as_int(d)
    if d is None or rank is None:
        return None
    if d < -rank or d >= rank:
        return None
    return d % rank


@layer("Flatten", sig(("start_dim", 1), ("end_dim", -1)))
def flatten_layer(layer, x, ctx):
    return flatten(x, layer.value("start_dim", 1), layer.value("end_dim", -1), ctx)


def flatten(x, start, end, ctx):
    """torch.flatten semantics, shared by nn.Flatten, torch.flatten and Tensor.flatten."""
    if x.free:
        # flatten(1) of any input of rank 2 or more is [size 0, the rest]; other ranges leave the
        # rank unknown
        return Tensor((ctx.batch(), None)) if dims.as_int(start) == 1 and dims.as_int(end) == -1 else Tensor(None)
    if x.shape is None:
        return Tensor(None)
    rank = len(x.shape)
    if rank == 0:
        return Tensor((1,))
    s, e = _axis(start, rank), _axis(end, rank)
    if s is None or e is None:
        ctx.fail("CNN107", f"flatten dims ({start}, {end}) are out of range for a {rank}D tensor "
                           f"{ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    if s > e:
        ctx.fail("CNN108", f"flatten start_dim {start} comes after end_dim {end}")
        return Tensor(None)
    merged = dims.prod(x.shape[s:e + 1])
    shape = x.shape[:s] + (merged,) + x.shape[e + 1:]
    if e > s:
        ctx.explain(lambda: f"flatten {'*'.join(dims.fmt(v) for v in x.shape[s:e + 1])} = {dims.fmt(merged)}")
        if e == rank - 1:
            return Tensor(shape, flat=(tuple(x.shape[s:]), x.shape, x.src))
    return Tensor(shape)


@layer("Unflatten", sig("dim", "unflattened_size"))
def unflatten(layer, x, ctx):
    if x.shape is None:
        return Tensor(None)
    d = _axis(layer.value("dim"), len(x.shape))
    sizes = layer.value("unflattened_size")
    if d is None and dims.as_int(layer.value("dim")) is not None and not x.free:
        ctx.fail("CNN107", f"{ctx.layer_title()} unflattens dim {dims.as_int(layer.value('dim'))}, out of range "
                           f"for a {len(x.shape)}D tensor {ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    if d is None or not isinstance(sizes, (tuple, list)):
        return Tensor(None)
    sizes = list(sizes)
    if sizes.count(-1) == 1:
        rest = dims.prod(v for v in sizes if v != -1)
        sizes[sizes.index(-1)] = dims.exact_div(x.shape[d], rest)
    total = dims.prod(sizes)
    if dims.definitely_differ(total, x.shape[d]):
        ctx.fail("CNN104", f"{ctx.layer_title()} splits size {dims.fmt(x.shape[d])} into "
                           f"{ctx.fmt_shape(tuple(sizes))}, which holds {dims.fmt(total)} elements",
                 arg="unflattened_size", declared=dims.as_int(total), inferred=dims.as_int(x.shape[d]))
        return Tensor(None)
    return Tensor(x.shape[:d] + tuple(dim_or_none(v) for v in sizes) + x.shape[d + 1:])


# --- resizing -----------------------------------------------------------------------------

UPSAMPLE_SIG = sig(("size", None), ("scale_factor", None), ("mode", "nearest"), ("align_corners", None),
                   ("recompute_scale_factor", None))


@layer("Upsample", UPSAMPLE_SIG)
def upsample(layer, x, ctx):
    return resize(x, layer.value("size"), layer.value("scale_factor"), ctx)


same_as("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")


def resize(x, size, scale, ctx):
    """F.interpolate / nn.Upsample: the spatial dims become ``size`` or ``floor(L * scale)``."""
    if x.shape is None:
        return x if x.free else Tensor(None)
    n = len(x.shape) - 2
    if n < 1:
        ctx.fail("CNN107", f"interpolation needs a 3D, 4D or 5D input, got {ctx.fmt_shape(x.shape)}")
        return Tensor(None)
    if size is not None:
        want = ntuple(size, n)
        if want is None:
            return Tensor(x.shape[:2] + (None,) * n)
        return Tensor(x.shape[:2] + tuple(dim_or_none(v) for v in want))
    factors = ntuple(scale, n) if not isinstance(scale, float) else (scale,) * n
    if factors is None:
        return Tensor(x.shape[:2] + (None,) * n)
    out = []
    for L, f in zip(x.shape[2:], factors):
        if isinstance(f, float) and f.is_integer():
            f = int(f)
        if dims.is_dim(f) and L is not None:
            out.append(dims.mul(L, f))
        elif isinstance(f, float) and dims.as_int(L) is not None:
            import math

            out.append(int(math.floor(dims.as_int(L) * f)))
        else:
            out.append(None)
    return Tensor(x.shape[:2] + tuple(out))


@layer("PixelShuffle", sig("upscale_factor"))
def pixel_shuffle(layer, x, ctx):
    r = layer.value("upscale_factor")
    if x.shape is None or len(x.shape) < 3 or not dims.is_dim(r):
        return Tensor(None)
    c = x.shape[-3]
    ci = dims.as_int(c)
    ri = dims.as_int(r)
    if ci is not None and ri is not None and ci % (ri * ri):
        ctx.fail("CNN101", f"{ctx.layer_title()} needs channels divisible by {ri}^2 = {ri * ri}, "
                           f"but its input has {ci}", declared=ri, inferred=ci)
        return Tensor(None)
    return Tensor(x.shape[:-3] + (dims.exact_div(c, dims.mul(r, r)), dims.mul(x.shape[-2], r),
                                  dims.mul(x.shape[-1], r)))


@layer("PixelUnshuffle", sig("downscale_factor"))
def pixel_unshuffle(layer, x, ctx):
    r = layer.value("downscale_factor")
    if x.shape is None or len(x.shape) < 3 or not dims.is_dim(r):
        return Tensor(None)
    h, w = x.shape[-2], x.shape[-1]
    return Tensor(x.shape[:-3] + (dims.mul(x.shape[-3], dims.mul(r, r)), dims.exact_div(h, r),
                                  dims.exact_div(w, r)))


# --- padding ------------------------------------------------------------------------------

def pad_shape(x, pad, ctx):
    """F.pad: ``pad`` pairs (left, right) from the last dimension backwards."""
    if x.shape is None or not isinstance(pad, (tuple, list)) or len(pad) % 2:
        return Tensor(None) if not x.free else x
    shape = list(x.shape)
    for i in range(len(pad) // 2):
        axis = len(shape) - 1 - i
        if axis < 0:
            return Tensor(None)
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if not dims.is_dim(lo) or not dims.is_dim(hi):
            shape[axis] = None
        else:
            shape[axis] = dims.add(shape[axis], dims.add(lo, hi))
    return Tensor(tuple(shape))


def _pad_layer(n: int):
    def run(layer, x, ctx):
        p = layer.value("padding")
        if dims.is_dim(p):
            p = (p,) * (2 * n)
        return pad_shape(x, p, ctx)

    return run


for _n in (1, 2, 3):
    for _kind in ("Zero", "Constant", "Reflection", "Replication", "Circular"):
        _s = sig("padding", "value") if _kind == "Constant" else sig("padding")
        layer(f"{_kind}Pad{_n}d", _s)(_pad_layer(_n))


# --- embeddings and recurrent layers --------------------------------------------------------

@layer("Embedding", sig("num_embeddings", "embedding_dim", ("padding_idx", None), ("max_norm", None),
                        ("norm_type", 2.0), ("scale_grad_by_freq", False), ("sparse", False), ("_weight", None),
                        ("_freeze", False), ("device", None), ("dtype", None)),
       params=lambda l: dims.mul(l.value("num_embeddings"), l.value("embedding_dim"))
       if dims.is_dim(l.value("num_embeddings")) and dims.is_dim(l.value("embedding_dim")) else None)
def embedding(layer, x, ctx):
    d = layer.value("embedding_dim")
    if x.shape is None:
        return Tensor(None, last=dim_or_none(d))  # indices of any rank, each becomes a vector
    return Tensor(x.shape + (dim_or_none(d),))


RNN_SIG = sig("input_size", "hidden_size", ("num_layers", 1), ("bias", True), ("batch_first", False),
              ("dropout", 0.0), ("bidirectional", False), ("proj_size", 0), ("device", None), ("dtype", None))
# nn.RNN takes its nonlinearity fourth: RNN(10, 20, 2, "relu")
PLAIN_RNN_SIG = RNN_SIG[:3] + (("nonlinearity", "tanh"),) + RNN_SIG[3:]
_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def _rnn_params(layer):
    gates = _GATES[layer.kind]
    i, h, n = (layer.value(k) for k in ("input_size", "hidden_size", "num_layers"))
    if not all(dims.is_dim(v) for v in (i, h, n)) or dims.as_int(n) is None:
        return None
    if layer.value("proj_size", 0) not in (0, None):
        return None
    d = 2 if layer.value("bidirectional", False) is True else 1
    bias = layer.value("bias", True) is not False
    total = 0
    for k in range(dims.as_int(n)):
        inp = i if k == 0 else dims.mul(h, d)
        per = dims.add(dims.mul(gates * 1, dims.mul(h, inp)), dims.mul(gates, dims.mul(h, h)))
        if bias:
            per = dims.add(per, dims.mul(2 * gates, h))
        total = dims.add(total, dims.mul(d, per))
    return total


def _rnn(layer, x, ctx):
    i, h = layer.value("input_size"), layer.value("hidden_size")
    d = 2 if layer.value("bidirectional", False) is True else 1
    n = layer.value("num_layers", 1)
    if x.free or x.shape is None:
        return (Tensor(None), Tensor(None) if layer.kind != "LSTM" else (Tensor(None), Tensor(None)))
    if len(x.shape) not in (2, 3):
        ctx.fail("CNN107", f"{ctx.layer_title()} expects a 2D or 3D input but receives "
                           f"{len(x.shape)}D {ctx.fmt_shape(x.shape)}")
        return (Tensor(None), Tensor(None))
    ctx.expect("input_size", i, x.shape[-1], "CNN102", "input features")
    out = Tensor(x.shape[:-1] + (dims.mul(d, h) if dims.is_dim(h) else None,))
    if len(x.shape) == 3:
        batch = x.shape[0] if layer.value("batch_first", False) is True else x.shape[1]
        hidden = Tensor((dims.mul(d, n) if dims.is_dim(n) else None, batch, dim_or_none(h)))
    else:
        hidden = Tensor((dims.mul(d, n) if dims.is_dim(n) else None, dim_or_none(h)))
    return (out, (hidden, hidden) if layer.kind == "LSTM" else hidden)


for _name in _GATES:
    layer(_name, PLAIN_RNN_SIG if _name == "RNN" else RNN_SIG, params=_rnn_params)(_rnn)

# --- attention --------------------------------------------------------------------------

def _mha_params(layer):
    e = layer.value("embed_dim")
    k, v = layer.value("kdim"), layer.value("vdim")
    if not dims.is_dim(e) or (k not in (None, e)) or (v not in (None, e)):
        return None  # separate key/value projections: not counted here
    bias = layer.value("bias", True) is not False
    extra = dims.mul(2, e) if layer.value("add_bias_kv", False) is True else 0
    weights = dims.mul(4, dims.mul(e, e))
    return dims.add(dims.add(weights, dims.mul(4, e) if bias else 0), extra)


@layer("MultiheadAttention", sig("embed_dim", "num_heads", ("dropout", 0.0), ("bias", True),
                                 ("add_bias_kv", False), ("add_zero_attn", False), ("kdim", None), ("vdim", None),
                                 ("batch_first", False), ("device", None), ("dtype", None)),
       params=_mha_params, build_check=lambda l, ctx: _heads_divide(l, ctx, "embed_dim"))
def multihead_attention(layer, x, ctx):
    """(attention output, weights): the output has the query's shape; the weights' shape needs
    the key's length, which only the first argument cannot tell."""
    e = layer.value("embed_dim")
    if x.shape is None or x.free:
        return (Tensor(None), Tensor(None))
    if len(x.shape) not in (2, 3):
        ctx.fail("CNN107", f"{ctx.layer_title()} expects a 2D or 3D query but receives "
                           f"{len(x.shape)}D {ctx.fmt_shape(x.shape)}")
        return (Tensor(None), Tensor(None))
    ctx.expect("embed_dim", e, x.shape[-1], "CNN102", "query features")
    return (Tensor(x.shape[:-1] + (dim_or_none(e),)), Tensor(None))


def _heads_divide(layer, ctx, arg):
    e, h = dims.as_int(layer.value(arg)), dims.as_int(layer.value("num_heads", layer.value("nhead")))
    if e is not None and h and e % h:
        ctx.fail("CNN105", f"{ctx.layer_title()} {arg}={e} is not divisible by its {h} heads", arg=arg, declared=e)


def _encoder_layer_params(layer):
    d, ff = layer.value("d_model"), layer.value("dim_feedforward", 2048)
    if not dims.is_dim(d) or not dims.is_dim(ff):
        return None
    bias = layer.value("bias", True) is not False
    attn = dims.add(dims.mul(4, dims.mul(d, d)), dims.mul(4, d) if bias else 0)
    ffn = dims.add(dims.mul(2, dims.mul(d, ff)), dims.add(ff, d) if bias else 0)
    norms = dims.mul(4 if bias else 2, d)
    extra = 0
    if layer.kind == "TransformerDecoderLayer":
        extra = dims.add(attn, dims.mul(2 if bias else 1, d))  # cross-attention and a third norm
    return dims.add(dims.add(dims.add(attn, ffn), norms), extra)


def _keep_model_dim(arg):
    def run(layer, x, ctx):
        d = layer.value(arg)
        if x.shape is None or x.free:
            return Tensor(None)
        if len(x.shape) not in (2, 3):
            ctx.fail("CNN107", f"{ctx.layer_title()} expects a 2D or 3D input but receives "
                               f"{len(x.shape)}D {ctx.fmt_shape(x.shape)}")
            return Tensor(None)
        ctx.expect(arg, d, x.shape[-1], "CNN102", "input features")
        return x

    return run


TLAYER_SIG = sig("d_model", "nhead", ("dim_feedforward", 2048), ("dropout", 0.1), ("activation", None),
                 ("layer_norm_eps", 1e-5), ("batch_first", False), ("norm_first", False), ("bias", True),
                 ("device", None), ("dtype", None))
for _name in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
    layer(_name, TLAYER_SIG, params=_encoder_layer_params,
          build_check=lambda l, ctx: _heads_divide(l, ctx, "d_model"))(_keep_model_dim("d_model"))


def _stack_params(layer):
    inner, n = layer.value("encoder_layer", layer.value("decoder_layer")), layer.value("num_layers")

    if not isinstance(inner, _Layer) or dims.as_int(n) is None or inner.kind not in LAYERS:
        return None
    one = LAYERS[inner.kind].params(inner) if LAYERS[inner.kind].params else None
    if one is None:
        return None
    norm = layer.value("norm")
    extra = 0
    if norm is not None:
        if not isinstance(norm, _Layer) or LAYERS[norm.kind].params is None:
            return None
        extra = LAYERS[norm.kind].params(norm)
    return None if extra is None else dims.add(dims.mul(dims.as_int(n), one), extra)


def _stack(layer, x, ctx):
    inner = layer.value("encoder_layer", layer.value("decoder_layer"))

    if isinstance(inner, _Layer) and inner.kind in LAYERS:
        return LAYERS[inner.kind].forward(inner, x, ctx)
    return Tensor(None)


layer("TransformerEncoder", sig("encoder_layer", "num_layers", ("norm", None), ("enable_nested_tensor", True),
                                ("mask_check", True)), params=_stack_params)(_stack)
layer("TransformerDecoder", sig("decoder_layer", "num_layers", ("norm", None)), params=_stack_params)(_stack)

for _name in ("Transformer", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"):
    layer(_name, sig(("args", None)), params=lambda l: None)(unknown_output(f"nn.{_name} is not modelled"))


