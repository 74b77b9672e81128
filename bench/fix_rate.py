"""How often `cnnlint check --fix` makes a model PyTorch rejects run again (issue 16).

    python3 bench/fix_rate.py fixtures                 # every one-number mutant of fixtures/
    python3 bench/fix_rate.py field --set heldout      # the mutants bench/field.py labelled
    python3 bench/fix_rate.py field --set dev --work /tmp/field --json out.json
    python3 bench/fix_rate.py field --set fresh --work /tmp/field_fresh --every 2   # a sample

For each mutant PyTorch rejects: is it reported (an error of cnnlint on a model PyTorch fails,
with the input shapes given), and after `--fix` (safe fixes only) and after `--fix
--unsafe-fixes`, does PyTorch run every model it failed? Also: how often the fixed file is the
original again (the repair restored the number exactly), and the time the checks took with and
without the repair search. Fixes are made in-process (``apply_fixes.fix_source``, what `--fix`
writes); PyTorch judges them: for the fixtures in this process (tests/oracle_util.py), for the
field in one subprocess per file (bench/fix_oracle.py). The fixtures are ours (tuned on); the
field sets are public code gathered by bench/field.py (nothing of them is committed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(REPO, "src"), os.path.join(REPO, "tests"), HERE]

from cnnlint.api import Settings, check_source  # noqa: E402
from cnnlint.apply_fixes import fix_source  # noqa: E402
from cnnlint.inputspec import parse_spec  # noqa: E402


class Tally:
    def __init__(self):
        self.failing = self.reported = self.safe_runs = self.unsafe_runs = self.restored = 0
        self.unjudged = 0  # reported, but PyTorch could not import the file to judge the fixes
        self.plain = self.repairing = 0.0
        self.misses = []

    def line(self) -> str:
        def pct(a, b):
            return f"{a}/{b} = {100 * a / b:.1f}%" if b else "-"
        judged = self.reported - self.unjudged
        return (f"failing mutants {self.failing}, reported {self.reported}"
                + (f" ({self.unjudged} not judged: PyTorch could not import the file)" if self.unjudged else "")
                + "; of those reported, PyTorch runs "
                f"after --fix: {pct(self.safe_runs, judged)}, after --fix --unsafe-fixes: "
                f"{pct(self.unsafe_runs, judged)}; the original number restored: "
                f"{pct(self.restored, self.reported)}; check time without / with the repair search: "
                f"{self.plain:.1f} s / {self.repairing:.1f} s")

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("failing", "reported", "unjudged", "safe_runs", "unsafe_runs",
                                              "restored", "plain", "repairing")} | {"misses": self.misses}


def _errors(result, models=None):
    return [d for d in result.diagnostics if d.severity == "error" and (models is None or d.model in models)]


def _fixes(source, path, settings, tally):
    t = time.perf_counter()
    check_source(source, path, replace(settings, repair=False))
    tally.plain += time.perf_counter() - t
    t = time.perf_counter()
    result = check_source(source, path, settings)
    tally.repairing += time.perf_counter() - t
    return result, fix_source(source, path, settings)[0], fix_source(source, path, replace(settings, unsafe_fixes=True))[0]


# --- fixtures ------------------------------------------------------------------------------

def fixtures(args) -> Tally:
    from oracle_util import fixture_files, fixture_specs, is_error_fixture, torch_run
    from test_mutants import apply, mutants_of

    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for path in fixture_files():
            specs = fixture_specs(path)
            if is_error_fixture(path) or not specs:
                continue
            original = path.read_text(encoding="utf-8")
            for m in mutants_of(path):
                text = apply(original, m)
                target = os.path.join(tmp, path.name)
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(text)
                failing = [s for s in specs if torch_run(target, s)[2] is not None]
                if not failing:
                    continue
                tally.failing += 1
                settings = Settings(input_specs=tuple(parse_spec(s.text) for s in specs))
                result, safe, unsafe = _fixes(text, target, settings, tally)
                if not _errors(result, {s.name for s in failing}):
                    continue
                tally.reported += 1
                tally.restored += safe == original or unsafe == original
                for fixed, attr in ((safe, "safe_runs"), (unsafe, "unsafe_runs")):
                    with open(target, "w", encoding="utf-8") as fh:
                        fh.write(fixed)
                    if all(torch_run(target, s)[2] is None for s in failing):
                        setattr(tally, attr, getattr(tally, attr) + 1)
                    elif attr == "unsafe_runs":
                        tally.misses.append(m.id)
    return tally


# --- field ---------------------------------------------------------------------------------

def field(args) -> Tally:
    from field import shape_option

    with open(os.path.join(args.work, args.set, "torch.json")) as fh:
        doc = json.load(fh)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for f in doc["files"]:
            models = {m["name"]: m for m in f.get("models", [])}
            mutants = [mu for mu in f.get("mutants", []) if mu.get("status") == "fails"][::args.every]
            if not models or not mutants:
                continue
            specs = tuple(parse_spec(shape_option(m)) for m in models.values())
            settings = Settings(input_specs=specs)
            original_errors = None
            items, pending = [], []
            for mu in mutants:
                failing = [v["model"] for v in mu.get("verdicts", []) if v.get("status") == "fails" and v.get("model")]
                if not failing:
                    continue  # the import itself fails: no model to judge
                tally.failing += 1
                with open(mu["path"], encoding="utf-8") as fh:
                    text = fh.read()
                if original_errors is None:
                    with open(os.path.join(f["root"], f["rel"]), encoding="utf-8") as fh:
                        source = fh.read()
                    original_errors = {(d.code, d.span.line, d.message) for d in _errors(
                        check_source(source, os.path.join(f["root"], f["rel"]), replace(settings, repair=False)))}
                result, safe, unsafe = _fixes(text, mu["path"], settings, tally)
                new = [d for d in _errors(result, set(failing)) if (d.code, d.span.line, d.message) not in original_errors]
                if not new:
                    continue
                tally.reported += 1
                tally.restored += safe == source or unsafe == source
                for kind, fixed in (("safe", safe), ("unsafe", unsafe)):
                    out = os.path.join(tmp, f"{f['fid']}-{mu['id']}-{kind}.py")
                    with open(out, "w", encoding="utf-8") as fh:
                        fh.write(fixed)
                    items.append({"id": f"{mu['id']}:{kind}", "source": out, "models": [models[n] for n in failing
                                                                                         if n in models]})
                pending.append(mu["id"])
            if not items:
                continue
            job = json.dumps({"root": f["root"], "rel": f["rel"], "items": items})
            p = subprocess.run([args.python, os.path.join(HERE, "fix_oracle.py")], input=job, text=True,
                               capture_output=True, timeout=3600)
            try:
                verdicts = json.loads(p.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                verdicts = {"error": p.stderr.strip()[-300:]}
            if "error" in verdicts:  # the file itself cannot be imported here: no verdict, not a failure
                print(f"{f['fid']}: the oracle failed: {verdicts['error']}", file=sys.stderr)
                tally.unjudged += len(pending)
                continue
            for mid in pending:
                for kind, attr in (("safe", "safe_runs"), ("unsafe", "unsafe_runs")):
                    v = verdicts.get(f"{mid}:{kind}", {})
                    ok = bool(v) and all(s == "runs" for k, s in v.items() if k != "__error__") and "__error__" not in v
                    if ok:
                        setattr(tally, attr, getattr(tally, attr) + 1)
                    elif kind == "unsafe":
                        tally.misses.append(f"{f['fid']}:{mid}")
            print(f"{f['fid']}: {tally.line()}", file=sys.stderr)
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("fixtures", "field"))
    ap.add_argument("--set", default="heldout")
    ap.add_argument("--work", default="/tmp/field")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--every", type=int, default=1, help="take every Nth failing mutant of each field file")
    ap.add_argument("--python", default="/work/benchvenv/bin/python" if os.path.exists(
        "/work/benchvenv/bin/python") else sys.executable,
                    help="the python (with torch and torchvision) that judges the field's fixes: the one that "
                         "labelled them (bench/field.py --python)")
    args = ap.parse_args()
    tally = fixtures(args) if args.what == "fixtures" else field(args)
    print(f"{args.what}{'' if args.what == 'fixtures' else ' ' + args.set}: {tally.line()}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(tally.as_json(), fh, indent=1)


if __name__ == "__main__":
    main()
