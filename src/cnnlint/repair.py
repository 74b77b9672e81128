"""Verified repairs: for an error, small edits after which cnnlint's own analysis of the edited
file no longer finds it (and finds no error it did not find before), never a guess.

The edits tried:

- the fix the rule itself proposes (``fixes.make_fix``: the inferred ``in_features``, the
  consumer's ``in_channels``, a view's size);
- one integer literal that gives a layer on the path to the error its number: the failing
  layer's own, then the layers that made its input, walking back along the tensors (each branch
  of a `cat` or a residual add), the literal written in the layer call or at the call of a
  helper of the file it was built in (``repair_numbers``); set one up or down, to the size the
  error names, or doubled and halved.

They are tried in the order the layer's own formula promises (``repair_rank``): an edit that
makes the sizes the error names meet first. Each is applied to the text and the model checked
again. The verified ones are ranked: (1) those after which the model has no error left, (2)
those that change the number the error names, (3) those that leave every other layer's output
shape as it was, (4) the fewest edits. The best is the fix, the others its alternatives. It is
safe when it alone ranks best and names the error's number (or is the only one that clears the
model); when two repairs tie and change the model differently, it is unsafe. In a file with
several models the repairs are checked together on all of them. The search stops at a time
budget (MIN_BUDGET, or one more check of the file), so a file with many errors costs at most
about twice its plain check.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from cnnlint.diagnostics import Diagnostic, Edit, Fix
from cnnlint.repair_numbers import SPATIAL, layer_literals, site_literals
from cnnlint.repair_rank import promise

LAYERS_BACK = 6  # layers before the failing one whose numbers are tried
MAX_TRIES = 40  # edits checked for one error
NAMES_NO_NUMBER = ("CNN106",)  # two tensors that do not fit each other: no number is the error's own
ALTERNATIVES = 2  # edits tried after the best possible one, to list as alternatives
MIN_BUDGET = 1.0  # seconds the search may always take: about what starting cnnlint and one model's check cost


@dataclass(frozen=True)
class Candidate:
    edits: Tuple[Edit, ...]
    description: str
    names_number: bool  # it changes the number the error names
    layer: Optional[str] = None  # the layer it edits (its output may change, no other's should)
    parameter: str = ""  # the layer parameter the number gives ("" when not known)


@dataclass(frozen=True)
class Verified:
    candidate: Candidate
    changed_shapes: int  # other layers whose output shape the edit changes
    followups: int = 0  # safe fixes the edited file's own check then needed
    clears: bool = False  # the model has no error left after it


def _inside(node, outer) -> bool:
    """Whether ``node`` is ``outer`` or one of its descendants."""
    if outer is None:
        return False
    if node is outer:
        return True
    stack = [outer]
    while stack:
        n = stack.pop()
        for child in n.children:
            if child is node:
                return True
            stack.append(child)
    return False


def _values(n: int, finding, own: bool) -> List[int]:
    out = [n - 1, n + 1]
    for v in (finding.declared, finding.inferred):
        if type(v) is int and v > 0:
            out.append(v)
    if not own:
        out += [n * 2, n // 2]
    seen, keep = set(), []
    for v in out:
        if v >= 0 and v != n and v not in seen:
            seen.add(v)
            keep.append(v)
    return keep


COUNT_CODES = ("CNN101", "CNN102", "CNN105")  # errors in a count of channels or features
RESHAPE_CODES = ("CNN102", "CNN104")  # a size written for a flattened or viewed tensor
CHANNEL_CODES = ("CNN101", "CNN105")  # errors in counts of channels; the others are in sizes


def _relevant(code: str, parameter: str, own: bool) -> bool:
    """Whether changing this parameter can mend an error of this kind: for the failing layer
    itself only what the error is about; before it, channel counts for a channel error, and
    window sizes and counts (a flattened size is both) for the others."""
    spatial = parameter in SPATIAL
    if own:
        if code in CHANNEL_CODES:
            return parameter in ("in_channels", "num_features", "num_channels", "num_groups", "")
        if code == "CNN102":
            return parameter in ("in_features", "")
        if code in ("CNN103", "CNN108"):
            return spatial or parameter == ""
        return True
    if code in CHANNEL_CODES:
        return parameter in ("out_channels", "out_features", "")
    if code in ("CNN102", "CNN104"):  # a flattened size: windows and counts of channels both
        return parameter not in ("in_channels", "in_features", "num_features", "num_channels", "num_groups")
    return spatial or parameter == ""  # sizes that differ: only windows change them


def _rank_value(code: str, parameter: str, step: bool) -> int:
    """Which edits to try first: one up or down before the rest; window sizes first for an error
    in sizes, channel counts first for one in channels."""
    spatial = parameter in SPATIAL
    kind = (0 if spatial else 1) if code not in CHANNEL_CODES else (1 if spatial else 0)
    return kind + (0 if step else 2)


def candidates(ctx, run, finding, fix: Optional[Fix]) -> List[Candidate]:
    """The edits to try for one finding of a model run, in the order they are tried."""
    from cnnlint.abstract.values import Layer

    out: List[Candidate] = []
    seen = set()
    if fix is not None and fix.edits:
        names = ctx.owns(finding.arg_node) and any(_span_inside(ctx, e, finding.arg_node) for e in fix.edits)
        out.append(Candidate(tuple(fix.edits), fix.description, names or finding.arg_node is None))
        seen.update((e.span, e.text) for e in fix.edits)
    rows = run.interp.rows
    at = getattr(run.interp.findings, "at", {}).get(id(finding), len(rows))
    memo: Dict[int, Dict[str, set]] = {}
    taken: set = set()  # the literals kept so far

    def numbers(call, layer, own):
        """(literal, value, parameters, whether it gives the number the error names) of a layer
        call and of the calls of the file's functions it was built in, the innermost first (those
        that give a parameter the layer does not have are left to the layer that has it)."""
        found = [(node, n, ps, own and _inside(node, finding.arg_node))
                 for node, n, ps in layer_literals(call)] if ctx.owns(call) else []
        named = finding.arg_node.value if own and type(finding.arg_node) is cst.Name else None
        for site in reversed(layer.sites if layer is not None else ()):
            if ctx.owns(site[0]):
                found += [(node, n, ps, own and name == named) for node, n, ps, name in site_literals(site, memo)
                          if any(p == "" or p in layer.args for p in ps)]
        out = []
        for node, n, ps, names in found:
            p = next((p for p in ps if _relevant(finding.code, p, own)), None)
            if p is not None and id(node) not in taken:  # a helper's call builds several layers: once
                taken.add(id(node))
                out.append((node, n, p, names))
        return out

    calls: List[Tuple[str, list, object]] = []  # (layer's name, its numbers, its row), the failing layer first
    starts = list(finding.sources)  # the rows of the tensors it joins (a `cat`, a residual add)
    if isinstance(finding.node, cst.Call):
        row = next((r for r in reversed(rows[:at]) if isinstance(r.module, Layer) and r.module.node is finding.node),
                   None)
        calls.append(("", numbers(finding.node, row.module if row is not None else None, True), row))
        if row is not None:
            starts = [r for r in row.sources if r >= 0]
    seen_calls = {id(finding.node)}

    def add(row) -> bool:
        """Add a layer call of the path to the error; False when enough are kept."""
        layer = row.module
        node = getattr(layer, "node", None) if isinstance(layer, Layer) else (row.node if row.op else None)
        if not isinstance(node, cst.Call) or id(node) in seen_calls or \
                (isinstance(layer, Layer) and layer.is_container):
            return True
        seen_calls.add(id(node))
        found = numbers(node, layer if isinstance(layer, Layer) else None, False)
        if found:  # not an activation, or a norm for an error in sizes: no number of it can mend this
            calls.append((row.name or "", found, row))
        return len(calls) <= LAYERS_BACK

    if starts:  # back along what made the tensors, branch by branch, the nearest first
        level, visited = starts, set()
        while level:
            following = []
            for r in level:
                if r in visited or not 0 <= r < at:
                    continue
                visited.add(r)
                if not add(rows[r]):
                    level = following = []
                    break
                following.extend(rows[r].sources)
            level = following
    else:  # what ran before it
        for row in reversed(rows[:at]):
            if not add(row):
                break
    tried: List[Tuple[tuple, Candidate]] = []
    for i, (name, found, row) in enumerate(calls):
        layer = row.module if row is not None and isinstance(row.module, Layer) else None
        own = i == 0 and isinstance(finding.node, cst.Call)
        for node, n, parameter, names_it in found:
            span = ctx.span(node)
            for v in _values(n, finding, own):
                if (span, str(v)) in seen:
                    continue
                seen.add((span, str(v)))
                where = "" if not name else f" in layer {name}" if name.isdigit() else f" in {name}"
                names = names_it if finding.arg_node is not None else own
                # the other side of the mismatch first: the layer that gives `inferred` made to
                # give `declared` ("or make conv1 output 8 channels")
                other_side = not own and n == finding.inferred and v == finding.declared
                rank = -1 if other_side else _rank_value(finding.code, parameter, abs(v - n) == 1)
                hope = promise(finding.code, finding.declared, finding.inferred, layer, row and row.input,
                               row and row.output, parameter, n, v, own, node is finding.arg_node,
                               len(finding.sources) > 2)
                first = not names and finding.code in COUNT_CODES  # a count the error names: that number first
                tried.append(((hope, first, rank, i, len(tried)), Candidate(
                    (Edit(span, str(v)),), f"replace `{n}` with `{v}`{where}", names, name or None, parameter)))
    return out + [c for _, c in sorted(tried, key=lambda t: t[0])]


def _span_inside(ctx, edit: Edit, node) -> bool:
    if node is None:
        return False
    s, o = edit.span, ctx.span(node)
    return (o.line, o.column) <= (s.line, s.column) and (s.end_line, s.end_column) <= (o.end_line, o.end_column)


def _key(d: Diagnostic):
    return (d.code, d.span.line, d.span.column)


def outputs(traces) -> Dict[str, tuple]:
    """Each layer's (first) output shape in model traces, by its name."""
    out: Dict[str, tuple] = {}
    for trace in traces:
        for row in trace.layers:
            if not row.op:
                out.setdefault(row.name, row.output)
    return out


def repair(source: str, diagnostics: Sequence[Diagnostic], plans: Dict[tuple, List[Candidate]],
           settle: Callable[..., Tuple[object, object, int]], spent: float,
           baseline: Dict[Optional[str], Dict[str, tuple]], several: bool = False) -> List[Diagnostic]:
    """The diagnostics with each planned error's fix replaced by the best verified repair.
    ``plans``: candidates by the diagnostic's key; ``settle(text, model)``: the check of an edited
    text, and its check after the safe fixes that check offers are applied round by round (a
    view mended shows the Linear after it wrong, which has its own fix), with how many edits
    those took (shapes on, repairs off); ``spent``: seconds the plain check took; ``baseline``:
    each model's layer outputs before any edit (``outputs``); ``several``: the file has more
    than one model, each repair is then checked against them all."""
    from cnnlint.fixrounds import apply_edits

    deadline = time.monotonic() + max(MIN_BUDGET, spent)
    before = {_key(d) for d in diagnostics if d.severity == "error"}
    out = list(diagnostics)
    cleared = set()  # (model, index of the diagnostic) whose repair leaves the model without errors
    for i, d in enumerate(diagnostics):
        plan = plans.get((d.model,) + _key(d))
        if d.severity != "error" or not plan or time.monotonic() > deadline:
            continue
        found: List[Verified] = []
        settled_at = None  # after the best possible repair, a few more are tried for alternatives
        for n, candidate in enumerate(plan[:MAX_TRIES]):
            if time.monotonic() > deadline or (settled_at is not None and n > settled_at + ALTERNATIVES):
                break
            try:
                text = apply_edits(source, candidate.edits)
            except ValueError:
                continue
            first, result, followups = settle(text, d.model, lambda r, k=_key(d): not any(
                _key(e) == k for e in r.diagnostics if e.severity == "error"), (d.code, d.span.line))
            if not _mends(d, first, result, before):
                continue
            after = outputs(result.models)
            changed = sum(1 for name, shape in baseline.get(d.model, {}).items()
                          if name != candidate.layer and name in after and after[name] != shape)
            clears = not any(e.severity == "error" and e.model == d.model for e in result.diagnostics)
            found.append(Verified(candidate, changed, followups, clears))
            if clears and settled_at is None:
                settled_at = n  # a few more for alternatives: the search is bounded
        if found:
            fix = _best(found, d.code not in NAMES_NO_NUMBER, d.code in RESHAPE_CODES)
            out[i] = replace(d, fix=fix)
            if found[0].clears:
                cleared.add((d.model, i))
    if several:  # the file's other models must not break: the repairs checked on them all, together
        out = _whole_file(out, diagnostics, source, settle, before)
    # a repair after which its model has no error left mends that model's other errors too: they
    # were its echoes, and their own fixes would now undo it
    for model, i in cleared:
        for j, e in enumerate(out):
            if j != i and e.model == model and e.severity == "error" and e.fix is not None and \
                    (model, j) not in cleared:
                out[j] = replace(e, fix=None)
    return out


def _mends(d: Diagnostic, first, result, before) -> bool:
    """Whether an edited file's check (``first``, and ``result`` after its own safe fixes) no
    longer has the error ``d``, has no error the file did not have (``before``), still runs the
    model, and neither crashed nor failed to parse."""
    errors = {_key(e) for e in result.diagnostics if e.severity == "error"}
    if any(e.code == "CNN999" for e in first.diagnostics + result.diagnostics) or \
            not any(t.model == d.model for t in result.models):  # no run to judge by: never a repair
        return False
    return not any(_key(e) == _key(d) for e in first.diagnostics if e.severity == "error") and \
        _key(d) not in errors and errors <= before - {_key(d)} and \
        not any(e.code == "CNN001" for e in result.diagnostics)


def _whole_file(out: List[Diagnostic], diagnostics: Sequence[Diagnostic], source: str, settle,
                before) -> List[Diagnostic]:
    """The repairs found (``out`` against the ``diagnostics`` they were found for), each checked
    on one model, checked together on every model of the file: a number in a helper that other
    models build with may break them. When the check finds an error the file did not have, or
    one they mend still there, they are offered unsafe."""
    from cnnlint.fixrounds import apply_edits

    found = [i for i, (d, e) in enumerate(zip(diagnostics, out)) if e.fix is not d.fix and e.fix.safe]
    if not found:
        return out
    try:
        text = apply_edits(source, [edit for i in found for edit in out[i].fix.edits])
    except ValueError:
        text = None
    if text is not None:
        first, result, _ = settle(text, None, lambda r: True)
        errors = {_key(e) for e in result.diagnostics if e.severity == "error"}
        if not any(e.code in ("CNN999", "CNN001") for e in first.diagnostics + result.diagnostics) and \
                errors <= before - {_key(out[i]) for i in found}:
            return out
    out = list(out)
    for i in found:
        out[i] = replace(out[i], fix=replace(out[i].fix, safe=False))
    return out


def _rank(v: Verified):
    return (not v.clears, not v.candidate.names_number, v.changed_shapes, len(v.candidate.edits) + v.followups)


def _best(found: List[Verified], named: bool, reshaped: bool = False) -> Fix:
    """The best repair. Safe when it alone ranks best, and it edits the number the error names
    (or the error names none: a `cat` of two branches); a repair of another layer than the one
    the error is about (its own size written with a name, or its numbers cannot mend it) is
    offered unsafe."""
    found.sort(key=_rank)
    best = found[0]
    tie = len(found) > 1 and _rank(found[1]) == _rank(best) and \
        set(found[1].candidate.edits) != set(best.candidate.edits)
    texts = [v.candidate.description for v in found]
    others = tuple(f"{t} (line {v.candidate.edits[0].span.line})" if texts.count(t) > 1 else t
                   for t, v in zip(texts[1:], found[1:]))
    # the only repair found after which the model has no error left is safe too (the error's own
    # number may be right and the layer that feeds it wrong: `conv1` makes 17 channels, `bn1` wants
    # 16, and 16 -> 17 in bn1 leaves the layers after it wrong), but not a window of another layer
    # changed to fit a size written for a flatten or a view: that size may be the mistake
    alone = best.clears and not any(v.clears for v in found[1:]) and \
        not (reshaped and best.candidate.parameter in SPATIAL)
    safe = not tie and (best.candidate.names_number or not named or alone)
    return Fix(best.candidate.description, best.candidate.edits, safe=safe, alternatives=others)
