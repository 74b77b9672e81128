"""Coverage bench: how many of the call sites cnnlint evaluates it can follow, and what it cannot.

    python3 bench/coverage.py                          # torchvision, timm, fixtures/
    python3 bench/coverage.py --top 50 --jobs 2 DIR... # plus more folders, one corpus each
    python3 bench/coverage.py --json > coverage.json

Corpora: torchvision's model sources (``torchvision/models``, recursively) and timm's
(``timm/models`` and ``timm/layers``), found in the site-packages of the bench venv (or
``--site DIR``), this project's ``fixtures/``, and each folder given on the command line.
Nothing of them is copied anywhere. Every ``.py`` file of a corpus is checked as
``cnnlint check FILE`` would (no input shape, no cache), with a recorder installed in the
interpreter (``cnnlint.interpret.calling.RECORDER``) that is told of every call it evaluates.

What is counted
---------------
A *call site* is a call expression (a libcst ``Call`` node) of a corpus file that the
interpreter evaluated, while building and running the models of any checked file (a helper of
``timm/layers`` reached from a model file counts for the timm corpus), and that returned. It is
keyed by ``path:line:column`` of the call; each site counts once however often it ran. Calls that
never return (they raise, or the budget ran out inside them), the in-place tensor methods that
the interpreter short-cuts (``x.add_(...)``) and ``super()`` itself are not counted. Module-level
code is counted when a model needs it (cnnlint evaluates module-level values lazily).

Each evaluation of a site gets one of three outcomes:

- **followed**: the call ran user code of a file cnnlint read (a function, a class, a module's
  ``forward``), whatever that code then returned (its own calls are sites of their own); or it
  went to something cnnlint models (a torch layer, function or tensor method, a builtin) and
  produced a known value (not ``Unknown``, not a tensor of unknown rank).
- **cannot follow**: the result is unknown for lack of knowledge: the callee is not modelled
  (``F.grid_sample``), comes from outside the corpus file's reach (``helper()`` of a package
  cnnlint does not read), is a value cnnlint lost (``self.foo`` whose value is unknown), or user
  code called with arguments that do not fit or recursing too deep; all while every input of the
  call (receiver and arguments, one level into lists, tuples and dicts) was known.
- **unknown input**: the result is unknown, and so was an input of the call: the loss happened
  earlier, at a site counted as "cannot follow" (or where an input had no value, e.g. a
  constructor argument without default). These are the sites that fixing the root causes fixes.

A site takes the worst outcome of its evaluations (cannot follow > unknown input > followed).
**followed %** = followed / (all sites): every evaluation of the site followed. A building block
is also checked alone, with symbolic arguments and an input of unknown rank, so many of its
sites have an unknown input there and are followed inside the models that build it; hence a
second figure, **followed somewhere %**: sites followed in at least one evaluation (a site whose
every evaluation lacked knowledge is "cannot follow anywhere"). The top list groups the sites
that could not be followed at least once (the worst outcome) by callee
(``F.grid_sample``, ``torch.meshgrid``, ``Tensor.foo``, ``nn.Foo (forward)``, ``self.foo (value
unknown)``, ``helper (outside the file)``) with their count and one example location.

Also printed per corpus: files, how many of the files' call expressions (counted with ``ast``)
were reached at all (code cnnlint never runs, e.g. a model it did not find, is not a site).
"""
from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import glob
import json
import os
import signal
import sys
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_SITE = "/work/benchvenv/lib/python3.11/site-packages"

FOLLOWED, INPUT, CANNOT = 0, 1, 2
OUTCOME_NAMES = {FOLLOWED: "followed", INPUT: "unknown input", CANNOT: "cannot follow"}
_TIMEOUT = 60.0


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


# --- the recorder (runs inside cnnlint's interpreter) ------------------------------------------

def _short(name: str) -> str:
    for long, short in (("torch.nn.functional.", "F."), ("torch.nn.", "nn."), ("torch.Tensor.", "Tensor.")):
        if name.startswith(long):
            return short + name[len(long):]
    return name


class Recorder:
    """Told of each evaluated call; keeps, per site, the worst outcome and (for the worst) its
    callee group and reason."""

    def __init__(self):
        from cnnlint.abstract import values

        self.v = values
        self.sites = {}  # "path:line:col" -> (outcome, group, reason)
        self.failures = 0
        self.last = {}  # id of a Call node -> what its latest evaluation returned

    # classification helpers
    def unknown(self, value) -> bool:
        v = self.v
        return isinstance(value, v.Unknown) or (isinstance(value, v.Tensor) and value.shape is None)

    def missing(self, value) -> bool:
        """A value that is unknown, or an argument that was never given one (SymbolicObj)."""
        return self.unknown(value) or isinstance(value, self.v.SymbolicObj)

    def any_missing(self, values) -> bool:
        """Whether an input is missing; ``self.why`` then says what it was."""
        for value in values:
            for v in [value] + (list(value) if isinstance(value, (list, tuple)) else
                                list(value.values()) if isinstance(value, dict) else []):
                if self.missing(v):
                    v_ = self.v
                    self.why = v.reason if isinstance(v, v_.Unknown) else \
                        "no value given" if isinstance(v, v_.SymbolicObj) else \
                        "the model input (rank unknown)" if v.free else "a tensor of unknown rank"
                    return True
        return False

    def receiver(self, expr, scope):
        """The value of ``a`` / ``a.b.c`` read without running anything; ``_NONE`` if unsure."""
        import libcst as cst
        from cnnlint.abstract.values import _MISSING

        v = self.v
        if type(expr) is cst.Name:
            found = scope.lookup(expr.value)
            return _NONE if found is _MISSING else found
        if type(expr) is cst.Call:
            return self.last.get(id(expr), _NONE)
        if type(expr) is cst.Attribute:
            base = self.receiver(expr.value, scope)
            name = expr.attr.value
            if isinstance(base, v.Obj):
                if name in base.children:
                    return base.children[name]
                return base.attrs.get(name, _NONE)
            if isinstance(base, v.Layer):
                from cnnlint.interpret.library import layer_attribute

                return layer_attribute(None, base, name)  # reads the layer's arguments, runs nothing
            if isinstance(base, v.Unknown) or isinstance(base, v.SymbolicObj):
                return base
        return _NONE

    def classify(self, node, scope, func, args, kwargs, result):
        """(outcome, group, reason)."""
        import libcst as cst
        from cnnlint.abstract.findings import code_of

        v = self.v
        user = (v.Function, v.UserClass, v.Obj)
        callee = func.func if isinstance(func, v.Partial) else func
        if isinstance(callee, user):
            if isinstance(result, v.Unknown) and (result.reason.endswith("with arguments that do not fit")
                                                  or result.reason == "recursion too deep"):
                inputs = list(args) + list(kwargs.values())
                if self.any_missing(inputs):
                    return INPUT, "", self.why
                what = result.reason[len("call to "):].split(" with", 1)[0] if result.reason.startswith("call to ") \
                    else f"{code_of(node.func)[:40]}()"
                return CANNOT, f"{what}: {result.reason.split(' with ')[-1]}", result.reason
            return FOLLOWED, "", ""
        if not self.unknown(result):
            return FOLLOWED, "", ""
        inputs = list(args) + [a for k, a in kwargs.items() if isinstance(k, str)]
        if any(not isinstance(k, str) for k in kwargs):  # **kwargs of an unknown dict
            return INPUT, "", "**kwargs of an unknown dict"
        if isinstance(callee, v.Builtin) and callee.bound is not None:
            inputs.append(callee.bound)
            bound = callee.bound
            if isinstance(bound, v.Tensor) and bound.shape is not None and any(d is None for d in bound.shape):
                return INPUT, "", "a tensor with a size cnnlint lost"
        if type(node.func) is cst.Attribute and not isinstance(callee, v.Builtin):
            recv = self.receiver(node.func.value, scope)
            if recv is not _NONE:
                inputs.append(recv)
        if self.any_missing(inputs):
            return INPUT, "", self.why
        if isinstance(callee, v.SymbolicObj):
            return INPUT, "", "no value given"
        reason = result.reason if isinstance(result, v.Unknown) else "a tensor of unknown rank"
        if isinstance(callee, v.Qual):
            name = _short(callee.name)
            if not callee.name.startswith("torch"):
                name += " (outside the file)"
            return CANNOT, name, reason
        if isinstance(callee, v.Layer):
            return CANNOT, f"nn.{callee.kind} (forward)", reason
        if isinstance(callee, v.Builtin):
            bound = callee.bound
            if bound is None:
                return CANNOT, f"{callee.name}()", reason
            owner = "Tensor" if isinstance(bound, v.Tensor) else type(bound).__name__
            return CANNOT, f"{owner}.{callee.name}", reason
        code = code_of(node.func)
        if isinstance(callee, v.Unknown):
            if type(node.func) is cst.Name:
                return CANNOT, f"{code} ({callee.reason})" if "not defined" in callee.reason else \
                    f"{code} (value unknown)", callee.reason
            if type(node.func) is cst.Attribute:
                recv = self.receiver(node.func.value, scope)
                attr = node.func.attr.value
                if isinstance(recv, v.Tensor):
                    return CANNOT, f"Tensor.{attr}", callee.reason
                if isinstance(recv, v.Layer):
                    return CANNOT, f"nn.{recv.kind}.{attr}", callee.reason
                if isinstance(recv, v.Qual):
                    return CANNOT, f"{_short(recv.name)}.{attr}", callee.reason
                base = code_of(node.func.value)
                if len(base) > 30:
                    base = "..."
                return CANNOT, f"{base}.{attr} (value unknown)", callee.reason
            return CANNOT, f"{code[:40]} (value unknown)", callee.reason
        return CANNOT, f"{type(callee).__name__} object call", reason

    def call(self, interp, node, scope, func, args, kwargs, result):
        self.last[id(node)] = result
        try:
            outcome, group, reason = self.classify(node, scope, func, args, kwargs, result)
            module = interp.module_stack[-1] if interp.module_stack else None
            ctx = getattr(module, "ctx", None) or interp.file
            near = interp.running[-1] if interp.running else None
            span = ctx.span(node, near)
            key = f"{os.path.realpath(ctx.path)}:{span.line}:{span.column}"
        except Exception:  # the bench must never change what cnnlint does
            self.failures += 1
            if os.environ.get("COVERAGE_DEBUG"):
                import traceback

                traceback.print_exc()
            return
        self.sites[key] = _merge(self.sites.get(key), (outcome, group, reason[:120], outcome))


_NONE = object()


def _merge(old, new):
    """(worst outcome, its group, its reason, best outcome) of a site over its evaluations."""
    if old is None:
        return new
    worst = new[:3] if new[0] > old[0] else old[:3]
    return worst + (min(old[3], new[3]),)


# --- workers ----------------------------------------------------------------------------------

def _init(timeout: float, src: str) -> None:
    global _TIMEOUT
    _TIMEOUT = timeout
    if src:
        sys.path.insert(0, src)
    signal.signal(signal.SIGALRM, _alarm)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))


def check_one(path: str):
    """(path, seconds, status, sites): sites as Recorder.sites."""
    from cnnlint.api import check_file
    from cnnlint.interpret import calling

    rec = Recorder()
    calling.RECORDER = rec
    start = time.perf_counter()
    status = "ok"
    signal.setitimer(signal.ITIMER_REAL, _TIMEOUT)
    try:
        check_file(path)
    except _Timeout:
        status = "timeout"
    except BaseException as e:  # noqa: B902
        status = f"internal: {type(e).__name__}: {e}"[:200]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        calling.RECORDER = None
    if rec.failures:
        status += f" ({rec.failures} recorder failures)"
    return path, time.perf_counter() - start, status, rec.sites


def call_expressions(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return 0
    return sum(isinstance(n, ast.Call) for n in ast.walk(tree))


# --- the corpora ------------------------------------------------------------------------------

def py_files(root: str):
    if os.path.isfile(root):
        return [root]
    out = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        out.extend(os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py"))
    return out


def corpora(site: str, extra):
    """[(name, [roots])] in order."""
    out = []
    tv = os.path.join(site, "torchvision", "models")
    if os.path.isdir(tv):
        out.append(("torchvision", [tv]))
    timm = [os.path.join(site, "timm", d) for d in ("models", "layers")]
    if all(os.path.isdir(d) for d in timm):
        out.append(("timm", timm))
    out.append(("fixtures", [os.path.join(ROOT, "fixtures")]))
    for p in extra:
        out.append((os.path.basename(os.path.normpath(p)) or p, [p]))
    return out


def owner(path: str, roots):
    for name, dirs in roots:
        for d in dirs:
            if path == d or path.startswith(d + os.sep):
                return name
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", help="more folders, one corpus each")
    ap.add_argument("--site", default=DEFAULT_SITE, help="site-packages with torchvision and timm")
    ap.add_argument("--only", default="", help="comma-separated corpus names to run")
    ap.add_argument("--top", type=int, default=30, help="how many unfollowed callees to list (default 30)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per file (default 60)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--sites", action="store_true", help="with --json: list every cannot-follow site")
    ap.add_argument("--check", default="", help="check only the files whose path contains this text")
    ap.add_argument("--src", default=os.path.join(ROOT, "src"), help="the cnnlint source to measure")
    args = ap.parse_args(argv)
    if args.src:
        sys.path.insert(0, args.src)

    roots = corpora(args.site, args.paths)
    if args.only:
        wanted = set(args.only.split(","))
        roots = [r for r in roots if r[0] in wanted]
    files = []
    for name, dirs in roots:
        for d in dirs:
            files.extend((name, f) for f in py_files(d) if args.check in f)
    start = time.perf_counter()
    merged = {}
    statuses = Counter()
    problems = []
    with cf.ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.timeout, args.src)) as pool:
        for path, secs, status, sites in pool.map(check_one, [f for _, f in files], chunksize=1):
            statuses[status.split(":")[0]] += 1
            if status != "ok":
                problems.append((path, status))
            for key, value in sites.items():
                merged[key] = _merge(merged.get(key), value)
    wall = time.perf_counter() - start

    real_roots = [(n, [os.path.realpath(d) for d in ds]) for n, ds in roots]
    per = {name: Counter() for name, _ in roots}
    groups = defaultdict(lambda: defaultdict(list))  # corpus -> group -> [(key, reason)]
    inputs_why = defaultdict(Counter)  # corpus -> what the unknown input was -> sites
    best = {name: Counter() for name, _ in roots}
    by_file = defaultdict(lambda: [0, 0, 0])  # path -> sites per outcome
    for key, (outcome, group, reason, best_outcome) in merged.items():
        path = key.rsplit(":", 2)[0]
        corpus = owner(path, real_roots)
        if corpus is None:
            continue
        per[corpus][outcome] += 1
        best[corpus][best_outcome] += 1
        by_file[_display(path)][outcome] += 1
        if outcome == CANNOT:
            groups[corpus][group].append((key, reason))
        elif outcome == INPUT:
            inputs_why[corpus][reason] += 1
    exprs = Counter()
    nfiles = Counter()
    for name, f in files:
        nfiles[name] += 1
        exprs[name] += call_expressions(f)

    def figures(names):
        counts = sum((per[n] for n in names), Counter())
        good = sum((best[n] for n in names), Counter())
        total = sum(counts.values())
        return {"files": sum(nfiles[n] for n in names), "call_expressions": sum(exprs[n] for n in names),
                "sites": total, "followed": counts[FOLLOWED], "cannot_follow": counts[CANNOT],
                "unknown_input": counts[INPUT],
                "followed_pct": round(100.0 * counts[FOLLOWED] / total, 2) if total else None,
                "followed_somewhere": good[FOLLOWED], "cannot_follow_anywhere": good[CANNOT],
                "followed_somewhere_pct": round(100.0 * good[FOLLOWED] / total, 2) if total else None}

    report = {"corpora": {}, "seconds": round(wall, 1), "files_status": dict(statuses), "problems": problems}
    for name, _ in roots:
        report["corpora"][name] = figures([name])
    model_code = [n for n in ("torchvision", "timm") if n in per]
    if model_code:
        report["torchvision+timm"] = figures(model_code)
    report["total"] = figures([n for n, _ in roots])

    def top_of(names):
        combined = defaultdict(list)
        for n in names:
            for g, items in groups[n].items():
                combined[g].extend(items)
        rows = sorted(combined.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: args.top]
        out = []
        for g, items in rows:
            key, reason = sorted(items)[0]
            path, line, col = key.rsplit(":", 2)
            out.append({"callee": g, "sites": len(items), "example": f"{_display(path)}:{line}:{col}",
                        "reason": reason})
        return out

    report["top"] = top_of([n for n, _ in roots])
    if args.sites:
        report["unknown_input_reasons"] = {n: dict(c.most_common()) for n, c in inputs_why.items()}
        report["files"] = {p: dict(zip(("followed", "unknown_input", "cannot_follow"), c))
                           for p, c in sorted(by_file.items(), key=lambda kv: -sum(kv[1][1:]))}
        report["cannot_follow_sites"] = [
            {"callee": g, "site": _display(key), "reason": reason}
            for n in sorted(groups) for g, items in sorted(groups[n].items()) for key, reason in sorted(items)]
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{len(files)} files in {wall:.0f} s; status: {dict(statuses)}")
    for path, status in problems[:20]:
        print(f"  {status}: {_display(path)}")
    head = f"{'corpus':<18}{'files':>6}{'calls':>8}{'sites':>8}{'followed':>10}{'cannot':>8}{'input':>8}" \
           f"{'followed %':>12}{'somewhere %':>13}"
    print(head)
    rows = list(report["corpora"].items())
    if model_code:
        rows.append(("torchvision+timm", report["torchvision+timm"]))
    rows.append(("total", report["total"]))
    for name, f in rows:
        pct = "-" if f["followed_pct"] is None else f"{f['followed_pct']:.2f}"
        some = "-" if f["followed_somewhere_pct"] is None else f"{f['followed_somewhere_pct']:.2f}"
        print(f"{name:<18}{f['files']:>6}{f['call_expressions']:>8}{f['sites']:>8}{f['followed']:>10}"
              f"{f['cannot_follow']:>8}{f['unknown_input']:>8}{pct:>12}{some:>13}")
    print(f"\ntop {args.top} callees cnnlint cannot follow (sites, callee, example, reason):")
    for row in report["top"]:
        print(f"{row['sites']:>6}  {row['callee']:<45} {row['example']}  ({row['reason']})")
    return 0


def _display(path: str) -> str:
    for marker in ("site-packages" + os.sep, ROOT + os.sep):
        i = path.find(marker)
        if i >= 0:
            return path[i + len(marker):] if marker != ROOT + os.sep else path[len(marker):]
    return path


if __name__ == "__main__":
    sys.exit(main())
