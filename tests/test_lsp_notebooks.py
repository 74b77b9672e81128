"""Notebook documents in `cnnlint lsp` (notebookDocument/*): a pytest-lsp client opens a Jupyter
notebook of four cells (markdown; imports with a magic; a model with a wrong nn.Linear; a cell
that feeds it), gets the error on the model cell at its position within the cell, fixes it with a
cell edit, adds and removes a cell, and closes the notebook. PyTorch runs the cells' code to
confirm the error and the fix. The mapping functions (lsp_notebooks.py) are tested directly."""
from __future__ import annotations

import asyncio
import json
import sys

import pytest

from cnnlint.diagnostics import Diagnostic, Edit, Fix, Span
from cnnlint.lsp_analysis import Session
from cnnlint.lsp_notebooks import CODE, MARKUP, Cell, View, checked_source, combine, open_notebook, per_cell, view
from cnnlint.notebook import read_notebook

MARKDOWN = "# Digits\nA small CNN for 28x28 images."
IMPORTS = "import torch\nfrom torch import nn\n%matplotlib inline\n"
MODEL = ("net = nn.Sequential(\n"
         "    nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),\n"
         "    nn.MaxPool2d(2),\n"
         "    nn.Flatten(),\n"
         "    nn.Linear(16 * 7 * 7, 10))\n")
FIXED = MODEL.replace("16 * 7 * 7", "16 * 14 * 14")
FEED = "X = torch.rand(size=(2, 1, 28, 28))\ny = net(X)\nprint(y.shape)\n"
BAD_LINE, BAD_COLUMN = 4, 4  # 0-based: `nn.Linear(...)` in the model cell


def _cells(model: str = MODEL, feed: str = FEED):
    return [Cell("cell:1", MARKUP, MARKDOWN, "markdown"), Cell("cell:2", CODE, IMPORTS),
            Cell("cell:3", CODE, model), Cell("cell:4", CODE, feed)]


def _run_in_torch(*cells: str):
    """Run the cells' code as Jupyter would (the magic line left out); PyTorch's error or None."""
    torch = pytest.importorskip("torch")
    code = "".join(line for c in cells for line in c.splitlines(True) if not line.lstrip().startswith("%"))
    try:
        exec(compile(code, "<notebook>", "exec"), {"torch": torch})
    except RuntimeError as e:
        return str(e)
    return None


# the mapping, without a client --------------------------------------------------------------
def test_combine_reads_cells_as_read_notebook_reads_json():
    cells = _cells()
    doc = {"cells": [{"cell_type": "markdown", "source": MARKDOWN}] +
                    [{"cell_type": "code", "source": c.text} for c in cells[1:]],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert combine(cells) == read_notebook(json.dumps(doc))
    nb = combine(cells)
    assert [c.index for c in nb.cells] == [2, 3, 4] and [c.start for c in nb.cells] == [1, 4, 9]
    assert "pass\n" in nb.source and "%matplotlib" not in nb.source


def test_combine_leaves_out_cells_of_other_languages():
    cells = [Cell("a", CODE, "SELECT 1", "sql"), Cell("b", CODE, "x = 1\n")]
    nb = combine(cells)
    assert [c.index for c in nb.cells] == [2] and nb.source == "x = 1\n"


def test_a_cell_that_does_not_parse_is_blank_and_reported_in_itself():
    nb = combine([Cell("a", CODE, "x = 1\n"), Cell("b", CODE, "y = (1,\nz = 2\n"), Cell("c", CODE, "w = 3")])
    source, errors = checked_source(nb)
    assert source == "x = 1\n\n\nw = 3\n"  # every cell keeps its line count
    assert len(errors) == 1 and errors[0].cell == 2 and errors[0].code == "CNN001"
    assert errors[0].span.line == 1 and "never closed" in errors[0].message


def test_per_cell_places_positions_within_cells_and_drops_a_fix_that_leaves_its_cell():
    cells = _cells()
    nb = combine(cells)
    inside = Diagnostic("nb", Span(8, 5, 8, 30), "CNN102", "error", "m",
                        fix=Fix("d", (Edit(Span(8, 20, 8, 21), "14"),)))
    across = Diagnostic("nb", Span(10, 5, 10, 8), "CNN102", "error", "m",
                        fix=Fix("d", (Edit(Span(5, 1, 5, 2), "x"),)))
    out = per_cell([inside, across], nb, cells)
    assert set(out) == {"cell:2", "cell:3", "cell:4"} and out["cell:2"] == ()
    (d3,), (d4,) = out["cell:3"], out["cell:4"]
    assert d3.span == Span(5, 5, 5, 30) and d3.fix.edits[0].span == Span(5, 20, 5, 21)
    assert d4.span == Span(2, 5, 2, 8) and d4.fix is None


def test_view_maps_cell_lines_to_the_source_and_back():
    session = Session()
    notebook = open_notebook("nb", "/nonexistent/nb.ipynb", 1, _cells(FIXED))
    session.notebooks["nb"] = notebook
    v = view(session, "cell:4")
    assert isinstance(v, View) and v.offset == 8 and v.count == 3 and v.lines[1] == "y = net(X)"
    assert v.to_source(2) == 10 and v.from_source(10) == 2
    assert v.from_source(8) is None and v.from_source(12) is None
    assert view(session, "cell:1") is None and view(session, "elsewhere") is None
    assert notebook.code_cell("cell:3").start == 4
    assert session.uris() == ("nb",)  # what a new input shape analyses again


def test_open_notebook_finds_the_error_across_cells():
    notebook = open_notebook("nb", "/nonexistent/nb.ipynb", 1, _cells())
    (d,) = notebook.diagnostics["cell:3"]
    assert (d.code, d.severity, d.span.line - 1, d.span.column - 1) == ("CNN102", "error", BAD_LINE, BAD_COLUMN)
    assert notebook.diagnostics["cell:2"] == () and notebook.diagnostics["cell:4"] == ()
    assert open_notebook("nb", "/nonexistent/nb.ipynb", 2, _cells(FIXED)).diagnostics["cell:3"] == ()


def test_pytorch_agrees():
    error = _run_in_torch(IMPORTS, MODEL, FEED)
    assert error is not None and "2x3136 and 784x10" in error
    assert _run_in_torch(IMPORTS, FIXED, FEED) is None


# a client session -----------------------------------------------------------------------------
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed: pip install pytest-lsp")
from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "cnnlint", "lsp"]))
async def client(lsp_client: LanguageClient):
    lsp_client.published = []
    lsp_client.diagnostics = _Recorded(lsp_client.published)  # pytest-lsp stores each publication here

    capabilities = t.ClientCapabilities(notebook_document=t.NotebookDocumentClientCapabilities(
        synchronization=t.NotebookDocumentSyncClientCapabilities()))
    result = await lsp_client.initialize_session(t.InitializeParams(capabilities=capabilities, root_uri=None))
    lsp_client.sync = result.capabilities.notebook_document_sync
    yield
    await lsp_client.shutdown_session()


class _Recorded(dict):
    """client.diagnostics that also keeps every publication, in order: (uri, diagnostics)."""

    def __init__(self, log: list):
        super().__init__()
        self.log = log

    def __setitem__(self, uri, diagnostics):
        self.log.append((uri, diagnostics))
        super().__setitem__(uri, diagnostics)


async def _published(client: LanguageClient, since: int, uris) -> dict:
    """uri -> the diagnostics last published for it after the ``since``-th publication, once
    every one of ``uris`` has had one."""
    for _ in range(1200):
        after = client.published[since:]
        if set(uris) <= {uri for uri, _ in after}:
            return {uri: list(found) for uri, found in after}
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics for {set(uris) - {uri for uri, _ in client.published[since:]}}")


def _items(uri: str, cells):
    items = [t.TextDocumentItem(uri=f"{uri}#cell{i}", language_id="markdown" if c.kind == MARKUP else "python",
                                version=1, text=c.text) for i, c in enumerate(cells, 1)]
    kinds = [t.NotebookCell(kind=t.NotebookCellKind.Markup if c.kind == MARKUP else t.NotebookCellKind.Code,
                            document=item.uri) for c, item in zip(cells, items)]
    return items, kinds


async def _open(client: LanguageClient, tmp_path, cells) -> tuple:
    uri = (tmp_path / "digits.ipynb").as_uri()
    items, kinds = _items(uri, cells)
    since = len(client.published)
    client.notebook_document_did_open(t.DidOpenNotebookDocumentParams(
        notebook_document=t.NotebookDocument(uri=uri, notebook_type="jupyter-notebook", version=1, cells=kinds),
        cell_text_documents=items))
    code = [i.uri for i, c in zip(items, cells) if c.kind == CODE]
    return uri, [i.uri for i in items], await _published(client, since, code)


def _edit_cell(client: LanguageClient, uri: str, version: int, cell_uri: str, text: str) -> None:
    client.notebook_document_did_change(t.DidChangeNotebookDocumentParams(
        notebook_document=t.VersionedNotebookDocumentIdentifier(uri=uri, version=version),
        change=t.NotebookDocumentChangeEvent(cells=t.NotebookDocumentCellChanges(text_content=[
            t.NotebookDocumentCellContentChanges(
                document=t.VersionedTextDocumentIdentifier(uri=cell_uri, version=version),
                changes=[t.TextDocumentContentChangeWholeDocument(text=text)])]))))


def _structure(client: LanguageClient, uri: str, version: int, start: int, delete: int,
               added=(), removed=()) -> None:
    client.notebook_document_did_change(t.DidChangeNotebookDocumentParams(
        notebook_document=t.VersionedNotebookDocumentIdentifier(uri=uri, version=version),
        change=t.NotebookDocumentChangeEvent(cells=t.NotebookDocumentCellChanges(
            structure=t.NotebookDocumentCellChangeStructure(
                array=t.NotebookCellArrayChange(start=start, delete_count=delete,
                                                cells=[t.NotebookCell(kind=t.NotebookCellKind.Code, document=i.uri)
                                                       for i in added]),
                did_open=list(added), did_close=[t.TextDocumentIdentifier(uri=u) for u in removed])))))


@pytest.mark.asyncio
async def test_the_server_declares_notebook_sync(client: LanguageClient):
    (selector,) = client.sync.notebook_selector
    assert selector.notebook == "jupyter-notebook" and [c.language for c in selector.cells] == ["python"]


@pytest.mark.asyncio
async def test_the_error_is_on_the_model_cell_and_a_cell_edit_clears_it(client: LanguageClient, tmp_path):
    torch_error = _run_in_torch(IMPORTS, MODEL, FEED)
    assert torch_error is not None and "2x3136 and 784x10" in torch_error
    uri, cell_uris, published = await _open(client, tmp_path, _cells())
    assert cell_uris[0] not in published  # a markdown cell gets nothing
    assert published[cell_uris[1]] == [] and published[cell_uris[3]] == []
    (d,) = published[cell_uris[2]]
    assert d.code == "CNN102" and d.severity == t.DiagnosticSeverity.Error and d.source == "cnnlint"
    assert (d.range.start.line, d.range.start.character) == (BAD_LINE, BAD_COLUMN)
    assert "784" in d.message and "3136" in d.message  # PyTorch: (2x3136 and 784x10)

    # the quick fix's edits are within the model cell, and PyTorch runs the mended cell
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[2]), range=d.range,
        context=t.CodeActionContext(diagnostics=[d])))
    fixes = [a for a in actions if a.edit and "noqa" not in a.title]
    assert fixes and set(fixes[0].edit.changes) == {cell_uris[2]}
    mended = _apply(MODEL, fixes[0].edit.changes[cell_uris[2]])
    assert _run_in_torch(IMPORTS, mended, FEED) is None

    assert _run_in_torch(IMPORTS, FIXED, FEED) is None
    since = len(client.published)
    _edit_cell(client, uri, 2, cell_uris[2], FIXED)
    published = await _published(client, since, cell_uris[1:])
    assert all(published[u] == [] for u in cell_uris[1:])

    # hover, inlay hints and code lens in cells answer from the notebook's analysis (PyTorch's values)
    net, y = _torch_values(IMPORTS, FIXED, FEED)
    params = sum(p.numel() for p in net.parameters())
    hover = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[2]), position=t.Position(0, 1)))
    assert hover is not None and f"net: output {_fmt(y.shape)}" in hover.contents.value
    assert f"{params:,} params" in hover.contents.value
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[3]), range=t.Range(t.Position(0, 0), t.Position(3, 0))))
    assert [(h.position.line, h.label) for h in hints] == [(0, "[2, 1, 28, 28]"), (1, _fmt(y.shape))]
    assert hints[1].position.character == len("y = net(X)")
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[2])))
    assert [(lens.range.start.line, lens.command.title) for lens in lenses] == [
        (0, f"shapes: {params:,} params, {_fmt(y.shape)}")]
    assert not await client.text_document_code_lens_async(t.CodeLensParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[3])))


def _fmt(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _torch_values(*cells: str):
    torch = pytest.importorskip("torch")
    scope = {"torch": torch}
    exec(compile("".join(line for c in cells for line in c.splitlines(True) if not line.startswith("%")),
                 "<notebook>", "exec"), scope)
    return scope["net"], scope["y"]


def _apply(text: str, edits) -> str:
    lines = text.splitlines(True)
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        s, f = e.range.start, e.range.end
        assert s.line == f.line
        line = lines[s.line]
        lines[s.line] = line[:s.character] + e.new_text + line[f.character:]
    return "".join(lines)


@pytest.mark.asyncio
async def test_a_cell_added_or_removed_keeps_positions_within_cells(client: LanguageClient, tmp_path):
    uri, cell_uris, published = await _open(client, tmp_path, _cells())
    before = published[cell_uris[2]][0].range
    added = t.TextDocumentItem(uri=f"{uri}#added", language_id="python", version=1,
                               text="batch = 2\nchannels = 1\n\n")
    since = len(client.published)
    _structure(client, uri, 2, 2, 0, added=[added])  # before the model cell
    published = await _published(client, since, [cell_uris[1], added.uri, cell_uris[2], cell_uris[3]])
    assert published[added.uri] == [] and published[cell_uris[2]][0].range == before

    since = len(client.published)
    _structure(client, uri, 3, 2, 1, removed=[added.uri])
    published = await _published(client, since, [cell_uris[1], cell_uris[2], cell_uris[3]])
    assert published[cell_uris[2]][0].range == before

    # the feeding cell removed: no input, so the error it gave is gone
    since = len(client.published)
    _structure(client, uri, 4, 3, 1, removed=[cell_uris[3]])
    published = await _published(client, since, [cell_uris[2], cell_uris[3]])
    assert published[cell_uris[3]] == []
    assert all(d.code != "CNN102" for d in published[cell_uris[2]])


@pytest.mark.asyncio
async def test_a_cell_that_does_not_parse_leaves_the_others_checked(client: LanguageClient, tmp_path):
    cells = _cells() + [Cell("cell:5", CODE, "print(y.shape\n")]
    uri, cell_uris, published = await _open(client, tmp_path, cells)
    (error,) = published[cell_uris[4]]
    assert error.code == "CNN001" and error.range.start.line == 0 and "cell 5" in error.message
    assert [d.code for d in published[cell_uris[2]]] == ["CNN102"]


@pytest.mark.asyncio
async def test_closing_clears_the_cells(client: LanguageClient, tmp_path):
    uri, cell_uris, published = await _open(client, tmp_path, _cells())
    (d,) = published[cell_uris[2]]
    since = len(client.published)
    client.notebook_document_did_save(t.DidSaveNotebookDocumentParams(
        notebook_document=t.NotebookDocumentIdentifier(uri=uri)))
    assert (await _published(client, since, [cell_uris[2]]))[cell_uris[2]] == [d]
    since = len(client.published)
    client.notebook_document_did_close(t.DidCloseNotebookDocumentParams(
        notebook_document=t.NotebookDocumentIdentifier(uri=uri),
        cell_text_documents=[t.TextDocumentIdentifier(uri=u) for u in cell_uris]))
    published = await _published(client, since, [cell_uris[2]])
    assert published[cell_uris[2]] == []
    hover = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uris[3]), position=t.Position(1, 0)))
    assert hover is None
