"""`cnnlint check --fix / --diff / --show-fixes` and the fixes every output carries.

Golden files: fixtures/fixed/X.py is fixtures/X.py after `cnnlint check --fix` with its
`# oracle:` input shapes. Only error fixtures that get a safe fix have one; every other error
fixture must come out of --fix untouched. Rewrite them with
`pytest tests/test_fix.py --update-golden` and review the diff; never hand-edit them.
"""
import json
import os
import shutil
import stat
import sys

import pytest

from oracle_util import (FIXTURES, REPO, fixture_files, fixture_specs, is_error_fixture, run_cnnlint,
                         torch_run)

from cnnlint.api import Settings, check_source
from cnnlint.apply_fixes import FileFix, FixError, fix_source, write_fixed
from cnnlint.fixrounds import apply_edits
from cnnlint.inputspec import parse_spec

FIXED = FIXTURES / "fixed"
ERROR_FIXTURES = [f for f in fixture_files() if is_error_fixture(f) and fixture_specs(f)]


def settings_of(path):
    return Settings(input_specs=tuple(parse_spec(s.text) for s in fixture_specs(path)))


def spec_args(path):
    return [a for s in fixture_specs(path) for a in ("--input-shape", s.text)]


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


# --------------------------------------------------------------------------- golden fixes


@pytest.mark.parametrize("path", ERROR_FIXTURES, ids=[f.stem for f in ERROR_FIXTURES])
def test_fix_error_fixture(path, update_golden, tmp_path):
    source = path.read_text(encoding="utf-8")
    settings = settings_of(path)
    fixed, applied, result, initial = fix_source(source, str(path), settings)
    golden = FIXED / path.name
    if update_golden:
        if fixed != source:
            FIXED.mkdir(exist_ok=True)
            golden.write_text(fixed, encoding="utf-8", newline="")
        elif golden.exists():
            golden.unlink()
        return
    offered = [d for d in initial.diagnostics if d.fix is not None and d.fix.safe]
    if not golden.exists():
        assert fixed == source and not offered and not applied, \
            f"{path.name} gets a safe fix but fixtures/fixed/{path.name} is missing (run --update-golden)"
        return
    assert fixed == golden.read_text(encoding="utf-8"), f"--fix of {path.name} differs from fixtures/fixed"
    # every diagnostic marked [*] was mended, and the fixed file checks clean
    assert offered and all(d in applied for d in offered)
    assert not errors(result), [d.message for d in errors(result)]
    assert not errors(check_source(fixed, str(golden), settings))
    # idempotent: a second --fix changes nothing
    again, applied_again, _, _ = fix_source(fixed, str(golden), settings)
    assert again == fixed and not applied_again
    if torch_available():
        for spec in fixture_specs(path):
            _, _, exc = torch_run(golden, spec)
            assert exc is None, f"fixed {path.name} still fails in PyTorch: {exc}"


def test_every_golden_has_its_fixture():
    for golden in FIXED.glob("*.py"):
        assert (FIXTURES / golden.name).exists(), golden


def test_golden_fixes_edit_only_the_changed_literals():
    """`nn.Linear(32 * 8 * 8, 10)` becomes `nn.Linear(32 * 7 * 7, 10)`: two literals edited."""
    before = (FIXTURES / "linear_after_flatten_bug.py").read_text(encoding="utf-8").splitlines()
    after = (FIXED / "linear_after_flatten_bug.py").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [("        self.fc = nn.Linear(32 * 8 * 8, 10)", "        self.fc = nn.Linear(32 * 7 * 7, 10)")]


# --------------------------------------------------------------------------- which fix, which style

HEAD = "import torch\nimport torch.nn as nn\n\n\n"


def check(code, *specs):
    return check_source(HEAD + code, "m.py", Settings(input_specs=tuple(parse_spec(s) for s in specs)))


def fixed_text(code, *specs):
    settings = Settings(input_specs=tuple(parse_spec(s) for s in specs))
    return fix_source(HEAD + code, "m.py", settings)[0][len(HEAD):]


LINEAR_KW = '''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(in_features=8 * 31 * 31, out_features=10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))
'''


def test_keyword_stays_keyword_and_product_keeps_its_form():
    out = fixed_text(LINEAR_KW, "Net=2,3,32,32")
    assert "nn.Linear(in_features=8 * 30 * 30, out_features=10)" in out


def test_plain_literal_becomes_the_literal():
    out = fixed_text(LINEAR_KW.replace("8 * 31 * 31", "7688"), "Net=2,3,32,32")
    assert "nn.Linear(in_features=7200, out_features=10)" in out


def test_fix_json_fields():
    d = [d for d in check(LINEAR_KW, "Net=2,3,32,32").diagnostics if d.code == "CNN102"][0]
    fix = d.to_json()["fix"]
    assert fix["safe"] is True and fix["description"] == "replace `8 * 31 * 31` with `8 * 30 * 30`"
    lines = (HEAD + LINEAR_KW).splitlines()
    for e in fix["edits"]:  # 1-based spans of the literals that change
        assert lines[e["line"] - 1][e["column"] - 1:e["end_column"] - 1] == "31" and e["text"] == "30"


VIEW_NAME = '''class Net(nn.Module):
    def __init__(self, flat=100):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.flat = flat
        self.fc = nn.Linear(8 * 30 * 30, 10)

    def forward(self, x):
        x = self.conv(x)
        x = x.view(-1, self.flat)
        return self.fc(x)
'''


def test_view_with_a_name_becomes_size0_minus_one_and_the_linear_is_left_alone():
    result = check(VIEW_NAME, "Net=2,3,32,32")
    view = [d for d in result.diagnostics if d.code == "CNN201"][0]
    assert view.fix.safe and view.fix.edits[0].text == "x.size(0), -1"
    # the Linear after a batch-folding view receives a wrong size: its fix must not be applied
    assert all(d.fix is None or not d.fix.safe for d in result.diagnostics if d.code == "CNN102")
    out = fixed_text(VIEW_NAME, "Net=2,3,32,32")
    assert "x = x.view(x.size(0), -1)" in out and "nn.Linear(8 * 30 * 30, 10)" in out


def test_view_literal_product_gets_the_right_size():
    code = VIEW_NAME.replace("self.flat)", "8 * 32 * 32)").replace("8 * 30 * 30, 10", "8 * 32 * 32, 10")
    out = fixed_text(code, "Net=2,3,32,32")
    assert "x = x.view(-1, 8 * 30 * 30)" in out and "nn.Linear(8 * 30 * 30, 10)" in out


def test_view_on_an_expression_becomes_flatten():
    code = VIEW_NAME.replace("x = self.conv(x)\n        x = x.view(-1, self.flat)",
                             "x = self.conv(x).view(-1, self.flat)")
    assert "x = self.conv(x).flatten(1)" in fixed_text(code, "Net=2,3,32,32")


def test_channel_mismatch_gets_the_verified_consumer_fix():
    """Either conv2's in_channels or conv1's out_channels could be wrong: both edits are checked
    again, both mend the model, and the one that changes the number the error names (and leaves
    conv1's output as it was) is the fix; the other is its alternative."""
    code = '''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.conv2 = nn.Conv2d(8, 32, 3)

    def forward(self, x):
        return self.conv2(self.conv1(x))
'''
    d = [d for d in check(code, "Net=2,3,32,32").diagnostics if d.code == "CNN101"][0]
    assert d.fix is not None and d.fix.safe and d.fix.edits[0].text == "16"
    assert "replace `16` with `8` in conv1" in d.fix.alternatives
    assert len(d.options) == 2 and "conv1" in d.options[1]
    assert "self.conv2 = nn.Conv2d(16, 32, 3)" in fixed_text(code, "Net=2,3,32,32")


def test_a_repair_of_another_layer_is_unsafe():
    """`x.view(x.size(0), 32, 16, 16)` of a 32x17x17 map: no single number of the view mends it;
    conv's padding 2 -> 1 does, but it changes another layer than the one at fault: unsafe, so
    --fix leaves it, and --unsafe-fixes applies it."""
    source = (FIXTURES / "view_padding_bug.py").read_text(encoding="utf-8")
    settings = settings_of(FIXTURES / "view_padding_bug.py")
    d = [d for d in check_source(source, "v.py", settings).diagnostics if d.code == "CNN104"][0]
    assert d.fix is not None and not d.fix.safe and d.fix.description == "replace `2` with `1` in conv"
    assert fix_source(source, "v.py", settings)[0] == source
    from dataclasses import replace as with_

    fixed = fix_source(source, "v.py", with_(settings, unsafe_fixes=True))[0]
    assert "padding=1" in fixed and not errors(check_source(fixed, "v.py", settings))


def test_size_from_a_name_gets_no_fix():
    code = LINEAR_KW.replace("def __init__(self):", "def __init__(self, n=7688):").replace(
        "in_features=8 * 31 * 31", "in_features=n")
    d = [d for d in check(code, "Net=2,3,32,32").diagnostics if d.code == "CNN102"][0]
    assert d.fix is None or not d.fix.safe
    assert fixed_text(code, "Net=2,3,32,32") == code


def test_layer_built_in_a_loop_is_not_fixed():
    code = '''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for i in range(2):
            layers.append(nn.Linear(64, 64))
        self.mlp = nn.Sequential(*layers)

    def forward(self, x):
        return self.mlp(x)
'''
    result = check(code, "Net=2,50")
    d = [d for d in result.diagnostics if d.code == "CNN102"][0]
    assert d.fix is None or not d.fix.safe
    assert fixed_text(code, "Net=2,50") == code


def test_layer_from_a_helper_called_twice_is_not_fixed():
    code = '''def head(n):
    return nn.Linear(50, n)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = head(20)
        self.b = head(10)

    def forward(self, x):
        return self.b(self.a(x))
'''
    d = [d for d in check(code, "Net=2,50").diagnostics if d.code == "CNN102"][0]
    assert d.fix is not None and not d.fix.safe
    assert fixed_text(code, "Net=2,50") == code


def test_text_marks_exactly_the_safe_fixes():
    from cnnlint.reporters import text

    result = check(VIEW_NAME, "Net=2,3,32,32")
    out = text.concise([result])
    marked = [line for line in out.splitlines() if " [*] " in line]
    assert len(marked) == 1 and "CNN201" in marked[0]
    assert "[*] 1 fixable with `cnnlint check --fix` (1 hidden fix can be enabled with the `--unsafe-fixes` " \
           "option)." in out


# --------------------------------------------------------------------------- applying edits


def test_apply_edits_by_spans():
    from cnnlint.diagnostics import Edit, Span

    text = "a = f(32 * 8 * 8)\r\nb = 'é' + g(3)\n"
    out = apply_edits(text, [Edit(Span(1, 12, 1, 13), "7"), Edit(Span(1, 16, 1, 17), "7"),
                             Edit(Span(2, 13, 2, 14), "4"), Edit(Span(2, 13, 2, 14), "4")])
    assert out == "a = f(32 * 7 * 7)\r\nb = 'é' + g(4)\n"
    with pytest.raises(ValueError):
        apply_edits(text, [Edit(Span(1, 7, 1, 17), "1"), Edit(Span(1, 12, 1, 13), "7")])


# --------------------------------------------------------------------------- the command line


def copy_fixture(tmp_path, name):
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def test_cli_diff_changes_nothing_and_exits_1(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    before = target.read_bytes()
    mtime = target.stat().st_mtime_ns
    p = run_cnnlint(["check", target.name, "--diff"] + spec_args(target), cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert p.stdout.splitlines()[:2] == [f"--- {target.name}", f"+++ {target.name}"]
    assert "-        self.fc = nn.Linear(32 * 8 * 8, 10)" in p.stdout
    assert "+        self.fc = nn.Linear(32 * 7 * 7, 10)" in p.stdout
    assert "Would fix 1 diagnostic in 1 file." in p.stderr
    assert target.read_bytes() == before and target.stat().st_mtime_ns == mtime
    # on a clean file: no diff, exit 0
    clean = copy_fixture(tmp_path, "conv2d_basic.py")
    p = run_cnnlint(["check", clean.name, "--diff"] + spec_args(clean), cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "", (p.stdout, p.stderr)


def test_cli_fix_show_fixes_then_idempotent(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "view_not_divisible_bug.py")
    bystander = copy_fixture(tmp_path, "view_padding_bug.py")  # only an unsafe fix: never touched
    bystander_stat = bystander.stat()
    args = ["check", ".", "--fix", "--show-fixes"] + spec_args(target) + spec_args(bystander)
    p = run_cnnlint(args, cwd=tmp_path)
    assert p.returncode == 1, p.stderr  # the CNN104 in the bystander remains
    assert "Fixed 2 diagnostics:" in p.stdout
    assert "    18:13 CNN104 replace `18 * 16 * 16` with `18 * 14 * 14`" in p.stdout
    assert "    12:20 CNN102 replace `18 * 16 * 16` with `18 * 14 * 14`" in p.stdout
    assert "Fixed 2 diagnostics in 1 file." in p.stdout
    assert "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in p.stdout
    assert "CNN104" in p.stdout and "view_padding_bug.py:" in p.stdout
    assert target.read_text(encoding="utf-8") == (FIXED / target.name).read_text(encoding="utf-8")
    after = bystander.stat()
    assert (after.st_ino, after.st_mtime_ns) == (bystander_stat.st_ino, bystander_stat.st_mtime_ns)
    # second run: nothing to fix, nothing written
    first = target.stat()
    p = run_cnnlint(args, cwd=tmp_path)
    assert "Fixed" not in p.stdout and "No fixes applied." in p.stdout
    assert (target.stat().st_ino, target.stat().st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".cnnlint-tmp")]
    # --unsafe-fixes (or unsafe-fixes = true in the configuration) applies the hidden one
    (tmp_path / "cnnlint.toml").write_text("unsafe-fixes = true\n", encoding="utf-8")
    p = run_cnnlint(args, cwd=tmp_path)
    assert p.returncode == 0 and "Fixed 1 diagnostic in 1 file." in p.stdout, p.stdout
    assert "padding=1" in bystander.read_text(encoding="utf-8")


def test_unsafe_fixes_flag_and_applicability(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "view_padding_bug.py")
    p = run_cnnlint(["check", target.name, "--format", "json", "--no-cache"] + spec_args(target), cwd=tmp_path)
    fix = json.loads(p.stdout)[0]["fix"]
    assert fix["applicability"] == "unsafe" and fix["safe"] is False
    p = run_cnnlint(["check", target.name, "--diff", "--no-cache"] + spec_args(target), cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == ""
    p = run_cnnlint(["check", target.name, "--diff", "--unsafe-fixes", "--no-cache"] + spec_args(target),
                    cwd=tmp_path)
    assert p.returncode == 1 and "+        self.conv = nn.Conv2d(3, 32, 3, stride=2, padding=1)" in p.stdout
    p = run_cnnlint(["check", target.name, "--format", "sarif", "--no-cache"] + spec_args(target), cwd=tmp_path)
    result = json.loads(p.stdout)["runs"][0]["results"][0]
    assert result["fixes"][0]["properties"]["applicability"] == "unsafe"
    (tmp_path / "cnnlint.toml").write_text("unsafe-fixes = true\n", encoding="utf-8")
    p = run_cnnlint(["check", target.name, "--no-unsafe-fixes", "--diff", "--no-cache"] + spec_args(target),
                    cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == ""
    (tmp_path / "cnnlint.toml").write_text("unsafe-fixes = 1\n", encoding="utf-8")
    p = run_cnnlint(["check", target.name], cwd=tmp_path)
    assert p.returncode == 2 and "unsafe-fixes" in p.stderr and "Traceback" not in p.stderr


def test_cli_fix_json_reports_what_remains(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    p = run_cnnlint(["check", target.name, "--format", "json"] + spec_args(target), cwd=tmp_path)
    diags = json.loads(p.stdout)
    assert [d["fix"]["safe"] for d in diags] == [True]
    p = run_cnnlint(["check", target.name, "--fix", "--format", "json"] + spec_args(target), cwd=tmp_path)
    assert p.returncode == 0 and json.loads(p.stdout) == []
    assert "Fixed 1 diagnostic in 1 file." in p.stderr


def test_cli_sarif_carries_the_fix(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    p = run_cnnlint(["check", target.name, "--format", "sarif"] + spec_args(target), cwd=tmp_path)
    result = json.loads(p.stdout)["runs"][0]["results"][0]
    fix = result["fixes"][0]
    assert fix["description"]["text"] == "replace `32 * 8 * 8` with `32 * 7 * 7`"
    assert [r["insertedContent"]["text"] for r in fix["artifactChanges"][0]["replacements"]] == ["7", "7"]


def test_cli_fix_keeps_crlf_bom_and_mode(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    args = ["check", target.name, "--fix"] + spec_args(target)
    text = target.read_text(encoding="utf-8")
    target.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(target, 0o754)
    p = run_cnnlint(args, cwd=tmp_path)
    assert "Fixed 1 diagnostic in 1 file." in p.stdout
    assert p.returncode == 0, p.stdout + p.stderr
    golden = (FIXED / target.name).read_text(encoding="utf-8")
    assert target.read_bytes() == b"\xef\xbb\xbf" + golden.replace("\n", "\r\n").encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o754


def test_cli_fix_writes_through_a_symlink(tmp_path, cnnlint_runs):
    real = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    link = tmp_path / "link.py"
    link.symlink_to(real.name)
    p = run_cnnlint(["check", link.name, "--fix"] + spec_args(real), cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == (FIXED / real.name).read_text(encoding="utf-8")


def test_cli_fix_refuses_a_read_only_file(tmp_path, cnnlint_runs):
    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    before = target.read_bytes()
    os.chmod(target, 0o444)
    p = run_cnnlint(["check", target.name, "--fix"] + spec_args(target), cwd=tmp_path)
    assert p.returncode == 2
    assert "not writable; not fixed" in p.stderr and "Traceback" not in p.stderr
    assert target.read_bytes() == before


def test_fix_stops_when_the_file_changed_on_disk(tmp_path, monkeypatch, capsys):
    """The file is edited between cnnlint reading it and writing the fix: leave it, exit 2."""
    from cnnlint import apply_fixes, cli

    target = copy_fixture(tmp_path, "linear_after_flatten_bug.py")
    real_fix_source = apply_fixes.fix_source

    def edit_meanwhile(source, path, settings):
        out = real_fix_source(source, path, settings)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("# edited by someone else\n")
        return out

    monkeypatch.setattr(apply_fixes, "fix_source", edit_meanwhile)
    status = cli.main(["check", str(target), "--fix", "--isolated"] + spec_args(target))
    err = capsys.readouterr().err
    assert status == 2
    assert "changed on disk since cnnlint read it; not fixed" in err
    text = target.read_text(encoding="utf-8")
    assert text.endswith("# edited by someone else\n") and "nn.Linear(32 * 8 * 8, 10)" in text


def test_write_fixed_compares_bytes(tmp_path):
    target = tmp_path / "m.py"
    target.write_bytes(b"x = 1\n")
    ff = FileFix(str(target), b"x = 1\n", "x = 1\n", "x = 2\n")
    target.write_bytes(b"x = 3\n")
    with pytest.raises(FixError):
        write_fixed(ff)
    assert target.read_bytes() == b"x = 3\n"
    target.write_bytes(b"x = 1\n")
    write_fixed(ff)
    assert target.read_bytes() == b"x = 2\n"


def test_cli_fix_rejects_stdin(cnnlint_runs):
    p = run_cnnlint(["check", "-", "--fix"])
    assert p.returncode == 2 and "not on stdin" in p.stderr
