"""cnnlint: a static shape checker for PyTorch model code."""

__version__ = "0.1.0"
