"""Imports: `from .blocks import ResBlock`, `from models.layers import Conv`, and libraries
installed in the user's environment (`torchvision.models.resnet50`, `timm.create_model`).

The imported file is parsed (never imported or run) and its top-level names are read lazily
like the checked file's. A name is first looked for in the checked file's own tree, then on
the search path of the environment (cnnlint.environment). torch itself, the standard library
and the libraries cnnlint knows from overlays/ (einops) are never read from source: their
names stay qualified names that the knowledge modules answer.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Optional, Tuple

from cnnlint.abstract.values import Qual, _MISSING
from cnnlint.environment.locate import Environment, find_environment
from cnnlint.overlays.libraries import ANSWERED, NOT_READ

_STD = ("torch", "typing", "collections", "functools", "math", "numpy", "np", "warnings", "itertools",
        "dataclasses", "abc", "enum", "os", "sys", "re", "copy", "operator", "builtins", "__future__")
MAX_BYTES = 2_000_000
_contexts: Dict[str, Any] = {}  # path -> FileContext (or None when it cannot be read)


_stamps: Dict[str, Tuple[int, int]] = {}  # path -> (mtime_ns, size) when it was read


# What turns a file found on the search path into a module whose names can be read: the
# FileContext of cnnlint.source, which registers itself here when it is imported (this module
# sits below the interpreter that FileContext runs, so it cannot import it).
_reader: Optional[Callable[[str, str], Any]] = None


def set_reader(reader: Callable[[str, str], Any]) -> None:
    global _reader
    _reader = reader


def _stamp(path: str) -> Tuple[int, int]:
    try:
        st = os.stat(path)
        return st.st_mtime_ns, st.st_size
    except OSError:
        return (0, -1)


def _load(path: str):
    # a long-lived process (the language server) must see an imported file that changed
    if path in _contexts and _stamps.get(path) == _stamp(path):
        return _contexts[path]
    _stamps[path] = _stamp(path)
    _contexts[path] = None  # guards against import cycles
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
        if _reader is None:
            return None
        ctx = _reader(path, text)
    except Exception:
        return None
    _contexts[path] = ctx
    return ctx


def _module_file(directory: str, parts) -> Optional[str]:
    base = os.path.join(directory, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


# never read from source: the standard library, torch (the layer table and overlays/ know it),
# the libraries an overlay knows, and big libraries of no model code that are mostly C
_NOT_READ = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(_STD) | \
    frozenset(NOT_READ) | \
    frozenset(("torch", "numpy", "scipy", "sympy", "pandas", "PIL", "cv2", "matplotlib", "sklearn",
               "tensorflow", "jax", "triton", "cnnlint", "pytest", "setuptools", "pip", "_pytest"))
_ANSWERED_LEAVES = frozenset(name.rsplit(".", 1)[-1] for name in ANSWERED)  # a relative name is made
# absolute (a walk up its package folders) only when its last part could be one of them
_environment: Optional[Environment] = None
_located: Dict[str, Optional[Tuple[str, list]]] = {}  # top-level name -> (folder, [name]) in the environment


def set_environment(environment: Optional[Environment]) -> None:
    """The environment whose libraries imports are read from (None: found on first use)."""
    global _environment
    if environment is not _environment:
        _environment = environment
        _located.clear()


def environment(origin: Optional[str] = None) -> Environment:
    global _environment
    if _environment is None:
        _environment = find_environment(start=origin)
    return _environment


def installed(head: str, origin: str) -> Optional[str]:
    """The folder on the environment's search path that holds the top-level package ``head``."""
    if head in _located:
        return _located[head]
    found = None
    if head not in _NOT_READ and head.isidentifier():
        search = environment(origin).search
        mapped = search.package(head)
        if mapped is not None and os.path.isdir(mapped):
            found = os.path.dirname(mapped) if os.path.basename(mapped) == head else None
        for folder in search.folders if found is None else ():
            if os.path.isfile(os.path.join(folder, head, "__init__.py")) or \
                    os.path.isfile(os.path.join(folder, head + ".py")):
                found = folder
                break
    _located[head] = found
    return found


def _split(name: str, origin: str) -> Optional[Tuple[str, list]]:
    """The directory to search from and the dotted parts, for a relative or absolute name."""
    if name.startswith("."):
        level = len(name) - len(name.lstrip("."))
        directory = os.path.dirname(os.path.abspath(origin))
        for _ in range(level - 1):
            directory = os.path.dirname(directory)
        return directory, [p for p in name.lstrip(".").split(".") if p]
    head = name.split(".")[0]
    if head in _STD:
        return None
    directory = os.path.dirname(os.path.abspath(origin))
    for _ in range(8):  # the project root is a few levels up at most
        if os.path.isdir(os.path.join(directory, head)) or os.path.isfile(os.path.join(directory, head + ".py")):
            return directory, name.split(".")
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    folder = installed(head, origin)
    if folder is not None:
        return folder, name.split(".")
    return None


def absolute(qual: Qual) -> str:
    """The dotted name of a relative import, from the packages its file sits in
    (``._builder.build_model_with_cfg`` in timm/models/convnext.py -> ``timm.models._builder...``)."""
    name = qual.name
    if not name.startswith(".") or not qual.origin:
        return name
    level = len(name) - len(name.lstrip("."))
    folder = os.path.dirname(os.path.abspath(qual.origin))
    packages = []
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        packages.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    if level - 1 > len(packages):
        return name
    base = packages[: len(packages) - (level - 1)]
    return ".".join(base + [p for p in name.lstrip(".").split(".") if p])


def resolve(interp, qual: Qual) -> Optional[Any]:
    """The value a project import names, or None when it is not a file of the project."""
    if not qual.origin:
        return None
    if qual.name in ANSWERED or (qual.name.startswith(".") and qual.name.rsplit(".", 1)[-1] in _ANSWERED_LEAVES
                                 and absolute(qual) in ANSWERED):
        return None  # knowledge answers it (overlays/libraries.py)
    cache = interp.file.import_cache
    key = (qual.name, qual.origin)
    if key in cache:
        return cache[key]
    cache[key] = None
    found = _resolve(qual)
    cache[key] = found
    return found


def _resolve(qual: Qual) -> Optional[Any]:
    split = _split(qual.name, qual.origin)
    if split is None:
        return None
    directory, parts = split
    # the longest prefix that is a module file; the rest are attributes
    for cut in range(len(parts), -1, -1):
        path = _module_file(directory, parts[:cut]) if cut else (
            os.path.join(directory, "__init__.py") if os.path.isfile(os.path.join(directory, "__init__.py")) else None)
        if path is None:
            continue
        if os.path.abspath(path) == os.path.abspath(qual.origin) and cut == len(parts):
            return None
        rest = parts[cut:]
        if not rest:
            return _package_attribute(directory, parts, qual.origin)
        ctx = _load(path)
        if ctx is None:
            return None
        value = ctx.scope.get_local(rest[0])
        if value is _MISSING:
            # a submodule not yet named: `from . import blocks` then `blocks.X`
            return None
        for attr in rest[1:]:
            if isinstance(value, Qual):
                value = Qual(f"{value.name}.{attr}", value.origin)
                continue
            return None
        if isinstance(value, Qual):
            again = resolve_plain(value)
            return again if again is not None else value
        return value
    return None


def _package_attribute(directory: str, parts, origin: str) -> Optional[Any]:
    """``pkg.name`` where ``pkg/name.py`` is a module: Python reads the attribute ``name`` of the
    package, which its ``__init__.py`` may bind to something else (``from .name import name``,
    the usual way to export a function). None: the module object itself (attribute access on it
    resolves further)."""
    if len(parts) < 2:
        return None
    init = os.path.join(directory, *parts[:-1], "__init__.py")
    if not os.path.isfile(init) or os.path.abspath(init) == os.path.abspath(origin):
        return None
    key = (init, parts[-1])
    if key in _following:  # a cycle of re-exports
        return None
    ctx = _load(init)
    if ctx is None:
        return None
    value = ctx.scope.get_local(parts[-1])
    if value is _MISSING:
        return None
    if isinstance(value, Qual):
        _following.add(key)
        try:
            return resolve_plain(value)
        finally:
            _following.discard(key)
    return value


_following: set = set()


def resolve_plain(qual: Qual) -> Optional[Any]:
    return _resolve(qual) if qual.origin else None


def owner_of(node):
    """The loaded project file that holds ``node``."""
    for ctx in _contexts.values():
        if ctx is not None and ctx.owns(node):
            return ctx
    return None
