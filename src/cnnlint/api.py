"""The library entry points: check a source text or paths, get diagnostics and shape traces."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from cnnlint.diagnostics import Diagnostic, FileResult, Span
from cnnlint.inputspec import InputSpec
from cnnlint.rules import RULES

SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", "build",
             "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cnnlint_cache", ".eggs", "site-packages",
             ".ipynb_checkpoints"}


@dataclass(frozen=True)
class Settings:
    input_specs: Tuple[InputSpec, ...] = ()
    model: Optional[str] = None
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    shapes: bool = False
    python: Optional[str] = None  # the environment whose libraries are read (see cnnlint.environment)
    python_from: str = "--python"  # where ``python`` came from: "--python" or "config"
    repair: bool = True  # verify fixes and search for repairs of errors (repair.py)
    unsafe_fixes: bool = False  # --fix applies unsafe fixes too (Fix.enabled)
    stop_at: Optional[Tuple[str, int]] = None  # (code, line): stop a model's run when it reports that


class PathError(Exception):
    """A path given on the command line does not exist."""


def environment_for(path: str, settings: Settings):
    """The Python environment whose installed libraries a check of ``path`` reads."""
    from cnnlint.environment.locate import find_environment

    start = os.path.dirname(os.path.abspath(path)) if path not in ("<stdin>", "-") else None
    return find_environment(settings.python, settings.python_from, start=start)


def check_source(source: str, path: str = "<stdin>", settings: Settings = Settings(),
                 observe: Optional[Callable[..., None]] = None) -> FileResult:
    """Check one file's text: its diagnostics and (with settings.shapes) each model's trace."""
    import libcst as cst

    from cnnlint import repair
    from cnnlint.analyze import analyze, finding_chain, with_input_sizes
    from cnnlint.fixes import make_fix, resolve_conflicts, shared_constructors
    from cnnlint.source import FileContext
    from cnnlint.interpret import imports
    from cnnlint.interpret.imports import owner_of
    from cnnlint.suppress import apply_noqa, skip_file

    if skip_file(source):  # `# cnnlint: skip-file`
        return FileResult(path, (), (), source)
    imports.set_environment(environment_for(path, settings))
    try:
        ctx = FileContext(path, source)
    except cst.ParserSyntaxError as e:
        lines = str(e).strip().splitlines()
        message = lines[0] if lines else "invalid syntax"
        if len(lines) > 1 and lines[1].startswith(("tokenizer error", "Internal error")):
            message = f"{message.rstrip('.')}: {lines[1]}"  # says why: `too many indentation levels`
        return FileResult(path, (Diagnostic(path, Span(e.raw_line, e.raw_column + 1, e.raw_line, e.raw_column + 1),
                                            "CNN001", "error", f"cannot parse the file: {message}"),))
    except SyntaxError as e:  # Python's parser rejected it, and libcst too
        line = e.lineno or 1
        column = max(1, e.offset or 1)
        end_line = e.end_lineno if e.end_lineno and e.end_lineno >= line else line
        end_column = e.end_offset if e.end_offset and (end_line, e.end_offset) > (line, column) else column
        return FileResult(path, (Diagnostic(path, Span(line, column, end_line, end_column), "CNN001", "error",
                                            f"cannot parse the file: {e.msg}"),))
    except RecursionError:
        return FileResult(path, (Diagnostic(path, Span(1, 1, 1, 1), "CNN001", "error",
                                            "cannot parse the file: it nests too deeply"),))
    started = time.monotonic()
    ctx.stop_at = settings.stop_at
    runs = analyze(ctx, settings.input_specs, settings.model)
    if observe is not None:  # the language server keeps the runs: hover, inlay hints (lsp_analysis.py)
        observe(ctx, runs)
    shared = shared_constructors(run.interp for run in runs)  # calls that build several layers
    plans: Dict[tuple, list] = {}  # an error's repairs to try (repair.py), by its diagnostic's key
    diagnostics: List[Diagnostic] = []
    seen = set()
    first_at: Dict[tuple, int] = {}  # a finding's key -> its place in diagnostics
    for run in runs:
        after = False  # after a mismatch (or a view that folds the batch) later sizes are doubtful
        for f in run.interp.findings:
            severity = f.severity or RULES[f.code].severity
            doubtful = after or id(f.node) in shared
            after_before = after
            after = after or f.code.startswith("CNN1") or f.code == "CNN201"
            key = (f.code, id(f.node), str(f.declared), str(f.inferred), f.message if f.node is None else "")
            if key in seen:
                # the same finding again: an error (a model that really builds it so) wins over the
                # warning of a block run alone with its defaults
                at = first_at.get(key)
                if severity == "error" and at is not None and diagnostics[at].severity == "warning":
                    node, message = f.node, f.message
                    if node is not None and not ctx.owns(node):
                        node, message = _foreign(ctx, f)
                    diagnostics[at] = Diagnostic(path, ctx.span(node), f.code, severity, message, f.model,
                                                 f.declared, f.inferred, make_fix(ctx, f, doubtful),
                                                 tuple(f.options), finding_chain(run, f))
                continue
            seen.add(key)
            first_at[key] = len(diagnostics)
            node, message = f.node, f.message
            if node is not None and not ctx.owns(node):
                node, message = _foreign(ctx, f)
            fix = make_fix(ctx, f, doubtful)
            diagnostics.append(Diagnostic(path, ctx.span(node), f.code, severity, message, f.model,
                                          f.declared, f.inferred, fix, tuple(f.options), finding_chain(run, f)))
            if settings.repair and severity == "error" and f.code.startswith("CNN1") and not after_before and \
                    f.repairable:
                # the first mismatch of the run (later ones may be its echoes); in a layer of another
                # file, the numbers of this file's calls that built it can still mend it
                try:
                    plans[(diagnostics[-1].model, f.code, diagnostics[-1].span.line, diagnostics[-1].span.column)] = \
                        repair.candidates(ctx, run, f, fix)
                except Exception:  # noqa: BLE001 - the search is optional: the error keeps the rule's own fix
                    pass
        error = getattr(run.interp, "internal_error", None)
        if error:
            diagnostics.append(Diagnostic(path, ctx.span(run.model.node), "CNN999", "info",
                                          f"internal error while analysing {run.model.name} ({error}); "
                                          "please report it", run.model.name))
        for node, message in run.interp.notes:
            key = ("CNN401", id(node), message)
            if key in seen:
                continue
            seen.add(key)
            if node is not None and not ctx.owns(node):  # in a library or another project file
                other = owner_of(node)
                message += f" (in {other.path}:{other.span(node).line})" if other is not None else " (in another file)"
                node = run.model.node
            span = ctx.span(node, near=run.interp.near.get(id(node)))
            diagnostics.append(Diagnostic(path, span, "CNN401", "info", message, run.model.name))
    for node, stmt in ctx.layout.stand_ins:  # valid Python that libcst cannot read
        what = f"'{stmt.name}'" if stmt.name else "this statement"
        diagnostics.append(Diagnostic(path, ctx.span(node), "CNN401", "info",
                                      f"libcst cannot parse {what} ({stmt.error}); what it defines is unknown"))
    diagnostics = resolve_conflicts([d for d in apply_noqa(diagnostics, source) if selected(d.code, settings)])
    diagnostics.sort(key=lambda d: (d.span.line, d.span.column, d.code))
    if plans and any(d.severity == "error" for d in diagnostics):
        spent = time.monotonic() - started
        models = {d.model for d in diagnostics if d.severity == "error"}
        baseline = {r.model.name: repair.outputs([r.trace]) for r in runs
                    if r.model.name in models and r.trace is not None}
        try:
            diagnostics = repair.repair(source, diagnostics, plans, lambda text, model, gone, stop_at=None: _settle(
                text, path, replace(settings, model=model, shapes=True, repair=False, unsafe_fixes=False), gone,
                stop_at), spent, baseline, several=len(runs) > 1)
        except (Exception, RecursionError):  # noqa: BLE001 - the search is optional: the rules' own fixes stay
            pass
    if settings.unsafe_fixes:
        diagnostics = [replace(d, fix=replace(d.fix, enabled=True)) if d.fix is not None and not d.fix.safe else d
                       for d in diagnostics]
    traces = tuple(with_input_sizes(r.trace) for r in runs if r.trace is not None) if settings.shapes else ()
    return FileResult(path, tuple(diagnostics), traces, source)


def _settle(text: str, path: str, settings: Settings, gone: Callable[[FileResult], bool],
            stop_at: Optional[Tuple[str, int]] = None):
    """The check of ``text``, its check after its own safe fixes (round by round), and how many
    those were; when ``gone(first check)`` is false (the error is still there), no rounds."""
    from cnnlint.fixrounds import fix_rounds

    first = check_source(text, path, replace(settings, stop_at=stop_at))
    if not gone(first):
        return first, first, 0  # the run stopped where the error came back
    rounds = fix_rounds(text, lambda t: check_source(t, path, settings), initial=first)
    return rounds.initial, rounds.result, len(rounds.applied)


def _foreign(ctx, f):
    """A finding inside another file of the project: report it at the call in this file."""
    from cnnlint.interpret.imports import owner_of

    other = owner_of(f.node)
    where = f" (in {other.path}:{other.span(f.node).line})" if other is not None else " (in another file)"
    return f.site, f.message + where


def selected(code: str, settings: Settings) -> bool:
    def match(prefixes):
        return any(code.startswith(p) for p in prefixes)

    if settings.select and not match(settings.select):
        return False
    return not match(settings.ignore)


def read_source(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


def check_file(path: str, settings: Settings = Settings()) -> FileResult:
    try:
        data = read_bytes(path)
    except OSError as e:
        return _unreadable(path, e)
    return check_bytes(path, data, settings)


def read_bytes(path: str) -> bytes:
    """A regular file's bytes; OSError for anything else (a FIFO would block, a device never end)."""
    import stat

    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file")
    with open(path, "rb") as fh:
        return fh.read()


def _unreadable(path: str, e: OSError) -> FileResult:
    return FileResult(path, (Diagnostic(path, Span(1, 1, 1, 1), "CNN001", "error",
                                        f"cannot read the file: {e.strerror or e}"),))


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")


def check_bytes(path: str, data: bytes, settings: Settings = Settings()) -> FileResult:
    try:
        source = decode(data)
    except UnicodeDecodeError as e:
        return FileResult(path, (Diagnostic(path, Span(1, 1, 1, 1), "CNN001", "error",
                                            f"cannot read the file as UTF-8 ({e.reason} at byte {e.start})"),))
    try:
        return check_text(source, path, settings)
    except RecursionError:
        return FileResult(path, (Diagnostic(path, Span(1, 1, 1, 1), "CNN001", "error",
                                            "cannot analyse the file: it nests too deeply"),))


def check_text(text: str, path: str, settings: Settings = Settings()) -> FileResult:
    """Check a file's text: a Jupyter notebook's JSON when ``path`` ends in .ipynb, else Python."""
    from cnnlint.notebook import is_notebook

    if is_notebook(path):
        return check_notebook(text, path, settings)
    return check_source(text, path, settings)


def check_notebook(text: str, path: str, settings: Settings = Settings()) -> FileResult:
    """Check a notebook's code cells as one source; positions are reported per cell."""
    from cnnlint.notebook import NotebookError, read_notebook
    from cnnlint.notebook_results import not_checked, to_cells, unreadable

    try:
        nb = read_notebook(text)
    except NotebookError as e:
        return unreadable(path, e)
    return not_checked(path, nb) or to_cells(check_source(nb.source, path, settings), nb, text)


def result_source(path: str, data: bytes) -> Optional[str]:
    """The Python text a check of this file's bytes reads (a notebook's code cells), or None."""
    from cnnlint.notebook import NotebookError, is_notebook, read_notebook

    try:
        text = decode(data)
    except UnicodeDecodeError:
        return None
    if not is_notebook(path):
        return text
    try:
        return read_notebook(text).source
    except NotebookError:
        return None


DEFAULT_SUFFIXES = (".py", ".ipynb")  # what a folder search finds without a configuration


def discover(paths: Iterable[str], excluded: Optional[Callable[[str], bool]] = None,
             included: Optional[Callable[[str], bool]] = None) -> Iterator[str]:
    """Every .py file and Jupyter notebook under the given paths, in a stable order. Raises
    PathError for a missing path. ``excluded(path)``, when given, replaces the default SKIP_DIRS
    test for folders and files found under a folder, and ``included(path)`` the test of which
    files a search finds (a path named on the command line is always checked)."""
    def wanted(path: str) -> bool:
        return included(path) if included is not None else path.endswith(DEFAULT_SUFFIXES)

    for p in paths:
        if os.path.isdir(p) and excluded is not None:
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not excluded(os.path.join(root, d)))
                for f in sorted(files):
                    path = os.path.join(root, f)
                    if wanted(path) and not excluded(path):
                        yield path
        elif os.path.isdir(p):
            seen_dirs = set()
            for root, dirs, files in os.walk(p, followlinks=False):
                real = os.path.realpath(root)
                if real in seen_dirs:
                    dirs[:] = []
                    continue
                seen_dirs.add(real)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
                for f in sorted(files):
                    if wanted(os.path.join(root, f)):
                        yield os.path.join(root, f)
        elif os.path.exists(p) or os.path.islink(p):
            yield p
        else:
            raise PathError(p)


def check_paths(paths: Sequence[str], settings: Settings = Settings(), cache: Optional[str] = None,
                jobs: Optional[int] = None) -> List[FileResult]:
    """Check every file under ``paths``. ``cache``: a cache folder to use (see cache.py), or None."""
    return check_files([(f, settings) for f in discover(paths)], cache, jobs)


POOL_MIN_FILES = 6  # below this a process pool costs more than it saves
WARM_FILES = 4  # at most this many files are checked before the pool starts


def check_files(items: Sequence[Tuple[str, Settings]], cache: Optional[str] = None,
                jobs: Optional[int] = None) -> List[FileResult]:
    """Check (path, settings) pairs, in order: from the cache folder ``cache`` when an entry is
    still valid, the rest on all cores when there are more than a handful (``jobs`` or the
    CNNLINT_JOBS variable caps the processes; 1 checks in this process)."""
    results: List[Optional[FileResult]] = [None] * len(items)
    todo = []
    store = None
    if cache is not None:
        from cnnlint.cache import Cache

        store = Cache(cache)
    for i, (path, settings) in enumerate(items):
        if store is not None and not settings.shapes:
            hit = _lookup(store, path, settings)
            if hit is not None:
                results[i] = hit
                continue
        todo.append(i)
    if jobs is None:
        jobs = int(os.environ.get("CNNLINT_JOBS") or 0) or (os.cpu_count() or 1)
    jobs = max(1, min(jobs, len(todo)))
    root = store.root if store is not None else None
    if jobs > 1 and len(todo) >= POOL_MIN_FILES:
        # check the first files here, until one has needed sympy (as nearly every model file
        # does) or a few are done: the forked workers inherit sympy and the project files these
        # imported, instead of each loading them again
        from cnnlint import dims

        warm = 0
        while warm < min(WARM_FILES, len(todo) - POOL_MIN_FILES) and (warm == 0 or dims._sympy is None):
            i = todo[warm]
            results[i] = _check_and_store(items[i][0], items[i][1], root)
            warm += 1
        rest = todo[warm:]
        done = _check_in_pool([(items[i][0], items[i][1], root) for i in rest], jobs)
        for i, r in zip(rest, done):
            results[i] = r
    for i in todo:
        if results[i] is None:
            results[i] = _check_and_store(items[i][0], items[i][1], root)
    return results  # type: ignore[return-value]


def _lookup(store, path: str, settings: Settings) -> Optional[FileResult]:
    try:
        data = read_bytes(path)
    except OSError:
        return None
    source = result_source(path, data)
    return store.get(store.key(path, data, settings, environment_for(path, settings).fingerprint()), source)


def _check_and_store(path: str, settings: Settings, cache_root: Optional[str]) -> FileResult:
    if cache_root is None or settings.shapes:
        return check_file(path, settings)
    from cnnlint.cache import Cache, tracking

    try:
        data = read_bytes(path)
    except OSError as e:
        return _unreadable(path, e)
    store = Cache(cache_root)
    with tracking() as deps:
        result = check_bytes(path, data, settings)
    store.put(store.key(path, data, settings, environment_for(path, settings).fingerprint()), result, deps)
    return result


def _pool_task(chunk) -> List[FileResult]:
    return [_check_and_store(*args) for args in chunk]


def _check_in_pool(tasks, jobs: int) -> List[Optional[FileResult]]:
    """Results in the order of ``tasks``; None where a worker died (those are checked again here)."""
    import concurrent.futures as cf

    out: List[Optional[FileResult]] = [None] * len(tasks)
    # contiguous runs of files, a few per worker: files of one folder share the project files
    # they import, which a worker parses once
    # ...shrinking towards the end (guided scheduling), so that the workers finish together
    chunks = []
    start = 0
    while start < len(tasks):
        size = max(1, -(-(len(tasks) - start) // (jobs * 3)))
        chunks.append((start, tasks[start:start + size]))
        start += size
    try:
        with cf.ProcessPoolExecutor(jobs) as pool:
            futures = [(start, pool.submit(_pool_task, chunk)) for start, chunk in chunks]
            for start, fut in futures:
                try:
                    for k, result in enumerate(fut.result()):
                        out[start + k] = result
                except Exception:  # a broken pool or an unpicklable result: check them here instead
                    pass
    except Exception:  # no processes available (sandbox, no /dev/shm): check here
        pass
    return out
