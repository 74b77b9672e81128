"""The result cache: a file's FileResult, keyed by what decides it, so a second run over an
unchanged tree parses nothing.

Layout (like ruff's): ``.cnnlint_cache/`` in the working directory (``--cache-dir`` or
``CNNLINT_CACHE_DIR`` elsewhere; ``--no-cache`` or ``CNNLINT_NO_CACHE=1`` to skip it), holding a
``.gitignore`` of ``*``, a ``CACHEDIR.TAG`` and one small pickle per entry under
``<fingerprint>/<key[:2]>/<key>``.

The key is a digest of the file's absolute path, its bytes, the settings and cnnlint's own
fingerprint (its version and the size and mtime of each of its source files, so an edited
checkout never reads a stale entry). A check may read other files of the project (``from
.blocks import ResBlock``): each entry stores the digest of every such file and of every
candidate module path looked up (present or absent); the entry is used only when all still
match. Shape traces (``shapes``) are never cached. A broken or unreadable entry is a miss; a
cache folder that cannot be written is skipped silently: the cache never changes results.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import contextmanager
from dataclasses import replace
from typing import Dict, Iterator, Optional

from cnnlint.environment.store import code_fingerprint, mark_cache_folder, write_pickle

DEFAULT_DIR = ".cnnlint_cache"


def file_state(path: str) -> Optional[str]:
    """A digest of a file's bytes, or None when it is absent or unreadable."""
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


class Cache:
    def __init__(self, directory: Optional[str] = None):
        self.root = os.path.abspath(directory or os.environ.get("CNNLINT_CACHE_DIR") or DEFAULT_DIR)
        self.dir = os.path.join(self.root, code_fingerprint())
        self._ready = False
        self.writable = True

    # keys -------------------------------------------------------------------------------------
    def key(self, path: str, data: bytes, settings, environment: str = "") -> str:
        """``environment``: what decides the libraries the check can read (Environment.fingerprint)."""
        h = hashlib.sha256()
        h.update(os.path.abspath(path).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + path.encode("utf-8", "surrogateescape"))  # results name the path as given
        h.update(b"\0")
        h.update(repr(settings).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + environment.encode("utf-8", "surrogateescape") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _entry(self, key: str) -> str:
        return os.path.join(self.dir, key[:2], key)

    # reading ----------------------------------------------------------------------------------
    def get(self, key: str, source: Optional[str]):
        try:
            with open(self._entry(key), "rb") as fh:
                entry = pickle.load(fh)
        except Exception:  # missing, truncated, from another Python: a miss
            return None
        try:
            for dep, state in entry["deps"].items():
                if file_state(dep) != state:
                    return None
            result = entry["result"]
            return replace(result, source=source) if entry["source"] else result
        except Exception:
            return None

    # writing ----------------------------------------------------------------------------------
    def _prepare(self) -> bool:
        if self._ready or not self.writable:
            return self.writable
        try:
            mark_cache_folder(self.root)
            os.makedirs(self.dir, exist_ok=True)
            self._ready = True
        except OSError:
            self.writable = False
        return self.writable

    def put(self, key: str, result, deps: Dict[str, Optional[str]]) -> None:
        if result.models or not self._prepare():
            return
        entry = {"result": replace(result, source=None), "source": result.source is not None, "deps": deps}
        write_pickle(self._entry(key), entry)  # unpicklable value, full disk, read-only folder: no entry


@contextmanager
def tracking() -> Iterator[Dict[str, Optional[str]]]:
    """Record the project files a check reads through its imports (and the module paths it
    looks for), with their current digests."""
    deps: Dict[str, Optional[str]] = {}
    try:
        from cnnlint.interpret import imports
    except Exception:
        yield deps
        return
    load = getattr(imports, "_load", None)
    module_file = getattr(imports, "_module_file", None)
    if load is None or module_file is None:
        yield deps
        return

    def tracked_load(path, *a, **k):
        p = os.path.abspath(path)
        if p not in deps:
            deps[p] = file_state(p)
        return load(path, *a, **k)

    def tracked_module_file(directory, parts, *a, **k):
        base = os.path.join(directory, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            p = os.path.abspath(candidate)
            if p not in deps:
                deps[p] = file_state(p)
        return module_file(directory, parts, *a, **k)

    imports._load, imports._module_file = tracked_load, tracked_module_file
    try:
        yield deps
    finally:
        imports._load, imports._module_file = load, module_file
