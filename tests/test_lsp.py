"""`cnnlint lsp` end to end with a real LSP client (pytest-lsp): diagnostics on open, change and
save, cleared on close, quick fixes (the diagnostic's fix and `# noqa`), and UTF-16 positions on
lines with non-ASCII text. Also the position conversions on their own, and that plain cnnlint
never imports pygls."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cnnlint.lsp import from_client, noqa_edit, to_client, units

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

# A comment with characters outside the BMP and non-ASCII ones before the diagnostic's column
# on the same line: the code-point column and the UTF-16 character differ there.
BUGGY = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 16, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            ñ = "😀😀"; self.fc = nn.Linear(16 * 8 * 8, 10)

        def forward(self, x):
            x = self.pool(self.conv(x))
            x = x.view(x.size(0), -1)
            return self.fc(x)


    if __name__ == "__main__":
        import torch
        net = Net()
        x = torch.randn(2, 3, 32, 32)
        net(x)
    """)
FIXED = BUGGY.replace("16 * 8 * 8", "16 * 16 * 16")
BUG_LINE = 8  # 0-based line of the Linear
LINE_TEXT = BUGGY.splitlines()[BUG_LINE]


# pure position helpers -------------------------------------------------------------------------
def test_units_count_utf16_code_units():
    assert units("abc") == 3
    assert units("ñ") == 1
    assert units("😀") == 2
    assert units("😀", "utf-8") == 4 and units("😀", "utf-32") == 1


def test_to_and_from_client_roundtrip_on_non_ascii_line():
    lines = ["x = '😀é'; y = 1"]
    col = lines[0].index("y") + 1  # 1-based code points
    line, ch = to_client(lines, 1, col)
    assert (line, ch) == (0, col - 1 + 1)  # one extra unit for the astral emoji
    assert from_client(lines, line, ch) == (1, col)
    assert to_client(lines, 1, col, "utf-32") == (0, col - 1)


def test_noqa_edit_appends_or_extends():
    assert noqa_edit(["x = 1"], 1, "CNN102") == (1, 6, "  # noqa: CNN102")
    assert noqa_edit(["x = 1  # noqa: CNN101"], 1, "CNN102") == (1, 22, ", CNN102")
    assert noqa_edit(["x = 1  # noqa"], 1, "CNN102") is None


def test_plain_cnnlint_does_not_import_pygls(tmp_path):
    f = tmp_path / "m.py"
    f.write_text(BUGGY)
    code = ("import sys\nfrom cnnlint.cli import main\n"
            f"rc = main(['check', {str(f)!r}, '--format', 'json', '-o', {str(tmp_path / 'o.json')!r}])\n"
            "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules, sorted(sys.modules)\n"
            "print(rc)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "1"


# the real server ------------------------------------------------------------------------------
@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cnnlint", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(t.InitializeParams(capabilities=t.ClientCapabilities(),
                                                           root_uri=None))
    yield
    await lsp_client.shutdown_session()


async def _wait(client: LanguageClient, uri: str):
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics.get(uri, [])


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.asyncio
async def test_lsp_end_to_end(client: LanguageClient, tmp_path):
    path = tmp_path / "net.py"
    path.write_text(BUGGY, encoding="utf-8")
    uri = path.as_uri()

    # open: the CNN102 diagnostic, at the UTF-16 position of `nn.Linear(`
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id="python", version=1, text=BUGGY)))
    diags = await _wait(client, uri)
    cnn102 = [d for d in diags if d.code == "CNN102"]
    assert len(cnn102) == 1, diags
    d = cnn102[0]
    assert d.source == "cnnlint"
    assert d.severity == t.DiagnosticSeverity.Error
    assert "1024" in d.message and "4096" in d.message
    start_cp = LINE_TEXT.index("nn.Linear")
    assert d.range.start.line == BUG_LINE
    assert d.range.start.character == _utf16(LINE_TEXT[:start_cp])
    assert d.range.start.character == start_cp + 2  # two emoji: one extra UTF-16 unit each
    assert d.range.end.character == _utf16(LINE_TEXT)  # the call ends the line

    # code actions: the fix, and a noqa insertion
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), range=d.range,
        context=t.CodeActionContext(diagnostics=[d])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if "noqa" not in a.title)
    noqa = next(a for a in actions if "noqa" in a.title)
    assert fix.kind == t.CodeActionKind.QuickFix, titles
    edits = fix.edit.changes[uri]
    fixed_line = _apply(LINE_TEXT, edits)
    assert fixed_line == FIXED.splitlines()[BUG_LINE], (fixed_line, edits)
    assert _apply(LINE_TEXT, noqa.edit.changes[uri]) == LINE_TEXT + "  # noqa: CNN102"

    # change: the fixed text clears the error
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=FIXED)]))
    diags = await _wait(client, uri)
    assert not [d for d in diags if d.severity == t.DiagnosticSeverity.Error], diags

    # change back with a noqa comment: the error stays suppressed
    with_noqa = BUGGY.replace("16 * 8 * 8, 10)", "16 * 8 * 8, 10)  # noqa: CNN102")
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=with_noqa)]))
    diags = await _wait(client, uri)
    assert not [d for d in diags if d.code == "CNN102"], diags

    # save (the buggy text again, changed then saved): diagnostics are published again
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=4),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=BUGGY)]))
    await _wait(client, uri)
    client.text_document_did_save(t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    diags = await _wait(client, uri)
    assert [d.code for d in diags if d.code == "CNN102"] == ["CNN102"]

    # close: cleared
    client.text_document_did_close(t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri)))
    diags = await _wait(client, uri)
    assert list(diags) == []


def _apply(line: str, edits) -> str:
    """Apply single-line LSP TextEdits (UTF-16 characters) to a line."""
    def cp(ch: int) -> int:  # UTF-16 character -> code-point index
        count = 0
        for i, c in enumerate(line):
            if count >= ch:
                return i
            count += _utf16(c)
        return len(line)

    for e in sorted(edits, key=lambda e: e.range.start.character, reverse=True):
        assert e.range.start.line == e.range.end.line == BUG_LINE
        a, b = cp(e.range.start.character), cp(e.range.end.character)
        line = line[:a] + e.new_text + line[b:]
    return line


@pytest.mark.asyncio
async def test_lsp_limit_notes_are_hints(client: LanguageClient, tmp_path):
    # CNN401 (cnnlint cannot follow `helper`) is a note about cnnlint's limits: a hint, kept
    # out of the way; CNN301 (the input sizes this model accepts) stays information
    text = textwrap.dedent("""\
        import torch.nn as nn
        from elsewhere import helper


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 16, 3, padding=1)
                self.pool = nn.MaxPool2d(2)
                self.fc = nn.Linear(16 * 8 * 8, 10)

            def forward(self, x):
                x = self.pool(self.conv(x))
                y = helper(x)
                return self.fc(x.flatten(1))
        """)
    path = tmp_path / "notes.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    diags = await _wait(client, uri)
    severities = {d.code: d.severity for d in diags}
    assert severities.get("CNN401") == t.DiagnosticSeverity.Hint, diags
    assert severities.get("CNN301") == t.DiagnosticSeverity.Information, diags
