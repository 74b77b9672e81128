"""What PyTorch itself says about the blocks of public model libraries that cnnlint flags when
it checks the library's whole source (bench/library_errors.py, docs/libraries.md).

These need the library installed (the bench venv has timm 1.0.31 beside torch); without it they
are skipped. They build each block on the meta device, with the constructor arguments cnnlint
uses when it checks the block alone (its defaults), and with the arguments the library's own
models pass.
"""
import pytest

torch = pytest.importorskip("torch")


def _builds_and_runs(build, shape):
    with torch.device("meta"):
        net = build()
        return net(torch.empty(*shape))


def test_timm_efficientvit_msra_attention_defaults_fail_but_its_models_build():
    """`CascadedGroupAttention` and `LocalWindowAttention` default to `num_heads=8` with
    `kernels=(5, 5, 5, 5)`: built alone with those defaults PyTorch fails (IndexError on
    `kernels[i]`), while every model of the file passes as many kernels as heads. So a report on
    the block alone is right about the defaults, and must not be an error for the models
    (the issue's 'defaults of a block that do not fit' kind)."""
    msra = pytest.importorskip("timm.models.efficientvit_msra")
    for cls in (msra.CascadedGroupAttention, msra.LocalWindowAttention):
        with pytest.raises(IndexError):
            _builds_and_runs(lambda: cls(64, 16), (2, 64, 14, 14))
        # as EfficientVitMsra builds them: 4 heads, attn_ratio = dim / (key_dim * heads)
        out = _builds_and_runs(lambda: cls(64, 16, num_heads=4, attn_ratio=1.0), (2, 64, 14, 14))
        assert tuple(out.shape) == (2, 64, 14, 14)
    out = _builds_and_runs(lambda: msra.EfficientVitMsra().eval(), (1, 3, 224, 224))
    assert tuple(out.shape) == (1, 1000)


@pytest.mark.parametrize("name", ["DSConv", "ConvBlock", "MBConv", "FusedMBConv", "LiteMLA"])
def test_timm_efficientvit_mit_blocks_build_with_their_defaults(name):
    """`val2tuple` grows its list by slice assignment; the blocks index the result up to 2.
    PyTorch builds and runs each block with its defaults, so any error there is false."""
    mit = pytest.importorskip("timm.models.efficientvit_mit")
    out = _builds_and_runs(lambda: getattr(mit, name)(16, 16), (2, 16, 8, 8))
    assert tuple(out.shape) == (2, 16, 8, 8)


def test_timm_parallel_scaling_block_runs():
    """`int(mlp_ratio * dim)` is an int: the block's `torch.cat` of attention and MLP outputs
    joins tensors of the same rank."""
    vt = pytest.importorskip("timm.models.vision_transformer")
    out = _builds_and_runs(lambda: vt.ParallelScalingBlock(64, 8), (2, 10, 64))
    assert tuple(out.shape) == (2, 10, 64)


@pytest.mark.parametrize("name", ["StdConv2d", "StdConv2dSame", "ScaledStdConv2d", "ScaledStdConv2dSame"])
def test_timm_weight_standardised_convs_run(name):
    std_conv = pytest.importorskip("timm.layers.std_conv")
    out = _builds_and_runs(lambda: getattr(std_conv, name)(3, 8, 3), (2, 3, 16, 16))
    assert tuple(out.shape) == (2, 8, 16, 16)
