"""`cnnlint check` options in ruff's manner, and the suppression comments (`# noqa`,
`# cnnlint: skip-file`)."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from cnnlint.cli import main
from cnnlint.suppress import noqa_edit_text, noqa_map, parse_noqa, skip_file

from sample_models import BUG  # noqa: E402
LINEAR = "self.fc = nn.Linear(16 * 8 * 8, 10)"
OK = BUG.replace("16 * 8 * 8", "16 * 16 * 16")


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def found(capsys, *argv):
    rc, out, err = run(capsys, "check", *argv, "--format", "json")
    assert not err, err
    return rc, sorted((d["path"].replace("\\", "/"), d["code"]) for d in json.loads(out))


@pytest.fixture
def proj(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bug.py").write_text(BUG)
    (tmp_path / "ok.py").write_text(OK)
    return tmp_path


# rule selection -------------------------------------------------------------------------------
def test_default_reports_error_exit_1(proj, capsys):
    assert found(capsys, "bug.py") == (1, [("bug.py", "CNN102")])


def test_select_ignore_extend_select(proj, capsys):
    assert found(capsys, "bug.py", "--select", "CNN3") == (0, [])
    assert found(capsys, "bug.py", "--select", "CNN3", "--extend-select", "CNN102") == (1, [("bug.py", "CNN102")])
    assert found(capsys, "bug.py", "--ignore", "CNN1") == (0, [])
    assert found(capsys, "bug.py", "--ignore", "cnn102,CNN3") == (0, [])


def test_unknown_selector_exits_2(proj, capsys):
    rc, out, err = run(capsys, "check", "bug.py", "--select", "XYZ1")
    assert rc == 2 and "--select" in err and "XYZ1" in err and err.count("\n") == 1


def test_exit_zero(proj, capsys):
    rc, out, err = run(capsys, "check", "bug.py", "--exit-zero")
    assert rc == 0 and "CNN102" in out


# files ------------------------------------------------------------------------------------------
def test_exclude_and_extend_exclude(proj, capsys):
    (proj / "gen").mkdir()
    (proj / "gen" / "bug2.py").write_text(BUG)
    assert found(capsys, ".") == (1, [("./bug.py", "CNN102"), ("./gen/bug2.py", "CNN102")])
    assert found(capsys, ".", "--extend-exclude", "gen") == (1, [("./bug.py", "CNN102")])
    assert found(capsys, ".", "--exclude", "bug.py,gen") == (0, [])
    # a file named on the command line is checked even when excluded...
    assert found(capsys, "bug.py", "--exclude", "bug.py") == (1, [("bug.py", "CNN102")])
    # ...unless --force-exclude (what the pre-commit hook passes)
    assert found(capsys, "bug.py", "--exclude", "bug.py", "--force-exclude") == (0, [])
    assert found(capsys, "gen", "--extend-exclude", "gen", "--force-exclude") == (0, [])


def test_missing_path_exits_2(proj, capsys):
    rc, out, err = run(capsys, "check", "nope.py")
    assert rc == 2 and "nope.py" in err


# output ---------------------------------------------------------------------------------------
def test_statistics(proj, capsys):
    (proj / "bug2.py").write_text(BUG)
    rc, out, err = run(capsys, "check", "bug.py", "bug2.py", "--statistics")
    assert rc == 1
    assert out.splitlines() == ["2\tCNN102\t[*] linear-in-features"]
    rc, out, err = run(capsys, "check", "bug.py", "--statistics", "--format", "json")
    assert json.loads(out) == [{"code": "CNN102", "name": "linear-in-features", "count": 1, "fixable": True}]


def test_quiet(proj, capsys):
    rc, out, err = run(capsys, "check", "bug.py", "--quiet", "--format", "concise")
    assert rc == 1 and out.startswith("bug.py:9:19: CNN102") and "Found" not in out
    rc, out, err = run(capsys, "check", "ok.py", "-q")
    assert rc == 0 and out == ""
    rc, out, err = run(capsys, "check", "ok.py")
    assert "All checks passed!" in out


def test_output_file(proj, capsys):
    rc, out, err = run(capsys, "check", "bug.py", "--format", "json", "--output-file", "reports/out.json")
    assert rc == 1 and out == ""
    data = json.loads((proj / "reports" / "out.json").read_text())
    assert data[0]["code"] == "CNN102"


def test_stdin_filename(proj, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(BUG))
    rc, out, err = run(capsys, "check", "--stdin-filename", "models/net.py", "--format", "concise")
    assert rc == 1 and out.startswith("models/net.py:9:19: CNN102"), out


def test_stdin_dash(proj, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(OK))
    rc, out, err = run(capsys, "check", "-")
    assert rc == 0 and "All checks passed!" in out


def test_stdin_filename_uses_per_file_config(proj, capsys, monkeypatch):
    (proj / "cnnlint.toml").write_text('[per-file-ignores]\n"legacy/*" = ["CNN102"]\n')
    monkeypatch.setattr("sys.stdin", io.StringIO(BUG))
    assert found(capsys, "--stdin-filename", "legacy/net.py") == (0, [])
    monkeypatch.setattr("sys.stdin", io.StringIO(BUG))
    assert found(capsys, "--stdin-filename", "new/net.py") == (1, [("new/net.py", "CNN102")])


def test_stdin_through_a_real_pipe(proj):
    p = subprocess.run([sys.executable, "-m", "cnnlint", "check", "--stdin-filename", "x.py", "--format", "json"],
                       input=BUG, capture_output=True, text=True, cwd=proj)
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)[0]["path"] == "x.py"


# suppression ----------------------------------------------------------------------------------
@pytest.mark.parametrize("comment, suppressed", [
    ("  # noqa: CNN102", True),
    ("  # noqa", True),
    ("  # NOQA:CNN102", True),
    ("  # noqa: CNN101, CNN102", True),
    ("  # noqa: CNN101,CNN102", True),
    ("  # noqa: CNN1", True),
    ("  # noqa: CNN101", False),
    ("  # a comment", False),
])
def test_noqa_on_the_reported_line(proj, capsys, comment, suppressed):
    (proj / "n.py").write_text(BUG.replace(LINEAR, LINEAR + comment))
    rc, codes = found(capsys, "n.py")
    assert (codes == []) is suppressed
    assert rc == (0 if suppressed else 1)


def test_noqa_on_another_line_does_not_suppress(proj, capsys):
    (proj / "n.py").write_text(BUG.replace("self.pool = nn.MaxPool2d(2)", "self.pool = nn.MaxPool2d(2)  # noqa"))
    assert found(capsys, "n.py") == (1, [("n.py", "CNN102")])


def test_noqa_in_a_string_is_not_a_comment():
    assert noqa_map('x = "# noqa"\ny = 1  # noqa: CNN102\n') == {2: ("CNN102",)}


def test_skip_file(proj, capsys):
    (proj / "s.py").write_text("# cnnlint: skip-file\n" + BUG)
    assert found(capsys, "s.py") == (0, [])
    assert skip_file("x = 1\n# cnnlint: skip-file\n")
    assert not skip_file('x = "# cnnlint: skip-file"\n')


def test_skip_file_even_with_a_syntax_error(proj, capsys):
    (proj / "s.py").write_text("# cnnlint: skip-file\ndef (:\n")
    assert found(capsys, "s.py") == (0, [])


def test_parse_noqa():
    assert parse_noqa("# noqa") == ("*",)
    assert parse_noqa("# noqa: CNN101, CNN102") == ("CNN101", "CNN102")
    assert parse_noqa("# noqa:CNN101 CNN102") == ("CNN101", "CNN102")
    assert parse_noqa("# nothing") is None


def test_noqa_edit_text():
    assert noqa_edit_text("x = 1", "CNN102") == (5, "  # noqa: CNN102")
    assert noqa_edit_text("x = 1   ", "CNN102") == (5, "  # noqa: CNN102")
    assert noqa_edit_text("x = 1  # noqa: CNN101", "CNN102") == (21, ", CNN102")
    assert noqa_edit_text("x = 1  # noqa", "CNN102") == (13, "")


# rule docs ----------------------------------------------------------------------------------------
def test_every_rule_is_documented(capsys):
    from cnnlint.rules import RULES

    for code, r in RULES.items():
        assert r.summary and r.why, code
        rc, out, err = run(capsys, "rule", code)
        assert rc == 0 and out.startswith(f"# {code} ({r.name})")
        assert "## What it does" in out and "## Why is this bad?" in out
        if code != "CNN999":
            assert r.bad and r.good, code
            assert "## Example" in out and "Use instead:" in out


def test_rule_unknown_exits_2(capsys):
    rc, out, err = run(capsys, "rule", "CNN000")
    assert rc == 2 and "CNN000" in err


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    for opt in ("--select", "--ignore", "--extend-select", "--exclude", "--extend-exclude", "--force-exclude",
                "--exit-zero", "--statistics", "--quiet", "--output-file", "--stdin-filename", "--config",
                "--output-format"):
        assert opt in out, opt
