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
    return {
        "model": t.model,
        "path": t.path,
        "line": t.line,
        "input": shape_json(t.input),
        "layers": [{"name": row.name, "type": row.type, "line": row.line, "depth": row.depth,
                    "output": shape_json(row.output), "params": dims.to_json(row.params),
                    **({"finding": row.finding} if row.finding else {})} for row in t.layers],
        "output": shape_json(t.output),
        "params": dims.to_json(t.params),
        "notes": list(t.notes),
    }


def shapes_json(traces: Sequence[ModelTrace]) -> str:
    return json.dumps({"models": [trace_json(t) for t in traces]}, indent=2) + "\n"
