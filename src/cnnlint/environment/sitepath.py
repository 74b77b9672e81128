"""The folders an environment's imports search, read from disk without running its Python.

An environment is a prefix (a virtual environment, a conda environment, an installation). Its
search path is its site-packages folders, in the order Python's ``site`` adds them, then what
their ``.pth`` files add: a line that is a path adds that folder; an editable install by
setuptools (``__editable__.NAME.pth`` with an ``import`` line) maps package names to source
folders in the ``MAPPING`` of its finder module, which is read as a literal. A virtual
environment created with ``--system-site-packages`` also searches its base installation.
"""
from __future__ import annotations

import ast
import glob
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class SearchPath:
    folders: Tuple[str, ...]  # searched in order for ``name/__init__.py``, ``name.py``, ``name/``
    packages: Tuple[Tuple[str, str], ...] = field(default=())  # editable installs: (top-level name, folder)

    def package(self, name: str) -> Optional[str]:
        for top, folder in self.packages:
            if top == name:
                return folder
        return None


def prefix_of(python: str) -> str:
    """The environment folder of an interpreter path (``.venv/bin/python`` -> ``.venv``), or the
    folder itself when it is one."""
    if os.path.isdir(python):
        return os.path.abspath(python)
    folder = os.path.dirname(os.path.abspath(python))
    if os.path.basename(folder).lower() in ("bin", "scripts"):
        return os.path.dirname(folder)
    return folder  # Windows: python.exe sits in the prefix itself


def _venv_config(prefix: str) -> Dict[str, str]:
    path = os.path.join(prefix, "pyvenv.cfg")
    out: Dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                key, sep, value = line.partition("=")
                if sep:
                    out[key.strip().lower()] = value.strip()
    except OSError:
        pass
    return out


def site_folders(prefix: str) -> List[str]:
    """The site-packages folders of an installation or environment prefix."""
    patterns = (os.path.join(prefix, "lib", "python3*", "site-packages"),
                os.path.join(prefix, "lib64", "python3*", "site-packages"),
                os.path.join(prefix, "Lib", "site-packages"),
                os.path.join(prefix, "lib", "site-packages"))
    out: List[str] = []
    for pattern in patterns:
        for folder in sorted(glob.glob(pattern), reverse=True):  # the newest Python first
            real = os.path.realpath(folder)
            if os.path.isdir(folder) and real not in {os.path.realpath(f) for f in out}:
                out.append(folder)
    return out


def _editable_mapping(site: str, line: str) -> Dict[str, str]:
    """The package folders of a setuptools editable finder named in a .pth ``import`` line."""
    out: Dict[str, str] = {}
    for word in line.replace(";", " ").split():
        name = word.split(".")[0]
        if not (name.startswith("__editable__") and name.endswith("finder")):
            continue
        path = os.path.join(site, name + ".py")
        try:
            with open(path, encoding="utf-8") as fh:
                tree = ast.parse(fh.read(), path)
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MAPPING"
                                                    for t in node.targets):
                try:
                    mapping = ast.literal_eval(node.value)
                except ValueError:
                    continue
                if isinstance(mapping, dict):
                    out.update({str(k): str(v) for k, v in mapping.items()})
    return out


def _pth_entries(site: str) -> Tuple[List[str], Dict[str, str]]:
    folders: List[str] = []
    packages: Dict[str, str] = {}
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".pth"))
    except OSError:
        return folders, packages
    for name in names:
        try:
            with open(os.path.join(site, name), encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(("import ", "import\t")):
                packages.update(_editable_mapping(site, line))  # never run: only a finder's MAPPING is read
                continue
            folder = line if os.path.isabs(line) else os.path.join(site, line)
            if os.path.isdir(folder):
                folders.append(os.path.normpath(folder))
    return folders, packages


def search_path(prefix: str) -> SearchPath:
    """The search path of the environment at ``prefix``."""
    sites = site_folders(prefix)
    config = _venv_config(prefix)
    if config.get("include-system-site-packages", "").lower() == "true" and config.get("home"):
        base = prefix_of(os.path.join(config["home"], "python"))
        sites += [s for s in site_folders(base) if s not in sites]
    return _with_pth(sites)


def running_search_path() -> SearchPath:
    """The search path of the interpreter cnnlint runs in: its own ``sys.path`` (already read)."""
    folders = [os.path.abspath(p) for p in sys.path if p and os.path.isdir(p)]
    return _with_pth(folders, read_pth=False)


def _with_pth(sites: List[str], read_pth: bool = True) -> SearchPath:
    folders: List[str] = []
    packages: Dict[str, str] = {}
    for site in sites:
        if site not in folders:
            folders.append(site)
    if read_pth:
        for site in sites:
            extra, mapped = _pth_entries(site)
            folders += [f for f in extra if f not in folders]
            for k, v in mapped.items():
                packages.setdefault(k, v)
    else:
        for site in sites:
            packages.update({k: v for k, v in _pth_entries(site)[1].items() if k not in packages})
    return SearchPath(tuple(folders), tuple(sorted(packages.items())))
