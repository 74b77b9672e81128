"""How reporters name a file for other tools: relative to the current folder, with '/'."""
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
