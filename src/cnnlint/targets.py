"""A library model named on the command line instead of a file: ``torchvision.models.resnet50``
(a dotted name, resolved in the environment; arguments may follow:
``torchvision.models.resnet50(num_classes=10)``) or ``timm:convnext_tiny`` (a name in timm's
registry). It is checked as the source of a small file that builds it."""
from __future__ import annotations

import os
import re
from typing import Optional, Tuple

_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+(\(.*\))?$", re.S)
_TIMM = re.compile(r"^timm:([A-Za-z_][\w.\-]*)$")


def is_target(text: str) -> bool:
    """A command-line argument that names a library model rather than a path."""
    if os.path.exists(text):
        return False
    return bool(_DOTTED.match(text) or _TIMM.match(text))


def target_source(text: str) -> Optional[Tuple[str, str, str]]:
    """(label, source, model name) of the file that builds the named model."""
    m = _TIMM.match(text)
    if m:
        name = m.group(1)
        fn = re.sub(r"\W", "_", name.split(".")[0])
        return text, f"import timm\n\n\ndef {fn}():\n    return timm.create_model({name!r})\n", fn
    if _DOTTED.match(text):
        name, paren, rest = text.partition("(")
        call = paren + rest if paren else "()"  # `resnet50(num_classes=10)`: those arguments
        module, _, fn = name.rpartition(".")
        return text, f"import {module}\n\n\ndef {fn}():\n    return {module}.{fn}{call}\n", fn
    return None
