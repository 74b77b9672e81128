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
    # a note about cnnlint's own limits, not about the user's model: the text formats hide it
    # unless asked (--show-notes, show-notes = true, or its code named by a select option)
    limit: bool = False


_RULES = [
    Rule("CNN001", "syntax-error", "error", "The file cannot be parsed as Python.",
         "A file that does not parse cannot be imported, so none of its models can run; cnnlint cannot "
         "check anything else in it either.",
         "class Net(nn.Module:  # missing ')'\n    pass",
         "class Net(nn.Module):\n    pass"),
    Rule("CNN101", "channel-mismatch", "error",
         "A convolution or normalization layer declares a different number of input channels than its input has.",
         "PyTorch raises `expected input[N, 20, H, W] to have 10 channels, but got 20 channels instead` at the "
         "first forward pass, usually far from where the layers are declared.",
         "self.conv1 = nn.Conv2d(1, 20, 5)\nself.conv2 = nn.Conv2d(10, 50, 5)  # conv1 gives 20 channels\n"
         "self.bn2 = nn.BatchNorm2d(20)      # conv2 gives 50",
         "self.conv1 = nn.Conv2d(1, 20, 5)\nself.conv2 = nn.Conv2d(20, 50, 5)\nself.bn2 = nn.BatchNorm2d(50)"),
    Rule("CNN102", "linear-in-features", "error",
         "A Linear layer declares different in_features than the size of its input's last dimension.",
         "PyTorch raises `mat1 and mat2 shapes cannot be multiplied (Nx1568 and 2048x10)` once data flows; the "
         "usual cause is a miscounted spatial size after the convolutions and pooling.",
         "self.conv2 = nn.Conv2d(16, 32, 5, stride=2, padding=1)  # 32x32 in -> [N, 32, 7, 7]\n"
         "self.fc = nn.Linear(32 * 8 * 8, 10)\n...\nx = self.fc(x.flatten(1))",
         "self.conv2 = nn.Conv2d(16, 32, 5, stride=2, padding=1)\n"
         "self.fc = nn.Linear(32 * 7 * 7, 10)  # or nn.LazyLinear(10)\n...\nx = self.fc(x.flatten(1))"),
    Rule("CNN103", "spatial-collapse", "error",
         "A convolution or pooling window is larger than its (padded) input, so the output size drops below 1.",
         "PyTorch raises `Calculated output size: (0x0). Output size is too small` or `Kernel size can't be "
         "greater than actual input size`; too many poolings for the input size is the usual cause.",
         "# the input reaching conv5 is [N, 64, 4, 4]\nself.conv5 = nn.Conv2d(64, 128, kernel_size=7)",
         "self.conv5 = nn.Conv2d(64, 128, kernel_size=3, padding=1)  # keeps 4x4"),
    Rule("CNN104", "invalid-view", "error",
         "A view or reshape asks for a shape whose element count cannot hold the tensor's elements.",
         "PyTorch raises `shape '[-1, 4608]' is invalid for input of size 14112`: the hard-coded size does "
         "not match what the layers before produce.",
         "x = self.pool(F.relu(self.conv(x)))  # [4, 18, 14, 14]\nx = x.view(-1, 18 * 16 * 16)",
         "x = self.pool(F.relu(self.conv(x)))\nx = x.view(x.size(0), -1)  # or torch.flatten(x, 1)"),
    Rule("CNN105", "groups-divide", "error",
         "A convolution's groups does not divide its in_channels or out_channels.",
         "PyTorch raises `in_channels must be divisible by groups` as soon as the layer is built.",
         "self.dw = nn.Conv2d(30, 64, 3, groups=4)  # 30 channels in 4 groups",
         "self.dw = nn.Conv2d(32, 64, 3, groups=4)"),
    Rule("CNN106", "shape-mismatch", "error",
         "Two tensors combined by an elementwise operation or a concatenation have incompatible sizes.",
         "PyTorch raises `The size of tensor a (64) must match the size of tensor b (32) at non-singleton "
         "dimension 1`; in residual blocks the shortcut often misses a projection.",
         "out = self.conv(x)  # 32 -> 64 channels, stride 2\nout = out + x",
         "self.shortcut = nn.Sequential(nn.Conv2d(32, 64, 1, stride=2), nn.BatchNorm2d(64))\n"
         "out = self.conv(x) + self.shortcut(x)"),
    Rule("CNN107", "rank-mismatch", "error",
         "A layer receives a tensor with a number of dimensions it does not accept.",
         "PyTorch raises `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
         "[N, 800]`: a flatten came too early, or a Linear's output went into a convolution.",
         "x = x.view(x.size(0), -1)\nx = self.conv(x)", "x = self.conv(x)\nx = x.view(x.size(0), -1)"),
    Rule("CNN108", "bad-argument", "error",
         "A layer's arguments are invalid for PyTorch (for example a zero stride, padding over half the kernel, "
         "or an out-of-range dim).",
         "PyTorch raises when it builds or runs the layer (`pad should be at most half of effective kernel "
         "size`), so the model cannot train at all.",
         "self.pool = nn.MaxPool2d(2, padding=2)", "self.pool = nn.MaxPool2d(2, padding=1)"),
    Rule("CNN109", "index-out-of-range", "error",
         "An index into a list or tuple whose length cnnlint knows is out of range.",
         "Python raises IndexError while the model is built or run, often after a config list was shortened.",
         "out_channels = (116, 232, 464, 1024)\nself.conv = nn.Conv2d(out_channels[0], out_channels[6], 1)",
         "self.conv = nn.Conv2d(out_channels[0], out_channels[3], 1)"),
    Rule("CNN201", "view-folds-batch", "warning",
         "A view or reshape with -1 in the batch position mixes samples: the per-sample size it asks for "
         "differs from what the tensor holds.",
         "PyTorch does not fail here, but the batch dimension changes size, so samples are mixed silently "
         "or the loss fails later with a batch-size mismatch far from the cause.",
         "x = x.view(-1, 1568)  # x is [N, 32, 7, 14]: the batch doubles",
         "x = x.view(x.size(0), -1)  # then fix the Linear's in_features"),
    Rule("CNN202", "maybe-error", "warning",
         "A shape error on a path that may not run (under a condition cnnlint cannot decide).",
         "PyTorch fails only when that path runs (for some argument, or some input), so tests may not catch it.",
         "if self.use_aux:\n    x = self.fc_bad(x)", "if self.use_aux:\n    x = self.fc(x)"),
    Rule("CNN301", "input-size-constraint", "info",
         "A layer works only for some input sizes; the message names them.",
         "With a symbolic input, a Linear after a flatten (or a hard-coded view) fixes the input size the "
         "model accepts: other sizes fail at run time. Worth knowing, and worth stating with --input-shape.",
         "self.fc = nn.Linear(16 * 5 * 5, 10)  # holds only for 32x32 inputs",
         "self.pool = nn.AdaptiveAvgPool2d((5, 5))  # any input size\nself.fc = nn.Linear(16 * 5 * 5, 10)"),
    Rule("CNN401", "unknown-shape", "info",
         "cnnlint cannot follow some code, so the shapes after it are unknown.",
         "cnnlint never guesses: it says where it stopped following the tensor, and checks nothing that "
         "depends on the unknown size. Giving it the input shape, or simpler code, lets it go on.",
         "x = some_helper(x)  # defined in another package",
         "x = torch.flatten(x, 1)  # or: cnnlint check --input-shape N,3,32,32", limit=True),
]

_RULES.append(Rule("CNN999", "internal-error", "info", "cnnlint failed while analysing a model.",
                   "A bug in cnnlint; the model's other findings may be missing. Please report it with the file.",
                   "", "", limit=True))

RULES: Dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]


def is_limit_note(code: str, severity: str) -> bool:
    """A note about cnnlint's own limits (CNN401, CNN999): hidden by the text formats by default.
    Only info-level diagnostics qualify; an error or a warning is always shown."""
    r = RULES.get(code)
    return r is not None and r.limit and severity == "info"
