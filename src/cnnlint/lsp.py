"""`cnnlint lsp`: a language server over stdio (the optional extra: ``pip install 'cnnlint[lsp]'``).

It publishes cnnlint's diagnostics when a Python document is opened, changed or saved, clears
them when it is closed, and offers quick fixes: the diagnostic's own fix (its edits) and a
``# noqa: CODE`` comment. The shapes (hover, inlay hints, code lens and the commands
``cnnlint.shapes`` and ``cnnlint.setInputShape``) are in lsp_features.py; both answer from the
one analysis a document version gets (lsp_analysis.Session). pygls is imported only when the
server starts, so plain cnnlint never imports it.

A notebook (notebookDocument/*, LSP 3.17 notebook sync for "jupyter-notebook" with Python
cells) is one more kind of document for the session: its code cells analysed as one source (as
`cnnlint check nb.ipynb` reads them), diagnostics published per cell uri at positions within the
cell (lsp_notebook_sync.py, lsp_notebooks.py).

Positions: cnnlint's columns count code points (1-based); LSP counts UTF-16 code units unless
the client and server agree on another encoding (0-based). Every column crosses that boundary
through ``to_client`` / ``from_client`` (lsp_positions.py).
"""
from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

# the position helpers live in lsp_positions.py (shared with lsp_features.py); named here too
from cnnlint.lsp_positions import UTF16, from_client, lines_of as _lines, to_client, units  # noqa: F401

SOURCE = "cnnlint"


# checking ------------------------------------------------------------------------------------
def check_document(source: str, path: str):
    """The diagnostics for a document's text, under the configuration of its file's folder."""
    from cnnlint.api import check_source
    from cnnlint.lsp_analysis import settings_for_document

    settings = settings_for_document(path)
    if settings is None:
        return ()
    try:
        return check_source(source, path, settings).diagnostics
    except RecursionError:
        return ()


def noqa_edit(lines: Sequence[str], line: int, code: str) -> Optional[Tuple[int, int, str]]:
    """(1-based line, 1-based column, text) to insert for ``# noqa: CODE`` on ``line``."""
    from cnnlint.suppress import noqa_edit_text

    if not 1 <= line <= len(lines):
        return None
    col, text = noqa_edit_text(lines[line - 1], code)
    if not text:
        return None
    return line, col + 1, text


# the server ----------------------------------------------------------------------------------
def create_server():
    from cnnlint import toplevel

    toplevel.REUSE = True  # an edit leaves most statements as they were: parse only the others
    try:
        from lsprotocol import types as t
        from pygls.lsp.server import LanguageServer
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise RuntimeError("the language server needs pygls 2: pip install 'cnnlint[lsp]'") from e
    from cnnlint import __version__
    from cnnlint.lsp_analysis import Session
    from cnnlint.lsp_features import register_shapes
    from cnnlint.lsp_notebook_sync import SYNC, register_notebooks
    from cnnlint.rules import is_limit_note

    server = LanguageServer("cnnlint", __version__, notebook_document_sync=SYNC)
    severities = {"error": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning,
                  "info": t.DiagnosticSeverity.Information}
    last: Dict[str, Tuple[Any, ...]] = {}  # uri -> cnnlint diagnostics last published
    session = Session()

    def encoding() -> str:
        enc = getattr(server.server_capabilities, "position_encoding", None) or UTF16
        return str(getattr(enc, "value", enc))

    def rng(lines, span) -> "t.Range":
        enc = encoding()
        sl, sc = to_client(lines, span.line, span.column, enc)
        el, ec = to_client(lines, span.end_line, span.end_column, enc)
        return t.Range(t.Position(sl, sc), t.Position(el, ec))

    def path_of(doc) -> str:
        try:
            return doc.path if doc.uri.startswith("file:") else doc.uri
        except Exception:
            return doc.uri

    def publish(uri: str, again: bool = False) -> None:
        """Analyse the document (once per version: a save of the text analysed, or ``again``
        False with the same text, reuses it) and publish its diagnostics."""
        if uri in session.notebooks:
            publish_notebook(uri, again)
            return
        doc = server.workspace.get_text_document(uri)
        source = doc.source
        known = session.get(uri)
        if again or known is None or known.analysis.source != source:
            known = session.update(uri, source, path_of(doc), doc.version)
        send(uri, known.analysis.diagnostics, source, doc.version)

    def send(uri: str, diagnostics, source: str, version: Optional[int] = None) -> None:
        """Publish cnnlint's ``diagnostics`` (positions in ``source``, the document's text)."""
        last[uri] = diagnostics
        lines = _lines(source)
        out = []
        for d in diagnostics:
            # a note about cnnlint's own limits is a hint: the editor keeps it out of the way
            severity = t.DiagnosticSeverity.Hint if is_limit_note(d.code, d.severity) else severities.get(d.severity)
            out.append(t.Diagnostic(
                range=rng(lines, d.span), message=d.message, severity=severity,
                code=d.code, source=SOURCE,
                data={"code": d.code, "line": d.span.line, "column": d.span.column,
                      "fix": d.fix.to_json() if d.fix is not None else None}))
        server.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=out, version=version))

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: t.DidOpenTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: t.DidChangeTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE, t.SaveOptions(include_text=False))
    def did_save(ls, params: t.DidSaveTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: t.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        last.pop(uri, None)
        session.close(uri)
        server.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def edit(lines, line, column, end_line, end_column, text) -> "t.TextEdit":
        enc = encoding()
        sl, sc = to_client(lines, line, column, enc)
        el, ec = to_client(lines, end_line, end_column, enc)
        return t.TextEdit(range=t.Range(t.Position(sl, sc), t.Position(el, ec)), new_text=text)

    def entries(uri: str, lines, params: t.CodeActionParams) -> List[Tuple[Any, dict]]:
        """(the client's diagnostic, our data) for each cnnlint diagnostic in the request."""
        out = []
        for diag in params.context.diagnostics:
            if diag.source != SOURCE:
                continue
            data = diag.data if isinstance(diag.data, dict) else None
            if data is None:  # a client that drops `data`: find ours by position and code
                line, col = from_client(lines, diag.range.start.line, diag.range.start.character, encoding())
                for d in last.get(uri, ()):
                    if d.code == diag.code and d.span.line == line and d.span.column == col:
                        data = {"code": d.code, "line": d.span.line,
                                "fix": d.fix.to_json() if d.fix is not None else None}
                        break
            if data is not None:
                out.append((diag, data))
        return out

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
    def code_action(ls, params: t.CodeActionParams):
        uri = params.text_document.uri
        doc = server.workspace.get_text_document(uri)
        lines = _lines(doc.source)
        actions = []
        for diag, data in entries(uri, lines, params):
            code = data.get("code") or str(diag.code)
            fix = data.get("fix")
            if fix and fix.get("edits"):
                edits = [edit(lines, e["line"], e["column"], e["end_line"], e["end_column"], e["text"])
                         for e in fix["edits"]]
                actions.append(t.CodeAction(
                    title=f"{code}: {fix.get('description', 'apply fix')}", kind=t.CodeActionKind.QuickFix,
                    diagnostics=[diag], is_preferred=bool(fix.get("safe", True)),
                    edit=t.WorkspaceEdit(changes={uri: edits})))
            ins = noqa_edit(lines, int(data.get("line") or diag.range.start.line + 1), code)
            if ins is not None:
                line, col, text = ins
                actions.append(t.CodeAction(
                    title=f"{code}: suppress with `# noqa: {code}`", kind=t.CodeActionKind.QuickFix,
                    diagnostics=[diag], edit=t.WorkspaceEdit(changes={uri: [edit(lines, line, col, line, col, text)]})))
        return actions

    publish_notebook = register_notebooks(server, session, send)
    register_shapes(server, session, publish, encoding)
    return server


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        server = create_server()
    except RuntimeError as e:
        print(f"cnnlint: error: {e}", file=sys.stderr)
        return 2
    server.start_io()
    return 0
