"""Symbolic sizes: a stack of strided layers keeps one floor (floor(floor(y)/a)/b) = floor(y/(a*b))),
and the folded expression gives the same size as the nested arithmetic for every input size."""
from hypothesis import given, settings, strategies as st

from cnnlint import dims


@settings(max_examples=60, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 4), st.integers(0, 3)), min_size=1, max_size=5),
       ceil=st.booleans())
def test_folded_sizes_equal_nested_arithmetic(layers, ceil):
    """(kernel, stride, padding) layers: the symbolic output size, evaluated at every H from 1 to
    80, equals the integer arithmetic PyTorch does layer by layer (and stays one floor deep)."""
    h = dims.symbol("H")
    size = h
    for k, s, p in layers:
        num = dims.sub(dims.add(size, 2 * p), k)
        size = dims.add(dims.ceildiv(num, s) if ceil else dims.floordiv(num, s), 1)
    text = str(size)
    assert "floor(floor" not in text and "ceiling(ceiling" not in text
    for value in range(1, 81):
        want = value
        for k, s, p in layers:
            num = want + 2 * p - k
            want = (-((-num) // s) if ceil else num // s) + 1
        got = size.subs(h, value) if dims.is_symbolic(size) else size
        assert int(got) == want, (layers, value, text)


def test_division_by_one_is_the_size_itself():
    h = dims.symbol("H")
    assert dims.floordiv(h - 2, 1) == h - 2
    assert dims.ceildiv(h + 3, 1) == h + 3


def test_only_whole_terms_are_taken_inside():
    h = dims.symbol("H")
    inner = dims.floordiv(h, 2)
    # floor(H/2)/3 with a non-whole term beside it (H/5) stays nested: no identity applies
    out = dims.floordiv(inner + h / 5, 3)
    assert "floor(" in str(out)
    for value in range(1, 60):
        assert int(out.subs(h, value)) == (value // 2 + value / 5) // 3
