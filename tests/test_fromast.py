"""The libcst trees built from the ast (fromast.py) are libcst's own parse, less whitespace, and
their ranges are the ranges libcst gives."""
import dataclasses
import glob
import os
import textwrap

import libcst as cst
import pytest

from cnnlint import toplevel
from cnnlint.api import check_source
from cnnlint.nodes import _positions
from cnnlint.toplevel import Layout, parse_module

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sorted(glob.glob(os.path.join(HERE, "..", "fixtures", "*.py")))

# fields that hold layout only: whitespace, commas, parentheses, colons
LAYOUT_FIELDS = {"lpar", "rpar", "comma", "leading_lines", "lines_after_decorators", "header", "footer",
                 "indent", "newline", "semicolon", "equal", "colon", "dot", "trailing_whitespace",
                 "first_line", "default_indent", "default_newline", "has_trailing_newline", "encoding",
                 "start", "end", "prefix"}

SNIPPETS = textwrap.dedent('''\
    import torch.nn as nn, os.path
    from . import a as b
    from ..x.y import (c, d as e)
    from m import *
    x: int = 1; y = x
    z += 2
    del x, y
    global g
    t = (1, 2), [3, *r], {4, 5}, {"k": 1, **d}, ()
    s = x[1:2, ::3], x[(1, 2)], x[..., None], x[a, b], x[0::2]
    c = [i * j for i in range(3) if i for j in (1, 2)], {k: v for k, v in d.items()}, (q for q in z)
    f(a, *b, k=1, **kw); f(k=1, *b); g(x for x in y)
    w = lambda a, b=2, *c, d, e=3, **f: a if b else c
    v = not a and b and c or d < e <= f is not g in h
    u = -a + +b * ~c ** d // e % f @ g << h >> i & j | k ^ l
    n = f"a{b!r:>{w}}c" "plain" 'x', b"bytes"
    m = 0x1F + 1_000 + 1.5e3 + 2j
    @decorator(1)
    @other
    def fn(p, /, q: int, *, r=1, **s) -> "nn.Module":
        """doc"""
        async def inner():
            async with a as (b, c), d:
                await e
            async for i in j:
                yield i
            yield from k
        if a:
            pass
        elif b:
            return
        else:
            raise ValueError("no") from None
        for i, (j, k) in enumerate(z):
            continue
        else:
            break
        while (n := n - 1) > 0:
            assert n, "message"
        try:
            pass
        except (TypeError, ValueError) as err:
            pass
        except Exception:
            pass
        else:
            pass
        finally:
            pass
        with open(p) as fh, other():
            nonlocal q
    class Net(nn.Module, metaclass=Meta, **extra):
        def forward(self, x):
            return self.fc(x.view(x.size(0), -1))
    if __name__ == "__main__":
        Net()(torch.randn(2, 3))
    y = "é"; z = call("ü", (1, 2), a)
''')


def _layout_field(name: str) -> bool:
    return name in LAYOUT_FIELDS or "whitespace" in name


def _difference(built, parsed, path=""):
    """Where two trees differ, or None."""
    strings = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
    if isinstance(built, strings) and isinstance(parsed, strings):
        if type(built) is cst.SimpleString and type(parsed) is not cst.FormattedString:
            return None if built.evaluated_value == parsed.evaluated_value else f"{path}: string"
        return None  # an f-string with implicit concatenation: one FormattedString here
    if type(built) is not type(parsed):
        return f"{path}: {type(built).__name__} != {type(parsed).__name__}"
    if isinstance(built, (list, tuple)):
        if len(built) != len(parsed):
            return f"{path}: {len(built)} != {len(parsed)} items"
        for i, (a, b) in enumerate(zip(built, parsed)):
            found = _difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(built, cst.CSTNode):
        if type(built) is cst.FormattedStringText:
            return None
        for field in dataclasses.fields(built):
            if not _layout_field(field.name):
                found = _difference(getattr(built, field.name), getattr(parsed, field.name),
                                    f"{path}.{type(built).__name__}.{field.name}")
                if found:
                    return found
        return None
    if isinstance(built, cst.MaybeSentinel) or isinstance(parsed, cst.MaybeSentinel):
        return None
    return None if built == parsed else f"{path}: {built!r} != {parsed!r}"


def _pairs(built, parsed):
    yield built, parsed
    if isinstance(built, (list, tuple)):
        for a, b in zip(built, parsed):
            yield from _pairs(a, b)
    elif isinstance(built, cst.CSTNode) and type(built) is type(parsed):
        for field in dataclasses.fields(built):
            a = getattr(built, field.name)
            if isinstance(a, (cst.CSTNode, list, tuple)):
                yield from _pairs(a, getattr(parsed, field.name))


def _compare(source: str, name: str):
    layout = Layout(source, name)
    checked = placed = 0
    for stmt in layout.statements:
        built = stmt.resolve()
        parsed = parse_module(stmt.text()).body[0]
        assert _difference(built, parsed) is None, (name, stmt.first, _difference(built, parsed))
        reparsed = parse_module(stmt.text()).body[0]
        positions = _positions(cst.Module(body=[reparsed]), stmt.first - 1)
        for a, b in _pairs(built, reparsed):
            r = layout.ranges.get(id(a)) if isinstance(a, cst.CSTNode) else None
            theirs = positions.get(b) if r is not None else None
            if theirs is None:
                continue
            assert r == (theirs.start.line, theirs.start.column, theirs.end.line, theirs.end.column), \
                (name, type(a).__name__, layout.range_text(r))
            placed += 1
        checked += 1
    assert not layout.pieces, (name, "the builder gave up on a statement: libcst parsed it")
    return checked, placed


def test_snippets_build_as_libcst_parses_them():
    checked, placed = _compare(SNIPPETS, "snippets.py")
    assert checked == len(Layout(SNIPPETS).statements) and placed > 300
    assert all(s.parsed for s in Layout(SNIPPETS).statements) is False  # nothing parsed before use


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_fixture_trees_and_ranges_equal_libcst(path):
    with open(path, encoding="utf-8") as fh:
        checked, placed = _compare(fh.read(), path)
    assert checked > 0 and placed > 0


def test_a_statement_the_builder_does_not_know_is_parsed_by_libcst():
    source = textwrap.dedent('''\
        import torch
        import torch.nn as nn

        def pick(kind):
            match kind:
                case "small":
                    return 16
                case _:
                    return 32

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(pick("small"), 10)

            def forward(self, x):
                return self.fc(x)

        net = Net()
        y = net(torch.randn(2, 32))
    ''')
    layout = Layout(source, "net.py")
    assert layout.statements[2].resolve() is not None and layout.pieces  # libcst parsed `pick`
    assert layout.statements[3].resolve() is not None and len(layout.pieces) == 1  # Net was built
    result = check_source(source, "net.py")
    errors = [d for d in result.diagnostics if d.code == "CNN102"]
    assert len(errors) == 1 and "expects 16 input features but receives 32" in errors[0].message
    assert (errors[0].span.line, errors[0].span.column) == (14, 19)


def test_messages_quote_the_files_own_text():
    source = textwrap.dedent('''\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def forward(self, x):
                return x.view(-1,   -1)

        y = Net()(torch.randn(2, 3))
    ''')
    messages = [d.message for d in check_source(source, "net.py").diagnostics if d.code == "CNN104"]
    assert messages and "x.view(-1,   -1)" in messages[0]


def test_diagnostics_equal_those_of_libcst_parses(monkeypatch):
    """Every fixture's diagnostics, with statements built and with statements parsed."""
    for path in FIXTURES:
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        monkeypatch.setattr(toplevel, "BUILD", True)
        built = check_source(source, path).diagnostics
        monkeypatch.setattr(toplevel, "BUILD", False)
        parsed = check_source(source, path).diagnostics
        assert built == parsed, path


def test_an_f_string_evaluates_to_what_python_makes_of_it():
    """`f"conv{{0}}\\t"` is the text `conv{0}` and a tab: the ModuleDict key the forward uses."""
    source = textwrap.dedent('''\
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleDict({f"conv{{0}}\\t": nn.Conv2d(3, 8, 3)})
                self.fc = nn.Linear(8 * 30 * 30, 10)

            def forward(self, x):
                x = self.layers["conv{0}\\t"](x)
                return self.fc(x.flatten(1))

        y = Net()(torch.randn(2, 3, 32, 32))
    ''')
    from cnnlint.api import Settings

    result = check_source(source, "net.py", Settings(shapes=True))
    assert not result.diagnostics
    (trace,) = result.models
    assert [(row.name, row.output) for row in trace.layers if row.type == "Conv2d"] == [("layers.conv{0}\t", (2, 8, 30, 30))]
    assert trace.output == (2, 10)
