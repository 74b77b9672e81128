"""An environment holding torchvision's and timm's source for the tests: a virtual environment
(no pip, no torch) with both installed --no-deps from the package index, kept between runs in
~/.cache (or $CNNLINT_TEST_LIBRARIES). cnnlint only reads this source; PyTorch's verdicts on it
come from the bench venv, written to bench/data/ by bench/library_models.py and
bench/library_fixtures.py. Without the network the tests that need it are skipped."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

VERSIONS = ("torchvision==0.29.1", "timm==1.0.31")


def library_env() -> str:
    root = os.environ.get("CNNLINT_TEST_LIBRARIES") or os.path.join(
        os.path.expanduser("~"), ".cache", "cnnlint-tests", "libraries-" + "-".join(v.replace("==", "") for v in VERSIONS))
    site = os.path.join(root, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")
    done = os.path.join(root, ".complete")
    if os.path.isfile(done):
        return root
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", root], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                        "--target", site, *VERSIONS], check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as e:
        pytest.skip(f"cannot install {', '.join(VERSIONS)} for the library tests: {e}")
    with open(done, "w") as fh:
        fh.write(" ".join(VERSIONS) + "\n")
    return root

