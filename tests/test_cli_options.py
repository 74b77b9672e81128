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
    rc, out, err = run(capsys, "check", "bug.py", "--exclude", "bug.py", "--force-exclude", "--format", "json")
    assert (rc, json.loads(out)) == (0, []) and err.startswith("warning: No Python files found")
    rc, out, err = run(capsys, "check", "gen", "--extend-exclude", "gen", "--force-exclude", "--format", "json")
    assert (rc, json.loads(out)) == (0, []) and err == "warning: No Python files found under gen\n"


# nothing checked is not a pass; a named path is checked even where excludes apply ----------------
NOTHING = "No Python files found: nothing was checked."


def test_empty_folder_is_not_a_pass(proj, capsys):
    (proj / "empty").mkdir()
    rc, out, err = run(capsys, "check", "empty")
    assert rc == 0  # as ruff: a warning, not a failure
    assert out == NOTHING + "\n" and "All checks passed!" not in out
    assert err == "warning: No Python files found under empty\n"
    rc, out, err = run(capsys, "check", "empty", "--format", "concise")
    assert (rc, out) == (0, NOTHING + "\n")
    rc, out, err = run(capsys, "check", "empty", "--format", "json")
    assert (rc, out) == (0, "[]\n") and "empty" in err
    rc, out, err = run(capsys, "check", "empty", "--quiet")  # as ruff's -q: nothing at all
    assert (rc, out, err) == (0, "", "")


def test_empty_folder_beside_a_checked_file(proj, capsys):
    (proj / "empty").mkdir()
    rc, out, err = run(capsys, "check", "empty", "ok.py")
    assert rc == 0 and out == "All checks passed!\n"
    assert err == "warning: No Python files found under empty\n"


def test_folder_named_like_an_exclude_is_checked_when_named(proj, capsys):
    (proj / "venv" / "build").mkdir(parents=True)
    (proj / "venv" / "bug.py").write_text(BUG)
    (proj / "venv" / "build" / "gen.py").write_text(BUG)
    assert found(capsys, "venv") == (1, [("venv/bug.py", "CNN102")])  # excludes still hold below it
    assert found(capsys, "venv/build") == (1, [("venv/build/gen.py", "CNN102")])
    rc, out, err = run(capsys, "check", ".", "--format", "json")  # found by a search: excluded
    assert [d["path"] for d in json.loads(out)] == ["./bug.py"]
    rc, out, err = run(capsys, "check", "venv", "--force-exclude")
    assert (rc, out) == (0, NOTHING + "\n") and err == "warning: No Python files found under venv\n"


def test_file_inside_an_excluded_folder_is_checked_when_named(proj, capsys):
    (proj / "build" / "sub").mkdir(parents=True)
    (proj / "build" / "sub" / "bug.py").write_text(BUG)
    assert found(capsys, "build/sub/bug.py") == (1, [("build/sub/bug.py", "CNN102")])
    assert found(capsys, "build/sub") == (1, [("build/sub/bug.py", "CNN102")])
    rc, out, err = run(capsys, "check", "build/sub/bug.py", "--force-exclude")
    assert (rc, out) == (0, NOTHING + "\n") and err.startswith("warning: No Python files found")
    rc, out, err = run(capsys, "check", "build/sub", "--force-exclude")
    assert (rc, out) == (0, NOTHING + "\n")


def test_config_excludes_below_a_named_folder(proj, capsys):
    (proj / "cnnlint.toml").write_text('extend-exclude = ["pkg/gen/*"]\n')
    (proj / "pkg" / "gen").mkdir(parents=True)
    (proj / "pkg" / "a.py").write_text(BUG)
    (proj / "pkg" / "gen" / "g.py").write_text(BUG)
    assert found(capsys, "pkg") == (1, [("pkg/a.py", "CNN102")])
    # the pattern names the files under pkg/gen, below the named folder: excluded, as ruff does
    rc, out, err = run(capsys, "check", "pkg/gen", "--format", "json")
    assert (rc, out, err) == (0, "[]\n", "warning: No Python files found under pkg/gen\n")
    assert found(capsys, "pkg/gen/g.py") == (1, [("pkg/gen/g.py", "CNN102")])


def test_stdin_is_not_a_search(proj, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(BUG))  # a name in an excluded folder: still checked
    rc, out, err = run(capsys, "check", "--stdin-filename", "venv/net.py", "--format", "concise")
    assert rc == 1 and out.startswith("venv/net.py:9:19: CNN102") and err == ""
    monkeypatch.setattr("sys.stdin", io.StringIO(OK))
    rc, out, err = run(capsys, "check", "-")
    assert (rc, out, err) == (0, "All checks passed!\n", "")
    monkeypatch.setattr("sys.stdin", io.StringIO(BUG))  # --force-exclude: left alone, as before
    rc, out, err = run(capsys, "check", "--stdin-filename", "venv/net.py", "--force-exclude")
    assert (rc, out, err) == (0, "All checks passed!\n", "")


def test_missing_path_exits_2(proj, capsys):
    rc, out, err = run(capsys, "check", "nope.py")
    assert rc == 2 and "nope.py" in err


# notes about cnnlint's own limits --------------------------------------------------------------
# CNN401 on the helper call (a note about cnnlint's limits), CNN102 at the Linear
BLURRY = BUG.replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom elsewhere import helper\n").replace(
    "x = self.pool(self.conv(x))", "x = self.pool(self.conv(x))\n        y = helper(x)")


@pytest.fixture
def blurry(proj):
    (proj / "blurry.py").write_text(BLURRY)
    return proj


def concise_codes(out):
    return [line.split(": ")[1].split()[0] for line in out.splitlines() if line.startswith("blurry.py:")]


def test_limit_notes_are_hidden_and_counted(blurry, capsys):
    assert found(capsys, "blurry.py") == (1, [("blurry.py", "CNN102"), ("blurry.py", "CNN401")])
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "concise")
    assert rc == 1 and concise_codes(out) == ["CNN102"]
    assert "Found 1 error in 1 file(s). 1 note hidden: `--show-notes`" in out
    rc, out, err = run(capsys, "check", "blurry.py")  # full
    assert rc == 1 and "CNN401" not in out and "1 note hidden: `--show-notes`" in out
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "github")
    assert [line.split()[0] for line in out.splitlines()] == ["::error"]


def test_show_notes(blurry, capsys):
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "concise", "--show-notes")
    assert rc == 1 and concise_codes(out) == ["CNN102", "CNN401"] and "hidden" not in out
    assert "Found 1 error, 1 info in 1 file(s)." in out
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "github", "--show-notes")
    assert [line.split()[0] for line in out.splitlines()] == ["::error", "::notice"]


@pytest.mark.parametrize("options, shown", [
    (("--select", "CNN401"), ["CNN401"]),
    (("--select", "CNN1,CNN4"), ["CNN102", "CNN401"]),
    (("--extend-select", "CNN4"), ["CNN102", "CNN401"]),
    (("--select", "CNN1", "--extend-select", "CNN401"), ["CNN102", "CNN401"]),
    (("--select", "ALL"), ["CNN102"]),  # every rule, not these by name: hidden, as ruff's ALL
    (("--select", "CNN"), ["CNN102"]),
    (("--select", "CNN1"), ["CNN102"]),
    (("--ignore", "CNN401", "--show-notes"), ["CNN102"]),
])
def test_naming_a_limit_note_shows_it(blurry, capsys, options, shown):
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "concise", *options)
    assert concise_codes(out) == shown
    assert ("hidden" in out) is (options[:2] in (("--select", "ALL"), ("--select", "CNN")))


def test_show_notes_from_config(blurry, capsys):
    (blurry / "cnnlint.toml").write_text("show-notes = true\n")
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "concise")
    assert concise_codes(out) == ["CNN102", "CNN401"]
    (blurry / "cnnlint.toml").write_text('extend-select = ["CNN999", "CNN401"]\n')
    rc, out, err = run(capsys, "check", "blurry.py", "--format", "concise")
    assert concise_codes(out) == ["CNN102", "CNN401"]


def test_machine_formats_keep_the_notes(blurry, capsys):
    for fmt in ("json", "json-lines", "sarif"):
        rc, out, err = run(capsys, "check", "blurry.py", "--format", fmt)
        assert rc == 1 and "CNN401" in out and "hidden" not in out, fmt
    rc, out, err = run(capsys, "check", "blurry.py", "--statistics", "--format", "json")
    assert [row["code"] for row in json.loads(out)] == ["CNN102", "CNN401"]


def test_statistics_hide_the_notes(blurry, capsys):
    rc, out, err = run(capsys, "check", "blurry.py", "--statistics")
    assert rc == 1 and out.splitlines() == ["1\tCNN102\t[*] linear-in-features", "1 note hidden: `--show-notes`"]
    rc, out, err = run(capsys, "check", "blurry.py", "--statistics", "--show-notes")
    assert sorted(out.splitlines()) == ["1\tCNN102\t[*] linear-in-features", "1\tCNN401\t    unknown-shape"]


def test_notes_never_change_the_exit_status(proj, capsys):
    (proj / "only_note.py").write_text(BLURRY.replace("16 * 8 * 8", "16 * 16 * 16"))
    rc, out, err = run(capsys, "check", "only_note.py")
    assert (rc, out) == (0, "All checks passed! 1 note hidden: `--show-notes`\n")
    rc, out, err = run(capsys, "check", "only_note.py", "--show-notes", "--format", "concise")
    assert rc == 0 and "CNN401" in out


def test_hidden_count_has_thousands_separators():
    from cnnlint.reporters.text import summary

    assert summary([], hidden=1130).endswith("1,130 notes hidden: `--show-notes`")


def test_limit_rules_in_the_catalogue():
    from cnnlint.rules import RULES, is_limit_note

    assert sorted(code for code, r in RULES.items() if r.limit) == ["CNN401", "CNN999"]
    assert is_limit_note("CNN401", "info") and not is_limit_note("CNN301", "info")
    assert not is_limit_note("CNN401", "warning")  # never hide a warning or an error


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
                "--output-format", "--show-notes"):
        assert opt in out, opt
