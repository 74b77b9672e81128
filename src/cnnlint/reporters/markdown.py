"""`cnnlint shapes --format markdown`: the torchinfo table as a GitHub Markdown table, for
READMEs, pull requests and notebooks."""
from __future__ import annotations

from typing import List, Optional, Sequence

from cnnlint.diagnostics import ModelTrace
from cnnlint.reporters.paths import position
from cnnlint.reporters.table import input_size_lines, memory_lines, totals_lines
from cnnlint.summary import arithmetic, fmt_kernel, fmt_shape, summarize


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{text}`" if text not in ("", "--", "?") else text


def model_markdown(t: ModelTrace, depth: Optional[int] = None, explain: bool = False) -> str:
    s = summarize(t, depth)
    findings = any(r.finding for r in s.rows)
    head = ["Layer", "Type", "Output Shape", "Param #", "Kernel Shape", "Mult-Adds"] + (["Finding"] if findings else [])
    align = ["---", "---", "---", "---:", "---", "---:"] + (["---"] if findings else [])
    out: List[str] = [f"### {t.model}", "",
                      f"`{position(t.path, t.line, cell=t.cell)}`, input {_code(fmt_shape(t.input)) if t.input else 'unknown'}", "",
                      "| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    for r in s.rows:
        indent = "&nbsp;&nbsp;" * max(r.depth - 1, 0) + ("└ " if r.depth > 1 else "")
        cells = [indent + _code(r.name), r.type if r.depth else "model",
                 _code(fmt_shape(r.output, r.row.last if r.row else None)) if r.output is not None or r.row
                 else "--",
                 r.params_text, _code(fmt_kernel(r.kernel)), r.macs_text]
        if findings:
            cells.append(f"**{r.finding}**" if r.finding else "")
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    out.append("")
    out += [f"- {line}" for line in totals_lines(s) + memory_lines(s)]
    sizes = input_size_lines(t)
    if sizes:
        out += ["", f"**{sizes[0]}**", ""] + [f"- {line.strip()}" for line in sizes[1:]]
    if explain:
        entries = arithmetic(t)
        if entries:
            out += ["", "| Layer | Arithmetic |", "| --- | --- |"]
            out += [f"| {_cell(_code(name))} | {_cell(_code(line))} |" for name, line, _ in entries]
    for note in t.notes:
        out.append(f"\n> note: {note}")
    return "\n".join(out) + "\n"


def markdown(traces: Sequence[ModelTrace], depth: Optional[int] = None, explain: bool = False) -> str:
    if not traces:
        return "No models found.\n"
    return "\n".join(model_markdown(t, depth, explain) for t in traces)
