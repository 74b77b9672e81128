"""torch's own helpers in model code, against PyTorch (meta device and CPU): the _pair family
however imported, weight_norm / spectral_norm and their parametrizations forms (the module
they wrap, with torch's parameter count), the data-parallel wrappers, and initialisation loops
over parameters and modules."""
import pytest

from overlay_oracle import compare

pytest.importorskip("torch")

CONV_BODY = "return self.m(torch.zeros(2, 3, 8, 8))"

CASES = {
    # name: (head imports, __init__ body, forward body)
    "pair_from_import": ("from torch.nn.modules.utils import _pair",
                         "self.m = nn.Conv2d(3, 4, _pair(3), stride=_pair(2))", CONV_BODY),
    "triple_alias": ("from torch.nn.modules.utils import _triple as triple",
                     "self.m = nn.Conv3d(3, 4, triple(1))", "return self.m(torch.zeros(2, 3, 4, 5, 6))"),
    "pair_dotted": ("import torch.nn.modules.utils", "self.m = nn.Conv2d(3, 4, torch.nn.modules.utils._pair(3))",
                    CONV_BODY),
    "pair_of_tuple": ("from torch.nn.modules.utils import _pair",
                      "k = _pair((3, 1))\nself.m = nn.Conv2d(3, 4, k)", CONV_BODY),
    "pair_from_conv": ("from torch.nn.modules.conv import _pair",
                       "self.m = nn.MaxPool2d(_pair(2))", CONV_BODY),
    "ntuple": ("from torch.nn.modules.utils import _ntuple",
               "to_2 = _ntuple(2)\nself.m = nn.Conv2d(3, 4, to_2(5), padding=to_2(2))", CONV_BODY),
    "single_quadruple": ("from torch.nn.modules.utils import _single, _quadruple",
                         "self.m = nn.ZeroPad2d(_quadruple(1))\nself.k = _single(3)",
                         "return self.m(torch.zeros(2, 3, 8, 8))[:, :, :self.k[0]]"),
    "weight_norm": ("from torch.nn.utils import weight_norm",
                    "self.m = weight_norm(nn.Conv2d(3, 4, 3))", CONV_BODY),
    "weight_norm_dim_none": ("", "self.m = nn.utils.weight_norm(nn.Linear(8, 4), dim=None)",
                             "return self.m(torch.zeros(2, 8))"),
    "weight_norm_dim1": ("", "self.m = nn.utils.weight_norm(nn.Linear(8, 4), 'weight', 1)",
                         "return self.m(torch.zeros(2, 8))"),
    "weight_norm_transpose": ("", "self.m = nn.utils.weight_norm(nn.ConvTranspose2d(3, 6, 2, groups=3))", CONV_BODY),
    "weight_norm_bias": ("", "self.m = nn.utils.weight_norm(nn.Conv1d(3, 4, 2), name='bias')",
                         "return self.m(torch.zeros(2, 3, 9))"),
    "weight_norm_removed": ("", "self.m = nn.utils.weight_norm(nn.Conv2d(3, 4, 3))\nnn.utils.remove_weight_norm(self.m)",
                            CONV_BODY),
    "weight_norm_seq": ("from torch.nn.utils import weight_norm",
                        "self.m = nn.Sequential(weight_norm(nn.Conv2d(3, 4, 3)), nn.ReLU(), weight_norm(nn.Conv2d(4, 4, 3)))",
                        CONV_BODY),
    "weight_norm_loop": ("from torch.nn.utils import weight_norm",
                         "self.m = nn.ModuleList([weight_norm(nn.Linear(8, 8)) for _ in range(3)])",
                         "x = torch.zeros(2, 8)\nfor f in self.m:\n    x = f(x)\nreturn x"),
    "weight_norm_deepcopy": ("import copy\nfrom torch.nn.utils.parametrizations import weight_norm",
                             "a = weight_norm(nn.Linear(8, 8))\nself.m = nn.Sequential(a, copy.deepcopy(a))",
                             "return self.m(torch.zeros(2, 8))"),
    "weight_norm_mismatch": ("from torch.nn.utils import weight_norm",
                             "self.m = weight_norm(nn.Conv2d(4, 4, 3))", CONV_BODY),
    "spectral_norm": ("from torch.nn.utils import spectral_norm",
                      "self.m = spectral_norm(nn.Conv2d(3, 4, 3))", CONV_BODY),
    "spectral_norm_removed": ("", "self.m = nn.utils.spectral_norm(nn.Linear(8, 4))\nnn.utils.remove_spectral_norm(self.m)",
                              "return self.m(torch.zeros(2, 8))"),
    "param_weight_norm": ("from torch.nn.utils.parametrizations import weight_norm",
                          "self.m = weight_norm(nn.Conv2d(3, 4, 3))", CONV_BODY),
    "param_weight_norm_dim_none": ("", "self.m = nn.utils.parametrizations.weight_norm(nn.Linear(8, 4), dim=None)",
                                   "return self.m(torch.zeros(2, 8))"),
    "param_spectral_norm": ("", "self.m = nn.utils.parametrizations.spectral_norm(nn.Linear(8, 4))",
                            "return self.m(torch.zeros(2, 8))"),
    "param_orthogonal": ("from torch.nn.utils import parametrizations",
                         "self.m = parametrizations.orthogonal(nn.Linear(8, 8))", "return self.m(torch.zeros(2, 8))"),
    "param_removed": ("from torch.nn.utils import parametrize",
                      "self.m = nn.utils.parametrizations.weight_norm(nn.Linear(8, 4))\n"
                      "parametrize.remove_parametrizations(self.m, 'weight')", "return self.m(torch.zeros(2, 8))"),
    "register_parametrization": (
        "import torch.nn.utils.parametrize as P\n\nclass Sym(nn.Module):\n"
        "    def forward(self, w):\n        return w.triu() + w.triu(1).transpose(-1, -2)",
        "self.m = nn.Linear(8, 8)\nP.register_parametrization(self.m, 'weight', Sym())",
        "return self.m(torch.zeros(2, 8))"),
    "data_parallel_wrapper": ("", "self.m = nn.DataParallel(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()))",
                              "return self.m(torch.zeros(2, 3, 8, 8))"),
    "data_parallel_module_attr": ("", "self.m = nn.DataParallel(nn.Linear(8, 4))\nself.head = nn.Linear(self.m.module.out_features, 2)",
                                  "return self.head(self.m(torch.zeros(2, 8)))"),
    "data_parallel_parallel_name": ("from torch.nn.parallel import DataParallel",
                                    "self.m = DataParallel(nn.Linear(8, 4), device_ids=None)",
                                    "return self.m(torch.zeros(2, 8))"),
    "data_parallel_mismatch": ("", "self.m = nn.DataParallel(nn.Linear(7, 4))", "return self.m(torch.zeros(2, 8))"),
}


@pytest.mark.parametrize("head,init,body", list(CASES.values()), ids=list(CASES))
def test_nn_utils(head, init, body):
    compare(body, init, check_params=True, head=head)
