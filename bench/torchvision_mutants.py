"""Mutants of the torchvision models, labelled by PyTorch.

    /work/tv-venv/bin/python bench/torchvision_mutants.py [--only NAME ...] [--cap 40]

For each model of ``tv_specs.SPECS``, the integer literals of its source file that are
arguments of layer constructor calls (callee name ending with a ``torch.nn`` layer class
name, such as ``nn.Conv2d``, ``nn.Linear``, ``BasicConv2d``, or one of the helpers
``conv_block``, ``conv1x1``, ``conv3x3``, ``Conv2dNormActivation``) and that are really
evaluated while that model is built (found by running an instrumented copy of the
module) are mutated: value+1, value-1 (when >= 1), value*2 (when >= 2). At most
``--cap`` mutants per model are kept (a deterministic sample). Each mutated module is
executed as a module of the package ``torchvision.models`` (so its relative imports
resolve against the installed torchvision), the model is built with the same
constructor expression as in the oracle, and the standard input is run on the ``meta``
device. Each mutant is labelled ``runs`` or ``fails`` (phase ``construct`` or
``forward``), with the exception message and, when a layer's declared size disagrees
with its input, the ``declared`` and ``inferred`` numbers: taken from torch's message
when it gives them, else from the failing leaf module and its input.

Writes ``bench/_corpus/mutants.json`` and each mutant's source as
``bench/_corpus/mutants/<model>/<id>/torchvision/models/<file>.py``, in a tree whose
other entries are symlinks to the unmutated corpus, so relative imports still resolve
for a static tool. Needs the corpus (``bench/torchvision_corpus.py``).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import sys
import time
import types
import warnings

import torch
import torch.nn as nn
import torchvision
import torchvision.models
import torchvision.models._api as tv_api

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchvision_corpus  # noqa: E402
import tv_specs  # noqa: E402

CORPUS = os.path.join(HERE, "_corpus")
MUTANTS_DIR = os.path.join(CORPUS, "mutants")
OUT = os.path.join(CORPUS, "mutants.json")
REPO = os.path.dirname(HERE)

CONTAINERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
              "ParameterDict", "Container", "Identity"}
LAYER_NAMES = sorted(
    (n for n in dir(nn)
     if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
     and n not in CONTAINERS),
    key=len, reverse=True)
HELPERS = {"conv_block", "conv1x1", "conv3x3", "Conv2dNormActivation", "SqueezeExcitation"}


def callee_name(call: ast.Call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def is_layer_call(call: ast.Call) -> bool:
    name = callee_name(call)
    if not name:
        return False
    return name in HELPERS or any(name.endswith(n) for n in LAYER_NAMES)


class Literal:
    __slots__ = ("key", "line", "col", "end_line", "end_col", "value", "callee", "arg",
                 "call_line", "call_col", "call_end_line")

    def __init__(self, node, call, arg):
        self.key = (node.lineno, node.col_offset)
        self.line, self.col = node.lineno, node.col_offset
        self.end_line, self.end_col = node.end_lineno, node.end_col_offset
        self.value = node.value
        self.callee = ast.unparse(call.func)
        self.arg = arg
        self.call_line, self.call_col = call.lineno, call.col_offset
        self.call_end_line = call.end_lineno


def candidate_literals(tree) -> dict:
    """(line, col) -> Literal for int literals in arguments of layer calls."""
    found = {}

    def walk_arg(node, call, arg):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            found.setdefault((node.lineno, node.col_offset), Literal(node, call, arg))
            return
        if isinstance(node, ast.Call) and is_layer_call(node):
            return  # its own literals are collected as its own call's
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Subscript):  # depths[0]: an index, not a size
            walk_arg(node.value, call, arg)
            return
        for child in ast.iter_child_nodes(node):
            walk_arg(child, call, arg)

    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and is_layer_call(call):
            for i, a in enumerate(call.args):
                walk_arg(a, call, i)
            for kw in call.keywords:
                walk_arg(kw.value, call, kw.arg)
    return found


class _Probe(ast.NodeTransformer):
    def __init__(self, keys):
        self.keys = keys

    def visit_Constant(self, node):
        key = (getattr(node, "lineno", None), getattr(node, "col_offset", None))
        if key in self.keys and type(node.value) is int:
            new = ast.Call(func=ast.Name("__cnnlint_probe__", ast.Load()),
                           args=[ast.Constant(key[0]), ast.Constant(key[1]), ast.Constant(node.value)],
                           keywords=[])
            return ast.copy_location(new, node)
        return node


def exec_module(code, stem: str, filename: str, extra: dict | None = None):
    """Execute module code as a module of torchvision.models without re-registering
    its factory functions in torchvision's model registry."""
    mod = types.ModuleType(f"torchvision.models._bench_{stem}")
    mod.__package__ = "torchvision.models"
    mod.__file__ = filename
    if extra:
        mod.__dict__.update(extra)
    saved = dict(tv_api.BUILTIN_MODELS)
    tv_api.BUILTIN_MODELS.clear()
    sys.modules[mod.__name__] = mod  # @dataclass looks its module up there
    try:
        exec(code, mod.__dict__)
    finally:
        sys.modules.pop(mod.__name__, None)
        tv_api.BUILTIN_MODELS.clear()
        tv_api.BUILTIN_MODELS.update(saved)
    return mod


def build(mod, expr: str, device: str = "meta"):
    ns = dict(vars(mod))
    if device != "meta":
        with torch.device(device):
            return eval(expr, ns)
    try:
        with torch.device("meta"):
            return eval(expr, ns)
    except NotImplementedError as e:
        if "meta" not in str(e):
            raise
        return eval(expr, ns).to("meta")


def live_literals(path: str, spec: dict, cands: dict) -> tuple:
    """Run an instrumented copy of the module: build the model and run the input.

    Returns (executed, live): the candidate literals evaluated while building the
    model, and those of them whose layer call created a module that the eval-mode
    forward really calls (GoogLeNet's and Inception3's aux heads are built but not
    called in eval mode, so their literals are executed but not live)."""
    src = open(path).read()
    tree = _Probe(set(cands)).visit(ast.parse(src))
    ast.fix_missing_locations(tree)
    hits = set()

    def probe(line, col, value):
        hits.add((line, col))
        return value
    created = []  # (module, lines of `path` on the stack when it was created)
    orig_init = nn.Module.__init__

    def init(self, *a, **k):
        orig_init(self, *a, **k)
        lines = set()
        f = sys._getframe(1)
        while f is not None:
            if f.f_code.co_filename == path:
                lines.add(f.f_lineno)
            f = f.f_back
        created.append((self, lines))
    code = compile(tree, path, "exec")
    mod = exec_module(code, "probe_" + spec["file"][:-3], path, {"__cnnlint_probe__": probe})
    nn.Module.__init__ = init
    try:
        model = build(mod, spec["expr"]).eval()
    finally:
        nn.Module.__init__ = orig_init
    called = set()
    handles = [m.register_forward_pre_hook(lambda m, i: called.add(id(m))) for m in model.modules()]
    with torch.no_grad():
        model(torch.empty(*spec["input"], device="meta"))
    for h in handles:
        h.remove()
    live_lines = set()
    for m, lines in created:
        if id(m) in called:
            live_lines |= lines
    live = {k for k in hits
            if any(line in live_lines for line in range(cands[k].call_line, cands[k].call_end_line + 1))}
    return hits, live


def mutations(value: int, arg):
    """+1, -1, x2; never to 0 except for a padding (a zero kernel, stride or size is
    not a shape bug, and the meta device does not reject it the way the CPU does)."""
    out = [("+1", value + 1)]
    if value >= 2 or (value == 1 and arg in ("padding", "output_padding")):
        out.append(("-1", value - 1))
    if value >= 2:
        out.append(("x2", value * 2))
    return out


def apply(src_lines: list, lit: Literal, new_value: int) -> str:
    lines = list(src_lines)
    i = lit.line - 1
    assert lit.end_line == lit.line
    text = lines[i]
    assert text[lit.col:lit.end_col].strip() != ""
    lines[i] = text[:lit.col] + str(new_value) + text[lit.end_col:]
    return "".join(lines)


# --- labelling -------------------------------------------------------------------

_MESSAGES = [
    # (regex, declared group, inferred group)
    (re.compile(r"expected input\[[^\]]*\] to have (\d+) channels, but got (\d+) channels"), 1, 2),
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)"), 3, 2),
    (re.compile(r"a and b must have same reduction dim, but got \[(\d+), (\d+)\] X \[(\d+), (\d+)\]"), 3, 2),
    # torch: "running_mean should contain <input channels> elements not <num_features>"
    (re.compile(r"running_mean should contain (\d+) elements not (\d+)"), 2, 1),
    (re.compile(r"weight should contain (\d+) elements not (\d+)"), 2, 1),
    (re.compile(r"Given normalized_shape=\[(?:\d+, )*(\d+)\], expected input with shape "
                r"\[\*, (?:\d+, )*(\d+)\]"), 1, 2),
]


def from_message(msg: str):
    for rx, d, i in _MESSAGES:
        m = rx.search(msg)
        if m:
            return int(m.group(d)), int(m.group(i))
    return None


def from_module(mod, inp_shape):
    """(declared, inferred) from the failing leaf layer and the shape it received."""
    if inp_shape is None or not inp_shape:
        return None
    if isinstance(mod, nn.modules.conv._ConvNd):
        return mod.in_channels, inp_shape[1] if len(inp_shape) > 1 else None
    if isinstance(mod, nn.Linear):
        return mod.in_features, inp_shape[-1]
    if isinstance(mod, nn.modules.batchnorm._NormBase):
        return mod.num_features, inp_shape[1] if len(inp_shape) > 1 else None
    if isinstance(mod, nn.LayerNorm):
        return mod.normalized_shape[-1], inp_shape[-1]
    if isinstance(mod, nn.GroupNorm):
        return mod.num_channels, inp_shape[1] if len(inp_shape) > 1 else None
    return None


def run_mutant(src: str, path: str, spec: dict, device: str = "meta") -> dict:
    res = {"status": "runs", "phase": None, "error_type": None, "message": None,
           "failing_module": None, "failing_type": None, "failing_input": None,
           "declared": None, "inferred": None, "dims_from": None,
           "output": None, "params": None}
    try:
        code = compile(src, path, "exec")
        mod = exec_module(code, "mutant_" + spec["file"][:-3], path)
        model = build(mod, spec["expr"], device).eval()
    except Exception as e:
        res.update(status="fails", phase="construct", error_type=type(e).__name__,
                   message=str(e).strip().splitlines()[0][:500] if str(e).strip() else "")
        return res
    res["params"] = sum(p.numel() for p in model.parameters())
    stack = []
    names = {}
    handles = []
    for name, m in model.named_modules():
        names[id(m)] = name

        def pre(m, inp):
            x = inp[0] if inp and isinstance(inp[0], torch.Tensor) else None
            stack.append((m, None if x is None else list(x.shape)))

        def post(m, inp, out):
            stack.pop()
        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))
    try:
        with torch.no_grad():
            out = model(torch.zeros(*spec["input"], device=device))
        res["output"] = list(out.shape) if isinstance(out, torch.Tensor) else None
    except Exception as e:
        msg = str(e).strip()
        res.update(status="fails", phase="forward", error_type=type(e).__name__,
                   message=msg.splitlines()[0][:500] if msg else "")
        if stack:
            m, shape = stack[-1]
            res.update(failing_module=names.get(id(m)), failing_type=type(m).__name__,
                       failing_input=shape)
        di = from_message(msg)
        if di:
            res.update(declared=di[0], inferred=di[1], dims_from="message")
        elif stack and next(iter(stack[-1][0].children()), None) is None:
            di = from_module(*stack[-1])
            if di and di[0] != di[1]:
                res.update(declared=di[0], inferred=di[1], dims_from="module")
    finally:
        for h in handles:
            h.remove()
    return res


def mirror_tree(dest_root: str, rel_file: str, src: str) -> str:
    """dest_root/torchvision/... : symlinks to the corpus except the mutated file."""
    corpus_tv = os.path.join(torchvision_corpus.source_root(), "torchvision")
    tv = os.path.join(dest_root, "torchvision")
    models = os.path.join(tv, "models")
    os.makedirs(models, exist_ok=True)
    for entry in os.listdir(corpus_tv):
        if entry != "models":
            os.symlink(os.path.relpath(os.path.join(corpus_tv, entry), tv), os.path.join(tv, entry))
    corpus_models = os.path.join(corpus_tv, "models")
    for entry in os.listdir(corpus_models):
        if entry != rel_file:
            os.symlink(os.path.relpath(os.path.join(corpus_models, entry), models),
                       os.path.join(models, entry))
    out = os.path.join(models, rel_file)
    with open(out, "w") as f:
        f.write(src)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="model names (default: all)")
    ap.add_argument("--cap", type=int, default=40, help="mutants per model (default 40)")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--cpu-check", action="store_true",
                    help="also run every mutant on the CPU (slow for VGG) and record cpu_status, "
                         "cpu_message, cpu_declared, cpu_inferred")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    torchvision_corpus.fetch(quiet=True)
    specs = [s for s in tv_specs.SPECS if not args.only or s["name"] in args.only]
    models_dir = torchvision_corpus.models_dir()
    for s in specs:
        d = os.path.join(MUTANTS_DIR, s["name"])
        if os.path.exists(d):
            shutil.rmtree(d)
    results = []
    summary = []
    t_all = time.time()
    for spec in specs:
        t0 = time.time()
        path = os.path.join(models_dir, spec["file"])
        src = open(path).read()
        src_lines = src.splitlines(keepends=True)
        cands = candidate_literals(ast.parse(src))
        try:
            hits, live = live_literals(path, spec, cands)
        except Exception as e:
            print(f"{spec['name']}: instrumented build failed: {type(e).__name__}: {e}")
            continue
        lits = [cands[k] for k in sorted(live) if cands[k].end_line == cands[k].line]
        all_muts = [(lit, op, new) for lit in lits for op, new in mutations(lit.value, lit.arg)]
        if len(all_muts) > args.cap:
            rng = random.Random(f"cnnlint-{spec['name']}")
            keep = set(rng.sample(range(len(all_muts)), args.cap))
            all_muts = [m for i, m in enumerate(all_muts) if i in keep]
        counts = {"runs": 0, "fails": 0, "with_dims": 0}
        for n, (lit, op, new) in enumerate(all_muts):
            mid = f"m{n:03d}"
            msrc = apply(src_lines, lit, new)
            mdir = os.path.join(MUTANTS_DIR, spec["name"], mid)
            mpath = mirror_tree(mdir, spec["file"], msrc)
            label = run_mutant(msrc, mpath, spec)
            if args.cpu_check:
                cpu = run_mutant(msrc, mpath, spec, "cpu")
                label.update(cpu_status=cpu["status"], cpu_message=cpu["message"],
                             cpu_declared=cpu["declared"], cpu_inferred=cpu["inferred"])
                if cpu["status"] != label["status"]:
                    counts["cpu_disagrees"] = counts.get("cpu_disagrees", 0) + 1
            counts[label["status"]] += 1
            if label["declared"] is not None:
                counts["with_dims"] += 1
            results.append({
                "id": f"{spec['name']}/{mid}",
                "model": spec["name"],
                "path": os.path.relpath(mpath, REPO),
                "original_path": spec["path"],
                "class": spec["cls"],
                "expr": spec["expr"],
                "input_shape_option": tv_specs.input_shape_option(spec),
                "line": lit.line, "column": lit.col + 1, "end_column": lit.end_col + 1,
                "call_line": lit.call_line, "call_column": lit.call_col + 1,
                "callee": lit.callee, "arg": lit.arg,
                "original": lit.value, "mutated": new, "op": op,
                **label,
            })
        summary.append({"model": spec["name"], "candidates": len(cands), "executed": len(hits),
                        "live": len(lits),
                        "mutants": len(all_muts), **counts,
                        "seconds": round(time.time() - t0, 1)})
        print(f"{spec['name']:22s} literals={len(cands):3d} executed={len(hits):3d} live={len(lits):3d} "
              f"mutants={len(all_muts):3d} runs={counts['runs']:3d} fails={counts['fails']:3d} "
              f"with_dims={counts['with_dims']:3d} "
              + (f"cpu_disagrees={counts.get('cpu_disagrees', 0)} " if args.cpu_check else "")
              + f"({time.time() - t0:.1f}s)", flush=True)
    doc = {"torch": torch.__version__, "torchvision": torchvision.__version__,
           "device": "meta", "cap": args.cap, "summary": summary, "mutants": results}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {args.out}: {len(results)} mutants in {time.time() - t_all:.0f}s")


if __name__ == "__main__":
    main()
