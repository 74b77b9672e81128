"""Field bench: cnnlint on public model code it was not developed on, judged by PyTorch.

    python3 bench/field.py gather [--work /tmp/field]              # 1. sources from snapshots
    python3 bench/field.py torch --set dev [--jobs 2] [--cap 40]    # 2. PyTorch's verdicts
    python3 bench/field.py report --set dev [--src /work/main/src]  # 3. cnnlint against them

1. ``gather`` extracts the ``.py`` files of the repositories of ``field_sources.SOURCES``
   from local git snapshots (``/work/.mirror/<owner>+<name>``, brought by a fetch) into
   ``WORK/src/<owner>+<name>/`` and writes ``WORK/sources.json`` (repo, set, commit, files).
2. ``torch`` runs ``bench/field_oracle.py`` (the PyTorch oracle, which imports the model
   files) on every model file of a set, one subprocess per file, and writes
   ``WORK/<set>/torch.json``: models with their input shape, per-call output shapes,
   parameter count and output shape; one-number mutants labelled ``runs`` / ``fails``.
3. ``report`` runs cnnlint only through its command-line contract
   (``python3 -m cnnlint check FILE --format json [--input-shape MODEL=SHAPE]`` and
   ``shapes ... --format json``), with the cnnlint of ``--src`` on ``PYTHONPATH``, with and
   without input shapes, and prints: the share of failing mutants reported with an error
   (a new error, one not on the original file), the running cases (originals and
   running mutants) that get an error, and the share of PyTorch's leaf-layer calls in
   the originals that get PyTorch's output shape (by ``named_modules`` name and call
   order). ``--details FILE`` writes every miss and false error with cnnlint's and
   PyTorch's messages, grouped by kind.
Nothing gathered or generated is committed: WORK defaults to /tmp/field.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import field_sources  # noqa: E402

MIRRORS = "/work/.mirror"
EXTRA_PYTHONPATH = os.environ.get("FIELD_PYLIB", "/tmp/field/pylib")


def repo_dir(repo: str) -> str:
    return repo.replace("/", "+")


def git_dir(repo: str):
    base = os.path.join(MIRRORS, repo_dir(repo), "repo")
    for g in (os.path.join(base, ".git"), base):
        if os.path.exists(os.path.join(g, "HEAD")):
            return g
    return None


# --- 1. gather -------------------------------------------------------------------------

def gather(work: str) -> None:
    out = []
    for s in field_sources.SOURCES:
        g = git_dir(s["repo"])
        if g is None:
            print(f"{s['repo']}: no snapshot (fetch github:{s['repo']} first)")
            continue
        commit = subprocess.run(["git", "--git-dir", g, "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        names = subprocess.run(["git", "--git-dir", g, "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.split("\n")
        pys = [n for n in names if n.endswith(".py")]
        dest = os.path.join(work, "src", repo_dir(s["repo"]))
        os.makedirs(dest, exist_ok=True)
        for n in pys:  # every .py, so imports resolve; only `include` are model files
            data = subprocess.run(["git", "--git-dir", g, "show", f"HEAD:{n}"], capture_output=True,
                                  check=True).stdout
            p = os.path.join(dest, n)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        files = sorted(n for n in pys if any(n == i or (i.endswith("/") and n.startswith(i))
                                              for i in s["include"]))
        out.append({"repo": s["repo"], "set": s["set"], "commit": commit, "root": dest, "files": files})
        print(f"{s['set']:8s} {s['repo']:50s} {commit[:12]} {len(files):3d} model files")
    with open(os.path.join(work, "sources.json"), "w") as f:
        json.dump(out, f, indent=1)


# --- 2. torch ----------------------------------------------------------------------------

def run_torch(work: str, which: str, jobs: int, cap: int, timeout: float, python: str,
              repos=None, only_files=None) -> None:
    sources = [s for s in json.load(open(os.path.join(work, "sources.json")))
               if s["set"] == which and (not repos or s["repo"] in repos)]
    outdir = os.path.join(work, which, "torch")
    os.makedirs(outdir, exist_ok=True)
    tasks = []
    for s in sources:
        for rel in s["files"]:
            if only_files and rel not in only_files:
                continue
            fid = repo_dir(s["repo"]) + "__" + rel.replace("/", "__")[:-3]
            tasks.append((s, rel, fid))
    env = dict(os.environ)
    env["PYTHONPATH"] = EXTRA_PYTHONPATH
    env["OMP_NUM_THREADS"] = "1"
    rundir = os.path.join(work, "run")
    os.makedirs(rundir, exist_ok=True)

    def one(task):
        s, rel, fid = task
        out = os.path.join(outdir, fid + ".json")
        mdir = os.path.join(work, which, "mutants", fid)
        t0 = time.time()
        cmd = [python, os.path.join(HERE, "field_oracle.py"), s["root"], rel, "--out", out,
               "--mutants-dir", mdir, "--cap", str(cap)]
        spec = field_sources.SPECS.get(s["repo"], {}).get(rel)
        if spec:
            cmd += ["--spec", json.dumps(spec)]
        try:
            p = subprocess.Popen(cmd, cwd=rundir, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
            _, err = p.communicate(timeout=timeout)
            why = None if p.returncode == 0 else f"exit {p.returncode}: {err.strip()[-300:]}"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            why = f"timeout after {timeout:g}s"
        doc = json.load(open(out)) if os.path.exists(out) else {"models": [], "mutants": []}
        doc.update(repo=s["repo"], rel=rel, fid=fid, runner_error=why)
        with open(out, "w") as f:
            json.dump(doc, f, indent=1)
        st = collections.Counter(m["status"] for m in doc.get("mutants", []))
        print(f"{s['repo'][:32]:32s} {rel[-40:]:40s} models={len(doc.get('models', [])):2d} "
              f"mutants runs={st['runs']:2d} fails={st['fails']:2d} "
              f"{doc.get('error') or why or ''} ({time.time() - t0:.0f}s)"[:220], flush=True)
        return doc

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, tasks))
    collect(work, which)


def collect(work: str, which: str) -> None:
    """WORK/<set>/torch.json from the per-file verdicts of the set's repositories (found
    under either set's folder: a repository may have moved between sets)."""
    sources = {s["repo"]: s for s in json.load(open(os.path.join(work, "sources.json")))
               if s["set"] == which}
    docs = {}
    for d in ("dev", "heldout", "fresh"):
        outdir = os.path.join(work, d, "torch")
        if not os.path.isdir(outdir):
            continue
        for fn in sorted(os.listdir(outdir)):
            doc = json.load(open(os.path.join(outdir, fn)))
            if doc.get("repo") in sources and doc.get("rel") in sources[doc["repo"]]["files"]:
                doc["root"] = sources[doc["repo"]]["root"]
                docs[(doc["repo"], doc["rel"])] = doc
    os.makedirs(os.path.join(work, which), exist_ok=True)
    with open(os.path.join(work, which, "torch.json"), "w") as f:
        json.dump({"set": which, "files": [docs[k] for k in sorted(docs)]}, f, indent=1)


# --- 3. report -----------------------------------------------------------------------------

def shape_option(m: dict) -> str:
    shape = ",".join(str(d) for d in m["input"])
    if m.get("args_expr"):
        return f"{m['name']}({m['args_expr']})={shape}"
    return f"{m['name']}={shape}"


class Run:
    def __init__(self, data=None, crash=None):
        self.data, self.crash = data, crash


def cnnlint(src: str, args: list, timeout: float, expect: str) -> Run:
    env = dict(os.environ)
    env["PYTHONPATH"] = src
    env["CNNLINT_NO_CACHE"] = "1"  # the figures of this tree, never a cached result
    try:
        p = subprocess.Popen([sys.executable, "-m", "cnnlint", *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
                             cwd="/tmp")
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return Run(None, f"timeout after {timeout:g}s")
    if "Traceback (most recent call last)" in err or p.returncode not in (0, 1):
        return Run(None, f"exit {p.returncode}: " + (err.strip().splitlines() or [""])[-1][:200])
    try:
        data = json.loads(out)
    except ValueError:
        return Run(None, "not JSON: " + out[:80])
    if expect == "list" and not isinstance(data, list) or expect == "dict" and not isinstance(data, dict):
        return Run(None, "unexpected JSON")
    return Run(data, None)


def check_many(src, paths, extra, timeout) -> dict:
    """One `check` over many files, split per path; singles when the batch crashes."""
    if not paths:
        return {}
    r = cnnlint(src, ["check", *paths, *extra, "--format", "json"], timeout * max(1, len(paths) // 6),
                "list")
    if r.crash is None:
        split = {os.path.realpath(p): [] for p in paths}
        for d in r.data:
            k = os.path.realpath(str(d.get("path")))
            if k in split:
                split[k].append(d)
        return {p: Run(split[os.path.realpath(p)]) for p in paths}
    return {p: cnnlint(src, ["check", p, *extra, "--format", "json"], timeout, "list") for p in paths}


def errors(run: Run) -> list:
    return [d for d in (run.data or []) if isinstance(d, dict) and d.get("severity") == "error"]


def notes(run: Run, model=None) -> list:
    return [d for d in (run.data or []) if isinstance(d, dict) and d.get("severity") == "info"
            and (model is None or d.get("model") == model)]


def dkey(d):
    return (d.get("code"), d.get("line"), d.get("column"), str(d.get("declared")), str(d.get("inferred")))


def brief(d: dict) -> str:
    return f"{d.get('code')} line {d.get('line')} [{d.get('model')}]: {d.get('message')}"


def kind_of(msg: str) -> str:
    msg = msg or ""
    msg = re.sub(r"'[^']*'", "'_'", msg)
    msg = re.sub(r"\[[^\]]*\]", "[_]", msg)
    msg = re.sub(r"\d+", "N", msg)
    return msg[:110]


def compare_shapes(m: dict, run: Run) -> dict:
    calls = [c for c in m["calls"] if c["leaf"] and c["output"] is not None]
    res = {"total": len(calls), "matched": 0, "first_miss": None, "misses": 0,
           "params": None, "output": None, "crash": run.crash}
    if run.data is None:
        res["first_miss"] = f"cnnlint shapes: {run.crash}"
        return res
    entry = next((e for e in run.data.get("models", []) if e.get("model") == m["name"]), None)
    if entry is None:
        res["first_miss"] = "model not in shapes output"
        return res
    rows = collections.defaultdict(list)
    for row in entry.get("layers") or []:
        rows[row.get("name")].append(row)
    seen = collections.Counter()
    for c in calls:
        k = seen[c["name"]]
        seen[c["name"]] += 1
        got = rows[c["name"]][k].get("output") if k < len(rows[c["name"]]) else "missing"
        if got == c["output"]:
            res["matched"] += 1
        else:
            res["misses"] += 1
            if res["first_miss"] is None:
                line = rows[c["name"]][k].get("line") if k < len(rows[c["name"]]) else None
                res["first_miss"] = (f"{c['name']}#{k} ({c['type']}, cnnlint line {line}): "
                                     f"torch {c['output']} cnnlint {got}")
    res["params"] = entry.get("params") == m["params"]
    res["output"] = entry.get("output") == m["output"]
    return res


def report(work: str, which: str, src: str, jobs: int, timeout: float, details_path=None,
           repos=None) -> dict:
    doc = json.load(open(os.path.join(work, which, "torch.json")))
    files = [f for f in doc["files"] if f.get("models") and (not repos or f["repo"] in repos)]
    pool = cf.ThreadPoolExecutor(max_workers=jobs)
    jobs_ = {}
    for f in files:
        path = os.path.join(f["root"], f["rel"])
        opts = [x for m in f["models"] for x in ("--input-shape", shape_option(m))]
        muts = [mu for mu in f.get("mutants", []) if mu["status"] in ("runs", "fails")]
        jobs_[f["fid"]] = {
            "orig_plain": pool.submit(cnnlint, src, ["check", path, "--format", "json"], timeout, "list"),
            "orig_shaped": pool.submit(cnnlint, src, ["check", path, *opts, "--format", "json"], timeout,
                                       "list"),
            "shapes": {m["name"]: pool.submit(cnnlint, src, ["shapes", path, "--model", m["name"],
                                                             "--input-shape", shape_option(m),
                                                             "--format", "json"], timeout, "dict")
                       for m in f["models"]},
            "mut_plain": pool.submit(check_many, src, [mu["path"] for mu in muts], [], timeout),
            "mut_shaped": pool.submit(check_many, src, [mu["path"] for mu in muts], opts, timeout),
        }
    tot = collections.Counter()
    det = {"set": which, "src": src, "false_errors": [], "misses": [], "layer_misses": [],
           "crashes": [], "per_file": []}
    for f in files:
        j = jobs_[f["fid"]]
        where = f"{f['repo']}:{f['rel']}"
        orig = {"plain": j["orig_plain"].result(), "shaped": j["orig_shaped"].result()}
        mres = {"plain": j["mut_plain"].result(), "shaped": j["mut_shaped"].result()}
        pf = {"file": where, "models": len(f["models"])}
        model_names = {m["name"] for m in f["models"]}
        for mode in ("plain", "shaped"):
            r = orig[mode]
            if r.crash:
                tot[f"crash_{mode}"] += 1
                det["crashes"].append(f"{where} ({mode}): {r.crash}")
            errs = errors(r)
            tot[f"orig_files_{mode}"] += 1
            tot[f"orig_false_{mode}"] += len(errs)
            for d in errs:
                det["false_errors"].append({"mode": mode, "case": "original", "file": where,
                                            "cnnlint": brief(d), "kind": f"{d.get('code')} " + kind_of(d.get("message")),
                                            "oracle_model": d.get("model") in model_names})
            base = {dkey(d) for d in errs}
            for mu in f.get("mutants", []):
                if mu["status"] not in ("runs", "fails"):
                    continue
                mr = mres[mode].get(mu["path"])
                if mr is None:
                    continue
                if mr.crash:
                    tot[f"crash_{mode}"] += 1
                    det["crashes"].append(f"{where} {mu['id']} ({mode}): {mr.crash}")
                # judged only for the models PyTorch ran this mutant on (at most the two smallest a
                # mutant reaches): an error in another model of the file is neither caught nor false
                judged = {v.get("model") for v in mu.get("verdicts", [])} | {None}
                new = [d for d in errors(mr) if dkey(d) not in base and d.get("model") in judged]
                desc = (f"{where}:{mu['line']} {mu['callee']}(... {mu['arg']}: "
                        f"{mu['original']}->{mu['mutated']})")
                if mu["status"] == "fails":
                    tot[f"fails_{mode}"] += 1
                    if new:
                        tot[f"caught_{mode}"] += 1
                    else:
                        v = next(v for v in mu["verdicts"] if v["status"] == "fails")
                        nts = [n for n in notes(mr, v.get("model")) if n.get("code") != "CNN301"]
                        det["misses"].append({
                            "mode": mode, "file": where, "mutant": desc, "id": mu["id"],
                            "torch": f"{v.get('phase')} {v.get('failing_module') or ''} "
                                     f"({v.get('failing_type') or ''}): {v.get('message')}",
                            "kind": f"{v.get('phase')} {v.get('failing_type') or ''}: "
                                    + kind_of(v.get("message")),
                            "cnnlint_crash": mr.crash,
                            "cnnlint_notes": [brief(n) for n in nts[:3]]})
                else:
                    tot[f"runs_{mode}"] += 1
                    if new:
                        tot[f"mut_false_{mode}"] += 1
                        for d in new[:1]:
                            det["false_errors"].append({"mode": mode, "case": "mutant " + desc,
                                                        "file": where, "cnnlint": brief(d),
                                                        "kind": f"{d.get('code')} " + kind_of(d.get("message"))})
        for m in f["models"]:
            r = j["shapes"][m["name"]].result()
            if r.crash:
                tot["crash_shapes"] += 1
                det["crashes"].append(f"{where} shapes {m['name']}: {r.crash}")
            c = compare_shapes(m, r)
            tot["layers_total"] += c["total"]
            tot["layers_matched"] += c["matched"]
            tot["models"] += 1
            tot["params_equal"] += int(bool(c["params"]))
            tot["output_equal"] += int(bool(c["output"]))
            if c["misses"] or c["first_miss"]:
                nts = [n for n in notes(orig["shaped"], m["name"]) if n.get("code") != "CNN301"]
                det["layer_misses"].append({"file": where, "model": m["name"], "input": m["input"],
                                            "missed": c["total"] - c["matched"], "of": c["total"],
                                            "first": c["first_miss"],
                                            "cnnlint_notes": [brief(n) for n in nts[:3]]})
        det["per_file"].append(pf)
    pool.shutdown()
    summary = dict(tot)
    det["summary"] = summary
    if details_path:
        det["by_kind"] = {
            "misses": collections.Counter(x["kind"] for x in det["misses"] if x["mode"] == "shaped").most_common(),
            "false_errors": collections.Counter(x["kind"] for x in det["false_errors"]).most_common(),
        }
        with open(details_path, "w") as fh:
            json.dump(det, fh, indent=1)
    return summary


def kinds_markdown(det: dict, limit: int = 6) -> str:
    """The misses, false errors and layer misses of a details file, grouped by kind."""
    out = []
    fe = collections.defaultdict(list)
    for x in det["false_errors"]:
        fe[x["kind"]].append(x)
    out.append(f"### False errors ({len(det['false_errors'])}, both modes)")
    for kind, xs in sorted(fe.items(), key=lambda kv: -len(kv[1])):
        out.append(f"- **{len(xs)}x** `{kind}`")
        for x in xs[:limit]:
            out.append(f"  - [{x['mode']}] {x['file']} {x['case'] if x['case'] != 'original' else '(original)'}: "
                       f"{x['cnnlint']}")
    for mode in ("shaped", "plain"):
        ms = [x for x in det["misses"] if x["mode"] == mode]
        out.append(f"### Failing mutants not reported, {'with' if mode == 'shaped' else 'without'} "
                   f"input shapes ({len(ms)})")
        g = collections.defaultdict(list)
        for x in ms:
            g[x["kind"]].append(x)
        for kind, xs in sorted(g.items(), key=lambda kv: -len(kv[1])):
            out.append(f"- **{len(xs)}x** `{kind}`")
            for x in xs[:limit]:
                note = ("; cnnlint notes: " + " / ".join(x["cnnlint_notes"])) if x["cnnlint_notes"] else ""
                crash = f"; cnnlint crash: {x['cnnlint_crash']}" if x["cnnlint_crash"] else ""
                out.append(f"  - {x['mutant']} [{x['id']}]: torch {x['torch'][:220]}{crash}{note[:400]}")
    out.append(f"### Models whose layer shapes differ from PyTorch's ({len(det['layer_misses'])})")
    for x in sorted(det["layer_misses"], key=lambda x: -x["missed"]):
        note = ("; notes: " + " / ".join(x["cnnlint_notes"])) if x["cnnlint_notes"] else ""
        out.append(f"- {x['file']} `{x['model']}` input {x['input']}: {x['missed']}/{x['of']} calls "
                   f"differ; first: {x['first']}{note[:500]}")
    out.append(f"### cnnlint runs that failed: traceback, exit 2, timeout, bad JSON ({len(det['crashes'])})")
    for c in det["crashes"][:30]:
        out.append(f"- {c}")
    return "\n".join(out)


def pct(a, b):
    return f"{a}/{b} ({100.0 * a / b:.1f}%)" if b else f"{a}/{b}"


def print_summary(which, s, src):
    print(f"== set {which}, cnnlint from {src}")
    print(f"models {s.get('models', 0)}; files {s.get('orig_files_plain', 0)}")
    for mode, label in (("shaped", "with input shapes"), ("plain", "without input shapes")):
        print(f"[{label}] failing mutants reported: {pct(s.get('caught_' + mode, 0), s.get('fails_' + mode, 0))}; "
              f"false errors: originals {s.get('orig_false_' + mode, 0)} errors, running mutants "
              f"{s.get('mut_false_' + mode, 0)}/{s.get('runs_' + mode, 0)}; crashes {s.get('crash_' + mode, 0)}")
    print(f"layer calls with PyTorch's output shape: {pct(s.get('layers_matched', 0), s.get('layers_total', 0))}; "
          f"params equal {s.get('params_equal', 0)}/{s.get('models', 0)}; output equal "
          f"{s.get('output_equal', 0)}/{s.get('models', 0)}; shapes crashes {s.get('crash_shapes', 0)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["gather", "torch", "collect", "report", "kinds"])
    ap.add_argument("--work", default="/tmp/field")
    ap.add_argument("--set", default="dev", choices=["dev", "heldout", "fresh"])
    ap.add_argument("--repos", nargs="*")
    ap.add_argument("--files", nargs="*", help="only these model files (paths in their repository)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cap", type=int, default=40, help="mutants per file")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per file (torch) / per run (report)")
    ap.add_argument("--python", default="/work/benchvenv/bin/python" if os.path.exists(
        "/work/benchvenv/bin/python") else sys.executable, help="python with torch for the oracle")
    ap.add_argument("--src", default="/work/main/src", help="cnnlint source tree to measure")
    ap.add_argument("--details")
    ap.add_argument("--json", help="write the summary figures here")
    a = ap.parse_args()
    if a.cmd == "gather":
        gather(a.work)
    elif a.cmd == "collect":
        collect(a.work, a.set)
    elif a.cmd == "kinds":
        print(kinds_markdown(json.load(open(a.details))))
    elif a.cmd == "torch":
        run_torch(a.work, a.set, a.jobs, a.cap, a.timeout, a.python, a.repos, a.files)
    else:
        t0 = time.time()
        s = report(a.work, a.set, a.src, a.jobs, min(a.timeout, 300), a.details, a.repos)
        print_summary(a.set, s, a.src)
        print(f"({time.time() - t0:.0f}s)")
        if a.json:
            with open(a.json, "w") as fh:
                json.dump({"set": a.set, "src": a.src, **s}, fh, indent=1)


if __name__ == "__main__":
    main()
