"""Five models, one error each, of five kinds (bench/repair_speed.py times the repair search on it):
a Linear sized for another input, a conv's in_channels, a window larger than its input, a cat of
branches whose sizes differ, a view of the wrong size."""
import torch
import torch.nn as nn


class Head(nn.Module):  # cnnlint: input-shape=2,3,32,32
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


class Channels(nn.Module):  # cnnlint: input-shape=2,3,32,32
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


class Collapse(nn.Module):  # cnnlint: input-shape=2,1,12,12
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 8, 5)

    def forward(self, x):
        return self.conv2(self.pool(self.conv1(x)))


class Branches(nn.Module):  # cnnlint: input-shape=2,3,32,32
    def __init__(self):
        super().__init__()
        self.left = nn.Conv2d(3, 8, 3, padding=1)
        self.right = nn.Conv2d(3, 8, 5, padding=1)

    def forward(self, x):
        return torch.cat([self.left(x), self.right(x)], dim=1)


class View(nn.Module):  # cnnlint: input-shape=2,3,32,32
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, stride=2)
        self.fc = nn.Linear(8 * 16 * 16, 10)

    def forward(self, x):
        return self.fc(self.conv(x).view(-1, 8 * 32 * 32))
