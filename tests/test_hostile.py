"""Hostile files: each gets a clear per-file message, the other files are still checked, the exit
status follows the contract, nothing hangs; and checking never runs the checked code."""
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

GOOD = textwrap.dedent("""\
    import torch
    import torch.nn as nn


    # cnnlint: input-shape=2,3,8,8
    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)
            self.fc = nn.Linear(100, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.conv(x), 1))
    """)


def run(*args, cwd=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "cnnlint", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def hostile_tree(root):
    files = {
        "syntax.py": b"def f(:\n    pass\n",
        "py2.py": b'print "hello"\nexec "x = 1"\n',
        "latin1.py": b'x = "caf\xe9"\n',
        "bom.py": b"\xef\xbb\xbfimport torch\nx = 1\n",
        "crlf.py": b"import torch\r\nimport torch.nn as nn\r\nx = nn.Conv2d(1, 2, 3)\r\n",
        "tabs.py": b"import torch\nif True:\n\tx = 1\n\tif x:\n\t\ty = 2\n",
        "parens.py": ("x = " + "(" * 500 + "1" + ")" * 500 + "\n").encode(),
        "ifs.py": ("x = 1\n" + "".join("    " * i + "if x:\n" for i in range(200)) + "    " * 200 + "pass\n").encode(),
        "big.py": "".join(f"x{i} = {i}\n" for i in range(50000)).encode(),
        "empty.py": b"",
        "zz_model.py": GOOD.encode(),
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as fh:
            fh.write(data)
    os.symlink("nowhere.py", os.path.join(root, "dangling.py"))
    os.symlink("loop.py", os.path.join(root, "loop.py"))
    os.mkfifo(os.path.join(root, "fifo.py"))
    os.mkdir(os.path.join(root, "sub"))
    os.symlink("..", os.path.join(root, "sub", "up"))  # a directory loop
    return files


def test_hostile_tree(tmp_path):
    hostile_tree(tmp_path)
    proc = run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    diags = json.loads(proc.stdout)
    by_file = {}
    for d in diags:
        by_file.setdefault(os.path.basename(d["path"]), []).append(d)
    assert not any(d["code"] == "CNN999" for d in diags)

    def only_cnn001(name, *words):
        ds = by_file.get(name, [])
        assert [d["code"] for d in ds] == ["CNN001"], (name, ds)
        for w in words:
            assert w in ds[0]["message"], (name, ds[0]["message"])

    only_cnn001("syntax.py", "cannot parse")
    only_cnn001("py2.py", "cannot parse")
    only_cnn001("latin1.py", "UTF-8")
    only_cnn001("dangling.py", "cannot read", "No such file")
    only_cnn001("loop.py", "cannot read", "symbolic links")
    only_cnn001("fifo.py", "not a regular file")
    only_cnn001("ifs.py", "indentation")
    for name in ("bom.py", "crlf.py", "tabs.py", "big.py", "empty.py", "parens.py"):
        assert not any(d["code"] == "CNN001" for d in by_file.get(name, [])), (name, by_file.get(name))
    # the real model in the same folder is still checked
    assert [d["code"] for d in by_file["zz_model.py"] if d["severity"] == "error"] == ["CNN102"]


def test_one_bad_file_exit_status(tmp_path):
    (tmp_path / "empty.py").write_bytes(b"")
    proc = run("--no-cache", str(tmp_path / "empty.py"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    (tmp_path / "bad.py").write_bytes(b"class (:\n")
    proc = run("--no-cache", str(tmp_path / "bad.py"))
    assert proc.returncode == 1 and "CNN001" in proc.stdout and "Traceback" not in proc.stderr
    proc = run("--no-cache", str(tmp_path / "missing.py"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_bom_and_crlf_positions(tmp_path):
    src = GOOD.replace("\n", "\r\n").encode()
    (tmp_path / "m.py").write_bytes(b"\xef\xbb\xbf" + src)
    (tmp_path / "n.py").write_bytes(GOOD.encode())
    a = json.loads(run("check", "--no-cache", "--format", "json", str(tmp_path / "m.py")).stdout)
    b = json.loads(run("check", "--no-cache", "--format", "json", str(tmp_path / "n.py")).stdout)
    strip = lambda ds: [{k: v for k, v in d.items() if k not in ("path", "fix")} for d in ds]  # noqa: E731
    assert strip(a) == strip(b) and a


def test_pathological_expression_gives_up_with_info(tmp_path):
    """The interpreter's step budget ends a run that would take too long: an info, no hang."""
    from cnnlint.api import check_source
    from cnnlint.interpret import limits

    src = textwrap.dedent("""\
        import torch.nn as nn

        class Slow(nn.Module):
            def __init__(self):
                super().__init__()
                layers = []
                for i in range(4000):
                    for j in range(4000):
                        layers.append(nn.ReLU())
                self.body = nn.Sequential(*layers)

            def forward(self, x):
                return self.body(x)
        """)
    old = limits.MAX_STEPS, limits.MAX_SECONDS
    limits.MAX_STEPS, limits.MAX_SECONDS = 20_000, 2.0
    try:
        import time

        start = time.monotonic()
        result = check_source(src, "slow.py")
        assert time.monotonic() - start < 30
    finally:
        limits.MAX_STEPS, limits.MAX_SECONDS = old
    assert not any(d.severity == "error" or d.code == "CNN999" for d in result.diagnostics)
    assert any(d.code == "CNN401" and d.severity == "info" for d in result.diagnostics), result.diagnostics


def test_huge_expression_does_not_hang(tmp_path):
    # a long sum of sizes and a deep chain of layers: bounded, no traceback. (libcst's parser
    # itself is cubic in the length of one `a + b + ...` chain: 3000 terms take over a minute.)
    terms = " + ".join(["x.shape[1]"] * 300)
    src = textwrap.dedent(f"""\
        import torch.nn as nn

        class Wide(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(*[nn.Conv2d(3, 3, 3, padding=1) for _ in range(1000)])

            def forward(self, x):
                y = self.body(x)
                n = {terms}
                return y.view(n, -1)
        """)
    (tmp_path / "wide.py").write_text(src)
    proc = run("check", "--no-cache", str(tmp_path / "wide.py"), timeout=120)
    assert "Traceback" not in proc.stderr and "CNN999" not in proc.stdout
    assert proc.returncode in (0, 1)


def test_checking_never_runs_the_code(tmp_path, monkeypatch):
    """A file whose import would write a file and open a socket: checking does neither."""
    marker = tmp_path / "written.txt"
    src = textwrap.dedent(f"""\
        import socket
        import torch.nn as nn
        open({str(marker)!r}, "w").write("ran")
        socket.create_connection(("127.0.0.1", 9))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                open({str(marker)!r}, "w").write("ran")
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                socket.socket().connect(("127.0.0.1", 9))
                return self.fc(x)

        if __name__ == "__main__":
            open({str(marker)!r}, "w").write("ran")
        """)
    path = tmp_path / "evil.py"
    path.write_text(src)

    def forbidden(*a, **k):
        raise AssertionError("cnnlint opened a socket")

    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    from cnnlint.api import check_file

    result = check_file(str(path))
    assert not marker.exists()
    assert not any(d.code == "CNN999" for d in result.diagnostics)
    # and through the command line (no cache, so nothing at all is written)
    proc = run("check", "--no-cache", str(path), cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert not marker.exists()
    assert sorted(os.listdir(tmp_path)) == ["evil.py"]
