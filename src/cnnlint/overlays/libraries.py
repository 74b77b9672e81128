"""Knowledge of libraries beyond torch, one overlay module each, found by the prefix of a name.

The interpreter asks ``call(it, name, ...)`` for every call of a qualified name it has no
layer for; each entry answers the calls under its prefix, or returns None for one it does not
know (the interpreter then goes on, and in the end leaves the result unknown). To teach cnnlint
a library, write its module here in overlays/ with a ``call`` function and add one line below.
A library installed in the environment is read from its source; ``ANSWERED`` names the few of
its functions whose source is not enough, which its entry answers instead.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

from cnnlint.overlays import einops, iter_tools, numpy_values, python_re, timm

# (prefix, call(it, name, args, kwargs, node, arg_nodes) -> value or None)
LIBRARIES: Tuple[Tuple[str, Callable[..., Any]], ...] = (
    ("einops.", einops.call),
    ("itertools.", lambda it, name, args, kwargs, node, arg_nodes: iter_tools.call(it, name[10:], args, kwargs)),
    ("numpy.", numpy_values.call),
    ("re.", python_re.call),
    ("timm.", timm.call),
)
# libraries known from their entry alone, never read from source
NOT_READ = ("einops", "itertools", "numpy", "re")
# names of libraries read from source that the entry answers instead (timm's registry lookup)
ANSWERED = timm.ANSWERS


def call(it, name: str, args, kwargs, node, arg_nodes) -> Optional[Any]:
    """The value of a call of ``name`` from the library it belongs to, or None."""
    for prefix, fn in LIBRARIES:
        if name.startswith(prefix):
            out = fn(it, name, args, kwargs, node, arg_nodes)
            if out is not None:
                return out
    return None
