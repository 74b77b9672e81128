"""F.affine_grid, F.grid_sample, F.scaled_dot_product_attention and torch.meshgrid against
PyTorch (meta device and CPU): shapes, and an error exactly where PyTorch fails."""
import pytest

from overlay_oracle import compare

pytest.importorskip("torch")
Z = "torch.zeros"

AFFINE_GRID = {
    "2d": "return F.affine_grid(torch.zeros(2, 2, 3), [2, 3, 5, 7], align_corners=False)",
    "3d": "return F.affine_grid(torch.zeros(2, 3, 4), (2, 3, 4, 5, 7), align_corners=False)",
    "size_of_input": "t = torch.zeros(4, 3, 9, 6)\nreturn F.affine_grid(torch.zeros(4, 2, 3), t.size(), align_corners=False)",
    "torch_size": "return F.affine_grid(torch.zeros(2, 2, 3), torch.Size((2, 3, 5, 7)), align_corners=False)",
    "keywords": "return F.affine_grid(theta=torch.zeros(2, 2, 3), size=[2, 1, 4, 4])",
    "theta_view": "th = torch.zeros(2, 6).view(-1, 2, 3)\nreturn F.affine_grid(th, [2, 3, 5, 7], False)",
    "batch_mismatch": "return F.affine_grid(torch.zeros(2, 2, 3), [3, 3, 5, 7], align_corners=False)",
    "theta_3d_for_4d": "return F.affine_grid(torch.zeros(2, 3, 4), [2, 3, 5, 7], align_corners=False)",
    "theta_2d_for_5d": "return F.affine_grid(torch.zeros(2, 2, 3), [2, 3, 4, 5, 7], align_corners=False)",
    "theta_rank2": "return F.affine_grid(torch.zeros(2, 3), [1, 3, 5, 7], align_corners=False)",
    "size_3": "return F.affine_grid(torch.zeros(2, 2, 3), [2, 5, 7], align_corners=False)",
    "size_zero": "return F.affine_grid(torch.zeros(2, 2, 3), [2, 0, 5, 7], align_corners=False)",
    "unit_aligned": "return F.affine_grid(torch.zeros(2, 2, 3), [2, 3, 1, 7], align_corners=True)",
}

GRID_SAMPLE = {
    "2d": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 2), align_corners=False)",
    "3d": "return F.grid_sample(torch.zeros(2, 3, 4, 8, 9), torch.zeros(2, 6, 5, 7, 3), align_corners=False)",
    "modes": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 2), 'nearest', 'border', True)",
    "bicubic": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 2), mode='bicubic')",
    "with_affine": ("g = F.affine_grid(torch.zeros(2, 2, 3), [2, 3, 6, 6], align_corners=False)\n"
                    "return F.grid_sample(torch.zeros(2, 3, 16, 16), g, align_corners=False)"),
    "batch_mismatch": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(3, 5, 7, 2))",
    "last_dim": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 3))",
    "rank_mix": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 6, 5, 7, 3))",
    "rank3": "return F.grid_sample(torch.zeros(3, 8, 9), torch.zeros(3, 7, 2))",
    "bicubic_5d": "return F.grid_sample(torch.zeros(2, 3, 4, 8, 9), torch.zeros(2, 6, 5, 7, 3), mode='bicubic')",
    "bad_mode": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 2), mode='area')",
    "bad_padding": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 5, 7, 2), padding_mode='wrap')",
    "zero_grid": "return F.grid_sample(torch.zeros(2, 3, 8, 9), torch.zeros(2, 0, 7, 2))",
}

SDPA = {
    "4d": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3))",
    "3d": "return F.scaled_dot_product_attention(torch.zeros(2, 5, 8), torch.zeros(2, 6, 8), torch.zeros(2, 6, 3))",
    "2d": "return F.scaled_dot_product_attention(torch.zeros(5, 8), torch.zeros(6, 8), torch.zeros(6, 3))",
    "5d": "return F.scaled_dot_product_attention(torch.zeros(2, 3, 4, 5, 8), torch.zeros(2, 3, 4, 6, 8), torch.zeros(2, 3, 4, 6, 3))",
    "1d": "return F.scaled_dot_product_attention(torch.zeros(8), torch.zeros(8), torch.zeros(8))",
    "broadcast_batch": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(1, 4, 6, 8), torch.zeros(1, 4, 6, 3))",
    "broadcast_heads": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 1, 6, 8), torch.zeros(2, 1, 6, 8))",
    "broadcast_query": "return F.scaled_dot_product_attention(torch.zeros(1, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 8))",
    "rank_differs": "return F.scaled_dot_product_attention(torch.zeros(4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 8))",
    "embed_mismatch": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 7), torch.zeros(2, 4, 6, 8))",
    "kv_length_mismatch": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 7, 8))",
    "batch_mismatch": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(3, 4, 6, 8), torch.zeros(3, 4, 6, 8))",
    "heads_mismatch": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 2, 6, 8), torch.zeros(2, 2, 6, 8))",
    "gqa": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 2, 6, 8), torch.zeros(2, 2, 6, 3), enable_gqa=True)",
    "gqa_kv_heads_differ": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 2, 6, 8), torch.zeros(2, 1, 6, 3), enable_gqa=True)",
    "gqa_not_dividing": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 3, 6, 8), torch.zeros(2, 3, 6, 3), enable_gqa=True)",
    "gqa_3d": "return F.scaled_dot_product_attention(torch.zeros(4, 5, 8), torch.zeros(2, 6, 8), torch.zeros(2, 6, 3), enable_gqa=True)",
    "mask": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), attn_mask=torch.zeros(5, 6))",
    "mask_broadcast": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), attn_mask=torch.zeros(2, 1, 1, 6))",
    "mask_bad": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), attn_mask=torch.zeros(5, 7))",
    "mask_more_dims": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), attn_mask=torch.zeros(3, 2, 4, 5, 6))",
    "causal": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), is_causal=True)",
    "causal_and_mask": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), attn_mask=torch.zeros(5, 6), is_causal=True)",
    "positional": "return F.scaled_dot_product_attention(torch.zeros(2, 4, 5, 8), torch.zeros(2, 4, 6, 8), torch.zeros(2, 4, 6, 3), None, 0.1, False, scale=0.5)",
    "heads_split": ("q = torch.zeros(2, 10, 32).view(2, 10, 4, 8).transpose(1, 2)\n"
                    "o = F.scaled_dot_product_attention(q, q, q)\n"
                    "return o.transpose(1, 2).reshape(2, 10, 32)"),
}

MESHGRID = {
    "ij": "a, b = torch.meshgrid(torch.zeros(3), torch.zeros(4), indexing='ij')\nreturn a + b",
    "xy": "a, b = torch.meshgrid(torch.zeros(3), torch.zeros(4), indexing='xy')\nreturn a",
    "xy3": "g = torch.meshgrid(torch.zeros(3), torch.zeros(4), torch.zeros(5), indexing='xy')\nreturn g[2]",
    "list": "ys, xs = torch.meshgrid([torch.arange(3), torch.arange(4)], indexing='xy')\nreturn torch.stack((xs, ys), 2)",
    "tuple_default": "ys, xs = torch.meshgrid((torch.arange(3), torch.arange(4)))\nreturn torch.stack([xs, ys]).float()",
    "single": "(a,) = torch.meshgrid(torch.zeros(3), indexing='xy')\nreturn a",
    "zero_dim": "a, b = torch.meshgrid(torch.zeros(()), torch.zeros(4), indexing='xy')\nreturn b",
    "stack_unbound": "return torch.stack(torch.meshgrid(torch.arange(5), torch.arange(6), indexing='ij'), dim=-1)",
    "bad_indexing": "a, b = torch.meshgrid(torch.zeros(3), torch.zeros(4), indexing='ji')\nreturn a",
    "empty": "return torch.meshgrid([], indexing='ij')[0]",
}


def _cases(table):
    return pytest.mark.parametrize("body", list(table.values()), ids=list(table))


@_cases(AFFINE_GRID)
def test_affine_grid(body):
    compare(body)


@_cases(GRID_SAMPLE)
def test_grid_sample(body):
    compare(body)


@_cases(SDPA)
def test_scaled_dot_product_attention(body):
    compare(body)


@_cases(MESHGRID)
def test_meshgrid(body):
    compare(body)
