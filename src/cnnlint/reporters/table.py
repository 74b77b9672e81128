"""`cnnlint shapes` as text: one torchinfo-style table per model, its totals, the input sizes
it accepts, and (with --explain) the arithmetic behind each layer's output."""
from __future__ import annotations

from typing import List, Optional, Sequence

from cnnlint import dims
from cnnlint.diagnostics import ModelTrace
from cnnlint.reporters.paths import position
from cnnlint.summary import (Summary, SummaryRow, arithmetic, fmt_count, fmt_kernel, fmt_mb, fmt_readable,
                             fmt_shape, summarize)

HEADERS = ("Layer", "Type", "Output Shape", "Param #", "Kernel Shape", "Mult-Adds")
RIGHT = (False, False, False, True, False, True)


def tree_prefix(depth: int) -> str:
    """torchinfo's tree glyphs: ├─ for the model's children, │    └─ below them."""
    if depth <= 0:
        return ""
    if depth == 1:
        return "├─"
    return "│    " * (depth - 1) + "└─"


def row_cells(r: SummaryRow) -> List[str]:
    return [r.name or "-", r.type if r.depth else "model",
            fmt_shape(r.output, r.row.last if r.row else None) if r.output is not None or r.row else "--", r.params_text, fmt_kernel(r.kernel), r.macs_text]


def header(t: ModelTrace) -> str:
    return f"{t.model} ({position(t.path, t.line, cell=t.cell)})  input: {fmt_shape(t.input) if t.input else 'unknown'}"


def totals_lines(s: Summary) -> List[str]:
    t = s.totals
    macs = fmt_count(t.macs)
    readable = fmt_readable(t.macs)
    return [
        f"Total params: {fmt_count(t.params)}",
        f"Trainable params: {fmt_count(t.trainable)}",
        f"Non-trainable params: {fmt_count(t.non_trainable)}",
        f"Total mult-adds: {macs}" + (f" ({readable})" if readable else ""),
    ]


def memory_lines(s: Summary) -> List[str]:
    t = s.totals
    return [
        f"Input size (MB): {fmt_mb(t.input_bytes)}",
        f"Forward/backward pass size (MB): {fmt_mb(t.output_bytes)}",
        f"Params size (MB): {fmt_mb(t.param_bytes)}",
        f"Estimated Total Size (MB): {fmt_mb(t.total_bytes)}",
    ]


def input_size_lines(t: ModelTrace) -> List[str]:
    """The input sizes a model with a symbolic input accepts, and the smallest one."""
    if t.input is None or not any(dims.is_symbolic(d) for d in t.input):
        return []
    out = [f"Input sizes: the input {fmt_shape(t.input)} is symbolic"]
    reasons = [a for a in t.accepts if a.startswith("why: ")]
    facts = [a for a in t.accepts if not a.startswith("why: ")]
    out += [f"  accepts {a}" if i == 0 else f"          {a}" for i, a in enumerate(facts)]
    if not facts:
        out.append("  accepts any size cnnlint tried")
    if t.smallest_input is not None:
        out.append(f"  smallest input: {fmt_shape(t.smallest_input)}")
    out += [f"  because {a[5:]}" for a in reasons]
    return out


def explain_section(s: Summary) -> List[str]:
    """`conv2  (15 + 2*1 - 5) // 2 + 1 = 7`: each layer's arithmetic, in call order."""
    entries = arithmetic(s.trace)
    if not entries:
        return []
    width = max(len(n) for n, _, _ in entries)
    out = ["Arithmetic:"]
    last = None
    for name, line, row in entries:
        label = name if (name, id(row)) != last else ""
        last = (name, id(row))
        out.append(f"  {label:<{width}}  {line}")
    return out


def render_table(s: Summary) -> List[str]:
    cells = [list(HEADERS)]
    prefixes = [""]
    findings = [""]
    for r in s.rows:
        cells.append(row_cells(r))
        prefixes.append(tree_prefix(r.depth))
        findings.append(f"  <-- {r.finding}" if r.finding else "")
    firsts = [p + c[0] for p, c in zip(prefixes, cells)]
    widths = [max(len(f) for f in firsts)] + [max(len(c[i]) for c in cells) for i in range(1, len(HEADERS))]
    lines = []
    for i, (first, c) in enumerate(zip(firsts, cells)):
        parts = [first] + c[1:]
        text = "  ".join(p.rjust(w) if RIGHT[k] and i else p.ljust(w) for k, (p, w) in enumerate(zip(parts, widths)))
        lines.append(text.rstrip() + findings[i])
    width = sum(widths) + 2 * (len(widths) - 1)
    return ["=" * width, lines[0], "=" * width] + lines[1:] + ["=" * width], width


def model_text(t: ModelTrace, depth: Optional[int] = None, explain: bool = False) -> str:
    s = summarize(t, depth)
    table, width = render_table(s)
    out = [header(t)] + table
    out += totals_lines(s)
    out.append("=" * width)
    out += memory_lines(s)
    out.append("=" * width)
    sizes = input_size_lines(t)
    if sizes:
        out += sizes
    if explain:
        out += explain_section(s)
    for note in t.notes:
        out.append(f"note: {note}")
    return "\n".join(out) + "\n"


def table(traces: Sequence[ModelTrace], depth: Optional[int] = None, explain: bool = False) -> str:
    if not traces:
        return "No models found.\n"
    return "\n".join(model_text(t, depth, explain) for t in traces)
