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
