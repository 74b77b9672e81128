"""A file is cut into top-level statements by ast and each is parsed by libcst only when used:
the diagnostics and positions must be those of a whole-file parse, statements libcst cannot
read must become unknown (never an error), and the language server's reuse of unchanged
statements must place diagnostics right after lines move."""
from __future__ import annotations

import glob
import os
import textwrap

import libcst as cst
import pytest

from cnnlint import toplevel
from cnnlint.api import check_source
from cnnlint.nodes import _positions, walk
from cnnlint.source import FileContext
from cnnlint.toplevel import Layout

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = sorted(glob.glob(os.path.join(ROOT, "fixtures", "*.py")))

BUGGY = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    TABLE = {"a": 1}


    # cnnlint: input-shape=2,3,32,32
    class Net(nn.Module):
        \"\"\"Doc.\"\"\"

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(8 * 30 * 30 + 1, 10)

        def helper(self):
            return 1

        def forward(self, x):
            x = self.conv(x)
            return self.fc(torch.flatten(x, 1))
    """)


def _whole(source: str):
    """(code, line, column, end line, end column, message) of each diagnostic."""
    return [(d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message)
            for d in check_source(source, "net.py").diagnostics]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: os.path.basename(p))
def test_positions_of_a_class_member_equal_the_whole_class(path, monkeypatch):
    """Every node of every class of every fixture, parsed by libcst: the range from generating
    one class-body statement alone equals the range from generating the whole class."""
    monkeypatch.setattr(toplevel, "BUILD", False)
    with open(path, encoding="utf-8") as fh:
        layout = Layout(fh.read(), path)
    for stmt in layout.statements:
        stmt.resolve()
    holder = {}
    for piece in layout.pieces:
        piece.index(holder)
    checked = 0
    for piece in layout.pieces:
        whole = _positions(piece.module, piece.first - 1)
        for node in walk(piece.module):
            where = holder[id(node)]
            assert where[0].position(node, where[1]) == whole.get(node), (path, type(node).__name__)
            checked += 1
    assert checked > 0


def test_only_the_statements_used_are_parsed():
    source = BUGGY + "\n\ndef unused():\n    return [i for i in range(10)]\n"
    ctx = FileContext("net.py", source)
    result = check_source(source, "net.py")
    assert [d.code for d in result.diagnostics] == ["CNN102"]
    # the checked run parsed the class; `unused` and TABLE were never needed
    from cnnlint.analyze import analyze

    analyze(ctx)
    parsed = {s.name or s.kind for s in ctx.statements if s.parsed}
    assert "Net" in parsed and "unused" not in parsed
    assert not any(s.kind == "assign" and s.parsed for s in ctx.statements)


def test_crlf_and_form_feed_files_give_the_same_positions():
    lf = _whole(BUGGY)
    assert lf and lf[0][:2] == ("CNN102", 14)
    assert _whole(BUGGY.replace("\n", "\r\n")) == lf
    assert _whole(BUGGY.replace("\n\n\n# cnnlint", "\n\n\x0c\n# cnnlint")) == lf  # a form feed line


def test_statement_libcst_cannot_parse_becomes_unknown_not_an_error(monkeypatch):
    """Valid Python that libcst cannot read (newer syntax, nesting past its limits): the class
    stands for something unknown, with no error and no internal error."""
    real = toplevel.parse_module
    monkeypatch.setattr(toplevel, "BUILD", False)

    def picky(text):
        if "class Net" in text:
            raise RecursionError("too deep for libcst")
        return real(text)

    monkeypatch.setattr(toplevel, "parse_module", picky)
    source = BUGGY + "\n\nnet = Net()\ny = net(torch.randn(2, 3, 32, 32))\n"
    result = check_source(source, "net.py")
    assert not any(d.severity == "error" for d in result.diagnostics)
    assert not any(d.code == "CNN999" for d in result.diagnostics)
    said = [d for d in result.diagnostics if "libcst cannot parse 'Net'" in d.message]
    assert said and said[0].severity == "info" and said[0].span.line == 8  # where the class starts


def test_a_file_ast_rejects_is_reported_by_libcst_as_before():
    result = check_source("def f(:\n    pass\n", "bad.py")
    assert [d.code for d in result.diagnostics] == ["CNN001"]
    assert "cannot parse the file" in result.diagnostics[0].message


def test_a_syntax_error_is_reported_where_python_finds_it():
    """Python's own message and place (libcst's tokenizer stops at the end of the file)."""
    source = "import torch.nn as nn\n\nlayers = nn.Sequential(\n    nn.Linear(4, 4),\n\n\nclass Net:\n    pass\n"
    (d,) = check_source(source, "bad.py").diagnostics
    assert d.code == "CNN001" and d.message == "cannot parse the file: '(' was never closed"
    assert (d.span.line, d.span.column) == (3, 23)
    (d,) = check_source('print "hi"\n', "py2.py").diagnostics
    assert "Missing parentheses in call to 'print'" in d.message



def test_huge_module_level_table_is_not_parsed():
    table = "TABLE = {\n" + "".join(f"    {i}: {i},\n" for i in range(3000)) + "}\n"
    source = table + BUGGY.replace("8 * 30 * 30 + 1", "len(TABLE)")
    ctx = FileContext("net.py", source)
    result = check_source(source, "net.py")
    assert not any(d.severity == "error" for d in result.diagnostics)
    from cnnlint.analyze import analyze

    analyze(ctx)
    assert not next(s for s in ctx.statements if s.kind == "assign" and s.size() > 1000).parsed


def test_module_level_work_is_given_up_on_not_run():
    """A constant computed by a long loop at import time: unknown after a bounded number of
    steps (a shared budget for the file's constants), never an error."""
    source = "N = sum([i % 7 for i in range(10 ** 8)])\n" + BUGGY.replace("8 * 30 * 30 + 1", "N")
    result = check_source(source, "net.py")
    assert not any(d.severity == "error" for d in result.diagnostics)


@pytest.fixture
def reuse(monkeypatch):
    """libcst's parses kept between checks (statements the builder does not know)."""
    monkeypatch.setattr(toplevel, "BUILD", False)
    toplevel.REUSE = True
    toplevel._parsed.clear()
    yield
    toplevel.REUSE = False
    toplevel._parsed.clear()


def test_reused_statements_place_diagnostics_after_lines_move(reuse):
    first = _whole(BUGGY)
    assert toplevel._parsed  # the class was kept
    moved = "# a comment\n# another\n" + BUGGY
    again = _whole(moved)
    assert again == [(c, line + 2, col, end + 2, *rest) for c, line, col, end, *rest in first]
    toplevel.REUSE = False
    toplevel._parsed.clear()
    assert _whole(moved) == again  # the same as parsing afresh


def test_reuse_is_keyed_by_path(reuse):
    check_source(BUGGY, "a.py")
    keys = {path for path, _ in toplevel._parsed}
    assert keys == {"a.py"}
    check_source(BUGGY, "b.py")
    assert {path for path, _ in toplevel._parsed} == {"a.py", "b.py"}


def test_header_alone_gives_bases_without_parsing_the_body():
    source = "import enum\n\nclass Weights(enum.Enum):\n    A = 1\n    B = 2\n"
    layout = Layout(source, "w.py")
    stmt = layout.statements[1]
    header = stmt.header()
    assert type(header) is cst.ClassDef and len(header.bases) == 1
    assert not stmt.parsed


INIT_LOOP = textwrap.dedent("""\
    import math
    import torch
    import torch.nn as nn


    # cnnlint: input-shape=2,3,32,32
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(8 * 30 * 30, 10)
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                    m.weight.data.normal_(0, math.sqrt(2.0 / n))
                elif isinstance(m, nn.Linear):
                    nn.init.constant_(m.bias, 0)
            LOOP_TAIL

        def forward(self, x):
            return self.fc(torch.flatten(self.conv(x), 1))
    """)


def test_weight_init_loop_is_skipped_but_a_loop_that_changes_modules_is_run():
    from cnnlint.interpret.statements import _only_initialises

    clean = INIT_LOOP.replace("LOOP_TAIL", "pass")
    loop = next(n for n in walk(cst.parse_module(clean)) if type(n) is cst.For)
    assert _only_initialises(loop)
    assert [d.code for d in check_source(clean, "net.py").diagnostics] == []
    # a loop that replaces a layer is not an initialisation: it runs, and the bug it makes shows
    changing = INIT_LOOP.replace("LOOP_TAIL", "pass").replace(
        "nn.init.constant_(m.bias, 0)", "self.fc = nn.Linear(5, 10)")
    loop = next(n for n in walk(cst.parse_module(changing)) if type(n) is cst.For)
    assert not _only_initialises(loop)
    assert [d.code for d in check_source(changing, "net.py").diagnostics] == ["CNN102"]
    # the names the skipped loop assigns are unknown afterwards, not stale
    uses_n = INIT_LOOP.replace("LOOP_TAIL", "self.extra = nn.Linear(n, 4)")
    assert not any(d.severity == "error" for d in check_source(uses_n, "net.py").diagnostics)


def test_file_only_libcst_reads_is_checked_whole():
    """Python 3.12's `type` statement: this Python's ast rejects the file, libcst reads it; the
    file is then parsed whole and checked as any other, one line further down."""
    source = "type Shape = tuple[int, ...]\n" + BUGGY
    with pytest.raises(SyntaxError):
        compile(source, "net.py", "exec")
    got = _whole(source)
    assert got == [(c, line + 1, col, end + 1, *rest) for c, line, col, end, *rest in _whole(BUGGY)]
