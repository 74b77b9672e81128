"""Compare the installed cnnlint with the PyTorch oracle on the torchvision corpus.

    python3 bench/torchvision_report.py [--out docs/torchvision.md] [--models NAME ...]
                                        [--no-mutants] [--jobs N] [--details FILE]

Plain Python, no torch. Uses only cnnlint's command-line contract
(``/work/shared/acceptance/README.md``): runs ``cnnlint`` (or ``$CNNLINT``, e.g.
``CNNLINT="python -m cnnlint"``) as a subprocess:

* ``cnnlint shapes FILE --model CLASS --input-shape 'CLASS(ARGS)=1,3,224,224' --format json``
  on each model's source file; its leaf-layer output shapes are matched with
  PyTorch's leaf-module calls by name and call order (the k-th call of ``layer1.0.conv1``
  with the k-th row named ``layer1.0.conv1``), and the parameter count and final output
  shape are compared;
* ``cnnlint check FILE --input-shape ... --format json`` on each unmutated file: every
  error-severity diagnostic there is a false error;
* the same on every mutant of ``bench/_corpus/mutants.json``: a mutant that fails in
  PyTorch is caught when cnnlint reports a new error (one not reported on the unmutated
  file, keyed by code, line, column, declared and inferred) whose ``declared`` and
  ``inferred`` equal the numbers PyTorch gave, or any new error when PyTorch gave none;
  a new error on a mutant that PyTorch runs is a false error;
* ``cnnlint check`` on the files of the torchvision tree, without input shapes: error
  diagnostics (all false: torchvision's code runs) and crashes.

Mutants of one model, and the files of the tree, are checked in one cnnlint run (the
diagnostics are split by their ``path``); when such a run crashes, each file is run
alone, so crashes are counted per file.

A crash is an exit status other than 0 and 1, a Python traceback on stderr, a
timeout, or output that is not the contracted JSON. The script never fails because
cnnlint does: with no cnnlint at all it prints a table of "n/a".
Needs ``bench/_corpus/oracle.json`` and ``mutants.json`` (see bench/README.md).
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import datetime
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "_corpus")
sys.path.insert(0, HERE)
import torchvision_corpus  # noqa: E402


# --- running cnnlint ------------------------------------------------------------

class Run:
    __slots__ = ("args", "rc", "stdout", "stderr", "data", "crash", "why")

    def __init__(self, args, rc, stdout, stderr, data, crash, why):
        self.args, self.rc, self.stdout, self.stderr = args, rc, stdout, stderr
        self.data, self.crash, self.why = data, crash, why


def cnnlint_cmd():
    env = os.environ.get("CNNLINT")
    if env:
        return shlex.split(env)
    exe = shutil.which("cnnlint")
    return [exe] if exe else None


def run_cnnlint(cmd, args, timeout, expect) -> Run:
    """expect: 'list' (check) or 'dict' (shapes)."""
    if cmd is None:
        return Run(args, None, "", "", None, False, "no cnnlint")
    try:  # own process group, so a timeout also ends cnnlint's worker processes
        proc = subprocess.Popen(cmd + args, cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    except OSError as e:
        return Run(args, None, "", "", None, True, f"cannot run: {e}")
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        return Run(args, None, "", "", None, True, f"timeout after {timeout:g}s")
    p = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    why = None
    if "Traceback (most recent call last)" in p.stderr:
        why = "traceback: " + _last_line(p.stderr)
    elif p.returncode not in (0, 1):
        why = f"exit {p.returncode}: " + _last_line(p.stderr)
    data = None
    if why is None:
        try:
            data = json.loads(p.stdout)
        except ValueError:
            why = "output is not JSON: " + p.stdout[:80].replace("\n", " ")
        else:
            if expect == "list" and not isinstance(data, list):
                why, data = "check output is not a JSON list", None
            elif expect == "dict" and not (isinstance(data, dict)
                                           and isinstance(data.get("models"), list)):
                why, data = "shapes output has no 'models' list", None
    return Run(args, p.returncode, p.stdout, p.stderr, data, why is not None, why)


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def run_batch(cmd, paths, extra, timeout, pool=None) -> dict:
    """`cnnlint check PATHS... EXTRA --format json`, split into one Run per path (by the
    diagnostics' `path`). If the batch crashes, every path is run alone."""
    if not paths:
        return {}
    batch = run_cnnlint(cmd, ["check", *paths, *extra, "--format", "json"],
                        timeout * max(1, len(paths) // 8), "list")
    if cmd is None:
        return {p: batch for p in paths}
    if not batch.crash:
        split = {os.path.normpath(p): [] for p in paths}
        for d in batch.data:
            key = os.path.normpath(str(d.get("path"))) if isinstance(d, dict) else None
            if key in split:
                split[key].append(d)
        return {p: Run(batch.args, batch.rc, "", "", split[os.path.normpath(p)], False, None)
                for p in paths}
    # run_batch itself may be running in the pool: run the singles here, serially
    return {p: run_cnnlint(cmd, ["check", p, *extra, "--format", "json"], timeout, "list")
            for p in paths}


def errors_of(run: Run) -> list:
    if not run.data:
        return []
    return [d for d in run.data if isinstance(d, dict) and d.get("severity") == "error"]


def diag_key(d: dict):
    return (d.get("code"), d.get("line"), d.get("column"), str(d.get("declared")),
            str(d.get("inferred")))


def same_number(a, b) -> bool:
    if a is None or b is None:
        return False
    try:
        return int(a) == int(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


# --- comparisons -----------------------------------------------------------------

def compare_shapes(oracle_model: dict, run: Run) -> dict:
    calls = [c for c in oracle_model["calls"] if c["leaf"] and c["output"] is not None]
    res = {"total": len(calls), "matched": None, "params": None, "cnnlint_params": None,
           "output": None, "mismatches": []}
    if not run.data:
        return res
    entry = next((m for m in run.data["models"]
                  if isinstance(m, dict) and m.get("model") == oracle_model["class"]), None)
    if entry is None:
        res["matched"] = 0
        res["mismatches"].append("model not in shapes output")
        return res
    rows = collections.defaultdict(list)
    for row in entry.get("layers") or []:
        if isinstance(row, dict):
            rows[row.get("name")].append(row)
    seen = collections.Counter()
    matched = 0
    for c in calls:
        k = seen[c["name"]]
        seen[c["name"]] += 1
        got = rows[c["name"]][k].get("output") if k < len(rows[c["name"]]) else "missing"
        if got == c["output"]:
            matched += 1
        elif len(res["mismatches"]) < 5:
            res["mismatches"].append(f"{c['name']}#{k}: torch {c['output']} cnnlint {got}")
    res["matched"] = matched
    res["cnnlint_params"] = entry.get("params")
    res["params"] = entry.get("params") == oracle_model["params"]
    res["output"] = entry.get("output") == oracle_model["output"]
    return res


def judge_mutant(mut: dict, run: Run, baseline: set) -> dict:
    new = [d for d in errors_of(run) if diag_key(d) not in baseline]
    out = {"id": mut["id"], "torch": mut["status"], "crash": run.crash, "why": run.why,
           "new_errors": [{k: d.get(k) for k in ("code", "line", "declared", "inferred", "message")}
                          for d in new[:3]],
           "caught": None, "false_error": None}
    if run.crash or run.data is None:
        return out
    if mut["status"] == "fails":
        if mut.get("declared") is not None:
            out["caught"] = any(same_number(d.get("declared"), mut["declared"])
                                and same_number(d.get("inferred"), mut["inferred"]) for d in new)
        else:
            out["caught"] = bool(new)
    else:
        out["false_error"] = bool(new)
    return out


# --- the report ------------------------------------------------------------------

def fmt_ratio(a, b):
    return "n/a" if a is None else f"{a}/{b}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--models", nargs="*", help="only these models")
    ap.add_argument("--no-mutants", action="store_true")
    ap.add_argument("--no-tree", action="store_true", help="skip the whole-tree check")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 4)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per cnnlint run")
    ap.add_argument("--details", help="write per-model and per-mutant results as JSON here")
    args = ap.parse_args()

    oracle_path = os.path.join(CORPUS, "oracle.json")
    mutants_path = os.path.join(CORPUS, "mutants.json")
    if not os.path.exists(oracle_path):
        sys.exit("bench/_corpus/oracle.json is missing: run /work/tv-venv/bin/python "
                 "bench/torchvision_oracle.py first")
    oracle = json.load(open(oracle_path))
    mutants = json.load(open(mutants_path))["mutants"] if os.path.exists(mutants_path) else []
    if not os.path.exists(torchvision_corpus.models_dir()):
        torchvision_corpus.fetch(quiet=True)
    corpus_rel = os.path.relpath(torchvision_corpus.source_root(), REPO)

    cmd = cnnlint_cmd()
    version = "not installed"
    if cmd:
        try:
            p = subprocess.run(cmd + ["--version"], cwd=REPO, capture_output=True, text=True,
                               timeout=30)
            version = (p.stdout.strip() or p.stderr.strip() or f"exit {p.returncode}").splitlines()[0]
        except Exception as e:  # noqa: BLE001
            version = f"unusable ({e})"

    models = [m for m in oracle["models"] if "error" not in m
              and (not args.models or m["name"] in args.models)]
    by_model = collections.defaultdict(list)
    for mu in mutants:
        by_model[mu["model"]].append(mu)

    pool = cf.ThreadPoolExecutor(max_workers=max(1, args.jobs))

    def path_of(m):
        return os.path.join(corpus_rel, m["path"])

    shape_jobs = {m["name"]: pool.submit(
        run_cnnlint, cmd, ["shapes", path_of(m), "--model", m["class"], "--input-shape",
                           m["input_shape_option"], "--format", "json"], args.timeout, "dict")
        for m in models}
    check_jobs = {m["name"]: pool.submit(
        run_cnnlint, cmd, ["check", path_of(m), "--input-shape", m["input_shape_option"],
                           "--format", "json"], args.timeout, "list")
        for m in models}
    # Mutants of a model share its --input-shape: one `cnnlint check` over all of them;
    # when that run crashes, each mutant is run alone so one crash costs one mutant.
    mutant_jobs = {}
    if not args.no_mutants:
        for m in models:
            muts = by_model.get(m["name"], [])
            if muts:
                mutant_jobs[m["name"]] = pool.submit(
                    run_batch, cmd, [mu["path"] for mu in muts],
                    ["--input-shape", m["input_shape_option"]], args.timeout, pool)
    tree_job = None
    tree_files = []
    if not args.no_tree:
        tv_root = os.path.join(torchvision_corpus.source_root(), "torchvision")
        for dirpath, dirnames, filenames in os.walk(tv_root):
            dirnames.sort()
            tree_files += [os.path.relpath(os.path.join(dirpath, fn), REPO)
                           for fn in sorted(filenames) if fn.endswith(".py")]
        tree_job = pool.submit(run_batch, cmd, tree_files, [], args.timeout, pool)

    rows, details = [], {"cnnlint": version, "models": [], "tree": {}}
    tot = collections.Counter()
    for m in models:
        srun = shape_jobs[m["name"]].result()
        crun = check_jobs[m["name"]].result()
        shp = compare_shapes(m, srun)
        base_errors = errors_of(crun)
        baseline = {diag_key(d) for d in base_errors}
        crashes = int(srun.crash) + int(crun.crash)
        judged = []
        per_path = mutant_jobs[m["name"]].result() if m["name"] in mutant_jobs else {}
        for mu in by_model.get(m["name"], []) if not args.no_mutants else []:
            r = per_path[mu["path"]]
            j = judge_mutant(mu, r, baseline)
            crashes += int(r.crash)
            judged.append(j)
        fails = [j for j in judged if j["torch"] == "fails"]
        runs = [j for j in judged if j["torch"] == "runs"]
        have = cmd is not None
        caught = sum(1 for j in fails if j["caught"]) if have else None
        false_mut = sum(1 for j in runs if j["false_error"]) if have else None
        row = {
            "model": m["name"], "expr": m["expr"],
            "layers": fmt_ratio(shp["matched"], shp["total"]),
            "params": "n/a" if shp["params"] is None else ("=" if shp["params"]
                                                           else f"≠ {shp['cnnlint_params']}"),
            "output": "n/a" if shp["output"] is None else ("=" if shp["output"] else "≠"),
            "false_errors": "n/a" if (not have or crun.crash) else str(len(base_errors)),
            "crashes": "n/a" if not have else str(crashes),
            "caught": "n/a" if args.no_mutants else fmt_ratio(caught, len(fails)),
            "mut_false": "n/a" if args.no_mutants else fmt_ratio(false_mut, len(runs)),
        }
        rows.append(row)
        tot["layers_matched"] += shp["matched"] or 0
        tot["layers_total"] += shp["total"]
        tot["params_equal"] += int(bool(shp["params"]))
        tot["output_equal"] += int(bool(shp["output"]))
        tot["false_errors"] += len(base_errors)
        tot["crashes"] += crashes
        tot["caught"] += caught or 0
        tot["fails"] += len(fails)
        tot["mut_false"] += false_mut or 0
        tot["runs"] += len(runs)
        details["models"].append({
            "model": m["name"], "expr": m["expr"], "shapes": shp,
            "shapes_crash": srun.why if srun.crash else None,
            "check_crash": crun.why if crun.crash else None,
            "false_errors": [{k: d.get(k) for k in ("code", "line", "model", "declared", "inferred",
                                                     "message")} for d in base_errors],
            "mutants": judged})

    tree = {"files": len(tree_files), "errors": 0, "crashes": 0, "crashed_files": []}
    tree_runs = tree_job.result() if tree_job else {}
    for rel, r in tree_runs.items():
        tree["errors"] += len(errors_of(r))
        if r.crash:
            tree["crashes"] += 1
            tree["crashed_files"].append(f"{rel}: {r.why}")
    details["tree"] = tree
    pool.shutdown()

    n = len(models)
    have = cmd is not None
    lines = [
        f"# cnnlint on torchvision {oracle.get('torchvision', '?')}",
        "",
        f"Generated {datetime.date.today().isoformat()} by `python3 bench/torchvision_report.py`; "
        f"cnnlint: {version}; oracle: torch {oracle.get('torch', '?')} on the meta device.",
        "",
        "Layers: leaf-layer calls whose output shape cnnlint gets right / PyTorch's count "
        "(matched by name and call order). False errors: error diagnostics of `cnnlint check` "
        "on the unmutated file. Caught: PyTorch-failing mutants where cnnlint reports a new "
        "error, with PyTorch's declared and inferred numbers when PyTorch's failure gives them. "
        "Mutant false errors: new errors on mutants PyTorch runs. Crashes: cnnlint runs "
        "(shapes, check, mutants) that ended in a traceback, exit 2, a timeout or bad JSON.",
        "",
        "| model | constructor | layers | params | output | false errors | crashes "
        "| mutants caught | mutant false errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | `{r['expr']}` | {r['layers']} | {r['params']} | "
                     f"{r['output']} | {r['false_errors']} | {r['crashes']} | {r['caught']} | "
                     f"{r['mut_false']} |")
    if have:
        lines.append(
            f"| **total** ({n} models) | | {tot['layers_matched']}/{tot['layers_total']} | "
            f"{tot['params_equal']}/{n} | {tot['output_equal']}/{n} | {tot['false_errors']} | "
            f"{tot['crashes']} | "
            + ("n/a | n/a |" if args.no_mutants else
               f"{tot['caught']}/{tot['fails']} | {tot['mut_false']}/{tot['runs']} |"))
    else:
        lines.append(f"| **total** ({n} models) | | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
    lines.append("")
    if args.no_tree:
        lines.append("Whole torchvision tree: not run (`--no-tree`).")
    elif have:
        lines.append(f"Whole torchvision tree (`cnnlint check` on its {tree['files']} files, "
                     f"no input shapes; crashes counted per file): {tree['errors']} error diagnostics (all false), "
                     f"{tree['crashes']} crashes.")
        for c in tree["crashed_files"][:10]:
            lines.append(f"- crash: {c}")
        if len(tree["crashed_files"]) > 10:
            lines.append(f"- ... and {len(tree['crashed_files']) - 10} more")
    else:
        lines.append(f"Whole torchvision tree ({tree['files']} files): n/a (cnnlint not installed).")
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    if args.details:
        with open(args.details, "w") as f:
            json.dump(details, f, indent=1)


if __name__ == "__main__":
    main()
