"""The language server's shape texts, from a ShapeIndex (shape_index.py): hover, inlay-hint labels,
code-lens titles and the shapes table a code lens shows. Plain strings, no pygls.

Sizes are written as everywhere in cnnlint (`dims.fmt`): `[N, 16, floor(H/2) - 2, ...]`.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

from cnnlint import dims
from cnnlint.abstract.values import Layer, Obj, SizeTuple, Tensor, Unknown, is_module
from cnnlint.layers.tree import count_params
from cnnlint.shape_index import Entry, Hint, ModelEntry, ShapeIndex
from cnnlint.summary import fmt_count, fmt_readable, fmt_shape

MAX_SHOWN = 4  # distinct values shown for one position
MAX_TEXT = 40  # characters of an expression's text in a hover


def value_text(value: Any) -> str:
    """One value as a hover shows it."""
    if isinstance(value, Tensor):
        if value.shape is None and value.last is None:
            return "shape unknown"
        return fmt_shape(value.shape, value.last)
    if is_module(value):
        return module_type(value)
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})" if value.reason and value.reason != "unknown" else "unknown"
    if isinstance(value, (SizeTuple, tuple, list)) and all(dims.is_dim(v) for v in value):
        inner = ", ".join(dims.fmt(v) for v in value)
        return f"torch.Size([{inner}])" if isinstance(value, SizeTuple) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, bool) or value is None:
        return str(value)
    if dims.is_dim(value):
        return dims.fmt(value)
    if isinstance(value, float):
        return repr(value)
    return type(value).__name__


def module_type(module) -> str:
    if isinstance(module, Layer):
        return module.kind
    if isinstance(module, Obj):
        return module.cls.name
    return "module"


def values_text(values: Sequence[Any]) -> str:
    texts = list(dict.fromkeys(value_text(v) for v in values))
    if len(texts) == 1:
        return texts[0]
    shown = " | ".join(texts[:MAX_SHOWN]) + (" | ..." if len(texts) > MAX_SHOWN else "")
    return f"{shown}  ({len(texts)} different values over its runs)"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 3] + "..."


def hover_text(index: ShapeIndex, line: int, column: int) -> Optional[str]:
    """Plain text for the position (cnnlint's 1-based line and column), or None."""
    model = index.model_at(line, column)
    if model is not None:
        return model_text(model)
    entry = index.at(line, column)
    if entry is None:
        return None
    return entry_text(index, entry)


def entry_text(index: ShapeIndex, entry: Entry) -> str:
    label = _short(entry.text) or "this"
    modules = [v for v in entry.values if is_module(v)]
    if modules and len(modules) == len(entry.values):
        return "\n".join(module_text(index, label, m) for m in modules[:MAX_SHOWN])
    lines = [f"{label}: {values_text(entry.values)}"]
    if entry.finding:
        lines.append(f"  {entry.finding}: PyTorch raises in this statement (the shape is what its layers would give)")
    if any(isinstance(v, Tensor) and v.shape is not None for v in entry.values):
        lines += [f"  {e}" for e in entry.explain]  # where the shape is unknown, one line says so
    return "\n".join(lines)


def module_text(index: ShapeIndex, label: str, module) -> str:
    """``self.conv1: Conv2d [N, 3, 32, 32] -> [N, 16, 16, 16], 448 params``."""
    calls = index.layer(module)
    params = fmt_count(count_params(module))
    head = f"{label}: {module_type(module)}"
    if calls is None or not calls.outputs:
        return f"{head}, {params} params (not called by the model's forward)"
    inputs = " | ".join(fmt_shape(s) for s in calls.inputs[:MAX_SHOWN])
    outputs = " | ".join(fmt_shape(s) for s in calls.outputs[:MAX_SHOWN])
    return f"{head} {inputs} -> {outputs}, {params} params"


def model_text(model: ModelEntry) -> str:
    """A model's summary: its input and output shapes, parameters and multiply-adds."""
    trace = model.run.trace
    if trace is None:
        return f"{model.name}: cnnlint could not follow this model; its shapes are unknown"
    lines = [f"{model.name}: output {fmt_shape(trace.output)}",
             f"  input {fmt_shape(trace.input)}",
             f"  {fmt_count(trace.params)} params, {macs_text(trace)} mult-adds"]
    return "\n".join(lines)


def macs_text(trace) -> str:
    from cnnlint.summary import summarize

    macs = summarize(trace).totals.macs
    readable = fmt_readable(macs)
    return fmt_count(macs) + (f" ({readable})" if readable else "")


def lens_title(model: ModelEntry) -> str:
    """``shapes: 296,130 params, [N, 10]``."""
    trace = model.run.trace
    if trace is None:
        return "shapes: unknown (cnnlint could not follow this model)"
    return f"shapes: {fmt_count(trace.params)} params, {fmt_shape(trace.output)}"


def hint_label(hint: Hint) -> str:
    """``[N, 16, 15, 15]`` for one target; ``a: [...], b: [...]`` for several."""
    if not hint.targets:
        return f"✗ {hint.finding}"  # PyTorch raises here, and no shape follows
    if len(hint.targets) == 1:
        label = _tensors(hint.targets[0][1])
    else:
        label = ", ".join(f"{_short(text)}: {_tensors(values)}" for text, values in hint.targets)
    return f"{label} ✗ {hint.finding}" if hint.finding else label


def _tensors(values) -> str:
    texts = list(dict.fromkeys(value_text(v) for v in values))
    return " | ".join(texts[:MAX_SHOWN]) + (" | ..." if len(texts) > MAX_SHOWN else "")


def shapes_table(models: Sequence[ModelEntry], name: Optional[str] = None) -> str:
    """What `cnnlint shapes FILE [--model NAME]` prints for the models of this analysis."""
    from cnnlint.analyze import with_input_sizes
    from cnnlint.reporters.shapes import render

    traces: List[Any] = [m.run.trace for m in models if name is None or m.name == name]
    traces = [with_input_sizes(t) for t in traces if t is not None]
    if not traces:
        return f"cnnlint: no shapes for {name or 'this file'}: the model could not be followed\n"
    return render(traces, "text")
