"""`--input-shape` specs: `1,3,32,32`, `N,3,H,W`, `Model=...`, `Model(args)=...`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

Dim = Union[int, str]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class InputSpec:
    shape: Tuple[Dim, ...]
    model: Optional[str] = None  # None: every model
    args: Optional[str] = None  # constructor arguments as written, without the parentheses
    text: str = ""


def parse_shape(text: str) -> Tuple[Dim, ...]:
    text = text.strip().strip("()[]")
    if not text:
        raise SpecError("empty input shape")
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.lstrip("-").isdigit():
            v = int(part)
            if v < 1:
                raise SpecError(f"input size {v} must be at least 1")
            out.append(v)
        elif _NAME.match(part):
            out.append(part)
        else:
            raise SpecError(f"'{part}' is neither a size nor a name")
    if not out:
        raise SpecError("empty input shape")
    return tuple(out)


def parse_spec(text: str) -> InputSpec:
    text = text.strip()
    depth = 0
    split = -1
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            split = i
    if split < 0:
        return InputSpec(parse_shape(text), text=text)
    left, right = text[:split].strip(), text[split + 1:]
    shape = parse_shape(right)
    if "(" in left:
        if not left.endswith(")"):
            raise SpecError(f"cannot read the model part '{left}'")
        name, args = left.split("(", 1)
        name, args = name.strip(), args[:-1]
    else:
        name, args = left, None
    if not _NAME.match(name):
        raise SpecError(f"'{name}' is not a model name")
    return InputSpec(shape, name, args, text)


def for_model(specs: Sequence[InputSpec], model: str) -> Optional[InputSpec]:
    named = [s for s in specs if s.model == model]
    if named:
        return named[-1]
    general = [s for s in specs if s.model is None]
    return general[-1] if general else None
