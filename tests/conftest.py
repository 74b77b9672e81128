"""Shared pytest configuration for cnnlint's tests."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite fixtures/*.txt from cnnlint's current output instead of comparing",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running tests (mutants); deselect with -m 'not slow'")
    # PyTorch's note about padding='same' with an even kernel (fixtures/padding_same_valid.py).
    config.addinivalue_line("filterwarnings", "ignore:Using padding='same' with even kernel:UserWarning")


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def cnnlint_runs():
    """Fail (never skip) when `python -m cnnlint` cannot even print its help."""
    from oracle_util import cnnlint_available

    ok, msg = cnnlint_available()
    if not ok:
        pytest.fail(f"cnnlint is not runnable: {msg}", pytrace=False)
    return True
