"""Robustness sweep: check every .py file of the CPython standard library and of the installed
torch package (without importing torch) and count cnnlint's internal errors.

    python3 bench/robustness.py                 # stdlib + torch, all cores
    python3 bench/robustness.py --only stdlib --timeout 20 --slowest 15
    python3 bench/robustness.py PATH...         # other trees

An internal error is a CNN999 diagnostic or an exception escaping ``cnnlint.api.check_file``.
Each file runs in a worker process under a per-file timeout (SIGALRM), so one pathological
file is counted as a timeout and never stops the sweep. Prints the counts, each internal error
with its traceback's last lines, and the slowest files. Exit status 1 when any internal error
or timeout was seen.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib.util
import os
import signal
import sys
import sysconfig
import time
import traceback

_TIMEOUT = 30.0


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _init(timeout: float) -> None:
    global _TIMEOUT
    _TIMEOUT = timeout
    signal.signal(signal.SIGALRM, _alarm)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))


def check_one(path: str):
    """(path, seconds, status, detail): status ok | internal | timeout."""
    from cnnlint.api import check_file

    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, _TIMEOUT)
    try:
        result = check_file(path)
        signal.setitimer(signal.ITIMER_REAL, 0)
        internal = [d for d in result.diagnostics if d.code == "CNN999"]
        if internal:
            d = internal[0]
            return path, time.perf_counter() - start, "internal", f"{d.span.line}:{d.span.column}: {d.message}"
        return path, time.perf_counter() - start, "ok", ""
    except _Timeout:
        return path, time.perf_counter() - start, "timeout", f"over {_TIMEOUT:g} s"
    except BaseException:  # noqa: B902 - a traceback is exactly what we count
        signal.setitimer(signal.ITIMER_REAL, 0)
        tb = traceback.format_exc().strip().splitlines()
        return path, time.perf_counter() - start, "internal", "\n".join(tb[-6:])


def stdlib_root() -> str:
    return sysconfig.get_paths()["stdlib"]


def torch_root() -> str:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return ""
    return list(spec.submodule_search_locations)[0]


def py_files(root: str, skip_site_packages: bool = True):
    out = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (skip_site_packages and d in ("site-packages", "dist-packages"))
                         and d != "__pycache__")
        out.extend(os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", help="trees to sweep instead of the stdlib and torch")
    ap.add_argument("--only", choices=("stdlib", "torch"), default=None)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per file (default 30)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--slowest", type=int, default=10)
    ap.add_argument("--limit", type=int, default=0, help="check only the first N files (0: all)")
    args = ap.parse_args(argv)

    files = []
    if args.paths:
        for p in args.paths:
            files.extend(py_files(p, skip_site_packages=False) if os.path.isdir(p) else [p])
    else:
        if args.only in (None, "stdlib"):
            files.extend(py_files(stdlib_root()))
        if args.only in (None, "torch"):
            root = torch_root()
            if root:
                files.extend(py_files(root, skip_site_packages=False))
            else:
                print("torch is not installed: only the standard library is swept", file=sys.stderr)
    if args.limit:
        files = files[: args.limit]
    print(f"checking {len(files)} files with {args.jobs} worker(s), {args.timeout:g} s per file", flush=True)

    start = time.perf_counter()
    results = []
    with cf.ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(args.timeout,)) as pool:
        for i, r in enumerate(pool.map(check_one, files, chunksize=8), 1):
            results.append(r)
            if r[2] != "ok":
                print(f"{r[2].upper()}: {r[0]}\n    " + r[3].replace("\n", "\n    "), flush=True)
            if i % 2000 == 0:
                print(f"  {i}/{len(files)} files, {time.perf_counter() - start:.0f} s", flush=True)
    wall = time.perf_counter() - start
    internal = [r for r in results if r[2] == "internal"]
    timeouts = [r for r in results if r[2] == "timeout"]
    print(f"\n{len(results)} files in {wall:.1f} s: {len(internal)} internal error(s), {len(timeouts)} timeout(s)")
    print(f"slowest {args.slowest}:")
    for path, secs, status, _ in sorted(results, key=lambda r: -r[1])[: args.slowest]:
        print(f"  {secs:7.2f} s  {status:<8} {path}")
    return 1 if internal or timeouts else 0


if __name__ == "__main__":
    sys.exit(main())
