"""The result cache: same results, a fast second run, invalidation, --no-cache and --cache-dir."""
import json
import os
import subprocess
import sys
import textwrap
import time

from cnnlint.api import Settings, check_files, check_paths

MODEL = textwrap.dedent("""\
    import torch
    import torch.nn as nn
    from .blocks import Block


    # cnnlint: input-shape=2,3,8,8
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block(3, 4)
            self.fc = nn.Linear(100, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.block(x), 1))
    """)
BLOCK = textwrap.dedent("""\
    import torch.nn as nn


    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1)

        def forward(self, x):
            return self.conv(x)
    """)


def project(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "net.py").write_text(MODEL)
    (pkg / "blocks.py").write_text(BLOCK)
    (pkg / "bad.py").write_bytes(b"def (:\n")
    return pkg


def test_results_round_trip(tmp_path):
    pkg = project(tmp_path)
    cache = str(tmp_path / "c")
    plain = check_paths([str(pkg)], Settings())
    first = check_paths([str(pkg)], Settings(), cache=cache, jobs=1)
    second = check_paths([str(pkg)], Settings(), cache=cache, jobs=1)
    assert plain == first == second
    assert any(d.code == "CNN102" for r in second for d in r.diagnostics)
    assert all(r.source is not None for r in second if r.path.endswith("net.py"))
    assert open(os.path.join(cache, ".gitignore")).read().strip().endswith("*")


def test_a_change_in_an_imported_file_invalidates(tmp_path):
    pkg = project(tmp_path)
    cache = str(tmp_path / "c")
    net = [(str(pkg / "net.py"), Settings())]
    before = check_files(net, cache, jobs=1)[0]
    assert [d.inferred for d in before.diagnostics if d.code == "CNN102"] == [256]
    (pkg / "blocks.py").write_text(BLOCK.replace("cout, 3, padding=1", "cout, 3, padding=0"))
    from cnnlint.interpret import imports

    imports._contexts.clear()  # this process remembers parsed imports (a new run starts afresh)
    after = check_files(net, cache, jobs=1)[0]
    assert after == check_files(net, None, jobs=1)[0]
    assert [d.inferred for d in after.diagnostics if d.code == "CNN102"] == [144]


def test_settings_are_part_of_the_key(tmp_path):
    pkg = project(tmp_path)
    cache = str(tmp_path / "c")
    net = str(pkg / "net.py")
    check_files([(net, Settings())], cache, jobs=1)
    ignored = check_files([(net, Settings(ignore=("CNN102",)))], cache, jobs=1)[0]
    assert not any(d.code == "CNN102" for d in ignored.diagnostics)


def test_cli_cache_second_run_same(tmp_path):
    for i in range(8):
        (tmp_path / f"m{i}.py").write_text(MODEL.replace("from .blocks import Block", BLOCK) + f"\nN = {i}\n")

    def run(*args):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "cnnlint", "check", "--format", "json", *args, "."],
                              cwd=tmp_path, capture_output=True, text=True)
        return proc, time.perf_counter() - start

    first, t1 = run()
    second, t2 = run()
    assert first.returncode == second.returncode == 1
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert (tmp_path / ".cnnlint_cache" / ".gitignore").exists()
    # speed is measured by bench/bench.py, not asserted here; the second run read the cache:
    assert any(p.name != ".gitignore" for p in (tmp_path / ".cnnlint_cache").rglob("*") if p.is_file())
    # --no-cache writes nothing; --cache-dir goes elsewhere
    other = tmp_path.parent / (tmp_path.name + "_elsewhere")
    os.makedirs(other)
    (other / "m.py").write_text(MODEL.replace("from .blocks import Block", BLOCK))
    subprocess.run([sys.executable, "-m", "cnnlint", "--no-cache", "."], cwd=other, capture_output=True)
    assert os.listdir(other) == ["m.py"]
    subprocess.run([sys.executable, "-m", "cnnlint", "--cache-dir", str(other / "cc"), "."], cwd=other,
                   capture_output=True)
    assert (other / "cc" / ".gitignore").exists() and not (other / ".cnnlint_cache").exists()


def test_pool_keeps_discovery_order(tmp_path):
    for i in range(12):
        (tmp_path / f"f{i:02d}.py").write_text(BLOCK + f"\nX = {i}\n")
    (tmp_path / "zz.py").write_bytes(b"def (:\n")
    serial = check_paths([str(tmp_path)], Settings(), jobs=1)
    pooled = check_paths([str(tmp_path)], Settings(), jobs=2)
    assert [r.path for r in pooled] == sorted(r.path for r in pooled)
    assert serial == pooled
