"""The environment whose libraries cnnlint reads, found as type checkers find it, in real virtual
environments: --python (an interpreter or a folder), `python =` in [tool.cnnlint], VIRTUAL_ENV,
CONDA_PREFIX, a .venv at the project root, else cnnlint's own interpreter; site-packages, .pth
folders and setuptools editable installs. The library here is a small one written by the test:
its model's head takes 32 features, and the user's code sizes its own head for 64."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

LIBRARY = {
    "__init__.py": "from .models import small_net\n",
    "models.py": textwrap.dedent("""\
        import torch.nn as nn


        class SmallNet(nn.Module):
            def __init__(self, width=32):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(),
                                              nn.AdaptiveAvgPool2d(1), nn.Flatten())

            def forward(self, x):
                return self.features(x)


        def small_net(width=32):
            return SmallNet(width)
        """),
}
USER = textwrap.dedent("""\
    import torch.nn as nn
    import tinyvision


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = tinyvision.small_net()
            self.head = nn.Linear(64, 2)

        def forward(self, x):
            return self.head(self.backbone(x))
    """)
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"


def make_venv(path) -> str:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, capture_output=True)
    site = os.path.join(str(path), "lib", PY, "site-packages")
    assert os.path.isdir(site)
    return site


def write_library(folder, name="tinyvision"):
    os.makedirs(os.path.join(str(folder), name), exist_ok=True)
    for fname, text in LIBRARY.items():
        with open(os.path.join(str(folder), name, fname), "w") as fh:
            fh.write(text)


def cnnlint(cwd, *args, **env_vars):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(env_vars)
    env["CNNLINT_NO_CACHE"] = "1"
    return subprocess.run([sys.executable, "-m", "cnnlint", *args], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=120)


def reported(p) -> bool:
    """Whether the head's mismatch (64 expected, 32 arrive) was found."""
    return any(d["code"] == "CNN102" and d["severity"] == "error" for d in json.loads(p.stdout))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (root / "train.py").write_text(USER)
    return root


def check(cwd, *extra, **env_vars):
    return cnnlint(cwd, "check", "train.py", "--format", "json", "--input-shape", "2,3,16,16", *extra, **env_vars)


def test_without_an_environment_the_library_is_unknown(project):
    p = check(project)
    assert p.returncode == 0 and not reported(p)


def test_project_venv(project):
    write_library(make_venv(project / ".venv"))
    p = check(project)
    assert p.returncode == 1 and reported(p), p.stderr
    d = next(d for d in json.loads(p.stdout) if d["code"] == "CNN102")
    assert "expects 64 input features but receives 32" in d["message"] and d["line"] == 9
    shown = cnnlint(project, "check", "--show-settings", "train.py").stdout
    assert f"environment: {project / '.venv'} (the project's virtual environment" in shown
    assert "cnnlint: environment: " in cnnlint(project, "check", "-v", "train.py").stderr


def test_virtual_env_and_conda_prefix_come_before_the_project_venv(project, tmp_path):
    make_venv(project / ".venv")  # empty: the library is not there
    other = tmp_path / "active"
    write_library(make_venv(other))
    assert reported(check(project, VIRTUAL_ENV=str(other)))
    conda = tmp_path / "conda"
    site = conda / "lib" / PY / "site-packages"
    site.mkdir(parents=True)
    write_library(site)
    assert reported(check(project, CONDA_PREFIX=str(conda)))
    assert not reported(check(project))  # the project's own .venv, without the library


def test_python_option_and_config(project, tmp_path):
    env_dir = tmp_path / "tools" / "env"
    write_library(make_venv(env_dir))
    assert reported(check(project, "--python", str(env_dir)))
    assert reported(check(project, "--python", str(env_dir / "bin" / "python")))
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n\n[tool.cnnlint]\npython = '../tools/env'\n")
    assert reported(check(project))
    shown = cnnlint(project, "check", "--show-settings", "train.py").stdout
    assert "(python in the configuration;" in shown


def test_pth_folders_and_editable_installs(project, tmp_path):
    site = make_venv(project / ".venv")
    src = tmp_path / "checkout" / "src"
    write_library(src)
    (open(os.path.join(site, "checkout.pth"), "w")).write(str(src) + "\n")
    assert reported(check(project))
    os.remove(os.path.join(site, "checkout.pth"))
    assert not reported(check(project))
    # setuptools' editable install: a finder module whose MAPPING names the package's folder
    with open(os.path.join(site, "__editable__.tinyvision-0.1.pth"), "w") as fh:
        fh.write("import __editable___tinyvision_0_1_finder; __editable___tinyvision_0_1_finder.install()\n")
    with open(os.path.join(site, "__editable___tinyvision_0_1_finder.py"), "w") as fh:
        fh.write(f"import sys\nMAPPING = {{'tinyvision': {str(src / 'tinyvision')!r}}}\n"
                 "raise SystemExit('cnnlint must never run this')\n")
    assert reported(check(project))


def test_a_missing_environment_is_a_usage_error(project, tmp_path):
    p = check(project, "--python", str(tmp_path / "nowhere"))
    assert p.returncode == 2 and "no such interpreter or environment folder" in p.stderr
    (project / "pyproject.toml").write_text("[tool.cnnlint]\npython = 'nowhere'\n")
    p = check(project)
    assert p.returncode == 2 and "python" in p.stderr


def test_cnnlints_own_active_environment_comes_after_the_projects(project):
    """pre-commit runs the hook with VIRTUAL_ENV set to the hook's own venv (cnnlint's): the
    project's .venv is still found."""
    write_library(make_venv(project / ".venv"))
    assert reported(check(project, VIRTUAL_ENV=sys.prefix))
