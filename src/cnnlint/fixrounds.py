"""Fix rounds on a text: apply the fixes a check offers, check again, repeat until nothing is
left to apply. The check is given (``check(text)``), so this module knows nothing of how a
file is analysed: api.py (the repair search) and apply_fixes.py (``--fix``) both use it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple

from cnnlint.diagnostics import Diagnostic, Edit, FileResult
from cnnlint.fixes import split_lines

MAX_ROUNDS = 10


def offsets(text: str) -> List[int]:
    """Offset in ``text`` of the start of each line (1-based line n at index n - 1)."""
    out, pos = [], 0
    for line in split_lines(text):
        out.append(pos)
        pos += len(line)
    out.append(pos)  # a position just past the last line ending
    return out


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Replace each edit's span with its text. Equal edits count once; edits must not overlap."""
    starts = offsets(text)

    def index(line: int, column: int) -> int:
        if not 1 <= line <= len(starts):
            raise ValueError(f"edit at line {line} is outside the text")
        return starts[line - 1] + column - 1

    spans = sorted({(index(e.span.line, e.span.column), index(e.span.end_line, e.span.end_column), e.text)
                    for e in edits})
    out, pos = [], 0
    for a, b, new in spans:
        if a < pos or b < a:
            raise ValueError("overlapping edits")
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _choose(diagnostics: Sequence[Diagnostic]) -> Tuple[List[Diagnostic], List[Edit]]:
    """The safe fixes of one round and their edits, skipping any that would overlap one taken
    before (check_source already makes conflicting fixes unsafe; this is the last guard)."""
    taken: List[Diagnostic] = []
    edits: Dict[Tuple, Edit] = {}
    for d in diagnostics:
        if d.fix is None or not d.fix.applies or not d.fix.edits:
            continue
        mine = [e for e in d.fix.edits if _key(e) not in edits]
        if any(_overlaps(e, other) for e in mine for other in edits.values()):
            continue
        for e in mine:
            edits[_key(e)] = e
        taken.append(d)
    return taken, list(edits.values())


def _key(e: Edit):
    return (e.span.line, e.span.column, e.span.end_line, e.span.end_column, e.text)


def _overlaps(a: Edit, b: Edit) -> bool:
    x, y = a.span, b.span
    if (x.line, x.column) == (y.line, y.column):
        return True
    return (x.line, x.column) < (y.end_line, y.end_column) and (y.line, y.column) < (x.end_line, x.end_column)


@dataclass(frozen=True)
class Rounds:
    """What fix_rounds did: the fixed text, the diagnostics mended, the checks of the fixed and of
    the original text, and where the boundary lines it was given moved to."""

    text: str
    applied: Tuple[Diagnostic, ...]
    result: FileResult
    initial: FileResult
    boundaries: Tuple[int, ...] = ()


def fix_rounds(source: str, check: Callable[[str], FileResult], boundaries: Sequence[int] = (),
               initial=None) -> Rounds:
    """Apply the fixes that apply (safe ones, or unsafe ones a run enabled) round after round.
    Fixes that do not settle (a round brings back an earlier text, or MAX_ROUNDS pass) are all
    dropped: they contradict each other. A round whose result does not parse is dropped too.
    ``check(text)``: the check of a text; ``boundaries``: lines no edit may cross (an edit may
    not start before such a line and end on or after it), a round with an edit that would is
    not taken; ``initial``: the check of ``source`` when the caller has it already."""
    text = source
    result = initial = initial if initial is not None else check(text)
    applied: List[Diagnostic] = []
    seen = {text}
    marks = tuple(boundaries)
    for _ in range(MAX_ROUNDS + 1):
        taken, edits = _choose(result.diagnostics)
        if not edits:
            break
        try:
            new = apply_edits(text, edits)
            new_marks = shift_lines(marks, edits)
        except ValueError:
            break
        if new in seen or len(seen) > MAX_ROUNDS:
            return Rounds(source, (), initial, initial, tuple(boundaries))
        new_result = check(new)
        if any(d.code == "CNN001" for d in new_result.diagnostics) and \
                not any(d.code == "CNN001" for d in result.diagnostics):
            break
        seen.add(new)
        applied.extend(taken)
        text, result, marks = new, new_result, new_marks
    return Rounds(text, tuple(applied), result, initial, marks)


def shift_lines(lines: Sequence[int], edits: Sequence[Edit]) -> Tuple[int, ...]:
    """Where the starts of ``lines`` are after the edits (which all apply to the same text).
    Raises ValueError for an edit that crosses one: starts on an earlier line and ends on it or
    later."""
    out = []
    for b in lines:
        shift = 0
        for e in {_key(e): e for e in edits}.values():
            s = e.span
            if s.line < b <= s.end_line:
                raise ValueError(f"an edit crosses the start of line {b}")
            if s.end_line < b:
                shift += len(split_lines(e.text + "x")) - 1 - (s.end_line - s.line)
        out.append(b + shift)
    return tuple(out)
