"""The language server's notebook documents (LSP 3.17 notebook sync): notebookDocument/didOpen,
didChange, didSave and didClose for Jupyter notebooks with Python cells.

pygls keeps each open notebook (its cells in order, and each cell's text document) in its
workspace; on every notification this module takes a snapshot of it (lsp_notebooks.Cell: uri,
kind, text, language), analyses it once per version of the cells (lsp_notebooks.open_notebook,
kept in the session) and publishes textDocument/publishDiagnostics for every Python cell, empty
for a clean one, and empty for a cell that had diagnostics and is gone. Closing the notebook
clears its cells. An internal error is logged, never sent as a traceback. lsp.py registers it.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set
from urllib.parse import unquote

from lsprotocol import types as t

from cnnlint.lsp_analysis import Session
from cnnlint.lsp_notebooks import CODE, MARKUP, Cell, open_notebook

JUPYTER = "jupyter-notebook"
SYNC = t.NotebookDocumentSyncOptions(
    notebook_selector=[t.NotebookDocumentFilterWithCells(
        notebook=JUPYTER, cells=[t.NotebookCellLanguage(language="python")])],
    save=True)


def notebook_path(uri: str) -> str:
    """The file a notebook's uri names (its configuration applies), or the uri itself."""
    if not uri.startswith("file:"):
        return uri
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def register_notebooks(server, session: Session, send: Callable[..., None]) -> Callable[..., None]:
    """Add the notebook handlers to ``server``; returns publish(notebook_uri, again=False).
    ``send(uri, diagnostics, text, version)`` publishes one document's diagnostics (lsp.py)."""
    sent: Dict[str, Set[str]] = {}  # notebook uri -> the cell uris last published

    def log(message: str) -> None:
        server.window_log_message(t.LogMessageParams(t.MessageType.Error, f"cnnlint: {message}"))

    def snapshot(uri: str):
        """(version, cells) of the open notebook, or None when pygls does not know it."""
        notebook = server.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is None:
            return None
        texts = server.workspace.text_documents
        cells: List[Cell] = []
        for cell in notebook.cells or ():
            doc = texts.get(unquote(cell.document))
            kind = CODE if cell.kind == t.NotebookCellKind.Code else MARKUP
            text = doc.source if doc is not None else ""
            language = (doc.language_id if doc is not None else None) or ("python" if kind == CODE else "markdown")
            cells.append(Cell(cell.document, kind, text, language))
        return notebook.version, tuple(cells)

    def publish(uri: str, again: bool = False) -> None:
        try:
            taken = snapshot(uri)
            if taken is None:
                return
            version, cells = taken
            known = session.notebooks.get(uri)
            if again or known is None or known.cells != cells:
                known = open_notebook(uri, notebook_path(uri), version, cells, session.specs())
                session.notebooks[uri] = known
            texts = {c.uri: c.text for c in known.cells}
            for cell_uri, diagnostics in known.diagnostics.items():
                send(cell_uri, diagnostics, texts.get(cell_uri, ""))
            for gone in sent.get(uri, set()) - set(known.diagnostics):
                send(gone, (), "")
            sent[uri] = set(known.diagnostics)
        except Exception as e:  # pragma: no cover - a bug; the log says which
            log(f"internal error analysing notebook {uri}: {type(e).__name__}: {e}")

    def close(uri: str, cell_uris: Optional[List[str]] = None) -> None:
        known = session.notebooks.pop(uri, None)
        cleared = set(sent.pop(uri, set())) | set(cell_uris or ())
        if known is not None:
            cleared |= {c.uri for c in known.cells if c.kind == CODE}
        for cell_uri in sorted(cleared):
            send(cell_uri, (), "")

    @server.feature(t.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(ls, params: t.DidOpenNotebookDocumentParams):
        publish(params.notebook_document.uri)

    @server.feature(t.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: t.DidChangeNotebookDocumentParams):
        publish(params.notebook_document.uri)

    @server.feature(t.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(ls, params: t.DidSaveNotebookDocumentParams):
        publish(params.notebook_document.uri)

    @server.feature(t.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: t.DidCloseNotebookDocumentParams):
        try:
            close(params.notebook_document.uri, [c.uri for c in params.cell_text_documents or ()])
        except Exception as e:  # pragma: no cover - a bug; the log says which
            log(f"internal error closing notebook {params.notebook_document.uri}: {type(e).__name__}: {e}")

    return publish
