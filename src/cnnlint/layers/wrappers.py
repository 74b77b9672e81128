"""Modules that wrap another module and run its forward: nn.DataParallel and
nn.parallel.DistributedDataParallel. The wrapped module is the child ``module``, as in torch
(``model.module``, names ``module.conv1``); they own no parameters."""
from __future__ import annotations

from cnnlint.abstract.values import Tensor, Unknown, is_module
from cnnlint.layers.base import layer, sig


def _run_wrapped(wrapper, x, ctx):
    inner = wrapper.children.get("module")
    if not is_module(inner):
        return Tensor(None)
    out = ctx.interp.call(inner, [x, *ctx.more], dict(ctx.kwargs), ctx.report_node)
    return Tensor(None) if isinstance(out, Unknown) else out


for _name in ("DataParallel", "DistributedDataParallel"):
    layer(_name, sig(("module", None), ("args", None)), params=lambda l: 0)(_run_wrapped)
