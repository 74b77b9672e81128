"""No internal error on real code: a fixed sample of the standard library (bench/robustness.py
sweeps all of it and the installed torch package)."""
import hashlib
import os
import sysconfig

from cnnlint.api import Settings, check_files

SAMPLE = 200
MAX_BYTES = 12_000


def stdlib_sample():
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            if n.endswith(".py") and os.path.isfile(p) and os.path.getsize(p) <= MAX_BYTES:
                files.append(p)
    # deterministic: the same files on every run of this Python, spread over the whole tree
    key = lambda p: hashlib.sha256(os.path.relpath(p, root).encode()).hexdigest()  # noqa: E731
    return sorted(sorted(files, key=key)[:SAMPLE])


def test_no_internal_errors_on_stdlib_sample():
    files = stdlib_sample()
    assert len(files) >= 150
    results = check_files([(f, Settings()) for f in files], cache=None)  # raises on a traceback
    assert [r.path for r in results] == files
    internal = [(d.path, d.span.line, d.message) for r in results for d in r.diagnostics if d.code == "CNN999"]
    assert internal == []
