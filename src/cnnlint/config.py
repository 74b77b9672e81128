"""Configuration: ``[tool.cnnlint]`` in pyproject.toml or the top level of a cnnlint.toml.

The nearest configuration file, walking up from the checked path (or the current folder),
wins; ``--config PATH`` names one. Patterns (``exclude``, ``per-file-ignores``, file parts of
``input-shapes``) are relative to the configuration file's folder.

    [tool.cnnlint]
    select = ["CNN1"]
    ignore = ["CNN401"]
    extend-select = ["CNN201"]
    exclude = [".git", "build"]          # replaces the default excludes
    extend-exclude = ["tests/fixtures"]  # adds to them
    include = ["*.py"]                   # what a folder search finds (default: *.py, *.ipynb)
    extend-include = ["*.pyw"]           # adds to it
    output-format = "concise"
    show-notes = true                    # also the notes about cnnlint's own limits (CNN401)

    [tool.cnnlint.per-file-ignores]
    "tests/*" = ["CNN102"]

    [tool.cnnlint.input-shapes]
    "models/net.py:Net" = "N,3,32,32"    # this model in this file
    "LeNet" = "1,1,28,28"                 # a model of that name in any file
"""
from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from cnnlint.inputspec import InputSpec, SpecError, parse_spec

DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", "build",
    "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cnnlint_cache", ".eggs", "site-packages",
    "*.egg-info", ".ipynb_checkpoints",
)
DEFAULT_INCLUDE: Tuple[str, ...] = ("*.py", "*.ipynb")  # as ruff since 0.6, less its .pyi and pyproject.toml
OUTPUT_FORMATS = ("full", "text", "concise", "json", "json-lines", "sarif", "github")
KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude", "include", "extend-include",
        "per-file-ignores", "output-format", "input-shapes", "show-notes", "python", "unsafe-fixes")
CONFIG_NAMES = ("cnnlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration file cannot be read or holds an unknown key or a bad value."""


@dataclass(frozen=True)
class Config:
    path: Optional[str] = None  # the file it came from; None: defaults
    root: str = "."  # patterns are relative to this folder
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    include: Tuple[str, ...] = DEFAULT_INCLUDE
    extend_include: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    output_format: Optional[str] = None
    show_notes: bool = False  # the text formats show the notes about cnnlint's limits too
    unsafe_fixes: bool = False  # --fix applies the unsafe fixes too
    # (file pattern or None for any file, spec)
    input_shapes: Tuple[Tuple[Optional[str], InputSpec], ...] = ()
    # the environment whose libraries are read: an interpreter or environment folder (absolute)
    python: Optional[str] = None
    python_from: str = "config"  # "config" or "--python"

    # paths ------------------------------------------------------------------------------
    def relative(self, path: str) -> str:
        try:
            rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        except ValueError:  # another drive
            rel = os.path.abspath(path)
        return rel.replace(os.sep, "/")

    def is_excluded(self, path: str, below: Optional[str] = None) -> bool:
        """``below``: a folder named on the command line that holds ``path``; only the parts of
        ``path`` under it are matched, so a named folder is searched even inside (or named as)
        an excluded one, as ruff does."""
        skip = 0
        if below is not None:
            skip = len([p for p in self.relative(below).split("/") if p not in ("", ".")])
        return matches_any(self.relative(path), self.exclude + self.extend_exclude, skip)

    def is_included(self, path: str) -> bool:
        """Whether a folder search takes this file: its name (or, for a pattern with a '/', its
        path from the configuration's folder) matches ``include`` or ``extend-include``."""
        rel = self.relative(path)
        name = rel.rsplit("/", 1)[-1]
        for pattern in self.include + self.extend_include:
            pat = pattern.replace("\\", "/")
            if pat.startswith("./"):
                pat = pat[2:]
            if fnmatch.fnmatchcase(rel if "/" in pat else name, pat):
                return True
            if pat.startswith("**/") and fnmatch.fnmatchcase(rel, pat[3:]):  # `**/` may match no folder
                return True
        return False

    def shown_notes(self) -> Tuple[str, ...]:
        """The codes of the notes about cnnlint's limits that the text formats show: all with
        ``show-notes``, else those a select option names (``CNN401``, ``CNN4``). A selector that
        names every rule (``ALL``, ``CNN``) does not count, as ruff's ``ALL`` leaves out the rules
        that must be named."""
        from cnnlint.rules import RULES

        limits = [code for code, r in RULES.items() if r.limit]
        if self.show_notes:
            return tuple(limits)
        named = [s for s in (self.select or ()) + self.extend_select
                 if s != "ALL" and not all(code.startswith(s) for code in RULES)]
        return tuple(code for code in limits if any(code.startswith(s) for s in named))

    def ignores_for(self, path: str) -> Tuple[str, ...]:
        rel = self.relative(path)
        out: List[str] = []
        for pattern, codes in self.per_file_ignores:
            if matches_any(rel, (pattern,)):
                out.extend(codes)
        return tuple(out)

    def specs_for(self, path: str) -> Tuple[InputSpec, ...]:
        rel = self.relative(path)
        return tuple(spec for pattern, spec in self.input_shapes
                     if pattern is None or matches_any(rel, (pattern,)))


def matches_any(rel: str, patterns: Sequence[str], skip: int = 0) -> bool:
    """True when a pattern matches the path (relative, '/'-separated), its basename, or one of
    its parent folders: ``build`` excludes ``build/x.py``, ``tests/*`` matches ``tests/a.py``,
    ``*_test.py`` matches any such file. The first ``skip`` parts (a folder named on the command
    line) are not matched on their own."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    prefixes = ["/".join(parts[:i]) for i in range(max(1, skip + 1), len(parts) + 1)]
    for pattern in patterns:
        pat = pattern.replace("\\", "/").rstrip("/")
        if pat.startswith("./"):
            pat = pat[2:]
        if "/" in pat:
            if any(fnmatch.fnmatchcase(p, pat) for p in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(part, pat) for part in parts[skip:]):
            return True
    return False


# reading -------------------------------------------------------------------------------
def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on old Pythons only
        import tomli as tomllib
    return tomllib


def find_config(start: str) -> Optional[str]:
    """The nearest cnnlint.toml, or pyproject.toml with a [tool.cnnlint] table, from ``start``
    (a file or folder) up to the file system root."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                if name == "cnnlint.toml" or _has_tool_table(candidate):
                    return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    if b"cnnlint" not in data:
        return False
    try:
        doc = _toml().loads(data.decode("utf-8"))
    except Exception:
        return True  # let load_config report the syntax error
    return isinstance(doc.get("tool"), dict) and "cnnlint" in doc["tool"]


def load_config(path: str) -> Config:
    """Read one configuration file. Raises ConfigError with a message naming the file and key."""
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the configuration: {getattr(e, 'strerror', None) or e}")
    try:
        doc = _toml().loads(text)
    except Exception as e:
        raise ConfigError(f"{path}: invalid TOML: {e}")
    if os.path.basename(path) == "pyproject.toml" or "tool" in doc and "cnnlint" in doc.get("tool", {}):
        table = doc.get("tool", {}).get("cnnlint", {})
        where = "tool.cnnlint."
    else:
        table = doc
        where = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.cnnlint] must be a table")
    return from_table(table, path, where)


def from_table(table: Dict[str, Any], path: str, where: str = "") -> Config:
    root = os.path.dirname(os.path.abspath(path))
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise ConfigError(f"{path}: unknown key '{where}{unknown[0]}' (known keys: {', '.join(KEYS)})")

    def strings(key) -> Tuple[str, ...]:
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: '{where}{key}' must be a list of strings")
        return tuple(value)

    def codes(key) -> Tuple[str, ...]:
        try:
            return check_selectors(strings(key))
        except ValueError as e:
            raise ConfigError(f"{path}: '{where}{key}': {e}")

    cfg: Dict[str, Any] = {"path": path, "root": root}
    if "select" in table:
        cfg["select"] = codes("select")
    if "ignore" in table:
        cfg["ignore"] = codes("ignore")
    if "extend-select" in table:
        cfg["extend_select"] = codes("extend-select")
    if "exclude" in table:
        cfg["exclude"] = strings("exclude")
    if "extend-exclude" in table:
        cfg["extend_exclude"] = strings("extend-exclude")
    if "include" in table:
        cfg["include"] = strings("include")
    if "extend-include" in table:
        cfg["extend_include"] = strings("extend-include")
    if "output-format" in table:
        fmt = table["output-format"]
        if fmt not in OUTPUT_FORMATS:
            raise ConfigError(f"{path}: '{where}output-format' must be one of {', '.join(OUTPUT_FORMATS)}, "
                              f"not {fmt!r}")
        cfg["output_format"] = fmt
    if "unsafe-fixes" in table:
        if not isinstance(table["unsafe-fixes"], bool):
            raise ConfigError(f"{path}: '{where}unsafe-fixes' must be true or false, not {table['unsafe-fixes']!r}")
        cfg["unsafe_fixes"] = table["unsafe-fixes"]
    if "show-notes" in table:
        if not isinstance(table["show-notes"], bool):
            raise ConfigError(f"{path}: '{where}show-notes' must be true or false, not {table['show-notes']!r}")
        cfg["show_notes"] = table["show-notes"]
    if "python" in table:
        python = table["python"]
        if not isinstance(python, str) or not python:
            raise ConfigError(f"{path}: '{where}python' must be the path of an interpreter or environment folder")
        python = os.path.normpath(os.path.join(root, os.path.expanduser(python)))
        if not os.path.exists(python):
            raise ConfigError(f"{path}: '{where}python': {python} does not exist")
        cfg["python"] = python
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{path}: '{where}per-file-ignores' must be a table of glob = [codes]")
        out = []
        for pattern, value in pfi.items():
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: '{where}per-file-ignores.\"{pattern}\"' must be a list of rule codes")
            try:
                out.append((pattern, check_selectors(value)))
            except ValueError as e:
                raise ConfigError(f"{path}: '{where}per-file-ignores.\"{pattern}\"': {e}")
        cfg["per_file_ignores"] = tuple(out)
    if "input-shapes" in table:
        shapes = table["input-shapes"]
        if not isinstance(shapes, dict):
            raise ConfigError(f"{path}: '{where}input-shapes' must be a table of \"file.py:Model\" = \"N,3,32,32\"")
        out = []
        for key, value in shapes.items():
            name = f"{where}input-shapes.\"{key}\""
            if not isinstance(value, str):
                raise ConfigError(f"{path}: '{name}' must be a string such as \"N,3,32,32\"")
            try:
                out.append(input_shape_entry(key, value))
            except SpecError as e:
                raise ConfigError(f"{path}: '{name}': {e}")
        cfg["input_shapes"] = tuple(out)
    return Config(**cfg)


def input_shape_entry(key: str, value: str) -> Tuple[Optional[str], InputSpec]:
    """``"models/net.py:Net"`` -> ("models/net.py", Net=value); ``"Net"`` -> (None, Net=value);
    ``"models/net.py"`` -> ("models/net.py", value for every model of that file)."""
    key = key.strip()
    file_part: Optional[str] = None
    model = key
    head = key.split("(", 1)[0]
    if ":" in head:
        file_part, model = key.split(":", 1)
        file_part = file_part.strip()
        model = model.strip()
    elif head.endswith(".py") or "/" in head or "*" in head:
        file_part, model = key, ""
    if file_part == "":
        raise SpecError("the file part before ':' is empty")
    text = f"{model}={value}" if model else value
    if "=" in value and model:
        raise SpecError("the value is only the shape; name the model in the key")
    return file_part, parse_spec(text)


def check_selectors(codes: Sequence[str]) -> Tuple[str, ...]:
    """Upper-cased rule selectors; each must be ALL or a prefix of a known code."""
    from cnnlint.rules import RULES

    out = []
    for c in codes:
        c = c.strip().upper()
        if not c:
            continue
        if c != "ALL" and not any(code.startswith(c) for code in RULES):
            raise ValueError(f"unknown rule selector '{c}' (see `cnnlint rule --all`)")
        out.append(c)
    return tuple(out)


def resolve(start: Optional[str] = None, explicit: Optional[str] = None, isolated: bool = False) -> Config:
    """The configuration in force for a checked path: ``explicit`` (--config), else the nearest
    file from ``start`` (or the current folder), else the defaults."""
    if isolated:
        return Config(root=os.getcwd())
    if explicit:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: no such configuration file")
        return load_config(explicit)
    found = find_config(start if start and start != "-" else os.getcwd())
    if found is None:
        return Config(root=os.getcwd())
    return load_config(found)


# merging with the command line --------------------------------------------------------------
@dataclass(frozen=True)
class Overrides:
    """What the command line says; None / empty means the configuration decides."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    input_specs: Tuple[InputSpec, ...] = ()
    show_notes: Optional[bool] = None
    python: Optional[str] = None
    unsafe_fixes: Optional[bool] = None


def merge(cfg: Config, cli: Overrides) -> Config:
    """The command line over the file: --select replaces select; --ignore, --extend-select and
    --extend-exclude add; --exclude replaces exclude; --input-shape replaces input-shapes;
    --show-notes sets show-notes."""
    changes: Dict[str, Any] = {}
    if cli.select is not None:
        changes["select"] = cli.select
    if cli.ignore:
        changes["ignore"] = cfg.ignore + cli.ignore
    if cli.extend_select:
        changes["extend_select"] = cfg.extend_select + cli.extend_select
    if cli.exclude is not None:
        changes["exclude"] = cli.exclude
    if cli.extend_exclude:
        changes["extend_exclude"] = cfg.extend_exclude + cli.extend_exclude
    if cli.input_specs:
        changes["input_shapes"] = tuple((None, s) for s in cli.input_specs)
    if cli.show_notes is not None:
        changes["show_notes"] = cli.show_notes
    if cli.unsafe_fixes is not None:
        changes["unsafe_fixes"] = cli.unsafe_fixes
    if cli.python is not None:
        changes["python"] = os.path.abspath(cli.python)
        changes["python_from"] = "--python"
    return replace(cfg, **changes)


def settings_for(cfg: Config, path: str, base):
    """The api.Settings for one file: base settings with the configuration's rule selection,
    per-file ignores and the input shapes that apply to this file."""
    select: Tuple[str, ...] = ()
    if cfg.select is not None and "ALL" not in cfg.select:
        select = cfg.select + cfg.extend_select
    ignore = cfg.ignore + cfg.ignores_for(path)
    if "ALL" in ignore:
        ignore = tuple(c for c in ignore if c != "ALL") + ("CNN",)
    specs = cfg.specs_for(path)
    return replace(base, select=select, ignore=ignore, input_specs=specs, python=cfg.python,
                   python_from=cfg.python_from, unsafe_fixes=cfg.unsafe_fixes)
