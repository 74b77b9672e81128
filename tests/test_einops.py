"""einops, judged by einops itself (with torch on the meta device): cnnlint's reading of the
patterns of rearrange / reduce / repeat / einsum / parse_shape and of the Rearrange / Reduce
layers. cnnlint never imports einops; these tests skip when it is not installed."""
import itertools
import json
import random
import textwrap

import pytest

from cnnlint import dims
from cnnlint.overlays import einops as ov
from oracle_util import run_cnnlint

einops = pytest.importorskip("einops")
torch = pytest.importorskip("torch")


def einops_result(op, pattern, shape, axes, reduction="sum"):
    """einops' answer: ("ok", shape) or ("error", message)."""
    x = torch.empty(shape, device="meta")
    try:
        if op == "reduce":
            y = einops.reduce(x, pattern, reduction, **axes)
        else:
            y = getattr(einops, op)(x, pattern, **axes)
    except Exception as e:  # noqa: BLE001 - any failure is einops' verdict
        return "error", f"{type(e).__name__}: {e}"
    return "ok", tuple(y.shape)


def cnnlint_result(op, pattern, shape, axes, reduction="sum"):
    """cnnlint's answer through the same functions the interpreter uses: ("ok", shape),
    ("error", why) or ("unknown", None)."""
    why = ov.pattern_error(op, pattern, tuple(axes), reduction)
    if why is not None:
        return "error", why
    out = ov.apply(ov.prepare(op, pattern, tuple(axes)), shape, {k: ov.axis_value(None, v) for k, v in axes.items()})
    if out.error is not None:
        return "error", out.error[1]
    if out.shape is None or any(dims.as_int(d) is None for d in out.shape):
        return "unknown", out.shape
    return "ok", tuple(dims.as_int(d) for d in out.shape)


# (op, pattern, axis lengths) tried on every shape of its rank below
PATTERNS = [
    ("rearrange", "b c h w -> b h w c", {}),
    ("rearrange", "b c h w -> b (h w) c", {}),
    ("rearrange", "b c h w -> (b h w) c", {}),
    ("rearrange", "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", {"p1": 2, "p2": 2}),
    ("rearrange", "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", {"p1": 2, "p2": 3}),
    ("rearrange", "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", {"p1": 2}),
    ("rearrange", "b c (h p) w -> b c h p w", {}),
    ("rearrange", "b c (h p) w -> b c h p w", {"p": 2}),
    ("rearrange", "b c (h p) w -> b c h p w", {"h": 3}),
    ("rearrange", "b c (h p) w -> b c h p w", {"h": 2, "p": 2}),
    ("rearrange", "b c h w -> b c h w", {"h": 4}),
    ("rearrange", "b c h w -> b c h w", {"h": 5}),
    ("rearrange", "b c h w -> b c h w", {"q": 5}),
    ("rearrange", "b c h w -> b c (h w) 1", {}),
    ("rearrange", "b c h w -> b c () (h w)", {}),
    ("rearrange", "b 1 h w -> b h w", {}),
    ("rearrange", "b () h w -> b h w", {}),
    ("rearrange", "b c h w -> b c h", {}),
    ("rearrange", "b c h w -> b c h w 2", {}),
    ("rearrange", "b c h w -> b c (h h)", {}),
    ("rearrange", "b c (h (w)) -> b c h w", {}),
    ("rearrange", "b c h w -> b c h w -> b", {}),
    ("rearrange", "b c h w", {}),
    ("rearrange", "b c h _w -> b c h _w", {}),
    ("rearrange", "b c h w_ -> b c h w_", {}),
    ("rearrange", "b c h 2w -> b c h 2w", {}),
    ("rearrange", "b c h w -> b c h w (", {}),
    ("rearrange", "b c h w) -> b c h w", {}),
    ("rearrange", "b ... -> b (...)", {}),
    ("rearrange", "b ... c -> b c ...", {}),
    ("rearrange", "... c -> c ...", {}),
    ("rearrange", "(b ...) -> b ...", {}),
    ("rearrange", "b .. -> b", {}),
    ("rearrange", "b ... ... -> b", {}),
    ("rearrange", "b c -> b c ...", {}),
    ("rearrange", "b ... -> b", {}),
    ("rearrange", "b c ... -> (c b) ...", {}),
    ("rearrange", "b n (h d) -> b h n d", {"h": 2}),
    ("rearrange", "b n (h d) -> b h n d", {"h": 4}),
    ("rearrange", "b h n d -> b n (h d)", {}),
    ("rearrange", "(b t) c -> b t c", {"t": 2}),
    ("rearrange", "(b t) c -> b t c", {"t": 3}),
    ("rearrange", "b (c1 c2) -> b (c2 c1)", {"c1": 2}),
    ("rearrange", "b (c1 c2) -> b (c2 c1)", {}),
    ("reduce", "b c h w -> b c", {}),
    ("reduce", "b c h w -> b c 1 1", {}),
    ("reduce", "b c h w -> b c () ()", {}),
    ("reduce", "b c (h 2) (w 2) -> b c h w", {}),
    ("reduce", "b c (h h2) (w w2) -> b c h w", {"h2": 2, "w2": 2}),
    ("reduce", "b c (h h2) (w w2) -> b c h w", {"h2": 2, "w2": 3}),
    ("reduce", "b c h w -> b c 2", {}),
    ("reduce", "b c h w -> b c q", {}),
    ("reduce", "b c h w -> (b c)", {}),
    ("reduce", "b c h w -> w h c b", {}),
    ("reduce", "b ... -> b", {}),
    ("reduce", "... h w -> ...", {}),
    ("reduce", "b c ... -> b c", {}),
    ("reduce", "b c h w ->", {}),
    ("reduce", "... ->", {}),
    ("reduce", "b n d -> b d", {}),
    ("repeat", "b c h w -> b c h w r", {"r": 3}),
    ("repeat", "b c h w -> b c h w r", {}),
    ("repeat", "b c h w -> b c h w 2", {}),
    ("repeat", "b c h w -> (r b) c h w", {"r": 2}),
    ("repeat", "b c h w -> b c (h r) (w s)", {"r": 2, "s": 3}),
    ("repeat", "b 3 h w -> b 3 h w", {}),
    ("repeat", "b c h w -> b h w", {}),
    ("repeat", "1 n d -> b n d", {"b": 4}),
    ("repeat", "1 n d -> b n d", {"b": 4, "n": 3}),
    ("repeat", "... -> b ...", {"b": 2}),
    ("repeat", "b ... -> b", {}),
    ("repeat", "n d -> b n d", {"b": 2}),
    ("repeat", "d -> b n d", {"b": 2, "n": 3}),
    ("repeat", "b c h w -> b c h w 1", {}),
]

SHAPES = [(2, 3, 4, 6), (1, 3, 4, 4), (2, 1, 6, 9), (4, 6, 8), (1, 12, 6), (6, 4), (12, 1), (8,), (1, 1, 1)]


def _cases():
    out = []
    for (op, pattern, axes), shape in itertools.product(PATTERNS, SHAPES):
        out.append((op, pattern, shape, axes, "sum"))
    for red in ("mean", "max", "min", "prod", "any", "median", "avg"):
        out.append(("reduce", "b c h w -> b c", (2, 3, 4, 5), {}, red))
    return out


CASES = _cases()


def test_enough_cases():
    assert len(CASES) > 600


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}:{c[2]}:{c[3]}:{c[4]}" for c in CASES])
def test_pattern_against_einops(case):
    op, pattern, shape, axes, red = case
    want = einops_result(op, pattern, shape, axes, red)
    got = cnnlint_result(op, pattern, shape, axes, red)
    assert got[0] != "unknown", f"concrete input, yet cnnlint cannot tell: {got}"
    if want[0] == "ok":
        assert got == want, f"einops gives {want[1]}, cnnlint {got}"
    else:
        assert got[0] == "error", f"einops fails ({want[1]}), cnnlint says {got}"


def _random_side(rng, names, ellipsis):
    """A side as text and its dims, each a list of axes (names, anonymous lengths, "...")."""
    groups = []
    pool = list(names)
    rng.shuffle(pool)
    while pool:
        k = rng.choice([1, 1, 1, 2, 3])
        part, pool = pool[:k], pool[k:]
        if rng.random() < 0.15:
            part.append(rng.choice(["1", "2", "3"]))
        groups.append((part, len(part) > 1 or rng.random() < 0.2))
    if ellipsis:
        groups.insert(rng.randrange(len(groups) + 1), (["..."], rng.random() < 0.3))
    if rng.random() < 0.1:
        groups.insert(rng.randrange(len(groups) + 1), (["1"], False))
    text = " ".join("(" + " ".join(p) + ")" if paren else " ".join(p) for p, paren in groups)
    return text, [p for p, _ in groups]


def _fuzz_cases(n=800, seed=12):
    rng = random.Random(seed)
    out = []
    letters = ["a", "b", "c", "d", "e", "f"]
    for _ in range(n):
        op = rng.choice(["rearrange", "rearrange", "reduce", "repeat"])
        names = rng.sample(letters, rng.randint(1, 4))
        sizes = {a: rng.choice([1, 2, 3, 4]) for a in letters}
        ell_l = rng.random() < 0.25
        left, groups = _random_side(rng, names, ell_l)
        right_names = list(names)
        if op == "reduce":
            right_names = rng.sample(names, rng.randint(0, len(names)))
        elif op == "repeat":
            right_names = names + rng.sample([x for x in letters if x not in names], rng.randint(0, 1))
        if rng.random() < 0.05:  # a mistake now and then
            right_names = right_names[:-1] if right_names else ["z"]
        right, _ = _random_side(rng, right_names, ell_l if rng.random() < 0.95 else not ell_l)
        shape = []
        for g in groups:
            if g == ["..."]:
                shape.extend(rng.choice([1, 2, 3]) for _ in range(rng.randint(0, 2)))
            else:
                n_ = 1
                for a in g:
                    n_ *= int(a) if a.isdecimal() else sizes[a]
                shape.append(n_)
        if rng.random() < 0.1 and shape:  # a wrong size
            shape[rng.randrange(len(shape))] += 1
        if rng.random() < 0.05:  # a wrong rank
            shape = shape[:-1] if rng.random() < 0.5 else shape + [2]
        axes = {a: sizes[a] for a in set(names + right_names) if a != "z" and rng.random() < 0.4}
        if op == "repeat":
            axes.update({a: sizes[a] for a in right_names if a not in names and rng.random() < 0.9})
        if axes and rng.random() < 0.05:  # a wrong length
            axes[next(iter(axes))] += 1
        out.append((op, f"{left} -> {right}", tuple(shape), axes, "sum"))
    return out


def test_random_patterns_against_einops():
    """Random patterns, shapes and axis lengths: never an error einops does not raise, the
    same shape wherever einops runs, and each failure of einops found."""
    agree = 0
    cases = _fuzz_cases()
    for op, pattern, shape, axes, red in cases:
        want = einops_result(op, pattern, shape, axes, red)
        got = cnnlint_result(op, pattern, shape, axes, red)
        assert got[0] != "unknown", (op, pattern, shape, axes, got)
        if want[0] == "ok":
            assert got == want, (op, pattern, shape, axes, want, got)
        else:
            assert got[0] == "error", (op, pattern, shape, axes, want, got)
        agree += 1
    assert agree == len(cases)
    ran = sum(einops_result(*c)[0] == "ok" for c in cases)
    assert len(cases) // 3 < ran < len(cases) - 100  # both kinds, many of each


def test_symbolic_sizes():
    """A symbolic size divided by a known axis length is exact; an axis of unknown length
    leaves the dims it enters unknown; values substituted agree with einops."""
    H, W, N = dims.symbol("H"), dims.symbol("W"), dims.symbol("N")
    recipe = ov.prepare("rearrange", "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", ("p1", "p2"))
    out = ov.apply(recipe, (N, 3, H, W), {"p1": 16, "p2": 16})
    assert out.error is None
    for h, w in ((32, 48), (224, 224), (16, 64)):
        got = tuple(dims.as_int(d.subs({N: 2, H: h, W: w}) if dims.is_symbolic(d) else d) for d in out.shape)
        assert got == einops_result("rearrange", recipe_text(recipe), (2, 3, h, w), {"p1": 16, "p2": 16})[1]
    back = ov.apply(ov.prepare("rearrange", "b (h p) -> b h p", ("p",)), (N, H), {"p": 4})
    assert dims.same(dims.mul(back.shape[1], 4), H)
    unknown = ov.apply(ov.prepare("rearrange", "b (h p) c -> b h p c", ("p",)), (N, H, 3), {"p": None})
    assert unknown.error is None and unknown.shape == (N, None, None, 3)
    # a symbolic size against a known length is no error (it may fit)
    assert ov.apply(ov.prepare("rearrange", "b (h p) -> b h p", ("p",)), (N, H), {"p": 3}).error is None
    # unknown rank: a pattern without ellipsis still fixes the output's rank
    assert ov.apply(ov.prepare("rearrange", "b c h w -> b (h w) c", ()), None, {}).shape == (None, None, None)
    assert ov.apply(ov.prepare("rearrange", "b ... -> b ...", ()), None, {}).shape is None


def recipe_text(recipe):
    side = lambda s: " ".join(ov.group_text(g) for g in s.groups)  # noqa: E731
    return f"{side(recipe.left)} -> {side(recipe.right)}"


@pytest.mark.parametrize("spec,shape", [
    ("b h i d, b h j d -> b h i j", [(2, 4, 5, 8), (2, 4, 7, 8)]),
    ("b i d, d o -> b i o", [(2, 5, 8), (8, 3)]),
    ("... d, d o -> ... o", [(2, 3, 5, 8), (8, 3)]),
    ("batch seq dim, dim -> batch seq", [(2, 5, 8), (8,)]),
    ("i j -> j", [(3, 4)]),
])
def test_einsum_against_einops(spec, shape):
    ts = [torch.empty(s, device="meta") for s in shape]
    want = tuple(einops.einsum(*ts, spec).shape)
    assert ov.einsum_shape(spec, shape) == want


# --- end to end: the interpreter, through the command line ---------------------------------

E2E = [
    ("rearrange(x, 'b c h w -> b (h w) c')", (2, 3, 4, 6)),
    ("einops.rearrange(x, 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=2, p2=3)", (2, 3, 4, 6)),
    ("rearrange(x, 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=4, p2=4)", (2, 3, 4, 6)),
    ("rearrange(x, 'b n (h d) -> b h n d', h=self.heads)", (2, 5, 8)),
    ("rearrange(x, 'b n (h d) -> b h n d', h=3)", (2, 5, 8)),
    ("rearrange(x, 'b c h w -> b c h')", (2, 3, 4, 6)),
    ("rearrange(x, pattern='b c h w -> b c (h w)')", (2, 3, 4, 6)),
    ("rearrange([x, x, x], 'n b c -> b n c')", (2, 3, 4)),
    ("repeat(x, 'b n d -> b (r n) d', r=2)", (2, 5, 8)),
    ("repeat(self.tok, '1 n d -> b n d', b=x.shape[0]) + x[:, :1]", (2, 5, 8)),
    ("reduce(x, 'b c h w -> b c', 'mean')", (2, 3, 4, 6)),
    ("reduce(x, 'b c (h 2) (w 2) -> b c h w', reduction='max')", (2, 3, 4, 6)),
    ("reduce(x, 'b c (h 2) (w 2) -> b c h w', 'max')", (2, 3, 5, 6)),
    ("reduce(x, 'b c h w -> b c', 'average')", (2, 3, 4, 6)),
    ("einops.reduce(x, '... h w -> ...', 'sum')", (2, 3, 4, 6)),
    ("rearrange(x, 'b ... -> b (...)')", (2, 3, 4, 6)),
    ("rearrange(x, 'b c h w -> b w h c', **einops.parse_shape(x, 'b c h w'))", (2, 3, 4, 6)),
    ("rearrange(x, 'b (h w) c -> b c h w', **einops.parse_shape(y, 'b c h w'))", (2, 24, 3)),
    ("einops.einsum(x, x, 'b n d, b m d -> b n m')", (2, 5, 8)),
    ("self.seq(x)", (2, 3, 4, 6)),
    ("self.seq(x)", (2, 3, 5, 6)),
    ("self.pool(x)", (2, 3, 4, 6)),
    ("self.pool(x)", (2, 3, 4)),
    ("einops.pack([x, x[:, :2]], 'b * d')[0]", (2, 5, 8)),
    ("einops.unpack(*einops.pack([x, x[:, :2]], 'b * d'), 'b * d')[1]", (2, 5, 8)),
    ("rearrange(x, 'b n d -> b d n', **{'n': 4})", (2, 5, 8)),
]


def _e2e_file(tmp_path):
    lines = ["import torch", "from torch import nn", "import einops",
             "from einops import rearrange, reduce, repeat",
             "from einops.layers.torch import Rearrange, Reduce", ""]
    for i, (expr, shape) in enumerate(E2E):
        lines.append(textwrap.dedent(f"""
            class M{i}(nn.Module):  # cnnlint: input-shape={','.join(map(str, shape))}
                def __init__(self):
                    super().__init__()
                    self.heads = 2
                    self.tok = nn.Parameter(torch.zeros(1, 1, 8))
                    self.seq = nn.Sequential(Rearrange('b c (h p) (w q) -> b (h w) (p q c)', p=2, q=2),
                                             nn.Linear(12, 7))
                    self.pool = Reduce('b c h w -> b c', 'max')

                def forward(self, x):
                    y = torch.zeros(2, 3, 4, 6)
                    return {expr}
            """))
    path = tmp_path / "einops_cases.py"
    path.write_text("\n".join(lines))
    return path


def test_interpreter_against_einops(tmp_path):
    path = _e2e_file(tmp_path)
    ns = {}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    p = run_cnnlint(["shapes", str(path), "--format", "json"])
    shapes = {m["model"]: m for m in json.loads(p.stdout)} if p.stdout.strip().startswith("[") else None
    if shapes is None:
        data = json.loads(p.stdout)
        shapes = {m["model"]: m for m in (data["models"] if isinstance(data, dict) else data)}
    c = run_cnnlint(["check", str(path), "--format", "json"])
    errors = {}
    for d in json.loads(c.stdout):
        if d["severity"] == "error":
            errors.setdefault(d["model"], []).append(d["message"])
    problems = []
    for i, (expr, shape) in enumerate(E2E):
        name = f"M{i}"
        with torch.device("meta"):
            model = ns[name]()
        try:
            out = model(torch.empty(shape, device="meta"))
            want = ("ok", list(out.shape))
        except Exception as e:  # noqa: BLE001
            want = ("error", str(e).splitlines()[0])
        if want[0] == "error":
            if not errors.get(name):
                problems.append(f"{name} {expr}: einops fails ({want[1]}) but cnnlint reports no error")
        else:
            if errors.get(name):
                problems.append(f"{name} {expr}: runs, but cnnlint reports {errors[name]}")
            got = shapes[name].get("output")
            if got != want[1]:
                problems.append(f"{name} {expr}: want {want[1]}, cnnlint {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern,shapes", [
    ("b * c", [(2, 3, 4), (2, 5), (2, 6, 7, 4)]),
    ("b * c", [(2, 3, 4), (2, 7, 4)]),
    ("* c", [(5, 4), (4,)]),
    ("b c *", [(2, 3, 4, 5), (2, 3)]),
])
def test_pack_unpack_against_einops(pattern, shapes):
    ts = [torch.empty(s, device="meta") for s in shapes]
    try:
        packed, ps = einops.pack(ts, pattern)
    except Exception:  # noqa: BLE001 - einops rejects: cnnlint must not claim a shape
        got = ov.pack_shapes(pattern, shapes)
        assert got is None or got[0] is None or None in got[0]
        return
    got = ov.pack_shapes(pattern, shapes)
    assert got is not None and got[0] == tuple(packed.shape)
    assert [tuple(p) for p in got[1]] == [tuple(p) for p in ps]
