"""Model sources several test files share."""
import textwrap

# Right for 16x16 inputs, wrong (CNN102) for 32x32, CNN301 (info) with a symbolic input.
NET = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 16, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(16 * 8 * 8, 10)

        def forward(self, x):
            x = self.pool(self.conv(x))
            x = x.view(x.size(0), -1)
            return self.fc(x)
    """)

# The same, with a __main__ block that builds the 32x32 input, so it fails with no options.
BUG = NET + textwrap.dedent("""\


    if __name__ == "__main__":
        import torch
        net = Net()
        x = torch.randn(2, 3, 32, 32)
        net(x)
    """)
