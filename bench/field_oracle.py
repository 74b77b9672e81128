"""PyTorch's verdict on one model file of a gathered repository: models, shapes, mutants.

    python3 bench/field_oracle.py ROOT REL_PATH --out FILE.json --mutants-dir DIR [--cap 40]

Run by ``bench/field.py torch`` in a subprocess per file (the file is imported: it is
the oracle, cnnlint never imports anything). It

1. imports ``ROOT/REL_PATH`` as the module of its dotted path (ROOT and the file's folder
   on ``sys.path``, no network), and finds the models it defines: ``nn.Module``
   subclasses and functions returning an ``nn.Module``, built with no arguments when
   every parameter has a default (a ``pretrained`` is passed as ``False``), else with the
   arguments of ``--spec``, else with those of a call with literal arguments found
   anywhere in the repository (``DoubleAttention(512, 128, 128, True)`` in a demo);
2. builds each on the ``meta`` device and looks for an input shape that runs (the
   literal shapes of ``torch.randn(...)`` calls in the file, then ``INPUT_SHAPES``; the CPU when the meta device cannot run it),
   recording in eval mode every module call (``named_modules`` name, type, leaf, output
   shape), the parameter count and the output shape;
3. mutates integer literals in arguments of layer constructor calls of the file that
   are live for some model (evaluated while it is built, and their layer called by its
   forward): +1, -1, x2, at most ``--cap`` per file (a deterministic sample); each
   mutant is labelled by building every model it is live for and running its input:
   ``fails`` (phase, message) if any fails, else ``runs`` (at most the two smallest such
   models judge). The meta verdict ``runs`` is confirmed on the CPU (the smallest of
   them, if under 60M parameters; ConvTranspose channels and a few
   other checks are skipped on meta), and a meta failure that is a missing meta kernel
   is redone on the CPU. A mutant that hits the time limit is ``timeout`` (not counted).

Each mutant's source is written to ``DIR/<id>/<REL_PATH>`` in a tree whose other entries
are symlinks to ROOT, so a static tool resolves its imports.
"""
from __future__ import annotations

import argparse
import ast
import collections
import importlib
import inspect
import json
import os
import random
import re
import signal
import socket
import sys
import time
import types
import warnings

INPUT_SHAPES = [
    [1, 3, 32, 32], [1, 3, 224, 224], [1, 1, 28, 28], [1, 3, 64, 64], [1, 3, 299, 299],
    [1, 100], [1, 100, 1, 1], [1, 62], [1, 3, 256, 256], [1, 3, 96, 96], [1, 1, 32, 32],
    [1, 3, 128, 128], [1, 1, 64, 64], [1, 3, 112, 112], [1, 784], [1, 512, 7, 7],
    [1, 64, 32, 32], [1, 49, 512], [1, 50, 512], [1, 3, 16, 112, 112], [1, 3, 16, 64, 64],
    [1, 3, 2500], [1, 3, 1024], [1, 1, 100], [1, 10], [1, 128], [1, 256], [1, 512],
    [1, 3, 331, 331], [1, 3, 320, 320], [1, 3, 512, 512],
]
CONTAINERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
              "ParameterDict", "Container", "Identity"}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("time limit")


def limit(seconds: int):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)


def no_network():
    def refuse(*a, **k):
        raise OSError("network disabled by the field oracle")
    socket.socket.connect = refuse
    socket.create_connection = refuse


class _Stub(types.ModuleType):
    """A missing third-party module a model file imports only for its training or
    plotting helpers (scipy.misc, imageio, matplotlib): every attribute is a mock."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        from unittest import mock
        return mock.MagicMock(name=f"{self.__name__}.{name}")


class _StubFinder:
    def __init__(self):
        self.tops = set()

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in self.tops:
            return None
        import importlib.machinery
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        m = _Stub(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


STUBS = _StubFinder()
NEVER_STUB = {"torch", "torchvision", "timm", "einops", "numpy"}


def import_lenient(dotted: str, root: str):
    """Import, stubbing third-party modules that are missing (at most 10)."""
    for _ in range(10):
        try:
            return importlib.import_module(dotted)
        except ModuleNotFoundError as e:
            top = (e.name or "").split(".")[0]
            if not top or top in NEVER_STUB or top in STUBS.tops \
                    or os.path.exists(os.path.join(root, top)) or os.path.exists(os.path.join(root, top + ".py")):
                raise
            STUBS.tops.add(top)
            for k in [k for k in sys.modules if k == dotted or k.startswith(dotted + ".")]:
                sys.modules.pop(k, None)
    return importlib.import_module(dotted)


def first_line(e: BaseException) -> str:
    s = str(e).strip()
    return f"{type(e).__name__}: " + (s.splitlines()[0][:400] if s else "")


def meta_missing(e: BaseException) -> bool:
    s = str(e)
    return isinstance(e, NotImplementedError) or "meta" in s.lower() or ".item()" in s \
        or "Cannot copy out of meta" in s


# --- finding models --------------------------------------------------------------

def model_candidates(mod, path: str, torch_nn, harvested: dict, specs: dict):
    """Models the module defines, each with its argument variants (source text) to try:
    no arguments when every parameter has a default, then the spec's, then literal calls
    found in the repository."""
    out = []
    for name, obj in vars(mod).items():
        if name.startswith("__"):
            continue
        if isinstance(obj, type):
            if not issubclass(obj, torch_nn.Module) or obj.__module__ != mod.__name__:
                continue
            kind = "class"
            fn = obj.__init__
            line = _line(obj)
        elif isinstance(obj, types.FunctionType):
            if obj.__code__.co_filename != path:
                continue
            kind = "function"
            fn = obj
            line = obj.__code__.co_firstlineno
        else:
            continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        params = [p for p in sig.parameters.values() if p.name != "self"]
        variants = []
        if not any(p.default is inspect.Parameter.empty and p.kind in (
                p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params):
            if not (kind == "function" and not params and not _returns_something(obj)):
                kwargs = {}
                for p in params:
                    if p.name == "pretrained" and p.default not in (False, None):
                        kwargs["pretrained"] = None if isinstance(p.default, str) else False
                variants.append(args_expr([], kwargs))
        for text in specs.get(name, []):
            if text not in variants:
                variants.append(text)
        for args, kwargs in harvested.get(name, [])[:3]:
            if "pretrained" in kwargs and kwargs["pretrained"]:
                kwargs = {**kwargs, "pretrained": False}
            text = args_expr(args, kwargs)
            if text not in variants:
                variants.append(text)
        if variants:
            out.append({"name": name, "kind": kind, "line": line, "variants": variants})
    out.sort(key=lambda c: c["line"] or 0)
    return out


def callee(call: ast.Call):
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def harvest_calls(root: str, max_files: int = 400) -> dict:
    """name -> [(args, kwargs)] of calls anywhere in the repository whose arguments are
    all literals (``DoubleAttention(512, 128, 128, True)``, ``resnet(depth=20)``)."""
    found = collections.defaultdict(list)
    n = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith(".py") or n >= max_files:
                continue
            n += 1
            try:
                tree = ast.parse(open(os.path.join(dirpath, fn), encoding="utf-8", errors="replace").read())
            except (SyntaxError, ValueError):
                continue
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call) or not callee(call) or not (call.args or call.keywords):
                    continue
                try:
                    args = [ast.literal_eval(a) for a in call.args]
                    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
                except (ValueError, TypeError, SyntaxError, RecursionError):
                    continue
                if None in kwargs:
                    continue
                v = (args, kwargs)
                if v not in found[callee(call)]:
                    found[callee(call)].append(v)
    return found


def input_shapes_in(tree) -> list:
    """Literal shapes of torch.randn/rand/zeros/ones/empty calls in the file, batch <= 2."""
    out = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and callee(call) in ("randn", "rand", "zeros", "ones", "empty"):
            try:
                vals = [ast.literal_eval(a) for a in call.args]
            except (ValueError, TypeError, SyntaxError):
                continue
            if len(vals) == 1 and isinstance(vals[0], (tuple, list)):
                vals = list(vals[0])
            if 2 <= len(vals) <= 5 and all(type(v) is int and v > 0 for v in vals):
                shape = [min(vals[0], 2)] + vals[1:]
                if shape not in out:
                    out.append(shape)
    return out


def _returns_something(fn) -> bool:
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    return "return" in src


def _line(cls):
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return None


def args_expr(args: list, kwargs: dict) -> str:
    return ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])


# --- building and tracing -----------------------------------------------------------

def build(ns: dict, cand: dict, device: str):
    import torch
    expr = f"{cand['name']}({cand['args_expr']})"
    if device == "meta":
        try:
            with torch.device("meta"):
                return eval(expr, dict(ns))
        except Exception as e:  # a constructor computing with tensors
            if not meta_missing(e):
                raise
            return eval(expr, dict(ns)).to("meta")
    return eval(expr, dict(ns))


def shape_of(out):
    import torch
    if isinstance(out, torch.Tensor):
        return list(out.shape)
    return None


def first_tensor(out):
    import torch
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (list, tuple)):
        for o in out:
            t = first_tensor(o)
            if t is not None:
                return t
    if isinstance(out, dict):
        for o in out.values():
            t = first_tensor(o)
            if t is not None:
                return t
    if hasattr(out, "logits"):
        return first_tensor(out.logits)
    return None


def trace(model, shape, device: str):
    """Eval-mode forward with hooks: (calls, output shape)."""
    import torch
    calls, handles = [], []
    for name, m in model.named_modules():
        if name == "":
            continue
        leaf = next(iter(m.children()), None) is None

        def hook(m, inp, out, name=name, leaf=leaf):
            calls.append({"name": name, "type": type(m).__name__, "leaf": leaf,
                          "output": shape_of(out)})
        handles.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            out = model(torch.zeros(*shape, device=device))
    finally:
        for h in handles:
            h.remove()
    t = first_tensor(out)
    return calls, (list(t.shape) if t is not None else None)


def find_input(ns, cand, per_model_seconds: int, shapes):
    """(device, shape, model, calls, output) for the first input shape that runs."""
    import torch
    errors = []
    for device in ("meta", "cpu"):
        limit(per_model_seconds)
        try:
            model = build(ns, cand, device)
        except Timeout:
            return None, f"build timeout on {device}"
        except Exception as e:
            signal.alarm(0)
            return None, "build: " + first_line(e)
        signal.alarm(0)
        if not isinstance(model, torch.nn.Module):
            return None, f"not a module: {type(model).__name__}"
        if type(model).__module__.startswith("torch.nn") and type(model).__name__ not in CONTAINERS:
            return None, "a torch.nn layer itself"
        if sum(p.numel() for p in model.parameters()) == 0:
            return None, "no parameters"
        if device == "cpu" and sum(p.numel() for p in model.parameters()) > 80_000_000:
            return None, "too large for the CPU"
        model.eval()
        for shape in shapes:
            limit(per_model_seconds)
            try:
                calls, out = trace(model, shape, device)
                signal.alarm(0)
                return (device, shape, model, calls, out), None
            except Timeout:
                errors.append(f"{shape}: timeout")
                break
            except Exception as e:
                signal.alarm(0)
                errors.append(f"{shape}: {first_line(e)}")
        if device == "meta" and not any("meta" in x.lower() or "NotImplementedError" in x
                                        for x in errors):
            break
        del model
    return None, "no input shape runs: " + "; ".join(errors[:3])


# --- mutants ------------------------------------------------------------------------

def is_layer_call(call: ast.Call, layer_names) -> bool:
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    if not name:
        return False
    low = name.lower()
    return any(name.endswith(n) for n in layer_names) or low.startswith(("conv", "deconv")) \
        or low in ("linear", "bn", "batchnorm")


def candidate_literals(tree, layer_names) -> dict:
    found = {}

    def walk_arg(node, call, arg):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            if node.lineno == node.end_lineno:
                found.setdefault((node.lineno, node.col_offset),
                                 {"line": node.lineno, "col": node.col_offset,
                                  "end_col": node.end_col_offset, "value": node.value,
                                  "callee": ast.unparse(call.func), "arg": arg,
                                  "call_line": call.lineno, "call_end_line": call.end_lineno})
            return
        if isinstance(node, ast.Call) and is_layer_call(node, layer_names):
            return
        if isinstance(node, (ast.Lambda, ast.Subscript)):
            if isinstance(node, ast.Subscript):
                walk_arg(node.value, call, arg)
            return
        for child in ast.iter_child_nodes(node):
            walk_arg(child, call, arg)

    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and is_layer_call(call, layer_names):
            for i, a in enumerate(call.args):
                walk_arg(a, call, i)
            for kw in call.keywords:
                walk_arg(kw.value, call, kw.arg)
    return found


class Probe(ast.NodeTransformer):
    def __init__(self, keys):
        self.keys = keys

    def visit_Constant(self, node):
        key = (getattr(node, "lineno", None), getattr(node, "col_offset", None))
        if key in self.keys and type(node.value) is int:
            new = ast.Call(func=ast.Name("__field_probe__", ast.Load()),
                           args=[ast.Constant(key[0]), ast.Constant(key[1]), ast.Constant(node.value)],
                           keywords=[])
            return ast.copy_location(new, node)
        return node


def exec_as(code, base, suffix: str, path: str, extra=None):
    mod = types.ModuleType(base.__name__ + suffix)
    mod.__package__ = base.__package__
    mod.__file__ = path
    if extra:
        mod.__dict__.update(extra)
    sys.modules[mod.__name__] = mod
    try:
        exec(code, mod.__dict__)
    finally:
        sys.modules.pop(mod.__name__, None)
    return mod


def live_literals(base, path, src, cands, models, seconds):
    """model name -> set of literal keys live for it."""
    import torch
    import torch.nn as nn
    tree = Probe(set(cands)).visit(ast.parse(src))
    ast.fix_missing_locations(tree)
    hits = set()

    def probe(line, col, value):
        hits.add((line, col))
        return value
    mod = exec_as(compile(tree, path, "exec"), base, "__probe", path, {"__field_probe__": probe})
    orig_init = nn.Module.__init__
    out = {}
    for m in models:
        hits.clear()
        created = []

        def init(self, *a, **k):
            orig_init(self, *a, **k)
            lines = set()
            f = sys._getframe(1)
            while f is not None:
                if f.f_code.co_filename == path:
                    lines.add(f.f_lineno)
                f = f.f_back
            created.append((self, lines))
        nn.Module.__init__ = init
        try:
            limit(seconds)
            model = build(vars(mod), m, m["device"]).eval()
        except Exception:
            signal.alarm(0)
            continue
        finally:
            nn.Module.__init__ = orig_init
        called = set()
        hs = [x.register_forward_pre_hook(lambda x, i: called.add(id(x))) for x in model.modules()]
        try:
            with torch.no_grad():
                model(torch.zeros(*m["input"], device=m["device"]))
        except Exception:
            signal.alarm(0)
            continue
        finally:
            for h in hs:
                h.remove()
        signal.alarm(0)
        live_lines = set()
        for x, lines in created:
            if id(x) in called:
                live_lines |= lines
        out[m["name"]] = {k for k in hits if any(
            ln in live_lines for ln in range(cands[k]["call_line"], cands[k]["call_end_line"] + 1))}
    return out


def mutations(value: int, arg):
    out = [("+1", value + 1)]
    if value >= 2 or (value == 1 and arg in ("padding", "output_padding")):
        out.append(("-1", value - 1))
    if value >= 2:
        out.append(("x2", value * 2))
    return out


_DIMS = [
    (re.compile(r"expected input\[[^\]]*\] to have (\d+) channels, but got (\d+) channels"), 1, 2),
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)"), 3, 2),
    (re.compile(r"running_mean should contain (\d+) elements not (\d+)"), 2, 1),
    (re.compile(r"weight should contain (\d+) elements not (\d+)"), 2, 1),
]


def dims_from_message(msg: str):
    for rx, d, i in _DIMS:
        m = rx.search(msg)
        if m:
            return int(m.group(d)), int(m.group(i))
    return None


def label(mod, m, device: str, seconds: int) -> dict:
    """Build model m from the mutated module and run its input."""
    import torch
    res = {"status": "runs", "phase": None, "message": None, "failing_module": None,
           "failing_type": None, "failing_input": None, "device": device}
    limit(seconds)
    try:
        model = build(vars(mod), m, device).eval()
    except Timeout:
        return {**res, "status": "timeout", "phase": "construct"}
    except Exception as e:
        signal.alarm(0)
        return {**res, "status": "fails", "phase": "construct", "message": first_line(e),
                "meta_missing": meta_missing(e)}
    stack, names, hs = [], {}, []
    for name, x in model.named_modules():
        names[id(x)] = name

        def pre(x, inp):
            t = inp[0] if inp and isinstance(inp[0], torch.Tensor) else None
            stack.append((x, None if t is None else list(t.shape)))

        def post(x, inp, out):
            stack.pop()
        hs.append(x.register_forward_pre_hook(pre))
        hs.append(x.register_forward_hook(post))
    try:
        with torch.no_grad():
            model(torch.zeros(*m["input"], device=device))
        signal.alarm(0)
    except Timeout:
        return {**res, "status": "timeout", "phase": "forward"}
    except Exception as e:
        signal.alarm(0)
        res.update(status="fails", phase="forward", message=first_line(e), meta_missing=meta_missing(e))
        if stack:
            x, shape = stack[-1]
            res.update(failing_module=names.get(id(x)), failing_type=type(x).__name__,
                       failing_input=shape)
        di = dims_from_message(str(e))
        if di:
            res.update(declared=di[0], inferred=di[1])
    finally:
        for h in hs:
            h.remove()
    res["params"] = sum(p.numel() for p in model.parameters())
    return res


def mirror_tree(root: str, dest: str, rel: str, src: str) -> str:
    parts = rel.split("/")
    cur_src, cur_dst = root, dest
    os.makedirs(dest, exist_ok=True)
    for i, part in enumerate(parts):
        for entry in os.listdir(cur_src):
            if entry == part or entry == "__pycache__":
                continue
            link = os.path.join(cur_dst, entry)
            if not os.path.lexists(link):
                os.symlink(os.path.join(cur_src, entry), link)
        if i < len(parts) - 1:
            cur_src = os.path.join(cur_src, part)
            cur_dst = os.path.join(cur_dst, part)
            os.makedirs(cur_dst, exist_ok=True)
    out = os.path.join(dest, rel)
    with open(out, "w") as f:
        f.write(src)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("rel")
    ap.add_argument("--out", required=True)
    ap.add_argument("--mutants-dir", required=True)
    ap.add_argument("--cap", type=int, default=40)
    ap.add_argument("--spec", help='JSON {"Model": ["constructor arguments", ...]} for this file')
    ap.add_argument("--max-models", type=int, default=12)
    ap.add_argument("--seconds", type=int, default=60, help="time limit per build/forward")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    no_network()
    root = os.path.abspath(args.root)
    path = os.path.join(root, args.rel)
    doc = {"root": root, "rel": args.rel, "models": [], "skipped": [], "mutants": [], "error": None}

    def save():
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=1)

    sys.path[:0] = [root, os.path.dirname(path)]
    sys.argv = [path]
    import torch
    import torch.nn as nn
    torch.set_num_threads(1)
    dotted = args.rel[:-3].replace("/", ".")
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    limit(120)
    try:
        sys.meta_path.append(STUBS)
        base = import_lenient(dotted, root)
        signal.alarm(0)
        doc["stubbed"] = sorted(STUBS.tops)
    except BaseException as e:  # noqa: BLE001 - SystemExit of a script too
        signal.alarm(0)
        doc["error"] = "import: " + first_line(e)
        save()
        return
    if getattr(base, "__file__", None) and os.path.realpath(base.__file__) != os.path.realpath(path):
        doc["error"] = f"import resolved {dotted} to {base.__file__}"
        save()
        return
    path = base.__file__
    harvested = harvest_calls(root)
    src = open(path).read()
    shapes = input_shapes_in(ast.parse(src))
    shapes += [x for x in INPUT_SHAPES if x not in shapes]
    specs = json.loads(args.spec) if args.spec else {}
    cands = model_candidates(base, path, nn, harvested, specs)
    models = []
    for c in cands:
        if len(models) >= args.max_models:
            doc["skipped"].append({"name": c["name"], "why": "max models per file"})
            continue
        t0 = time.time()
        whys = []
        for text in c["variants"]:
            cand = {"name": c["name"], "kind": c["kind"], "line": c["line"], "args_expr": text}
            found, why = find_input(vars(base), cand, args.seconds, shapes)
            if found is not None:
                break
            whys.append(f"({text}): {why}")
        if found is None:
            doc["skipped"].append({"name": c["name"], "why": " | ".join(whys)[:600]})
            continue
        device, shape, model, calls, out = found
        rec = {**cand, "device": device,
               "input": shape, "params": sum(p.numel() for p in model.parameters()), "output": out,
               "calls": calls, "seconds": round(time.time() - t0, 2)}
        del model
        models.append(rec)
    doc["models"] = models
    save()
    if not models or args.cap <= 0:
        return

    layer_names = sorted((n for n in dir(nn) if isinstance(getattr(nn, n), type)
                          and issubclass(getattr(nn, n), nn.Module) and n not in CONTAINERS),
                         key=len, reverse=True)
    lits = candidate_literals(ast.parse(src), layer_names)
    try:
        live = live_literals(base, path, src, lits, models, args.seconds)
    except BaseException as e:  # noqa: BLE001
        signal.alarm(0)
        doc["error"] = "instrumented build: " + first_line(e)
        save()
        return
    keys = sorted(set().union(*live.values())) if live else []
    muts = [(k, op, new) for k in keys for op, new in mutations(lits[k]["value"], lits[k]["arg"])]
    if len(muts) > args.cap:
        rng = random.Random(f"field-{args.rel}")
        keep = set(rng.sample(range(len(muts)), args.cap))
        muts = [x for i, x in enumerate(muts) if i in keep]
    lines = src.splitlines(keepends=True)
    by_name = {m["name"]: m for m in models}
    for n, (k, op, new) in enumerate(muts):
        lit = lits[k]
        ml = list(lines)
        t = ml[lit["line"] - 1]
        ml[lit["line"] - 1] = t[:lit["col"]] + str(new) + t[lit["end_col"]:]
        msrc = "".join(ml)
        mid = f"m{n:03d}"
        mpath = mirror_tree(root, os.path.join(args.mutants_dir, mid), args.rel, msrc)
        rec = {"id": mid, "path": mpath, "line": lit["line"], "column": lit["col"] + 1,
               "callee": lit["callee"], "arg": lit["arg"], "original": lit["value"],
               "mutated": new, "op": op, "models": [], "status": "runs"}
        try:
            limit(args.seconds)
            mmod = exec_as(compile(msrc, path, "exec"), base, "__mutant", path)
            signal.alarm(0)
        except BaseException as e:  # noqa: BLE001
            signal.alarm(0)
            rec.update(status="fails", verdicts=[{"model": None, "status": "fails", "phase": "import",
                                                 "message": first_line(e)}])
            doc["mutants"].append(rec)
            continue
        verdicts = []
        judges = sorted((x for x in by_name if k in live.get(x, ())),
                        key=lambda x: (by_name[x]["params"], len(by_name[x]["calls"])))[:2]
        for i, name in enumerate(judges):
            m = by_name[name]
            v = label(mmod, m, m["device"], args.seconds)
            if m["device"] == "meta" and (v["status"] == "runs" and i == 0 and m["params"] < 60_000_000
                                          or v["status"] == "fails" and v.get("meta_missing")):
                cpu = label(mmod, m, "cpu", args.seconds)
                if cpu["status"] != "timeout":
                    cpu["meta_status"] = v["status"]
                    v = cpu
            verdicts.append({"model": name, **v})
        rec["models"] = [v["model"] for v in verdicts]
        rec["verdicts"] = verdicts
        st = {v["status"] for v in verdicts}
        rec["status"] = "fails" if "fails" in st else "timeout" if "timeout" in st else "runs"
        doc["mutants"].append(rec)
        save()
    save()


if __name__ == "__main__":
    main()
