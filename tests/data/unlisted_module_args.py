"""A submodule called with `*rest` or `**options` that cnnlint cannot list: the parameters of its
forward that the call does not name may be filled from them, so they are unknown (not their
defaults). Here the defaults would take a path that fails; the call never does."""
import torch
import torch.nn as nn


class Merge(nn.Module):
    def __init__(self, channels, skip_channels):
        super().__init__()
        self.conv = nn.Conv2d(channels + skip_channels, channels, 3, padding=1)

    def forward(self, x, skip=None, *, scale=None):
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        if scale is None:
            x = x.flatten(1)  # only the default reaches this; the conv below then fails
        return self.conv(x)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.merge = Merge(8, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        y = self.stem(x)
        extras = [y for _ in {0}]  # a set comprehension: cnnlint does not follow it
        options = {k: 0.5 for k in {"scale"}}
        return self.head(self.merge(y, *extras, **options))
