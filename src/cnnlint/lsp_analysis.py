"""One analysis of an editor's document: its diagnostics and, from the same run of the models, the
shapes at each position (shape_index.py). The language server makes one per edit and answers
every hover, inlay-hint and code-lens request of that version from it.

A document is checked under the configuration of its file's folder (as the command line does),
with the input shapes an editor command set for this session added last, so they win.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence, Tuple

from cnnlint.inputspec import InputSpec
from cnnlint.interpret import recording
from cnnlint.shape_index import EMPTY, ShapeIndex, build_index


@dataclass(frozen=True)
class Analysis:
    path: str
    source: str
    diagnostics: Tuple[Any, ...]
    ctx: Any = None  # the FileContext; None when the models were not run (unparsable, skipped, excluded)
    runs: Tuple[Any, ...] = ()
    recorder: Any = None


def settings_for_document(path: str, extra: Sequence[InputSpec] = ()):
    """The api.Settings of a document (None when the configuration excludes its file)."""
    from cnnlint.api import Settings
    from cnnlint.config import ConfigError, resolve, settings_for

    try:
        cfg = resolve(path if os.path.isabs(path) else None)
    except ConfigError:
        cfg = None
    if cfg is not None and cfg.is_excluded(path):
        return None
    settings = settings_for(cfg, path, Settings()) if cfg is not None else Settings()
    if os.environ.get("CNNLINT_REPAIR", "0") == "0":
        # the editor answers each edit within 100 ms: no repair search (each candidate is one more
        # analysis); code actions carry the rules' own fixes. CNNLINT_REPAIR=1 turns it on.
        settings = replace(settings, repair=False)
    if extra:
        settings = replace(settings, input_specs=tuple(settings.input_specs) + tuple(extra))
    return settings


def analyse(source: str, path: str, extra: Sequence[InputSpec] = ()) -> Analysis:
    """Check the text once, keeping what the model runs computed at each position."""
    from cnnlint.api import check_source

    settings = settings_for_document(path, extra)
    if settings is None:
        return Analysis(path, source, ())
    recorder = recording.Recorder()
    kept: dict = {}

    def observe(ctx, runs) -> None:
        recording.RECORDER = None  # the models have run: later checks (repairs) are not watched
        kept["ctx"], kept["runs"] = ctx, tuple(runs)

    recording.RECORDER = recorder
    try:
        diagnostics = check_source(source, path, settings, observe=observe).diagnostics
    except RecursionError:
        return Analysis(path, source, ())
    finally:
        recording.RECORDER = None
    if "ctx" not in kept:
        return Analysis(path, source, tuple(diagnostics))
    return Analysis(path, source, tuple(diagnostics), kept["ctx"], kept["runs"], recorder)


class Document:
    """The latest analysis of an open document, and its index, made when first asked for."""

    def __init__(self, analysis: Analysis, version: Optional[int] = None):
        self.analysis = analysis
        self.version = version
        self._index: Optional[ShapeIndex] = None

    @property
    def index(self) -> ShapeIndex:
        if self._index is None:
            a = self.analysis
            try:
                self._index = build_index(a.ctx, a.runs, a.recorder) if a.ctx is not None else EMPTY
            except (RecursionError, ValueError, TypeError, AttributeError):  # never a traceback in the editor
                self._index = EMPTY
        return self._index


@dataclass(frozen=True)
class Options:
    """What the client's settings turn on or off (initializationOptions, or the `cnnlint`
    section of workspace/didChangeConfiguration)."""

    hover: bool = True
    inlay_hints: bool = True
    code_lens: bool = True
    input_shapes: Tuple[InputSpec, ...] = ()  # `inputShapes: ["Net=1,3,32,32"]`


OPTION_NAMES = {"hover": "hover", "inlayHints": "inlay_hints", "codeLens": "code_lens"}


def read_options(value: Any, current: Options = Options()) -> Tuple[Options, Tuple[str, ...]]:
    """The options a client's settings give, and what in them could not be read."""
    from cnnlint.inputspec import SpecError, parse_spec

    if isinstance(value, dict) and isinstance(value.get("cnnlint"), dict):
        value = value["cnnlint"]
    if not isinstance(value, dict):
        return current, ()
    changes: dict = {}
    problems = []
    for key, field in OPTION_NAMES.items():
        if key in value:
            if isinstance(value[key], bool):
                changes[field] = value[key]
            else:
                problems.append(f"{key} must be true or false")
    shapes = value.get("inputShapes")
    if shapes is not None:
        specs = []
        for text in shapes if isinstance(shapes, list) else [shapes]:
            try:
                specs.append(parse_spec(str(text)))
            except SpecError as e:
                problems.append(f"inputShapes: {text!r}: {e}")
        changes["input_shapes"] = tuple(specs)
    return replace(current, **changes), tuple(problems)


def command_spec(args: Sequence[Any]) -> InputSpec:
    """The input shape the `cnnlint.setInputShape` command gives: ``["Net", "1,3,32,32"]``,
    ``["Net=1,3,32,32"]``, ``[{"model": "Net", "shape": "1,3,32,32"}]``, or any of those after
    the document's uri. Raises SpecError."""
    from cnnlint.inputspec import SpecError, parse_spec

    items = list(args)
    if items and isinstance(items[0], str) and ":" in items[0].split("=")[0]:
        items = items[1:]  # a uri first
    if len(items) == 1 and isinstance(items[0], dict):
        model, shape = items[0].get("model"), items[0].get("shape")
    elif len(items) == 2:
        model, shape = items
    elif len(items) == 1:
        model, shape = None, items[0]
    else:
        raise SpecError("give a model and a shape: [\"Net\", \"1,3,32,32\"]")
    if isinstance(shape, (list, tuple)):
        shape = ",".join(str(d) for d in shape)
    if not isinstance(shape, str) or model is not None and not isinstance(model, str):
        raise SpecError("the model is a name and the shape a text such as \"1,3,32,32\"")
    return parse_spec(f"{model}={shape}" if model else shape)


class Session:
    """The open documents, the client's options and the input shapes set by command, for one
    editor session. The server keeps one (lsp.py)."""

    def __init__(self) -> None:
        self.documents: dict = {}  # uri -> Document
        self.notebooks: dict = {}  # notebook uri -> lsp_notebooks.OpenNotebook (its cells and analysis)
        self.options = Options()
        self.commanded: dict = {}  # model name (None: every model) -> InputSpec, from cnnlint.setInputShape

    def specs(self) -> Tuple[InputSpec, ...]:
        return self.options.input_shapes + tuple(self.commanded.values())

    def update(self, uri: str, source: str, path: str, version: Optional[int] = None) -> Document:
        document = Document(analyse(source, path, self.specs()), version)
        self.documents[uri] = document
        return document

    def uris(self) -> Tuple[str, ...]:
        """Every open document and notebook: what a change of input shapes analyses again."""
        return tuple(self.documents) + tuple(self.notebooks)

    def get(self, uri: str) -> Optional[Document]:
        return self.documents.get(uri)

    def close(self, uri: str) -> None:
        self.documents.pop(uri, None)

    def set_input_shape(self, spec: InputSpec) -> None:
        self.commanded.pop(spec.model, None)
        self.commanded[spec.model] = spec  # the latest last: it wins (inputspec.for_model)
