"""The language server's shapes: hover, inlay hints, code lens, and two commands a client runs
(workspace/executeCommand):

- ``cnnlint.shapes`` (``[uri, model]``, as each code lens passes it): the `cnnlint shapes` table
  of the model, returned as text and shown with window/showMessage;
- ``cnnlint.setInputShape`` (``["Net", "1,3,32,32"]``, ``["Net=1,3,32,32"]``, or
  ``[{"model": "Net", "shape": "1,3,32,32"}]``, optionally after a uri): the input shape of a
  model for the rest of the session; the open documents are analysed again.

Every answer comes from the document's latest analysis (lsp_analysis.Session): a request never
runs the models. Settings (initializationOptions, or the ``cnnlint`` section of
workspace/didChangeConfiguration): ``hover``, ``inlayHints``, ``codeLens`` (true/false) and
``inputShapes`` (a list of ``--input-shape`` texts). pygls is imported by lsp.py, which calls
``register_shapes``.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, List, Optional

from lsprotocol import types as t

from cnnlint.lsp_analysis import Session, command_spec, read_options
from cnnlint.lsp_notebooks import view
from cnnlint.lsp_positions import from_client, to_client
from cnnlint.lsp_shapes import hint_label, hover_text, lens_title, shapes_table

SHAPES_COMMAND = "cnnlint.shapes"
INPUT_COMMAND = "cnnlint.setInputShape"


def register_shapes(server, session: Session, publish: Callable[..., None], encoding: Callable[[], str]) -> None:
    def document(uri: str):
        """The view of an open file or of a notebook's code cell (lsp_notebooks.View), or None."""
        return view(session, uri) if isinstance(uri, str) else None

    def guarded(default):
        """A request answered with ``default`` (and the error logged) rather than a failure:
        an internal error must never reach the editor as a traceback."""
        def wrap(handler):
            @functools.wraps(handler)
            def run(*args, **kwargs):
                try:
                    return handler(*args, **kwargs)
                except Exception as e:  # pragma: no cover - a bug; the log says which
                    server.window_log_message(t.LogMessageParams(
                        t.MessageType.Error, f"cnnlint: internal error in {handler.__name__}: {type(e).__name__}: {e}"))
                    return default
            return run
        return wrap

    def apply_options(value: Any) -> None:
        session.options, problems = read_options(value, session.options)
        for problem in problems:
            server.window_show_message(t.ShowMessageParams(t.MessageType.Warning, f"cnnlint: {problem}"))

    def refresh() -> None:
        """Ask the client to request inlay hints and code lenses again, where it can."""
        workspace = getattr(server.client_capabilities, "workspace", None)
        inlay = getattr(workspace, "inlay_hint", None)
        lens = getattr(workspace, "code_lens", None)
        if inlay is not None and inlay.refresh_support:
            server.workspace_inlay_hint_refresh(None)
        if lens is not None and lens.refresh_support:
            server.workspace_code_lens_refresh(None)

    @server.feature(t.INITIALIZE)
    def initialize(ls, params: t.InitializeParams):
        apply_options(params.initialization_options)

    @server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls, params: t.DidChangeConfigurationParams):
        before = session.specs()
        apply_options(params.settings)
        if session.specs() != before:
            for uri in session.uris():
                publish(uri, again=True)
        refresh()

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    @guarded(None)
    def hover(ls, params: t.HoverParams) -> Optional[t.Hover]:
        doc = document(params.text_document.uri)
        if doc is None or not session.options.hover:
            return None
        line, column = from_client(doc.lines, params.position.line, params.position.character, encoding())
        if doc.from_source(doc.to_source(line)) is None:
            return None
        text = hover_text(doc.document.index, doc.to_source(line), column)
        if text is None:
            return None
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=f"```text\n{text}\n```"))

    @server.feature(t.TEXT_DOCUMENT_INLAY_HINT, t.InlayHintOptions(resolve_provider=False))
    @guarded([])
    def inlay_hints(ls, params: t.InlayHintParams) -> List[t.InlayHint]:
        doc = document(params.text_document.uri)
        if doc is None or not session.options.inlay_hints:
            return []
        enc = encoding()
        out = []
        first, last = doc.to_source(params.range.start.line + 1), doc.to_source(params.range.end.line + 1)
        for hint in doc.document.index.hints_between(first, last):
            local = doc.from_source(hint.line)
            if local is None:
                continue
            line, character = to_client(doc.lines, local, hint.column, enc)
            out.append(t.InlayHint(position=t.Position(line, character), label=hint_label(hint),
                                   kind=t.InlayHintKind.Type, padding_left=True))
        return out

    @server.feature(t.TEXT_DOCUMENT_CODE_LENS, t.CodeLensOptions(resolve_provider=False))
    @guarded([])
    def code_lens(ls, params: t.CodeLensParams) -> List[t.CodeLens]:
        uri = params.text_document.uri
        doc = document(uri)
        if doc is None or not session.options.code_lens:
            return []
        enc = encoding()
        out = []
        for model in doc.document.index.models:
            line, end_line = doc.from_source(model.span.line), doc.from_source(model.span.end_line)
            if line is None:
                continue
            if end_line is None:  # a model whose code runs past its cell: the lens stays in the cell
                end_line = doc.count or line
            start = to_client(doc.lines, line, model.span.column, enc)
            end = to_client(doc.lines, end_line, model.span.end_column, enc)
            out.append(t.CodeLens(range=t.Range(t.Position(*start), t.Position(*end)),
                                  command=t.Command(title=lens_title(model), command=SHAPES_COMMAND,
                                                    arguments=[uri, model.name])))
        return out

    @server.command(SHAPES_COMMAND)
    @guarded("cnnlint: internal error")
    def shapes(ls, *args) -> str:
        uri = args[0] if args and isinstance(args[0], str) else None
        name = args[1] if len(args) > 1 and isinstance(args[1], str) else None
        doc = document(uri) if uri is not None else None
        if doc is None:
            text = "cnnlint.shapes: give the uri of an open document (and a model name)"
        else:
            text = shapes_table(doc.document.index.models, name)
        server.window_show_message(t.ShowMessageParams(t.MessageType.Info, text))
        return text

    @server.command(INPUT_COMMAND)
    @guarded("cnnlint: internal error")
    def set_input_shape(ls, *args) -> str:
        from cnnlint.inputspec import SpecError

        try:
            spec = command_spec(args)
        except SpecError as e:
            text = f"cnnlint.setInputShape: {e}"
            server.window_show_message(t.ShowMessageParams(t.MessageType.Error, text))
            return text
        session.set_input_shape(spec)
        for uri in session.uris():
            publish(uri, again=True)
        refresh()
        return f"input shape {spec.text or ','.join(map(str, spec.shape))} set for {spec.model or 'every model'}"
