"""A differential harness for single operations: a tiny model whose forward builds its tensors
with ``torch.zeros`` and returns one expression. PyTorch runs it on the meta device and on the
CPU; cnnlint reads the same source.

- PyTorch fails on the CPU (whether or not the meta device, which skips a few checks, does):
  cnnlint must report an error;
- PyTorch runs on both: cnnlint reports no error, and its output shape is PyTorch's;
- it fails on the meta device only (the CPU kernel accepts it): cnnlint must not report an
  error.
"""
from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass
from typing import Optional, Tuple

HEADER = """\
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
{head}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
{init}

    def forward(self, x):
{body}
"""


def model_source(body: str, init: str = "pass", head: str = "") -> str:
    return HEADER.format(head=textwrap.dedent(head).strip(), init=textwrap.indent(textwrap.dedent(init).strip(), " " * 8),
                         body=textwrap.indent(textwrap.dedent(body).strip(), " " * 8))


@dataclass(frozen=True)
class TorchVerdict:
    meta: Optional[Tuple[int, ...]]  # output shape on meta, None if it raised
    cpu: Optional[Tuple[int, ...]]
    meta_error: str = ""
    cpu_error: str = ""
    params: Optional[int] = None


def _shape(out):
    import torch

    if isinstance(out, (tuple, list)):
        out = out[0]
    assert isinstance(out, torch.Tensor), f"the case must return a tensor, got {type(out).__name__}"
    return tuple(out.shape)


def torch_verdict(source: str, input_shape=(1,)) -> TorchVerdict:
    import torch

    ns: dict = {}
    exec(compile(source, "<case>", "exec"), ns)
    results = {}
    params = None
    for device in ("meta", "cpu"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with torch.device(device):
                    net = ns["Net"]()
                    params = sum(p.numel() for p in net.parameters())
                    with torch.no_grad():
                        results[device] = (_shape(net(torch.zeros(input_shape))), "")
        except Exception as e:  # noqa: BLE001 - the failure is the verdict
            results[device] = (None, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    return TorchVerdict(results["meta"][0], results["cpu"][0], results["meta"][1], results["cpu"][1], params)


def cnnlint_verdict(source: str, input_shape=(1,)):
    """(output shape, error diagnostics, params) of cnnlint on the source."""
    from cnnlint.api import Settings, check_source
    from cnnlint.inputspec import parse_spec

    spec = parse_spec("Net=" + ",".join(str(d) for d in input_shape))
    result = check_source(source, "case.py", Settings(input_specs=(spec,), shapes=True))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    crashes = [d for d in result.diagnostics if d.code == "CNN999"]
    assert not crashes, crashes
    model = next(m for m in result.models if m.model == "Net")
    return model.output, errors, model.params


def compare(body: str, init: str = "pass", input_shape=(1,), check_params=False, head: str = "", exact=True):
    """Assert cnnlint agrees with PyTorch on the case; returns the torch verdict. ``exact``
    False: cnnlint may leave the shape unknown (a case about false errors)."""
    source = model_source(body, init, head)
    verdict = torch_verdict(source, input_shape)
    output, errors, params = cnnlint_verdict(source, input_shape)
    messages = [f"{d.code} {d.message}" for d in errors]
    if verdict.cpu is None:
        assert errors, f"PyTorch raises ({verdict.cpu_error}) but cnnlint reports no error\n{source}"
    elif verdict.meta is not None:
        assert not errors, f"PyTorch runs it but cnnlint reports {messages}\n{source}"
        want = verdict.cpu
        have = None if output is None else tuple(output)
        assert have == want or (not exact and (have is None or None in have)), f"PyTorch gives {list(want)}, cnnlint {have}\n{source}"
        if check_params:
            assert params == verdict.params, f"PyTorch counts {verdict.params} parameters, cnnlint {params}"
    else:
        assert not errors, (f"PyTorch fails on the meta device only ({verdict.meta_error}) but cnnlint "
                            f"reports {messages}\n{source}")
    return verdict
