"""`cnnlint check --format ...`: text/full, concise, json (the contract), json-lines, sarif
(validated against the official SARIF 2.1.0 schema in tests/data/) and github."""
from __future__ import annotations

import json
import os

import pytest

from cnnlint.cli import main
from cnnlint.diagnostics import Diagnostic, Edit, FileResult, Fix, Span
from cnnlint.reporters import github, sarif
from cnnlint.rules import RULES

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
from sample_models import BUG  # noqa: E402
MESSAGE = "fc (nn.Linear) expects 1024 input features but receives 16*16*16 = 4096 (from pool: [2, 16, 16, 16])"


@pytest.fixture
def proj(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bug.py").write_text(BUG)
    (tmp_path / "ok.py").write_text(BUG.replace("16 * 8 * 8", "16 * 16 * 16"))
    return tmp_path


def out_of(capsys, *argv):
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    assert not err, err
    return rc, out


def test_text_is_full_with_source_line_and_caret(proj, capsys):
    for fmt in ("text", "full"):
        rc, out = out_of(capsys, "models/bug.py", "--format", fmt)
        lines = out.splitlines()
        assert rc == 1
        assert lines[0] == f"models/bug.py:9:19: CNN102 [*] {MESSAGE}"
        assert lines[1] == "     9 |         self.fc = nn.Linear(16 * 8 * 8, 10)"
        assert lines[2] == "       |                   " + "^" * len("nn.Linear(16 * 8 * 8, 10)")
        assert "Found 1 error in 1 file(s)." in out


def test_default_format_is_text(proj, capsys):
    assert out_of(capsys, "models/bug.py")[1] == out_of(capsys, "models/bug.py", "--format", "full")[1]


def test_concise(proj, capsys):
    rc, out = out_of(capsys, "models/bug.py", "--output-format", "concise")
    assert out.splitlines()[0] == f"models/bug.py:9:19: CNN102 [*] {MESSAGE}"
    assert "^" not in out


def test_json_contract(proj, capsys):
    rc, out = out_of(capsys, "models/bug.py", "--format", "json")
    data = json.loads(out)
    assert rc == 1 and len(data) == 1
    d = data[0]
    assert set(d) >= {"path", "line", "column", "end_line", "end_column", "code", "severity", "message", "model",
                      "declared", "inferred", "fix"}
    assert (d["path"], d["line"], d["column"], d["end_line"], d["end_column"]) == ("models/bug.py", 9, 19, 9, 44)
    assert (d["code"], d["severity"], d["model"], d["declared"], d["inferred"]) == ("CNN102", "error", "Net", 1024, 4096)
    assert d["fix"]["edits"]


def test_json_empty_list(proj, capsys):
    assert out_of(capsys, "ok.py", "--format", "json") == (0, "[]\n")


def test_json_lines(proj, capsys):
    (proj / "models" / "bug2.py").write_text(BUG)
    rc, out = out_of(capsys, "models", "--format", "json-lines")
    lines = out.splitlines()
    assert len(lines) == 2
    assert [json.loads(x)["path"] for x in lines] == ["models/bug.py", "models/bug2.py"]


# sarif --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    with open(os.path.join(DATA, "sarif-schema-2.1.0.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _valid(validator, doc):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_validates_and_holds_what_github_needs(proj, capsys, sarif_validator):
    rc, out = out_of(capsys, "models/bug.py", "--format", "sarif")
    assert rc == 1
    doc = json.loads(out)
    _valid(sarif_validator, doc)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cnnlint"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    (res,) = run["results"]
    assert res["ruleId"] == "CNN102" and res["level"] == "error" and res["message"]["text"] == MESSAGE
    assert driver["rules"][res["ruleIndex"]]["id"] == "CNN102"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "models/bug.py"  # relative, '/'-separated
    assert loc["region"] == {"startLine": 9, "startColumn": 19, "endLine": 9, "endColumn": 44}
    fix = res["fixes"][0]
    repl = fix["artifactChanges"][0]["replacements"]
    assert fix["description"]["text"] and repl
    line = BUG.splitlines()[8]
    for r in sorted(repl, key=lambda r: -r["deletedRegion"]["startColumn"]):
        reg = r["deletedRegion"]
        line = line[:reg["startColumn"] - 1] + r["insertedContent"]["text"] + line[reg["endColumn"] - 1:]
    assert "nn.Linear(16 * 16 * 16, 10)" in line


def test_sarif_without_results_and_odd_paths_validates(proj, capsys, sarif_validator):
    rc, out = out_of(capsys, "ok.py", "--format", "sarif")
    doc = json.loads(out)
    _valid(sarif_validator, doc)
    assert doc["runs"][0]["results"] == []
    d = Diagnostic("dir with space/ü.py", Span(3, 1, 4, 2), "CNN101", "warning", "m",
                   fix=Fix("f", (Edit(Span(3, 1, 3, 2), "x"),)))
    outside = Diagnostic(os.path.join(os.path.dirname(str(proj)), "elsewhere.py"), Span(1, 1, 1, 1), "CNN401",
                         "info", "n")
    doc = sarif.sarif_log([FileResult("x", (d, outside))])
    _valid(sarif_validator, doc)
    res = doc["runs"][0]["results"]
    assert res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/%C3%BC.py"
    assert res[1]["level"] == "note"
    assert res[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file://")


# github -------------------------------------------------------------------------------------------
def test_github_annotations(proj, capsys):
    rc, out = out_of(capsys, "models/bug.py", "--format", "github")
    assert rc == 1
    assert out == (f"::error file=models/bug.py,line=9,col=19,endLine=9,endColumn=44,title=CNN102::{MESSAGE}\n")


def test_github_levels_and_escaping():
    d = Diagnostic("a,b:c.py", Span(1, 2, 3, 4), "CNN301", "info", "50% of\nthe sizes")
    w = Diagnostic("x.py", Span(1, 1, 1, 2), "CNN201", "warning", "w")
    out = github.annotations([FileResult("x", (d, w))])
    assert out.splitlines() == [
        "::notice file=a%2Cb%3Ac.py,line=1,col=2,endLine=3,endColumn=4,title=CNN301::50%25 of%0Athe sizes",
        "::warning file=x.py,line=1,col=1,endLine=1,endColumn=2,title=CNN201::w",
    ]


def test_format_choices_reject_unknown(proj, capsys):
    rc = main(["check", "ok.py", "--format", "xml"])
    err = capsys.readouterr().err
    assert rc == 2 and "xml" in err
