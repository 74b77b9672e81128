"""torch (and a few stdlib) calls whose answer needs no shape work: casts that return their
argument, calls with a constant answer in eager mode, and functionals that keep their input's shape.
"""
from __future__ import annotations

import math

PASS_THROUGH = {"typing.cast": 1, "torch.jit.annotate": 1, "torch.autograd.Variable": 0,
                "torch.autograd.variable.Variable": 0}


CONSTANT_CALLS = {"torch.jit.is_scripting": False, "torch.jit.is_tracing": False, "torch._assert": None,
                  "warnings.warn": None, "logging.info": None, "torch.no_grad": None,
                  "torch.compiler.is_compiling": False, "torch._C._log_api_usage_once": None,
                  # run in eager mode, the way a model meets its shape errors: not traced, not exported
                  "torch._C._get_tracing_state": None, "torch.onnx.is_in_onnx_export": False,
                  "torch.fx._symbolic_trace.is_fx_tracing": False, "torch._dynamo.is_compiling": False}


KEEP_FUNCTIONALS = {
    "relu", "relu_", "relu6", "elu", "elu_", "selu", "celu", "gelu", "silu", "mish", "leaky_relu", "leaky_relu_",
    "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "hardswish", "hardsigmoid", "hardtanh", "hardtanh_", "softplus",
    "softsign", "normalize", "batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
    "logsigmoid", "threshold", "prelu", "rrelu", "tanhshrink", "softshrink", "hardshrink", "gumbel_softmax",
    "channel_shuffle", "rms_norm",
}

# module-level numbers of math, numpy and torch (`2 * math.pi`), as Python has them
NUMBER_CONSTANTS = {f"{module}.{name}": value for module in ("math", "numpy", "torch")
                    for name, value in (("pi", math.pi), ("e", math.e), ("inf", math.inf))}
NUMBER_CONSTANTS["math.tau"] = math.tau
