"""`cnnlint shapes` as text: one table per model, in the manner of torchinfo."""
from __future__ import annotations

from typing import List, Sequence

from cnnlint import dims
from cnnlint.diagnostics import ModelTrace


def fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    return "[" + ", ".join(dims.fmt(d) for d in shape) + "]"


def fmt_count(n) -> str:
    if n is None:
        return "?"
    v = dims.as_int(n)
    if v is not None:
        return f"{v:,}"
    return dims.fmt(n)


def table(traces: Sequence[ModelTrace]) -> str:
    out: List[str] = []
    for t in traces:
        rows = [("Layer (type)", "Output Shape", "Param #")]
        for row in t.layers:
            label = f"{'  ' * row.depth}{row.name or '-'} ({row.type})"
            if row.finding:
                label += f"  <-- {row.finding}"
            rows.append((label, fmt_shape(row.output), fmt_count(row.params) if not row.type.startswith("F.") else "--"))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        w2 = max(len(r[2]) for r in rows)
        width = w0 + w1 + w2 + 6
        out.append(f"{t.model} ({t.path}:{t.line})  input: {fmt_shape(t.input) if t.input else 'symbolic'}")
        out.append("=" * width)
        for i, (a, b, c) in enumerate(rows):
            out.append(f"{a:<{w0}}   {b:<{w1}}   {c:>{w2}}")
            if i == 0:
                out.append("-" * width)
        out.append("=" * width)
        out.append(f"Output: {fmt_shape(t.output)}")
        out.append(f"Total params: {fmt_count(t.params)}")
        for note in t.notes:
            out.append(f"note: {note}")
        out.append("")
    if not traces:
        out.append("No models found.")
    return "\n".join(out) + "\n"
