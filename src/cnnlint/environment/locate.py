"""Which Python environment a project's imports come from, in the order type checkers use:

1. ``--python PATH`` on the command line, else ``python = "PATH"`` in ``[tool.cnnlint]`` (an
   interpreter or an environment folder; a relative path is read from the config's folder);
2. an active virtual environment (``VIRTUAL_ENV``), else an active conda environment
   (``CONDA_PREFIX``), unless it is the one cnnlint runs in (pre-commit activates the hook's own);
3. a ``.venv`` or ``venv`` folder at the project root (the nearest folder, from the checked
   path up, that holds one; the search stops at a folder with pyproject.toml, setup.py or .git);
4. the interpreter cnnlint itself runs in.

Nothing is run: each is read from disk (sitepath.py). A search path is read once per process.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

from cnnlint.environment.sitepath import SearchPath, prefix_of, running_search_path, search_path

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


@dataclass(frozen=True)
class Environment:
    how: str  # what chose it: "--python", "config", "VIRTUAL_ENV", "CONDA_PREFIX", ".venv", "running"
    prefix: str  # the environment's folder (the running interpreter's sys.prefix for "running")
    search: SearchPath

    def describe(self) -> str:
        where = {"--python": "--python", "config": "python in the configuration",
                 "VIRTUAL_ENV": "VIRTUAL_ENV", "CONDA_PREFIX": "CONDA_PREFIX",
                 ".venv": "the project's virtual environment",
                 "running": "the interpreter cnnlint runs in"}.get(self.how, self.how)
        return f"{self.prefix} ({where}; {len(self.search.folders)} folders searched)"

    def fingerprint(self) -> str:
        """What decides the libraries a check can read: the environment and, for each folder it
        searches, its modification time (installing or removing a package changes it)."""
        parts = [self.how, self.prefix]
        for folder in self.search.folders:
            try:
                parts.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
            except OSError:
                parts.append(f"{folder}:-")
        return "\0".join(parts)


_cache: Dict[Tuple[str, str], Environment] = {}


class NoEnvironment(ValueError):
    """A --python or config python that names no interpreter or environment folder."""


def _make(how: str, prefix: str) -> Environment:
    key = (how, prefix)
    if key not in _cache:
        search = running_search_path() if how == "running" else search_path(prefix)
        _cache[key] = Environment(how, prefix, search)
    return _cache[key]


def _own(prefix: str) -> bool:
    """The environment cnnlint itself runs in: pre-commit activates a hook's own venv (it sets
    VIRTUAL_ENV to it), as an editor may for the language server; the project's comes first."""
    try:
        return os.path.samefile(prefix, sys.prefix)
    except OSError:
        return False


def _project_venv(start: str) -> Optional[str]:
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        for name in (".venv", "venv"):
            candidate = os.path.join(folder, name)
            if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
                return candidate
        if any(os.path.exists(os.path.join(folder, m)) for m in _ROOT_MARKERS):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def find_environment(python: Optional[str] = None, how: str = "--python", start: Optional[str] = None,
                     environ: Mapping[str, str] = os.environ) -> Environment:
    """The environment for a run: ``python`` from the command line or the config (``how`` says
    which), else the active one, else the project's, else the running interpreter."""
    if python:
        if not os.path.exists(python):
            raise NoEnvironment(f"{python}: no such interpreter or environment folder")
        return _make(how, prefix_of(python))
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        value = environ.get(variable)
        if value and os.path.isdir(value) and not _own(value):
            return _make(variable, os.path.abspath(value))
    venv = _project_venv(start or os.getcwd())
    if venv is not None:
        return _make(".venv", venv)
    return _make("running", sys.prefix)
