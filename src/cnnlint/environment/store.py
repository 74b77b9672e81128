"""What cnnlint reads from a library's files once and keeps on disk between runs: timm's model
index and each timm module's pretrained configs, facts that depend only on the library's files.

An entry is a pickle under ``<cache folder>/library/<code fingerprint>/<kind>/<key>``, where the
key is a digest of the kind, the files the fact is read from (path, size, modification time: the
way mypy and ruff decide that a file is unchanged) and an argument. cnnlint's code fingerprint
(its version and the size and modification time of each of its own files) is in the folder name,
so another cnnlint never reads an entry. The folder is the result cache's (``configure``), and
with ``--no-cache`` there is none: facts are then computed in each process, as before. A missing,
broken or unwritable entry is recomputed; the store never changes a result.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from typing import Callable, Optional, Sequence, TypeVar

T = TypeVar("T")
_FORMAT = 1
_root: Optional[str] = None
_fingerprint: Optional[str] = None


def code_fingerprint() -> str:
    """cnnlint's version and the (size, mtime) of every file of the package."""
    global _fingerprint
    if _fingerprint is None:
        from cnnlint import __version__

        h = hashlib.sha256(f"cnnlint {__version__} format {_FORMAT}".encode())
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for f in sorted(files):
                if f.endswith(".py"):
                    p = os.path.join(dirpath, f)
                    try:
                        st = os.stat(p)
                    except OSError:
                        continue
                    h.update(f"{os.path.relpath(p, root)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _fingerprint = h.hexdigest()[:16]
    return _fingerprint


def configure(cache_folder: Optional[str]) -> None:
    """Keep entries under this cache folder (the result cache's); None: keep nothing on disk."""
    global _root
    _root = os.path.abspath(cache_folder) if cache_folder else None


def folder() -> Optional[str]:
    return _root


def _key(kind: str, files: Sequence[str], argument: str) -> Optional[str]:
    h = hashlib.sha256(f"{kind}\0{argument}\0".encode("utf-8", "surrogateescape"))
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            return None  # a file vanished while it was listed: compute, keep nothing
        h.update(f"{os.path.abspath(path)}:{st.st_size}:{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def remembered(kind: str, files: Sequence[str], compute: Callable[[], T], argument: str = "") -> T:
    """``compute()``, read from disk when an entry for these files (unchanged) is there, else
    computed and written."""
    if _root is None:
        return compute()
    key = _key(kind, files, argument)
    if key is None:
        return compute()
    entry = os.path.join(_root, "library", code_fingerprint(), kind, key[:2], key)
    try:
        with open(entry, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, truncated, from another Python: compute it
        pass
    value = compute()
    _write(entry, value)
    return value


def mark_cache_folder(root: str) -> None:
    """Make ``root`` and give it a ``.gitignore`` of ``*`` and a ``CACHEDIR.TAG`` (backup tools
    skip it); raises OSError when it cannot."""
    os.makedirs(root, exist_ok=True)
    ignore = os.path.join(root, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w") as fh:
            fh.write("# Automatically created by cnnlint.\n*\n")
    tag = os.path.join(root, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        with open(tag, "w") as fh:
            fh.write("Signature: 8a477f597d28d172789f06886806bc55\n"
                     "# This file is a cache directory tag created by cnnlint.\n")


def _write(entry: str, value) -> None:
    try:
        mark_cache_folder(_root)  # type: ignore[arg-type]
    except OSError:
        return
    write_pickle(entry, value)


def write_pickle(target: str, value) -> bool:
    """Pickle ``value`` to ``target`` through a temporary file moved over it (a parallel reader
    sees all or nothing); False when it cannot (unpicklable value, full disk, read-only folder)."""
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:
        return False
    return True
