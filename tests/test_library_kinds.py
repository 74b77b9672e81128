"""Kinds of false error first seen in public model libraries (bench/library_errors.py), each as a
fixture of our own: checked without an input shape or constructor arguments, as a folder check
does, cnnlint reports no error; PyTorch builds and runs each fixture's `# oracle:` specs
(tests/test_torch_oracle.py)."""
import pytest

from cnnlint.api import check_file
from oracle_util import FIXTURES

NO_ERROR_ALONE = [
    "starred_unknown_length.py",  # `(*items, ...)` of items that cannot be listed: length unknown
    "view_of_unknown_shape.py",  # `x.view(shape)` of a shape that cannot be listed: rank unknown
]


@pytest.mark.parametrize("name", NO_ERROR_ALONE)
def test_no_error_when_checked_alone(name):
    result = check_file(str(FIXTURES / name))
    errors = [f"{d.span.line}: {d.code} {d.message}" for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors
