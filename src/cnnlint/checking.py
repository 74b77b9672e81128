"""The `check` command's flow: configuration, file discovery and excludes, stdin, reporters and
where the report goes. cli.py parses; this runs; reporters/ format."""
from __future__ import annotations

import json
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from cnnlint.api import PathError, Settings, check_file, check_files, check_text, discover
from cnnlint.config import Config, ConfigError, Overrides, check_selectors, merge, resolve, settings_for
from cnnlint.diagnostics import FileResult


from cnnlint.errors import UsageError as CommandError  # exit status 2 with one line on stderr


def _codes(text: Optional[str], option: str) -> Tuple[str, ...]:
    try:
        return check_selectors([c for c in (text or "").split(",")])
    except ValueError as e:
        raise CommandError(f"{option}: {e}")


def _globs(text: Optional[str]) -> Tuple[str, ...]:
    return tuple(g.strip() for g in (text or "").split(",") if g.strip())


def overrides(args, settings: Settings) -> Overrides:
    select = getattr(args, "select", None)
    return Overrides(
        select=_codes(select, "--select") if select is not None else None,
        ignore=_codes(getattr(args, "ignore", ""), "--ignore"),
        extend_select=_codes(getattr(args, "extend_select", ""), "--extend-select"),
        exclude=_globs(args.exclude) if getattr(args, "exclude", None) is not None else None,
        extend_exclude=_globs(getattr(args, "extend_exclude", "")),
        input_specs=settings.input_specs,
        show_notes=True if getattr(args, "show_notes", False) else None,
        python=python_option(args),
        unsafe_fixes=getattr(args, "unsafe_fixes", None),
    )


def python_option(args) -> Optional[str]:
    """--python, checked: an interpreter or environment folder that exists."""
    python = getattr(args, "python", None)
    if python is not None and not os.path.exists(python):
        raise CommandError(f"--python {python}: no such interpreter or environment folder")
    return python


def environment_line(cfg: Config, path: Optional[str]) -> str:
    from cnnlint.api import Settings, environment_for

    settings = Settings(python=cfg.python, python_from=cfg.python_from)
    return environment_for(path or os.path.join(os.getcwd(), "-.py"), settings).describe()


def show_settings(args, settings: Settings) -> int:
    """`check --show-settings`: what a check of the first path would use."""
    from cnnlint.api import environment_for

    paths = [p for p in args.paths if p != "-"] or ["."]
    cfg = _Configs(args, settings).for_path(paths[0])
    env = environment_for(os.path.join(os.path.abspath(paths[0]), "-.py") if os.path.isdir(paths[0])
                          else paths[0], Settings(python=cfg.python, python_from=cfg.python_from))
    rows = [("path", paths[0]), ("configuration", cfg.path or "(defaults)"), ("root", cfg.root),
            ("select", ", ".join(cfg.select) if cfg.select is not None else "(all)"),
            ("ignore", ", ".join(cfg.ignore) or "(none)"),
            ("include", ", ".join(cfg.include + cfg.extend_include) or "(none)"),
            ("output-format", cfg.output_format or "text"),
            ("input-shapes", ", ".join(f"{p or '*'}={s.text}" for p, s in cfg.input_shapes) or "(none)"),
            ("environment", env.describe())]
    rows += [("  searches", folder) for folder in env.search.folders]
    rows += [("  editable", f"{name} -> {folder}") for name, folder in env.search.packages]
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in rows))
    return 0


class _Configs:
    """The configuration for each checked path, read once per configuration file."""

    def __init__(self, args, settings: Settings):
        self.explicit = getattr(args, "config", None)
        self.isolated = getattr(args, "isolated", False)
        self.cli = overrides(args, settings)
        self.cache: Dict[Optional[str], Config] = {}

    def for_path(self, path: Optional[str]) -> Config:
        try:
            cfg = resolve(path, self.explicit, self.isolated)
        except ConfigError as e:
            raise CommandError(str(e))
        key = cfg.path
        if key not in self.cache:
            self.cache[key] = merge(cfg, self.cli)
        return self.cache[key]


def configured_results(args, settings: Settings, paths: Sequence[str]) -> List[FileResult]:
    """Check the paths (or stdin) under their configuration."""
    return _run(args, settings, paths)[0]


def reads_stdin(args, paths: Sequence[str]) -> bool:
    return getattr(args, "stdin_filename", None) is not None or list(paths) == ["-"]


def _run(args, settings: Settings, paths: Sequence[str],
         checker=check_file) -> Tuple[List[FileResult], Config, Dict[str, Config]]:
    """The results, the configuration of the first path (its output-format counts) and each
    checked file's configuration. A path named on the command line is checked even inside an
    excluded folder, or when its own name is excluded, unless --force-exclude; a named path that
    yields no Python file gets a warning on stderr (not with --quiet, as ruff)."""
    configs = _Configs(args, settings)
    stdin_name = getattr(args, "stdin_filename", None)
    force = getattr(args, "force_exclude", False)
    if reads_stdin(args, paths):
        name = stdin_name or "-"
        cfg = configs.for_path(name if stdin_name else None)
        if stdin_name and force and cfg.is_excluded(stdin_name):
            return [], cfg, {}
        source = sys.stdin.read()
        if source.startswith("\ufeff"):
            source = source[1:]
        return [check_text(source, name, settings_for(cfg, name, settings))], cfg, {name: cfg}
    results: List[FileResult] = []
    items: List[Tuple[str, Settings]] = []  # checked together below: cache and process pool
    first: Optional[Config] = None
    used: Dict[str, Config] = {}
    quiet = getattr(args, "quiet", False)
    warned = False
    for p in paths:
        cfg = configs.for_path(p)
        first = first or cfg
        if not os.path.exists(p) and not os.path.islink(p):
            raise PathError(p)
        if os.path.isdir(p):
            if force and p not in (".", "./") and cfg.is_excluded(p):
                files = []
            else:
                files = list(discover([p], excluded=lambda f: cfg.is_excluded(f, below=p), included=cfg.is_included))
            if not files and not quiet:
                print(f"warning: No Python files found under {p}", file=sys.stderr)
                warned = True
        else:
            files = [] if force and cfg.is_excluded(p) else [p]
        for f in files:
            used[f] = cfg
            if checker is check_file:
                items.append((f, settings_for(cfg, f, settings)))
            else:
                results.append(checker(f, settings_for(cfg, f, settings)))
    if not used and paths and not warned and not quiet:  # every named file excluded (--force-exclude)
        print("warning: No Python files found under the given paths", file=sys.stderr)
    if items:
        results = check_files(items, cache_dir(args))
    return results, first or configs.for_path(None), used


def hide_notes(results: Sequence[FileResult], configs: Dict[str, Config]) -> Tuple[List[FileResult], int]:
    """The results without the notes about cnnlint's limits that the text formats hide (see
    Config.shown_notes), and how many were hidden."""
    from dataclasses import replace

    from cnnlint.rules import is_limit_note

    shown_by: Dict[Optional[str], Tuple[str, ...]] = {}
    out: List[FileResult] = []
    hidden = 0
    for r in results:
        cfg = configs.get(r.path)
        key = cfg.path if cfg is not None else None
        if key not in shown_by:
            shown_by[key] = cfg.shown_notes() if cfg is not None else ()
        shown = shown_by[key]
        keep = tuple(d for d in r.diagnostics if d.code in shown or not is_limit_note(d.code, d.severity))
        hidden += len(r.diagnostics) - len(keep)
        out.append(r if len(keep) == len(r.diagnostics) else replace(r, diagnostics=keep))
    return out, hidden


def cache_dir(args) -> Optional[str]:
    """The cache folder for this run, or None (--no-cache, CNNLINT_NO_CACHE=1)."""
    if getattr(args, "no_cache", False) or os.environ.get("CNNLINT_NO_CACHE", "") not in ("", "0"):
        return None
    return getattr(args, "cache_dir", None) or os.environ.get("CNNLINT_CACHE_DIR") or ".cnnlint_cache"


def statistics(results: Sequence[FileResult], as_json: bool) -> str:
    from cnnlint.rules import RULES

    counts: Dict[str, List[int]] = {}
    for r in results:
        for d in r.diagnostics:
            entry = counts.setdefault(d.code, [0, 0])
            entry[0] += 1
            if d.fix is not None and d.fix.applies:
                entry[1] += 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    if as_json:
        return json.dumps([{"code": code, "name": RULES[code].name if code in RULES else None,
                            "count": n, "fixable": fixable > 0} for code, (n, fixable) in rows], indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(n)) for _, (n, _) in rows)
    return "".join(f"{n:>{width}}\t{code}\t{'[*] ' if fixable else '    '}"
                   f"{RULES[code].name if code in RULES else ''}\n" for code, (n, fixable) in rows)


TEXT_FORMATS = ("full", "text", "concise", "github")  # the formats that hide the notes on cnnlint's limits


def render(fmt: str, results: Sequence[FileResult], quiet: bool = False, hidden: int = 0,
           checked: bool = True) -> str:
    """The report. ``hidden``: notes left out (counted in the summary); ``checked``: False when
    no file was checked at all (the summary does not say the checks passed)."""
    from cnnlint.reporters import json as json_out, text

    if fmt == "json":
        return json_out.diagnostics_json(results)
    if fmt == "json-lines":
        return json_out.diagnostics_json_lines(results)
    if fmt == "sarif":
        from cnnlint.reporters import sarif

        return sarif.sarif(results)
    if fmt == "github":
        from cnnlint.reporters import github

        return github.annotations(results)
    out = (text.concise if fmt == "concise" else text.full)(results, hidden, checked)
    if quiet:  # the diagnostics only, without the closing summary
        summary = text.summary(results, hidden, checked)
        if out.endswith(summary + "\n"):
            out = out[: -len(summary) - 1]
    return out


def check_command(args, settings: Settings) -> int:
    if getattr(args, "show_settings", False):
        return show_settings(args, settings)
    if getattr(args, "verbose", False):
        first = next((p for p in args.paths if p != "-"), None)
        cfg = _Configs(args, settings).for_path(first)
        print(f"cnnlint: configuration: {cfg.path or '(defaults)'}", file=sys.stderr)
        print(f"cnnlint: environment: {environment_line(cfg, first)}", file=sys.stderr)
    fixer = None
    if getattr(args, "fix", False) or getattr(args, "diff", False):  # see apply_fixes.py
        from cnnlint.apply_fixes import Fixer

        fixer = Fixer(args)
    try:
        results, cfg, configs = _run(args, settings, args.paths, fixer.check if fixer else check_file)
    except PathError as e:
        raise CommandError(f"{e.args[0]}: no such file or directory")
    if fixer is not None:
        results, status = fixer.finish(results)
        if status is not None:
            return status
    fmt = args.format or cfg.output_format or "text"
    checked = bool(results) or reads_stdin(args, args.paths)
    shown, hidden = (results, 0)
    if getattr(args, "statistics", False):
        as_json = fmt in ("json", "json-lines")
        if not as_json:
            shown, hidden = hide_notes(results, configs)
        out = statistics(shown, as_json)
        if hidden and not getattr(args, "quiet", False):
            from cnnlint.reporters.text import notes_hidden

            out += notes_hidden(hidden) + "\n"
    else:
        if fmt in TEXT_FORMATS:
            shown, hidden = hide_notes(results, configs)
        out = render(fmt, shown, getattr(args, "quiet", False), hidden, checked)
    target = getattr(args, "output_file", None)
    if target:
        try:
            parent = os.path.dirname(os.path.abspath(target))
            os.makedirs(parent, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(out)
        except OSError as e:
            raise CommandError(f"--output-file {target}: {e.strerror or e}")
    else:
        sys.stdout.write(out)
        sys.stdout.flush()
    if fixer is not None:
        return fixer.report(fmt, bool(target), results)
    has_error = any(d.severity == "error" for r in results for d in r.diagnostics)
    return 0 if getattr(args, "exit_zero", False) or not has_error else 1
