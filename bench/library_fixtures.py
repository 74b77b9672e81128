"""PyTorch's verdict on the fixtures that build on torchvision and timm (fixtures/libraries/),
written for the default test suite, which has no PyTorch that can run them.

    /work/benchvenv/bin/python bench/library_fixtures.py      # writes bench/data/library_fixtures.json

Each ``# oracle:`` line of each fixture is built and run as tests/test_torch_oracle.py does (meta
device, then the CPU): whether PyTorch raises, with its message, the parameter count, and the
output shape of every leaf module call. Running it again must give the same file.
tests/test_library_fixtures.py compares cnnlint with it.
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data", "library_fixtures.json")


def main() -> int:
    sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "src")]
    import torch
    import torchvision
    from oracle_util import fixture_specs, torch_run

    import timm

    folder = os.path.join(ROOT, "fixtures", "libraries")
    cases = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        for spec in fixture_specs(path):
            layers, params, exc = torch_run(path, spec)
            cases.append({
                "file": f"fixtures/libraries/{name}", "spec": spec.text,
                "raises": exc is not None,
                "exception": f"{type(exc).__name__}: {str(exc).splitlines()[0]}" if exc is not None else None,
                "params": params,
                "leaves": [[r.name, r.type, r.output] for r in layers if r.leaf],
            })
            print(f"{name:32} {spec.text:28} {'raises ' + cases[-1]['exception'] if exc else 'runs'}")
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    with open(DATA, "w") as fh:
        json.dump({"versions": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                                "timm": timm.__version__}, "cases": cases}, fh, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
