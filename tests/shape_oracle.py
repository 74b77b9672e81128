"""PyTorch's shapes at the statements of a model file, for the language server's hover and inlay
hints (tests/test_lsp_shapes.py): the file is imported, the model built and run on the meta
device, and a trace function notes, after each line of the file's own functions runs, the shape
of every tensor its frame holds. Forward hooks note each module's input and output.

Only the tests import torch; cnnlint never does.
"""
from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import torch


@dataclass
class Oracle:
    lines: Dict[int, Dict[str, Set[Tuple[int, ...]]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    modules: Dict[str, Tuple[Set[Tuple[int, ...]], Set[Tuple[int, ...]], int]] = field(default_factory=dict)
    output: Optional[Tuple[int, ...]] = None
    params: int = 0
    error: Optional[str] = None  # what PyTorch raised, if it did

    def after(self, line: int, name: str) -> Set[Tuple[int, ...]]:
        """The shapes ``name`` held right after ``line`` ran."""
        return self.lines.get(line, {}).get(name, set())


def load(path: str, name: str = "oracle_model"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(path: str, build: str, shape: Tuple[int, ...]) -> Oracle:
    """Build ``build`` (an expression in the file's namespace) and call it on a meta tensor."""
    module = load(path)
    out = Oracle()
    with torch.device("meta"):
        model = eval(build, vars(module))
    out.params = sum(p.numel() for p in model.parameters())
    hooks = []
    for name, sub in model.named_modules():
        if not name:
            continue
        inputs: Set[Tuple[int, ...]] = set()
        outputs: Set[Tuple[int, ...]] = set()
        out.modules[name] = (inputs, outputs, sum(p.numel() for p in sub.parameters()))

        def hook(mod, args, result, inputs=inputs, outputs=outputs):
            if args and isinstance(args[0], torch.Tensor):
                inputs.add(tuple(args[0].shape))
            if isinstance(result, torch.Tensor):
                outputs.add(tuple(result.shape))
        hooks.append(sub.register_forward_hook(hook))
    filename = module.__file__

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != filename:
            return None
        previous: List[Optional[int]] = [None]

        def local(frame, event, arg):
            if event == "exception":  # the line did not finish: nothing is noted for it
                previous[0] = None
            elif event in ("line", "return"):
                done = previous[0]
                if done is not None:
                    for key, value in frame.f_locals.items():
                        if isinstance(value, torch.Tensor):
                            out.lines[done][key].add(tuple(value.shape))
                previous[0] = frame.f_lineno if event == "line" else None
            return local
        return local

    x = torch.zeros(shape, device="meta")
    sys.settrace(tracer)
    try:
        y = model(x)
        out.output = tuple(y.shape)
    except Exception as e:  # the buggy models: PyTorch raises where cnnlint reports
        out.error = f"{type(e).__name__}: {e}"
    finally:
        sys.settrace(None)
        for h in hooks:
            h.remove()
    return out
