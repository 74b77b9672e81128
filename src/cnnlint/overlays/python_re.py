"""Python's ``re`` module on known strings, as config parsers in model code use it (timm's
EfficientNet block strings: ``re.split(r'(\\d.*)', 'k3')``): ``split``, ``sub``, ``findall``,
and ``fullmatch``/``match``/``search`` as a test of whether they match. The pattern and the text
must be known strings of modest length; anything else stays unknown."""
from __future__ import annotations

import re
from typing import Any, Optional

from cnnlint.overlays.calls import arg

MAX_TEXT = 2000  # longer texts are left unknown: model code splits short config strings


def _known(*values) -> bool:
    return all(isinstance(v, str) and len(v) <= MAX_TEXT for v in values)


def _flags(value) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def call(it, name: str, args, kwargs, node, arg_nodes) -> Optional[Any]:
    short = name[3:]
    pattern, text = arg(args, kwargs, 0, "pattern"), arg(args, kwargs, 1, "string")
    try:
        if short == "split":
            limit, flags = arg(args, kwargs, 2, "maxsplit", 0), _flags(arg(args, kwargs, 3, "flags", 0))
            if _known(pattern, text) and isinstance(limit, int) and flags is not None:
                return re.split(pattern, text, maxsplit=limit, flags=flags)
        elif short == "sub":
            repl, text = arg(args, kwargs, 1, "repl"), arg(args, kwargs, 2, "string")
            count, flags = arg(args, kwargs, 3, "count", 0), _flags(arg(args, kwargs, 4, "flags", 0))
            if _known(pattern, repl, text) and isinstance(count, int) and flags is not None:
                return re.sub(pattern, repl, text, count=count, flags=flags)
        elif short == "findall":
            flags = _flags(arg(args, kwargs, 2, "flags", 0))
            if _known(pattern, text) and flags is not None:
                return re.findall(pattern, text, flags=flags)
    except re.error:
        return None  # PyTorch would not even start: Python raises re.error; left to the caller as unknown
    return None
