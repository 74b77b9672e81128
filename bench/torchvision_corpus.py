"""Fetch the pinned torchvision source (the .py files only) into bench/_corpus/.

    python3 bench/torchvision_corpus.py

Downloads the torchvision 0.29.1 wheel with ``pip download --no-deps`` (pip finds it
in the local wheel cache or on PyPI) and unpacks its ``torchvision/**/*.py`` into
``bench/_corpus/torchvision-0.29.1/``. Nothing of torchvision is committed; the
directory is git-ignored. Running it again does nothing once the tree is complete.
Needs neither torch nor torchvision installed.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

VERSION = "0.29.1"
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "_corpus")
TARGET = os.path.join(CORPUS, f"torchvision-{VERSION}")
STAMP = os.path.join(TARGET, ".complete")


def source_root() -> str:
    """Directory that holds the ``torchvision`` package of the corpus."""
    return TARGET


def models_dir() -> str:
    return os.path.join(TARGET, "torchvision", "models")


def fetch(force: bool = False, quiet: bool = False) -> str:
    if os.path.exists(STAMP) and not force:
        if not quiet:
            print(f"corpus already present: {TARGET}")
        return TARGET
    os.makedirs(CORPUS, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CORPUS) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", f"torchvision=={VERSION}",
               "--no-deps", "--only-binary=:all:", "-d", tmp, "-q"]
        subprocess.run(cmd, check=True)
        wheels = glob.glob(os.path.join(tmp, f"torchvision-{VERSION}-*.whl"))
        if not wheels:
            sys.exit(f"pip download produced no torchvision {VERSION} wheel")
        staging = os.path.join(tmp, "src")
        n = 0
        with zipfile.ZipFile(wheels[0]) as zf:
            for name in zf.namelist():
                if name.startswith("torchvision/") and name.endswith(".py"):
                    zf.extract(name, staging)
                    n += 1
        if os.path.exists(TARGET):
            shutil.rmtree(TARGET)
        shutil.move(staging, TARGET)
        with open(STAMP, "w") as f:
            f.write(f"{os.path.basename(wheels[0])}\n{n} files\n")
    if not quiet:
        print(f"unpacked {n} .py files into {TARGET}")
    return TARGET


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="fetch again")
    args = ap.parse_args()
    fetch(force=args.force)


if __name__ == "__main__":
    main()
