"""`cnnlint lsp` driven by a real LSP client (pytest-lsp) over stdio: open an acceptance model,
hover, inlay hints, code lens and its command, an input shape set by command, an edit, and the
settings that turn hints off. Every shape is PyTorch's, from running the same model on the meta
device (tests/shape_oracle.py). The same functions are tested without a client in
tests/test_lsp_shapes.py."""
from __future__ import annotations

import os
import re
import sys

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed: pip install pytest-lsp")
torch = pytest.importorskip("torch")
from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from shape_oracle import run as torch_run  # noqa: E402

MODELS = "/work/shared/acceptance/models"
SEED = os.path.join(MODELS, "seed004_simplecnn.py")
pytestmark = pytest.mark.skipif(not os.path.exists(SEED), reason=f"{SEED} is not here")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cnnlint", "lsp"]))
async def client(lsp_client: LanguageClient):
    lsp_client.refreshed = []

    @lsp_client.feature(t.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_refresh(params):
        lsp_client.refreshed.append("inlay hints")

    @lsp_client.feature(t.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(params):
        lsp_client.refreshed.append("code lens")

    capabilities = t.ClientCapabilities(workspace=t.WorkspaceClientCapabilities(
        inlay_hint=t.InlayHintWorkspaceClientCapabilities(refresh_support=True),
        code_lens=t.CodeLensWorkspaceClientCapabilities(refresh_support=True)))
    await lsp_client.initialize_session(t.InitializeParams(capabilities=capabilities, root_uri=None,
                                                           initialization_options={"cnnlint": {"hover": True}}))
    yield
    await lsp_client.shutdown_session()


def _fmt(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


async def _open(client: LanguageClient, tmp_path, text: str, name: str = "simplecnn.py") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def _hover(client: LanguageClient, uri: str, line: int, character: int) -> str:
    result = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line, character)))
    if result is None:
        return ""
    value = result.contents.value
    assert value.startswith("```text\n") and value.endswith("\n```")
    return value[len("```text\n"):-len("\n```")]


async def _hints(client: LanguageClient, uri: str, lines: int):
    return await client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=t.Range(t.Position(0, 0), t.Position(lines, 0))))


def _where(text: str, needle: str, offset: int = 0):
    """0-based (line, character) of ``needle``'s first occurrence, plus ``offset``."""
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return i, line.index(needle) + offset
    raise AssertionError(needle)


@pytest.mark.asyncio
async def test_session_hover_hints_lens_command_and_edit(client: LanguageClient, tmp_path):
    with open(SEED, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.splitlines()
    uri = await _open(client, tmp_path, text)
    oracle = torch_run(SEED, "SimpleCNN()", (2, 3, 32, 32))

    # no input shape anywhere: symbolic sizes, as cnnlint writes them
    line, ch = _where(text, "x = self.pool(x)")
    assert (await _hover(client, uri, line, ch)).splitlines()[0] == "x: [N, 18, floor(H/2), floor(W/2)]"

    # an editor command sets the input: the documents are analysed again, and every shape is PyTorch's
    answer = await client.workspace_execute_command_async(t.ExecuteCommandParams(
        command="cnnlint.setInputShape", arguments=["SimpleCNN", "2,3,32,32"]))
    assert "SimpleCNN" in answer  # (the diagnostics of the new analysis came before the answer)
    assert client.refreshed == ["inlay hints", "code lens"]  # the client is asked to fetch them again
    hints = await _hints(client, uri, len(lines))
    assert hints, "inlay hints after the assignments of forward"
    for hint in hints:
        number = hint.position.line + 1
        assert hint.position.character == len(lines[hint.position.line].rstrip())  # after the statement
        assert hint.label == _fmt(next(iter(oracle.after(number, "x")))), (number, hint.label)
    assert {h.position.line + 1 for h in hints} == {n for n in oracle.lines if "x = " in lines[n - 1]}
    line, ch = _where(text, "x = self.pool(x)")
    hover = await _hover(client, uri, line, ch)
    assert hover.splitlines()[0] == f"x: {_fmt(next(iter(oracle.after(line + 1, 'x'))))}"
    assert "pool: (32 + 2*0 - 2) // 2 + 1 = 16" in hover
    line, ch = _where(text, "self.fc1(x)", len("self.f"))
    inputs, outputs, params = oracle.modules["fc1"]
    assert await _hover(client, uri, line, ch) == \
        f"self.fc1: Linear {_fmt(next(iter(inputs)))} -> {_fmt(next(iter(outputs)))}, {params:,} params"
    line, ch = _where(text, "class SimpleCNN", len("class Si"))
    summary = await _hover(client, uri, line, ch)
    assert summary.splitlines()[0] == f"SimpleCNN: output {_fmt(oracle.output)}"
    assert f"{oracle.params:,} params" in summary

    # code lens over the class, and its command: the shapes table
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(t.TextDocumentIdentifier(uri=uri)))
    (lens,) = lenses
    assert lens.range.start.line == _where(text, "class SimpleCNN")[0]
    assert lens.command.title == f"shapes: {oracle.params:,} params, {_fmt(oracle.output)}"
    table = await client.workspace_execute_command_async(t.ExecuteCommandParams(
        command=lens.command.command, arguments=lens.command.arguments))
    assert f"Total params: {oracle.params:,}" in table and "SimpleCNN" in table
    assert any(m.message == table for m in client.messages)  # shown with window/showMessage

    # an edit: conv1 now gives 8 channels, and PyTorch's view(-1, 18 * 16 * 16) fails
    edited = text.replace("Conv2d(3, 18,", "Conv2d(3, 8,")
    edited_path = tmp_path / "edited.py"
    edited_path.write_text(edited, encoding="utf-8")
    broken = torch_run(str(edited_path), "SimpleCNN()", (2, 3, 32, 32))
    assert broken.error is not None
    await _change(client, uri, 2, edited)
    line, ch = _where(edited, "x = F.relu(self.conv1(x))")
    assert (await _hover(client, uri, line, ch)).splitlines()[0] == \
        f"x: {_fmt(next(iter(broken.after(line + 1, 'x'))))}"
    diags = client.diagnostics.get(uri, [])
    errors = [d for d in diags if d.severity == t.DiagnosticSeverity.Error]
    fails = _where(edited, "x = x.view(-1, 18 * 16 * 16)")[0]
    assert [(d.code, d.range.start.line) for d in errors] == [("CNN104", fails)]
    assert not broken.after(fails + 1, "x")  # PyTorch never finished that statement
    hints = {h.position.line: h.label for h in await _hints(client, uri, len(lines))}
    assert hints[line] == _fmt(next(iter(broken.after(line + 1, "x"))))
    assert hints[fails].endswith("✗ CNN104")

    # the setting turns inlay hints off
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams(
        settings={"cnnlint": {"inlayHints": False}}))
    assert not await _hints(client, uri, len(lines))
    assert (await _hover(client, uri, line, ch)).startswith("x: ")  # hover stays


@pytest.mark.asyncio
async def test_session_bad_input_never_fails(client: LanguageClient, tmp_path):
    uri = await _open(client, tmp_path, "def broken(:\n", "broken.py")
    assert await _hover(client, uri, 0, 3) == ""
    assert not await _hints(client, uri, 1)
    assert not await client.text_document_code_lens_async(t.CodeLensParams(t.TextDocumentIdentifier(uri=uri)))
    answer = await client.workspace_execute_command_async(t.ExecuteCommandParams(
        command="cnnlint.setInputShape", arguments=["Net", "three,by,-1"]))
    assert answer.startswith("cnnlint.setInputShape:")
    answer = await client.workspace_execute_command_async(t.ExecuteCommandParams(
        command="cnnlint.shapes", arguments=["file:///not/open.py"]))
    assert "open document" in answer
    # a hover past the end of the document
    assert await _hover(client, uri, 40, 200) == ""
    with open(os.path.join(MODELS, "seed002_m.py"), encoding="utf-8") as fh:
        text = fh.read()
    uri = await _open(client, tmp_path, text, "m.py")
    # the pragma gives the input, as on the command line
    with_pragma = text.replace("class M(nn.Module):", "class M(nn.Module):  # cnnlint: input-shape=3,1,28,28")
    await _change(client, uri, 2, with_pragma)
    line, ch = _where(with_pragma, "x = self.fc2(x)")
    assert (await _hover(client, uri, line, ch)) == "x: [3, 10]"
    assert re.search(r"M: output \[3, 10\]", await _hover(client, uri, *_where(with_pragma, "class M(", 6)))
