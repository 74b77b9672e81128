"""Golden text output: fixtures/X.txt holds what `python -m cnnlint check` and
`python -m cnnlint shapes` print for fixtures/X.py with its `# oracle:` input shapes.

Run `pytest tests/test_golden.py --update-golden` to (re)write the .txt files from the
current cnnlint, then review the diff.  Never hand-edit them.
"""
import shlex

import pytest

from oracle_util import FIXTURES, REPO, fixture_files, fixture_specs, run_cnnlint

FILES = [f for f in fixture_files() if fixture_specs(f)]


def commands(path):
    rel = path.relative_to(REPO).as_posix()
    specs = fixture_specs(path)
    cmds = [["check", rel] + [a for s in specs for a in ("--input-shape", s.text)]]
    for s in specs:
        cmds.append(["shapes", rel, "--model", s.name, "--input-shape", s.text])
    return cmds


def normalize(text):
    root = str(REPO)
    return text.replace(root + "/", "").replace(root, ".").replace("\r\n", "\n")


def render(path):
    chunks = []
    for args in commands(path):
        p = run_cnnlint(args, cwd=REPO)
        out, err = normalize(p.stdout), normalize(p.stderr)
        assert "Traceback (most recent call last)" not in out + err, \
            f"`cnnlint {shlex.join(args)}` crashed:\n{err[-2000:]}"
        assert p.returncode in (0, 1), \
            f"`cnnlint {shlex.join(args)}` exited {p.returncode}: {err.strip()[-1000:]}"
        chunk = f"$ cnnlint {shlex.join(args)}\n[exit {p.returncode}]\n{out}"
        if not chunk.endswith("\n"):
            chunk += "\n"
        if err.strip():
            chunk += "[stderr]\n" + err + ("" if err.endswith("\n") else "\n")
        chunks.append(chunk)
    return "\n".join(chunks)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_golden(path, update_golden, cnnlint_runs):
    golden = path.with_suffix(".txt")
    got = render(path)
    if update_golden:
        golden.write_text(got, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"{golden.relative_to(REPO)} is missing: run `pytest tests/test_golden.py "
                    f"--update-golden` and review the new file", pytrace=False)
    want = golden.read_text(encoding="utf-8")
    assert got == want, f"cnnlint output for {path.name} differs from {golden.name} " \
                        f"(rerun with --update-golden if the change is intended)"


def test_no_orphan_goldens():
    orphans = [t.name for t in FIXTURES.glob("*.txt") if not t.with_suffix(".py").exists()]
    assert not orphans, f"golden files without a fixture: {orphans}"
