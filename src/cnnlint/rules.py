"""The rule catalogue: every code cnnlint reports, with its severity and documentation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    why: str
    bad: str
    good: str


_RULES = [
    Rule("CNN001", "syntax-error", "error", "The file cannot be parsed as Python.",
         "A file that does not parse cannot be imported, so its models cannot run.",
         "class Net(nn.Module:\n    pass", "class Net(nn.Module):\n    pass"),
    Rule("CNN101", "channel-mismatch", "error",
         "A convolution or normalization layer declares a different number of input channels than its input has.",
         "PyTorch raises `expected input to have C channels` at the first forward pass.",
         "self.conv1 = nn.Conv2d(1, 20, 5)\nself.conv2 = nn.Conv2d(10, 50, 5)",
         "self.conv1 = nn.Conv2d(1, 20, 5)\nself.conv2 = nn.Conv2d(20, 50, 5)"),
    Rule("CNN102", "linear-in-features", "error",
         "A Linear layer declares different in_features than the size of its input's last dimension.",
         "PyTorch raises `mat1 and mat2 shapes cannot be multiplied` once data flows.",
         "self.fc = nn.Linear(32 * 8 * 8, 10)  # conv2 gives [N, 32, 7, 7]",
         "self.fc = nn.Linear(32 * 7 * 7, 10)"),
    Rule("CNN103", "spatial-collapse", "error",
         "A convolution or pooling window is larger than its (padded) input, so the output size drops below 1.",
         "PyTorch raises `Output size is too small` or `Kernel size can't be greater than actual input size`.",
         "nn.Conv2d(3, 8, kernel_size=7)  # on a 4x4 input",
         "nn.Conv2d(3, 8, kernel_size=3, padding=1)"),
    Rule("CNN104", "invalid-view", "error",
         "A view or reshape asks for a shape whose element count cannot hold the tensor's elements.",
         "PyTorch raises `shape '[-1, 4608]' is invalid for input of size 14112`.",
         "x = x.view(-1, 18 * 16 * 16)  # x is [4, 18, 14, 14]",
         "x = x.view(x.size(0), -1)"),
    Rule("CNN105", "groups-divide", "error",
         "A convolution's groups does not divide its in_channels or out_channels.",
         "PyTorch raises `in_channels must be divisible by groups` when the layer is built.",
         "nn.Conv2d(30, 64, 3, groups=4)", "nn.Conv2d(32, 64, 3, groups=4)"),
    Rule("CNN106", "shape-mismatch", "error",
         "Two tensors combined by an elementwise operation or a concatenation have incompatible sizes.",
         "PyTorch raises `The size of tensor a must match the size of tensor b`.",
         "out = self.conv(x) + x  # conv changes the channels", "out = self.conv(x) + self.shortcut(x)"),
    Rule("CNN107", "rank-mismatch", "error",
         "A layer receives a tensor with a number of dimensions it does not accept.",
         "PyTorch raises `Expected 3D (unbatched) or 4D (batched) input to conv2d`.",
         "x = x.view(x.size(0), -1)\nx = self.conv(x)", "x = self.conv(x)\nx = x.view(x.size(0), -1)"),
    Rule("CNN108", "bad-argument", "error",
         "A layer's arguments are invalid for PyTorch (for example a zero stride or an out-of-range dim).",
         "PyTorch raises when it builds or runs the layer.",
         "nn.MaxPool2d(2, padding=2)", "nn.MaxPool2d(2, padding=1)"),
    Rule("CNN201", "view-folds-batch", "warning",
         "A view or reshape with -1 in the batch position mixes samples: the per-sample size it asks for differs from what the tensor holds.",
         "PyTorch does not fail here but the batch dimension changes size, so samples are mixed or the loss fails later.",
         "x = x.view(-1, 1568)  # x is [N, 32, 7, 14]", "x = x.view(x.size(0), -1)"),
    Rule("CNN202", "maybe-error", "warning",
         "A shape error on a path that may not run (under a condition cnnlint cannot decide).",
         "PyTorch fails only when that path runs.",
         "if self.training:\n    x = self.fc_bad(x)", "if self.training:\n    x = self.fc(x)"),
    Rule("CNN301", "input-size-constraint", "info",
         "A layer works only for some input sizes; the message names them.",
         "With a symbolic input, a Linear after a flatten fixes the input size the model accepts.",
         "self.fc = nn.Linear(16 * 5 * 5, 10)  # holds for 32x32 inputs", "# give --input-shape to check one size"),
    Rule("CNN401", "unknown-shape", "info",
         "cnnlint cannot follow some code, so the shapes after it are unknown.",
         "cnnlint never guesses; it says where it stopped following the tensor.",
         "x = some_helper(x)  # defined in another package", "# cnnlint continues with unknown shapes"),
]

_RULES.append(Rule("CNN999", "internal-error", "info", "cnnlint failed while analysing a model.",
                   "A bug in cnnlint; the model's other findings may be missing. Please report it.",
                   "", ""))

RULES: Dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]
