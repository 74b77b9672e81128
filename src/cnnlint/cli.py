"""Command-line parsing only: `cnnlint [check] PATH...`, `cnnlint shapes FILE`, `cnnlint rule CODE`."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from cnnlint import __version__
from cnnlint.errors import UsageError

COMMANDS = ("check", "shapes", "rule", "lsp")
CHECK_FORMATS = ("full", "text", "concise", "json", "json-lines", "sarif", "github")
SHAPES_FORMATS = ("text", "json", "markdown", "mermaid", "dot")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with one line, as the contract says
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cnnlint", description="Static shape checker for PyTorch model code.")
    parser.add_argument("--version", action="version", version=f"cnnlint {__version__}")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="check files for shape errors (the default command)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--format", "--output-format", dest="format", default=None, choices=CHECK_FORMATS,
                       help="output format (default: the config's output-format, else text)")
    _common(check)
    check.add_argument("--select", default=None, help="comma-separated rule codes or prefixes to report")
    check.add_argument("--ignore", default="", help="comma-separated rule codes or prefixes to skip")
    check.add_argument("--extend-select", default="", help="rule codes or prefixes to report besides --select")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when errors are found")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes (marked [*]) in place")
    check.add_argument("--diff", action="store_true",
                       help="print the safe fixes as a unified diff and change nothing (exit 1 if there is one)")
    check.add_argument("--show-fixes", action="store_true", help="list each diagnostic that --fix mends")
    check.add_argument("--unsafe-fixes", dest="unsafe_fixes", action="store_true", default=None,
                       help="let --fix and --diff apply the unsafe fixes too (config: unsafe-fixes = true)")
    check.add_argument("--no-unsafe-fixes", dest="unsafe_fixes", action="store_false",
                       help="apply only the safe fixes, whatever the configuration says")
    check.add_argument("--exclude", default=None, help="comma-separated globs to skip (replaces the defaults)")
    check.add_argument("--extend-exclude", default="", help="comma-separated globs to skip besides the defaults")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply the excludes to paths named on the command line too")
    check.add_argument("--statistics", action="store_true", help="print how often each rule fired")
    check.add_argument("--show-settings", action="store_true",
                       help="print the configuration and environment used for the first path, and exit")
    check.add_argument("--show-notes", action="store_true",
                       help="also show the notes about cnnlint's own limits (CNN401, CNN999) in the text formats")
    check.add_argument("-q", "--quiet", action="store_true", help="print the diagnostics only, no summary")
    check.add_argument("-o", "--output-file", default=None, metavar="FILE", help="write the report to FILE")
    check.add_argument("--stdin-filename", default=None, metavar="PATH",
                       help="read the source from stdin and report it as PATH")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    check.add_argument("--cache-dir", default=None, metavar="DIR",
                       help="where to keep the result cache (default: .cnnlint_cache)")

    shapes = sub.add_parser("shapes", help="print each model's per-layer shapes and parameters")
    shapes.add_argument("paths", nargs="+", metavar="PATH")
    shapes.add_argument("--model", default=None, help="only this model (class or function name)")
    shapes.add_argument("--format", dest="format", default="text", choices=SHAPES_FORMATS)
    shapes.add_argument("--depth", type=_depth, default=None, metavar="N",
                        help="fold the module tree below depth N, as torchinfo does (default 3)")
    shapes.add_argument("--explain", action="store_true", help="show each layer's size arithmetic")
    shapes.add_argument("--no-cache", action="store_true", help="keep nothing on disk: shapes never uses "
                                                                "the result cache; this also skips the cache "
                                                                "of what is read from libraries (timm's index)")
    _common(shapes)

    rule = sub.add_parser("rule", help="explain a rule")
    rule.add_argument("code", nargs="?", default=None)
    rule.add_argument("--all", action="store_true")

    sub.add_parser("lsp", help="start the language server on stdio (needs: pip install 'cnnlint[lsp]')")
    return parser


def _depth(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"want a number >= 0, got '{text}'")
    return int(text)


def _common(p):
    p.add_argument("--config", default=None, metavar="PATH",
                   help="use this configuration file (pyproject.toml or cnnlint.toml)")
    p.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    p.add_argument("--input-shape", action="append", default=[], metavar="SPEC",
                   help="input shape, batch first: 1,3,32,32 or N,3,H,W; Model=...; Model(args)=...")
    p.add_argument("--python", default=None, metavar="PATH",
                   help="the interpreter or environment folder whose installed libraries (torchvision, timm) "
                        "are read (default: VIRTUAL_ENV, CONDA_PREFIX, the project's .venv, else cnnlint's own)")
    p.add_argument("-v", "--verbose", action="store_true", help="say which environment and configuration are used")


def main(argv: Optional[Sequence[str]] = None) -> int:
    import gc

    # a one-shot command: the cyclic collector costs a third of the run on big trees and frees
    # little (libcst trees and the interpreter's values are mostly freed by reference counting)
    gc.disable()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["check"] + argv
    try:
        args = build_parser().parse_args(argv)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "lsp":
            from cnnlint.lsp import main as lsp_main

            return lsp_main()
        from cnnlint.checking import cache_dir
        from cnnlint.environment import store

        store.configure(cache_dir(args))  # what is read from libraries is kept beside the result cache
        if args.command == "shapes":
            return run_shapes(args)
        return run_check(args)
    except UsageError as e:
        print(f"cnnlint: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    """The console script: ``main()``, then leave at once. Tearing down a run's trees and values
    one object at a time takes longer than some checks (1.4 s after the torchvision models)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def _settings(args, shapes=False):
    from cnnlint.api import Settings
    from cnnlint.inputspec import SpecError, parse_spec

    try:
        specs = tuple(parse_spec(s) for s in args.input_shape)
    except SpecError as e:
        raise UsageError(f"--input-shape: {e}")
    codes = lambda text: tuple(c.strip().upper() for c in text.split(",") if c.strip())  # noqa: E731
    return Settings(input_specs=specs, model=getattr(args, "model", None),
                    select=codes(getattr(args, "select", None) or ""), ignore=codes(getattr(args, "ignore", "")),
                    shapes=shapes, repair=os.environ.get("CNNLINT_REPAIR", "1") != "0")


def run_check(args) -> int:
    from cnnlint.checking import check_command

    return check_command(args, _settings(args))


def _no_model(name: str, paths) -> str:
    """Why ``--model NAME`` found nothing: no such definition, or one cnnlint cannot read as a
    model (the files are parsed with ast, never imported)."""
    import ast

    for path in paths:
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            continue
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return (f"'{name}' in {path} is a function, but cnnlint cannot tell that it returns a module: "
                        "it builds none of the file's or its project's module classes, and calls no library "
                        "installed in the environment (see --show-settings) that returns one")
            if isinstance(stmt, ast.ClassDef) and stmt.name == name:
                return (f"'{name}' in {path} is a class, but not one cnnlint sees deriving from torch.nn.Module")
    return f"no model named '{name}' in {', '.join(paths)}"


def run_shapes(args) -> int:
    from cnnlint.api import PathError
    from cnnlint.checking import configured_results

    from cnnlint.targets import is_target

    settings = _settings(args, shapes=True)
    files = [p for p in args.paths if not is_target(p)]
    try:
        results = configured_results(args, settings, files) if files else []
    except PathError as e:
        raise UsageError(f"{e.args[0]}: no such file or directory")
    results += [library_result(args, settings, p) for p in args.paths if is_target(p)]
    traces = [t for r in results for t in r.models]
    if args.model and not traces:
        parse_errors = [d for r in results for d in r.diagnostics if d.code == "CNN001"]
        if parse_errors:
            d = parse_errors[0]
            from cnnlint.reporters.paths import position

            print(f"cnnlint: error: {position(d.path, d.span.line, d.span.column, d.cell)}: {d.message}",
                  file=sys.stderr)
            return 2
        raise UsageError(_no_model(args.model, args.paths))
    from cnnlint.reporters.shapes import render

    sys.stdout.write(render(traces, args.format, args.depth, args.explain))
    has_error = any(d.severity == "error" for r in results for d in r.diagnostics)
    return 1 if has_error else 0


def library_result(args, settings, target: str):
    """The shapes of a library model named on the command line (see targets.py)."""
    from dataclasses import replace

    from cnnlint.api import check_source
    from cnnlint.checking import _Configs
    from cnnlint.config import settings_for
    from cnnlint.targets import target_source

    label, source, model = target_source(target)
    cfg = _Configs(args, settings).for_path(None)
    here = os.path.join(os.getcwd(), "-.py")
    file_settings = replace(settings_for(cfg, here, settings), model=model)
    result = check_source(source, here, file_settings)
    return replace(result, path=label, models=tuple(replace(t, path=label) for t in result.models))


def run_rule(args) -> int:
    from cnnlint.rules import RULES

    if args.all or args.code is None:
        for r in RULES.values():
            print(f"{r.code}  {r.name:<24} {r.severity:<8} {r.summary}")
        return 0
    r = RULES.get(args.code.upper())
    if r is None:
        raise UsageError(f"unknown rule '{args.code}' (see `cnnlint rule --all`)")
    shown = " (a note about cnnlint's own limits: the text formats show it with --show-notes)" if r.limit else ""
    print(f"# {r.code} ({r.name})\n\nSeverity: {r.severity}{shown}\n\n## What it does\n{r.summary}\n\n"
          f"## Why is this bad?\n{r.why}\n\n## Example\n```python\n{r.bad}\n```\n\nUse instead:\n"
          f"```python\n{r.good}\n```")
    return 0
