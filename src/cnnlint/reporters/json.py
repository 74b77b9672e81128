"""Machine formats: the contract's JSON list, JSON lines, and the shapes object."""
from __future__ import annotations

import json
from typing import Sequence

from cnnlint import dims
from cnnlint.diagnostics import FileResult, ModelTrace


def diagnostics_json(results: Sequence[FileResult]) -> str:
    return json.dumps([d.to_json() for r in results for d in r.diagnostics], indent=2) + "\n"


def diagnostics_json_lines(results: Sequence[FileResult]) -> str:
    return "".join(json.dumps(d.to_json()) + "\n" for r in results for d in r.diagnostics)


def shape_json(shape):
    if shape is None:
        return None
    return [dims.to_json(d) for d in shape]


def trace_json(t: ModelTrace) -> dict:
    from cnnlint.summary import layer_macs, summarize

    totals = summarize(t).totals
    return {
        "model": t.model,
        "path": t.path,
        "line": t.line,
        **({"cell": t.cell} if t.cell is not None else {}),  # a notebook: ``line`` counts from this cell
        "input": shape_json(t.input),
        "layers": [{"name": row.name, "type": row.type, "line": row.line, "depth": row.depth,
                    "output": shape_json(row.output), "params": dims.to_json(row.params),
                    "input": shape_json(row.input),
                    "kernel": shape_json(row.kernel) if isinstance(row.kernel, (tuple, list)) else row.kernel,
                    "macs": dims.to_json(layer_macs(row)) if row.leaf else 0,
                    **({"finding": row.finding} if row.finding else {}),
                    **({"cell": row.cell} if row.cell is not None else {})} for row in t.layers if not row.op],
        "output": shape_json(t.output),
        "params": dims.to_json(t.params),
        "summary": {  # torchinfo's totals for this input (bytes, not MB)
            "total_params": dims.to_json(totals.params),
            "trainable_params": dims.to_json(totals.trainable),
            "non_trainable_params": dims.to_json(totals.non_trainable),
            "mult_adds": dims.to_json(totals.macs),
            "input_bytes": dims.to_json(totals.input_bytes),
            "forward_backward_bytes": dims.to_json(totals.output_bytes),
            "params_bytes": dims.to_json(totals.param_bytes),
            "total_bytes": dims.to_json(totals.total_bytes),
        },
        "accepts": list(t.accepts),
        "smallest_input": list(t.smallest_input) if t.smallest_input is not None else None,
        "notes": list(t.notes),
    }


def shapes_json(traces: Sequence[ModelTrace]) -> str:
    return json.dumps({"models": [trace_json(t) for t in traces]}, indent=2) + "\n"
