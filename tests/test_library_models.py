"""`cnnlint shapes` on library models read from an environment's installed source, against
PyTorch's figures (bench/data/library_models.json, written by bench/library_models.py in the
bench venv): every torchvision classification and segmentation factory must agree in total
parameters and output shape, every detection factory in parameters, and at least 80% of one
timm model per timm module."""
from __future__ import annotations

import contextlib
import io
import json
import os

import pytest

from library_env import library_env

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "data",
                    "library_models.json")
with open(DATA) as _fh:
    MODELS = [m for m in json.load(_fh)["models"] if "error" not in m]
TORCHVISION = [m for m in MODELS if m["library"] == "torchvision"]
SEGMENTATION_DETECTION = [m for m in MODELS if m["library"] in ("torchvision-segmentation", "torchvision-detection")]
TIMM = [m for m in MODELS if m["library"] == "timm"]


@pytest.fixture(scope="module")
def env():
    return library_env()


def shapes(env, entry):
    import gc

    from cnnlint.cli import main

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["shapes", entry["target"], "--format", "json", "--python", env,
                         "--input-shape", ",".join(map(str, entry["input"]))])
    finally:
        gc.enable()  # main() turns the collector off for a one-shot command
    if code not in (0, 1):
        return None
    models = json.loads(out.getvalue())["models"]
    return models[0] if models else None


def agrees(env, entry) -> bool:
    got = shapes(env, entry)
    return got is not None and got["params"] == entry["params"] and got["output"] == entry["output"]


def test_the_figures_cover_the_libraries():
    assert len(TORCHVISION) >= 80 and len(TIMM) >= 90 and len(SEGMENTATION_DETECTION) >= 18


@pytest.mark.parametrize("entry", TORCHVISION, ids=lambda e: e["target"].rsplit(".", 1)[1])
def test_every_torchvision_classification_model(env, entry):
    got = shapes(env, entry)
    assert got is not None, entry["target"]
    assert (got["params"], got["output"]) == (entry["params"], entry["output"])


@pytest.mark.parametrize("entry", SEGMENTATION_DETECTION, ids=lambda e: e["target"].split("(")[0].rsplit(".", 1)[1])
def test_every_torchvision_segmentation_and_detection_model(env, entry):
    """Detection models return boxes after post-processing: their parameters are compared."""
    got = shapes(env, entry)
    assert got is not None, entry["target"]
    assert got["params"] == entry["params"]
    if entry["output"] is not None:
        assert got["output"] == entry["output"]


def test_most_timm_models(env):
    bad = [e["target"] for e in TIMM if not agrees(env, e)]
    rate = 1 - len(bad) / len(TIMM)
    assert rate >= 0.8, f"{rate:.1%} of timm's models agree with PyTorch; not: {bad}"
