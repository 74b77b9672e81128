"""`cnnlint shapes --format ...`: pick the reporter for the shape traces."""
from __future__ import annotations

from typing import Optional, Sequence

from cnnlint.diagnostics import ModelTrace

FORMATS = ("text", "json", "markdown", "mermaid", "dot")


def render(traces: Sequence[ModelTrace], fmt: str = "text", depth: Optional[int] = None,
           explain: bool = False) -> str:
    if fmt == "json":
        from cnnlint.reporters.json import shapes_json

        return shapes_json(traces)
    if fmt == "markdown":
        from cnnlint.reporters.markdown import markdown

        return markdown(traces, depth, explain)
    if fmt == "mermaid":
        from cnnlint.reporters.graph import mermaid

        return mermaid(traces, depth)
    if fmt == "dot":
        from cnnlint.reporters.graph import dot

        return dot(traces, depth)
    from cnnlint.reporters.table import table

    return table(traces, depth, explain)
