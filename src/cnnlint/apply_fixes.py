"""`cnnlint check --fix / --diff`: apply the safe fixes to the files' text.

A fix is a set of text edits with 1-based spans (diagnostics.Edit). They are applied to the
text exactly as read, so everything else (comments, formatting, line endings, a BOM) stays byte
for byte. After one round the file is checked again: a mended ``view`` can reveal that the
``Linear`` after it is wrong too; rounds repeat until no safe fix is left (at most MAX_ROUNDS).

A Jupyter notebook is fixed as its code cells joined into one source (notebook.py); the fixed
source is split back into cells and only the changed cells' "source" values are rewritten in the
notebook's JSON text, every other byte (outputs, images, metadata, layout) kept. IPython lines are
never edited; a fix that would touch one, or cross from one cell into another, leaves the
notebook as it was.

Writing is careful: only a file whose text changed is written; it is written to a temporary file
in the same folder and moved over the original (``os.replace``), with the original's mode bits;
and if the file on disk no longer holds the bytes that were read, it is left alone and the
command exits 2.
"""
from __future__ import annotations

import difflib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from cnnlint.diagnostics import Diagnostic, FileResult
from cnnlint.fixes import split_lines
from cnnlint.fixrounds import Rounds, fix_rounds
from cnnlint.notebook import NotebookError, cell_boundaries, fixed_cells, is_notebook, read_notebook, write_sources

BOM = b"\xef\xbb\xbf"


class FixError(Exception):
    """A fixed file could not be written (it changed on disk, or is not writable)."""


@dataclass
class FileFix:
    """One file's fixes: what was read, the fixed text, and what the fixed text still reports."""

    path: str
    original: bytes  # the file's bytes as read
    source: str  # the text checked (decoded, without a BOM)
    fixed: str  # the text with every applied fix
    applied: List[Diagnostic] = field(default_factory=list)  # the diagnostics that were mended
    result: Optional[FileResult] = None  # the check of the fixed text
    initial: Optional[FileResult] = None  # the check of the text as read

    @property
    def changed(self) -> bool:
        return self.fixed != self.source

    @property
    def bom(self) -> bool:
        return self.original.startswith(BOM)

    def fixed_bytes(self) -> bytes:
        return (BOM if self.bom else b"") + self.fixed.encode("utf-8")

    def diff(self) -> str:
        return unified_diff(self.path, self.source, self.fixed)


def fix_source(source: str, path: str, settings) -> Tuple[str, List[Diagnostic], FileResult, FileResult]:
    """Apply safe fixes round after round (fixrounds.py): (fixed text, the diagnostics mended, the
    check of the fixed text, the check of the original text)."""
    rounds = fix_rounds_of(source, path, settings)
    return rounds.text, list(rounds.applied), rounds.result, rounds.initial


def fix_rounds_of(source: str, path: str, settings, boundaries: Sequence[int] = ()) -> Rounds:
    """fix_rounds with the check of a file at ``path`` under ``settings``."""
    from cnnlint.api import check_source

    return fix_rounds(source, lambda text: check_source(text, path, settings), boundaries)


def read_file(path: str) -> Tuple[bytes, str]:
    """The file's bytes and its text (UTF-8, BOM removed). Raises OSError / UnicodeDecodeError."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device: never block on it
        raise OSError(0, "not a regular file")
    with open(path, "rb") as fh:
        data = fh.read()
    body = data[len(BOM):] if data.startswith(BOM) else data
    return data, body.decode("utf-8")


def fix_file(path: str, settings) -> Tuple[FileResult, Optional[FileFix]]:
    """Check one file and compute its fixes (nothing is written): (the result to report, the
    FileFix or None when the file cannot be read)."""
    from cnnlint.api import check_file

    try:
        original, source = read_file(path)
    except (OSError, UnicodeDecodeError):
        return check_file(path, settings), None  # reports why it cannot be read
    try:
        if is_notebook(path):
            return fix_notebook(path, original, source, settings)
        fixed, applied, result, initial = fix_source(source, path, settings)
    except RecursionError:
        return check_file(path, settings), None
    return result, FileFix(path, original, source, fixed, applied, result, initial)


def fix_notebook(path: str, original: bytes, text: str, settings) -> Tuple[FileResult, Optional[FileFix]]:
    """A notebook's fixes: its code cells fixed as one source, the changed cells written back
    into its JSON text (see the module's docstring)."""
    from cnnlint.api import check_notebook
    from cnnlint.notebook_results import in_cells, not_checked, to_cells

    try:
        nb = read_notebook(text)
    except NotebookError:
        return check_notebook(text, path, settings), None  # says why it cannot be read
    skipped = not_checked(path, nb)
    if skipped is not None:
        return skipped, None
    rounds = fix_rounds_of(nb.source, path, settings, cell_boundaries(nb))
    initial = to_cells(rounds.initial, nb, text)
    fixed_text = text
    if rounds.text != nb.source:
        try:
            fixed_text = write_sources(text, fixed_cells(nb, rounds.text, rounds.boundaries))
            fixed_nb = read_notebook(fixed_text)
            if fixed_nb.source != rounds.text:  # the cells read back must be what was checked
                raise NotebookError("the rewritten notebook does not read back as the fixed source")
        except NotebookError:
            return initial, FileFix(path, original, text, text, [], initial, initial)
        result = to_cells(rounds.result, fixed_nb, fixed_text)
    else:
        result = initial
    applied = [in_cells(d, nb) for d in rounds.applied]  # (a later round's place is approximate)
    return result, FileFix(path, original, text, fixed_text, applied, result, initial)


def write_fixed(ff: FileFix) -> None:
    """Write the fixed text over the file, atomically, keeping its mode bits; refuse (FixError)
    if the file no longer holds the bytes that were read."""
    if not ff.changed:
        return
    real = os.path.realpath(ff.path)  # write through a symlink, do not replace it
    try:
        with open(real, "rb") as fh:
            current = fh.read()
        st = os.stat(real)
    except OSError as e:
        raise FixError(f"{ff.path}: cannot read it again before writing: {e.strerror or e}")
    if current != ff.original:
        raise FixError(f"{ff.path}: the file changed on disk since cnnlint read it; not fixed (run again)")
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):  # read-only, even for root
        raise FixError(f"{ff.path}: the file is not writable; not fixed")
    folder = os.path.dirname(real) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(real) + ".", suffix=".cnnlint-tmp")
    except OSError as e:
        raise FixError(f"{ff.path}: cannot write next to it: {e.strerror or e}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(ff.fixed_bytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, real)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise FixError(f"{ff.path}: cannot write the fixed file: {e.strerror or e}")


def unified_diff(path: str, before: str, after: str) -> str:
    if before == after:
        return ""
    lines = difflib.unified_diff(split_lines(before), split_lines(after), fromfile=path, tofile=path)
    out = []
    for line in lines:
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fixes_listing(fixes: Sequence[FileFix], would: bool) -> str:
    """``--show-fixes``: every mended diagnostic, grouped by file."""
    done = [ff for ff in fixes if ff.applied]
    total = sum(len(ff.applied) for ff in done)
    if not total:
        return "No fixes available.\n" if would else "No fixes applied.\n"
    lines = [f"{'Would fix' if would else 'Fixed'} {_plural(total, 'diagnostic')}:"]
    for ff in done:
        lines.append(f"- {ff.path}:")
        for d in ff.applied:
            where = f"cell {d.cell}:" if d.cell is not None else ""
            lines.append(f"    {where}{d.span.line}:{d.span.column} {d.code} {d.fix.description}")
    return "\n".join(lines) + "\n"


def fix_summary(fixes: Sequence[FileFix], would: bool) -> str:
    total = sum(len(ff.applied) for ff in fixes)
    files = sum(1 for ff in fixes if ff.changed)
    if would:
        return f"Would fix {_plural(total, 'diagnostic')} in {_plural(files, 'file')}.\n" if total \
            else "No fixes available.\n"
    return f"Fixed {_plural(total, 'diagnostic')} in {_plural(files, 'file')}.\n" if total else ""


class Fixer:
    """The --fix / --diff flow of `cnnlint check` (checking.check_command drives it):
    ``check`` replaces check_file for each path, ``finish`` writes the files (or prints the
    diff and ends the command), ``report`` adds the fix summary and gives the exit status."""

    def __init__(self, args):
        from cnnlint.errors import UsageError as CommandError

        self.args = args
        self.diff = bool(getattr(args, "diff", False))
        self.show = bool(getattr(args, "show_fixes", False))
        self.fixes: List[FileFix] = []
        self.written: List[FileFix] = []
        self.problems: List[str] = []
        if getattr(args, "stdin_filename", None) is not None or list(getattr(args, "paths", [])) == ["-"]:
            raise CommandError("--fix and --diff work on files, not on stdin")

    def check(self, path: str, settings) -> FileResult:
        result, ff = fix_file(path, settings)
        if ff is not None:
            self.fixes.append(ff)
        return result

    def finish(self, results: List[FileResult]) -> Tuple[List[FileResult], Optional[int]]:
        """With --diff: print the diffs, return status 1 when there is one, else 0. With --fix:
        write every changed file; return the results to report and None (the command goes on)."""
        if self.diff:
            out = "".join(ff.diff() for ff in self.fixes)
            sys.stdout.write(out)
            sys.stdout.flush()
            if self.show:
                sys.stderr.write(fixes_listing(self.fixes, would=True))
            sys.stderr.write(fix_summary(self.fixes, would=True))
            return results, (1 if out else 0)
        failed = set()
        for ff in self.fixes:
            if not ff.changed:
                continue
            try:
                write_fixed(ff)
                self.written.append(ff)
            except FixError as e:
                self.problems.append(str(e))
                failed.add(ff.path)
        if failed:  # report those files as they were read: they were not fixed
            initial = {ff.path: ff.initial for ff in self.fixes if ff.path in failed}
            results = [initial.get(r.path, r) if r.path in failed else r for r in results]
        return results, None

    def report(self, fmt: str, to_file: bool, results: Sequence[FileResult]) -> int:
        extra = fixes_listing(self.written, would=False) if self.show else ""
        extra += fix_summary(self.written, would=False)
        if extra and not getattr(self.args, "quiet", False):
            text_format = fmt in ("text", "full", "concise") and not to_file
            (sys.stdout if text_format else sys.stderr).write(extra)
            sys.stdout.flush()
        for message in self.problems:
            print(f"cnnlint: error: {message}", file=sys.stderr)
        if self.problems:
            return 2
        has_error = any(d.severity == "error" for r in results for d in r.diagnostics)
        return 0 if getattr(self.args, "exit_zero", False) or not has_error else 1
