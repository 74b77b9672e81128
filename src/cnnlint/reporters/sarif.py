"""SARIF 2.1.0, as GitHub code scanning reads it: the whole rule catalogue in
``tool.driver.rules``, one result per diagnostic with a relative ``artifactLocation`` and a
``region``, and ``fixes`` where a diagnostic carries an edit. Columns count code points
(``columnKind: unicodeCodePoints``), as cnnlint's do.

A region is lines and columns of the artifact's own text. For a notebook that text is the .ipynb
JSON, so the region points at the cell's line where it stands in the file (inside its "source"
string), and the cell and the line within it are named in the message and in the result's
``properties`` (``cell``, ``cellLine``, ``cellColumn``). A notebook result carries no ``fixes``:
their regions would have to be JSON text too (``--fix`` edits notebooks itself)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Sequence
from urllib.parse import quote

from cnnlint import __version__
from cnnlint.diagnostics import Diagnostic, FileResult, Span
from cnnlint.reporters.paths import relative
from cnnlint.rules import RULES, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def rule_help(r: Rule) -> Dict[str, str]:
    text = f"{r.summary}\n\nWhy is this bad? {r.why}"
    md = f"{r.summary}\n\n**Why is this bad?** {r.why}"
    if r.bad:
        text += f"\n\nExample:\n{r.bad}"
        md += f"\n\n**Example**\n\n```python\n{r.bad}\n```"
    if r.good:
        text += f"\n\nUse instead:\n{r.good}"
        md += f"\n\n**Use instead**\n\n```python\n{r.good}\n```"
    return {"text": text, "markdown": md}


def rule_descriptor(r: Rule) -> dict:
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": f"{r.summary} {r.why}"},
        "help": rule_help(r),
        "defaultConfiguration": {"level": LEVELS.get(r.severity, "warning")},
        "properties": {"tags": ["shape", r.severity], "problem.severity": _problem_severity(r.severity)},
    }


def _problem_severity(severity: str) -> str:
    return {"error": "error", "warning": "warning"}.get(severity, "recommendation")


def artifact_location(path: str) -> dict:
    rel = relative(path)
    if rel is not None:
        return {"uri": quote(rel), "uriBaseId": SRCROOT}
    if path == "-" or path.startswith("<"):
        return {"uri": quote(path.strip("<>") or "stdin")}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def region(span: Span) -> dict:
    out = {"startLine": max(1, span.line), "startColumn": max(1, span.column)}
    if span.end_line >= span.line:
        out["endLine"] = max(1, span.end_line)
        if span.end_column >= 1 and (span.end_line > span.line or span.end_column >= span.column):
            out["endColumn"] = span.end_column
    return out


def result(d: Diagnostic, index: Dict[str, int]) -> dict:
    loc = artifact_location(d.path)
    physical: dict = {"artifactLocation": loc}
    message = d.message
    if d.cell is None:
        physical["region"] = region(d.span)
    else:
        message = f"{message} (cell {d.cell}, line {d.span.line})"
        if d.file_span is not None:
            physical["region"] = region(d.file_span)
    out = {
        "ruleId": d.code,
        "level": LEVELS.get(d.severity, "warning"),
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
    }
    if d.code in index:
        out["ruleIndex"] = index[d.code]
    props = {k: v for k, v in (("model", d.model), ("declared", d.declared), ("inferred", d.inferred),
                               ("cell", d.cell)) if v is not None}
    if d.cell is not None:
        props.update(cellLine=d.span.line, cellColumn=d.span.column)
    if props:
        out["properties"] = {k: (v if isinstance(v, (int, str)) else str(v)) for k, v in props.items()}
    if d.fix is not None and d.cell is None:
        out["fixes"] = [{
            "description": {"text": d.fix.description},
            "artifactChanges": [{
                "artifactLocation": loc,
                "replacements": [{"deletedRegion": region(e.span), "insertedContent": {"text": e.text}}
                                 for e in d.fix.edits],
            }],
            "properties": {"applicability": d.fix.applicability},  # ruff's word: safe or unsafe
        }]
    return out


def sarif_log(results: Sequence[FileResult]) -> dict:
    rules = list(RULES.values())
    index = {r.code: i for i, r in enumerate(rules)}
    out: List[dict] = [result(d, index) for r in results for d in r.diagnostics]
    base = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cnnlint", "version": __version__, "semanticVersion": __version__,
                                "rules": [rule_descriptor(r) for r in rules]}},
            "originalUriBaseIds": {SRCROOT: {"uri": base}},
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    }


def sarif(results: Sequence[FileResult]) -> str:
    return json.dumps(sarif_log(results), indent=2) + "\n"
