"""Configuration: [tool.cnnlint] in pyproject.toml, cnnlint.toml, the nearest file wins,
--config, every key, and exit 2 naming the key for unknown keys and bad values."""
from __future__ import annotations

import json
import textwrap

import pytest

from cnnlint.cli import main
from cnnlint.config import (Config, ConfigError, find_config, input_shape_entry, load_config, matches_any,
                            resolve)

from sample_models import NET  # noqa: E402


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def codes(capsys, *argv):
    rc, out, err = run(capsys, "check", *argv, "--format", "json")
    assert not err, err
    return rc, [(d["path"].replace("\\", "/"), d["code"]) for d in json.loads(out)]


@pytest.fixture
def proj(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(NET)
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


# finding the file ---------------------------------------------------------------------------
def test_no_config_defaults(proj, capsys):
    assert codes(capsys, "net.py") == (0, [("net.py", "CNN301")])


def test_pyproject_tool_table(proj, capsys):
    write(proj / "pyproject.toml", """\
        [project]
        name = "x"

        [tool.cnnlint]
        ignore = ["CNN301"]
        """)
    assert codes(capsys, "net.py") == (0, [])


def test_cnnlint_toml_top_level_keys(proj, capsys):
    write(proj / "cnnlint.toml", 'select = ["CNN1"]\n')
    assert codes(capsys, "net.py") == (0, [])


def test_pyproject_without_tool_table_is_skipped(proj, capsys):
    write(proj / "cnnlint.toml", 'ignore = ["CNN301"]\n')
    write(proj / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    (proj / "sub" / "net.py").write_text(NET)
    assert find_config(str(proj / "sub" / "net.py")) == str(proj / "cnnlint.toml")
    assert codes(capsys, "sub") == (0, [])


def test_nearest_config_wins(proj, capsys):
    write(proj / "pyproject.toml", '[tool.cnnlint]\nignore = ["CNN301"]\n')
    write(proj / "sub" / "cnnlint.toml", 'ignore = []\n')
    (proj / "sub" / "net.py").write_text(NET)
    assert codes(capsys, "net.py") == (0, [])
    assert codes(capsys, "sub") == (0, [("sub/net.py", "CNN301")])
    assert find_config(str(proj / "sub" / "net.py")) == str(proj / "sub" / "cnnlint.toml")


def test_config_from_cwd_for_stdin(proj, capsys, monkeypatch):
    import io

    write(proj / "cnnlint.toml", 'ignore = ["CNN301"]\n')
    monkeypatch.setattr("sys.stdin", io.StringIO(NET))
    assert codes(capsys, "-") == (0, [])


def test_explicit_config(proj, capsys):
    write(proj / "pyproject.toml", '[tool.cnnlint]\nignore = ["CNN301"]\n')
    write(proj / "other" / "strict.toml", 'select = ["CNN3"]\n')
    assert codes(capsys, "net.py", "--config", "other/strict.toml") == (0, [("net.py", "CNN301")])


def test_explicit_config_missing_exits_2(proj, capsys):
    rc, out, err = run(capsys, "check", "net.py", "--config", "nope.toml")
    assert rc == 2 and "nope.toml" in err and err.count("\n") == 1


def test_isolated_ignores_config(proj, capsys):
    write(proj / "cnnlint.toml", 'ignore = ["CNN301"]\n')
    assert codes(capsys, "net.py", "--isolated") == (0, [("net.py", "CNN301")])


# keys -------------------------------------------------------------------------------------------
def test_select_and_extend_select(proj, capsys):
    write(proj / "cnnlint.toml", 'select = ["CNN1"]\nextend-select = ["CNN301"]\n')
    assert codes(capsys, "net.py") == (0, [("net.py", "CNN301")])


def test_cli_select_replaces_config_select(proj, capsys):
    write(proj / "cnnlint.toml", 'select = ["CNN1"]\n')
    assert codes(capsys, "net.py", "--select", "CNN3") == (0, [("net.py", "CNN301")])


def test_select_all(proj, capsys):
    write(proj / "cnnlint.toml", 'select = ["ALL"]\n')
    assert codes(capsys, "net.py") == (0, [("net.py", "CNN301")])


def test_per_file_ignores(proj, capsys):
    write(proj / "pyproject.toml", """\
        [tool.cnnlint.per-file-ignores]
        "legacy/*" = ["CNN301"]
        "other.py" = "CNN3"
        """)
    (proj / "legacy").mkdir()
    (proj / "legacy" / "old.py").write_text(NET)
    (proj / "other.py").write_text(NET)
    rc, found = codes(capsys, ".")
    assert sorted(found) == [("./net.py", "CNN301")]


def test_exclude_replaces_defaults_and_extend_exclude_adds(proj, capsys):
    (proj / "build").mkdir()
    (proj / "build" / "gen.py").write_text(NET)
    (proj / "vendor").mkdir()
    (proj / "vendor" / "v.py").write_text(NET)
    assert sorted(codes(capsys, ".")[1]) == [("./net.py", "CNN301"), ("./vendor/v.py", "CNN301")]
    write(proj / "cnnlint.toml", 'extend-exclude = ["vendor"]\n')
    assert sorted(codes(capsys, ".")[1]) == [("./net.py", "CNN301")]
    write(proj / "cnnlint.toml", 'exclude = ["vendor"]\n')  # build is checked again
    assert sorted(codes(capsys, ".")[1]) == [("./build/gen.py", "CNN301"), ("./net.py", "CNN301")]


def test_output_format_from_config(proj, capsys):
    write(proj / "cnnlint.toml", 'output-format = "json-lines"\n')
    rc, out, err = run(capsys, "check", "net.py")
    assert json.loads(out.splitlines()[0])["code"] == "CNN301"
    rc, out, err = run(capsys, "check", "net.py", "--format", "concise")  # the option wins
    assert out.startswith("net.py:9:19: CNN301")


def test_input_shapes_for_a_model_in_any_file(proj, capsys):
    write(proj / "cnnlint.toml", '[input-shapes]\n"Net" = "N,3,32,32"\n')
    rc, found = codes(capsys, "net.py")
    assert (rc, found) == (1, [("net.py", "CNN102")])


def test_input_shapes_per_file_only_applies_to_that_file(proj, capsys):
    (proj / "models").mkdir()
    (proj / "models" / "net.py").write_text(NET)
    write(proj / "pyproject.toml", """\
        [tool.cnnlint.input-shapes]
        "models/net.py:Net" = "N,3,32,32"
        """)
    rc, found = codes(capsys, "net.py", "models")
    assert rc == 1
    assert sorted(found) == [("models/net.py", "CNN102"), ("net.py", "CNN301")]


def test_input_shapes_whole_file_and_constructor_args(proj, capsys):
    write(proj / "cnnlint.toml", '[input-shapes]\n"net.py" = "2,3,16,16"\n')
    assert codes(capsys, "net.py") == (0, [])
    spec_file, spec = input_shape_entry("models/vgg.py:VGG('VGG11')", "2,3,32,32")
    assert spec_file == "models/vgg.py" and spec.model == "VGG" and spec.args == "'VGG11'"
    assert spec.shape == (2, 3, 32, 32)


def test_cli_input_shape_overrides_config(proj, capsys):
    write(proj / "cnnlint.toml", '[input-shapes]\n"Net" = "N,3,32,32"\n')
    assert codes(capsys, "net.py", "--input-shape", "1,3,16,16") == (0, [])


def test_shapes_command_uses_config_input_shapes(proj, capsys):
    write(proj / "cnnlint.toml", '[input-shapes]\n"Net" = "4,3,16,16"\n')
    rc, out, err = run(capsys, "shapes", "net.py", "--format", "json")
    assert json.loads(out)["models"][0]["input"] == [4, 3, 16, 16]


# errors: exit 2, one line naming the key ----------------------------------------------------------
@pytest.mark.parametrize("text, key", [
    ('[tool.cnnlint]\nselet = ["CNN1"]\n', "tool.cnnlint.selet"),
    ('[tool.cnnlint]\nselect = 3\n', "tool.cnnlint.select"),
    ('[tool.cnnlint]\nselect = ["XYZ9"]\n', "tool.cnnlint.select"),
    ('[tool.cnnlint]\nignore = [1]\n', "tool.cnnlint.ignore"),
    ('[tool.cnnlint]\noutput-format = "xml"\n', "tool.cnnlint.output-format"),
    ('[tool.cnnlint]\nexclude = "x"\nextend-exclude = [2]\n', "tool.cnnlint.extend-exclude"),
    ('[tool.cnnlint.per-file-ignores]\n"a.py" = ["NOPE1"]\n', 'tool.cnnlint.per-file-ignores."a.py"'),
    ('[tool.cnnlint]\nper-file-ignores = ["a"]\n', "tool.cnnlint.per-file-ignores"),
    ('[tool.cnnlint.input-shapes]\n"Net" = "N,3,x y"\n', 'tool.cnnlint.input-shapes."Net"'),
    ('[tool.cnnlint.input-shapes]\n"Net" = [1, 3]\n', 'tool.cnnlint.input-shapes."Net"'),
    ('[tool.cnnlint]\nselect = [\n', "invalid TOML"),
    ('[tool.cnnlint]\nshow-notes = "yes"\n', "tool.cnnlint.show-notes"),
])
def test_bad_config_exits_2_naming_the_key(proj, capsys, text, key):
    write(proj / "pyproject.toml", text)
    rc, out, err = run(capsys, "check", "net.py")
    assert rc == 2, (out, err)
    assert key in err, err
    assert err.startswith("cnnlint: error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_bad_cnnlint_toml_names_top_level_key(proj, capsys):
    write(proj / "cnnlint.toml", 'output_format = "json"\n')
    rc, out, err = run(capsys, "check", "net.py")
    assert rc == 2 and "'output_format'" in err


# units -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rel, patterns, hit", [
    ("build/x.py", ["build"], True),
    ("src/build/x.py", ["build"], True),
    ("tests/a.py", ["tests/*"], True),
    ("tests/sub/a.py", ["tests/*"], True),
    ("src/tests/a.py", ["tests/*"], False),
    ("a_test.py", ["*_test.py"], True),
    ("pkg.egg-info/x.py", ["*.egg-info"], True),
    ("models/net.py", ["models/net.py"], True),
    ("models/net2.py", ["models/net.py"], False),
    ("./models/net.py", ["./models/*.py"], True),
])
def test_matches_any(rel, patterns, hit):
    assert matches_any(rel, patterns) is hit


@pytest.mark.parametrize("rel, patterns, skip, hit", [
    ("venv/a.py", ["venv"], 1, False),  # the named folder itself is not matched
    ("venv/build/a.py", ["build"], 1, True),  # what lies below it is
    ("src/venv/a.py", ["venv"], 1, True),
    ("src/venv/a.py", ["venv"], 2, False),
    ("pkg/gen/g.py", ["pkg/gen"], 2, False),
    ("pkg/gen/g.py", ["pkg/gen/*"], 2, True),
])
def test_matches_any_below_a_named_folder(rel, patterns, skip, hit):
    assert matches_any(rel, patterns, skip) is hit


def test_shown_notes():
    assert Config().shown_notes() == ()
    assert Config(show_notes=True).shown_notes() == ("CNN401", "CNN999")
    assert Config(select=("CNN4",)).shown_notes() == ("CNN401",)
    assert Config(select=("CNN1",), extend_select=("CNN999",)).shown_notes() == ("CNN999",)
    assert Config(select=("ALL",)).shown_notes() == ()
    assert Config(select=("CNN",)).shown_notes() == ()


def test_show_notes_key(tmp_path):
    p = tmp_path / "cnnlint.toml"
    p.write_text("show-notes = true\n")
    assert load_config(str(p)).show_notes is True


def test_load_and_resolve(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[tool.cnnlint]\nselect = ["cnn1"]\n')
    cfg = load_config(str(p))
    assert cfg.select == ("CNN1",) and cfg.root == str(tmp_path)
    assert resolve(str(tmp_path / "x.py")).path == str(p)
    assert resolve(str(tmp_path), isolated=True) == Config(root=resolve(str(tmp_path), isolated=True).root)
    with pytest.raises(ConfigError):
        resolve(None, explicit=str(tmp_path / "missing.toml"))
