"""How reporters name a place: a file for other tools (relative to the current folder, with '/'),
and a position in a file or a notebook cell for people."""
from __future__ import annotations

import os
from typing import Optional


def relative(path: str, base: Optional[str] = None) -> Optional[str]:
    """``path`` relative to ``base`` (default: the current folder) with forward slashes, or None
    when it lies outside it."""
    base = os.path.abspath(base or os.getcwd())
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive
        return None
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel.replace(os.sep, "/")


def position(path: str, line: int, column: Optional[int] = None, cell: Optional[int] = None) -> str:
    """``path:line:column``; in a notebook ``path:cell N:line:column`` (ruff's form), the line
    counted from the cell's first line."""
    where = f"{path}:cell {cell}:{line}" if cell is not None else f"{path}:{line}"
    return where if column is None else f"{where}:{column}"
