"""cnnlint's `shapes` on library models against PyTorch: torchvision's classification,
segmentation and detection factories (detection: parameters only; its output is boxes) and one
timm model per timm module, read from an environment's installed source.

    /work/benchvenv/bin/python bench/library_models.py --oracle     # 1. PyTorch's figures (meta device)
    python3 bench/library_models.py --python /work/benchvenv         # 2. cnnlint against them

Step 1 builds each model with ``weights=None`` (timm: ``pretrained=False``) on the meta device,
runs one input through it, and writes its output shape and parameter count to
``bench/data/library_models.json`` (committed: the tests compare against it without torch).
Running it again must give the same file. Step 2 runs ``cnnlint shapes NAME --format json``
for each entry (cnnlint never imports torch) and prints, per library, how many agree in both
total parameters and output shape; ``--out FILE`` writes the table as markdown.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "library_models.json")
SIZE = {"inception_v3": 299}  # every other classification model takes 224x224


def _timm_models() -> List[str]:
    """One registered model per timm module: the first name each module registers."""
    import timm
    from timm.models import _registry

    seen: Dict[str, str] = {}
    for name in timm.list_models():
        module = _registry._model_to_module.get(name)
        if module and module not in seen:
            seen[module] = name
    return [seen[m] for m in sorted(seen)]


def oracle(only: Optional[List[str]]) -> int:
    import torch
    import torchvision

    entries = []
    names = [f"torchvision.models.{n}" for n in sorted(torchvision.models.list_models(module=torchvision.models))]
    for sub in ("segmentation", "detection"):
        module = getattr(torchvision.models, sub)
        names += [f"torchvision.models.{sub}.{n}(weights_backbone=None)"
                  for n in sorted(torchvision.models.list_models(module=module))]
    try:
        names += [f"timm:{n}" for n in _timm_models()]
    except ImportError:
        pass
    for target in names:
        if only and not any(o in target for o in only):
            continue
        short = target.split(":")[-1].split("(")[0].split(".")[-1]
        kind = "timm" if target.startswith("timm:") else "torchvision" + (
            "-segmentation" if ".segmentation." in target else "-detection" if ".detection." in target else "")
        entry = {"target": target, "library": kind}
        def build():
            if target.startswith("timm:"):
                import timm

                model = timm.create_model(short, pretrained=False)
                return model, model.pretrained_cfg.get("input_size", (3, 224, 224))
            extra = {"weights_backbone": None} if "(" in target else {}
            return (torchvision.models.get_model(short, weights=None, **extra),
                    (3, SIZE.get(short, 224), SIZE.get(short, 224)))

        try:
            try:
                with torch.device("meta"):
                    model, size = build()
            except NotImplementedError:  # its __init__ reads a tensor's values: built on the CPU, then moved
                model, size = build()
                model = model.to("meta")
            model.eval()
            params = sum(p.numel() for p in model.parameters())
            if entry["library"] == "torchvision-detection":  # boxes after post-processing: no shape to compare
                entry.update(input=[1] + list(size), params=params, output=None)
                entries.append(entry)
                print(json.dumps(entry), flush=True)
                continue
            x = torch.empty((1,) + tuple(size), device="meta")
            out = model(x)
            if isinstance(out, dict):  # segmentation: {"out": ..., "aux": ...}
                out = out["out"]
            if isinstance(out, (tuple, list)):
                out = out[0]
            entry.update(input=[1] + list(size), params=params, output=list(out.shape))
        except Exception as e:  # a model PyTorch cannot build or run this way is left out, with why
            entry.update(error=f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}")
        entries.append(entry)
        print(json.dumps(entry), flush=True)
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    try:
        import timm

        versions["timm"] = timm.__version__
    except ImportError:
        pass
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    with open(DATA, "w") as fh:
        json.dump({"versions": versions, "models": entries}, fh, indent=1)
        fh.write("\n")
    return 0


def cnnlint_shapes(target: str, size, python: Optional[str], timeout: float = 300.0) -> dict:
    cmd = [sys.executable, "-m", "cnnlint", "shapes", target, "--format", "json",
           "--input-shape", ",".join(str(s) for s in size)]
    if python:
        cmd += ["--python", python]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    if p.returncode not in (0, 1) or not p.stdout.strip():
        return {"error": (p.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    try:
        models = json.loads(p.stdout)["models"]
    except (ValueError, KeyError):
        return {"error": "unreadable output"}
    if not models:
        return {"error": "no model"}
    m = models[0]
    return {"params": m.get("params"), "output": m.get("output")}


def compare(python: Optional[str], only: Optional[List[str]], out: Optional[str]) -> int:
    with open(DATA) as fh:
        data = json.load(fh)
    rows = []
    for e in data["models"]:
        if "error" in e or (only and not any(o in e["target"] for o in only)):
            continue
        got = cnnlint_shapes(e["target"], e["input"], python)
        params_ok = got.get("params") == e["params"]
        output_ok = e["output"] is None or got.get("output") == e["output"]
        why = got.get("error") or ("" if params_ok and output_ok else
                                   f"params {got.get('params')} vs {e['params']}, output {got.get('output')} "
                                   f"vs {e['output']}")
        rows.append((e["library"], e["target"], params_ok and output_ok, why))
        print(f"{'ok ' if params_ok and output_ok else 'BAD'} {e['target']:50} {why}", flush=True)
    lines = ["| library | models | params and output as PyTorch | rate |", "| --- | --- | --- | --- |"]
    for lib in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == lib]
        good = sum(r[2] for r in mine)
        lines.append(f"| {lib} | {len(mine)} | {good} | {100 * good / max(1, len(mine)):.1f}% |")
    lines += ["", "| model | why not |", "| --- | --- |"] + [f"| {r[1]} | {r[3]} |" for r in rows if not r[2]]
    print("\n".join(lines))
    if out:
        with open(out, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oracle", action="store_true", help="write PyTorch's figures (run in the bench venv)")
    ap.add_argument("--python", default=None, help="the environment cnnlint reads the libraries from")
    ap.add_argument("--only", nargs="*", help="substrings of the model names to keep")
    ap.add_argument("--out", default=None, help="write the comparison table (markdown) here")
    args = ap.parse_args(argv)
    if args.oracle:
        return oracle(args.only)
    return compare(args.python, args.only, args.out)


if __name__ == "__main__":
    sys.exit(main())
