"""The repair search's cost: `cnnlint check --no-cache` on bench/five_errors.py (five models, one
error each, of five kinds) with the search and without it (CNNLINT_REPAIR=0), interleaved,
medians of --repeat runs, in fresh processes as a user runs it. Goal: within 2x.

    python3 bench/repair_speed.py [--repeat 7] [FILE]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(path: str, repair: bool) -> float:
    env = dict(os.environ, CNNLINT_REPAIR="1" if repair else "0")
    env["PYTHONPATH"] = os.path.join(os.path.dirname(HERE), "src") + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cnnlint", "check", "--no-cache", "--isolated", path],
                   capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=os.path.join(HERE, "five_errors.py"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    plain, repaired = [], []
    for _ in range(args.repeat):
        plain.append(run(args.file, False))
        repaired.append(run(args.file, True))
    p, r = statistics.median(plain), statistics.median(repaired)
    print(f"{os.path.basename(args.file)}: plain check {p:.2f} s, with the repair search {r:.2f} s: {r / p:.2f}x "
          f"(medians of {args.repeat}, interleaved)")


if __name__ == "__main__":
    main()
