"""PyTorch oracle for the torchvision corpus: per-layer output shapes and parameter counts.

    /work/tv-venv/bin/python bench/torchvision_oracle.py [--only NAME ...]

For every model of ``tv_specs.SPECS`` it builds the model twice on the ``meta`` device
(no weights, no memory): once with torchvision's factory function, once with the
constructor expression cnnlint is given (``ResNet(BasicBlock, [2, 2, 2, 2])``,
evaluated in the namespace of the model's module), and checks the two are the same
model (same ``named_modules`` names and types, same parameter shapes). It then runs
the standard input through the constructed model in eval mode with a forward hook on
every module, recording in call order the module's name (from ``named_modules()``),
its type, whether it is a leaf, and its output shape when the output is a tensor.
Writes ``bench/_corpus/oracle.json``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import warnings

import torch
import torchvision
import torchvision.models

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tv_specs  # noqa: E402

OUT = os.path.join(HERE, "_corpus", "oracle.json")


def on_meta(build):
    """Build directly on meta (no memory); if the constructor itself computes with
    tensors (RegNet's BlockParams uses torch.arange(...).tolist()), build on CPU."""
    try:
        with torch.device("meta"):
            return build()
    except NotImplementedError:
        return build().to("meta")


def build_expr(module_ns: dict, expr: str):
    return on_meta(lambda: eval(expr, dict(module_ns)))


def build_factory(name: str):
    return on_meta(getattr(torchvision.models, name))


def structure(model) -> list:
    return [(n, type(m).__name__) for n, m in model.named_modules()]


def param_shapes(model) -> list:
    return [(n, list(p.shape)) for n, p in model.named_parameters()]


def count_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def shape_of(out):
    if isinstance(out, torch.Tensor):
        return list(out.shape)
    return None


def trace(model, input_shape):
    """Run on meta with hooks; return (calls, output shape)."""
    calls = []
    handles = []
    for name, mod in model.named_modules():
        if name == "":
            continue
        leaf = next(iter(mod.children()), None) is None

        def hook(m, inp, out, name=name, leaf=leaf):
            calls.append({"name": name, "type": type(m).__name__, "leaf": leaf,
                          "output": shape_of(out)})
        handles.append(mod.register_forward_hook(hook))
    try:
        with torch.no_grad():
            out = model(torch.empty(*input_shape, device="meta"))
    finally:
        for h in handles:
            h.remove()
    if not isinstance(out, torch.Tensor) and hasattr(out, "logits"):
        out = out.logits
    return calls, shape_of(out)


def run_spec(spec: dict) -> dict:
    mod = importlib.import_module(f"torchvision.models.{spec['file'][:-3]}")
    t0 = time.time()
    factory = build_factory(spec["name"]).eval()
    model = build_expr(vars(mod), spec["expr"]).eval()
    same_modules = structure(factory) == structure(model)
    same_params = param_shapes(factory) == param_shapes(model)
    calls, out = trace(model, spec["input"])
    rec = {
        "name": spec["name"],
        "path": spec["path"],
        "file": spec["file"],
        "class": spec["cls"],
        "args": spec["args"],
        "expr": spec["expr"],
        "input": spec["input"],
        "input_shape_option": tv_specs.input_shape_option(spec),
        "factory": f"torchvision.models.{spec['name']}()",
        "factory_equivalent": bool(same_modules and same_params),
        "params": count_params(model),
        "factory_params": count_params(factory),
        "output": out,
        "n_modules": len(structure(model)),
        "calls": calls,
        "seconds": round(time.time() - t0, 3),
    }
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="model names to run (default: all)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    specs = [s for s in tv_specs.SPECS if not args.only or s["name"] in args.only]
    models = []
    for spec in specs:
        try:
            rec = run_spec(spec)
        except Exception as e:  # keep going; record the failure
            rec = {"name": spec["name"], "path": spec["path"], "expr": spec["expr"],
                   "error": f"{type(e).__name__}: {e}"}
        models.append(rec)
        if "error" in rec:
            print(f"{spec['name']:22s} ERROR {rec['error']}")
        else:
            leaf = sum(1 for c in rec["calls"] if c["leaf"])
            print(f"{rec['name']:22s} {rec['expr'][:60]:60s} params={rec['params']:>10d} "
                  f"leaf_calls={leaf:4d} out={rec['output']} "
                  f"equiv={'yes' if rec['factory_equivalent'] else 'NO'}")
    doc = {"torch": torch.__version__, "torchvision": torchvision.__version__,
           "device": "meta", "models": models}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {args.out}")
    if any("error" in m or not m.get("factory_equivalent") for m in models):
        sys.exit(1)


if __name__ == "__main__":
    main()
