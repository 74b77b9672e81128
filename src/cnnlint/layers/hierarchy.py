"""Which torch.nn classes derive from which: what `isinstance(layer, nn.Base)` answers."""
from cnnlint.layers.base import LAYERS

# torch.nn classes that other torch.nn layers derive from (torch 2.x), besides Module and the
# Lazy variants, which derive from the layer they stand for (LazyConv2d from Conv2d)
_CONVS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
_BATCH_NORMS = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm")
_INSTANCE_NORMS = ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
_DERIVED = {
    "_ConvNd": _CONVS, "_ConvTransposeNd": _CONVS[3:], "_ConvTransposeMixin": _CONVS[3:],
    "_NormBase": _BATCH_NORMS + _INSTANCE_NORMS, "_BatchNorm": _BATCH_NORMS, "_InstanceNorm": _INSTANCE_NORMS,
    "_MaxPoolNd": ("MaxPool1d", "MaxPool2d", "MaxPool3d"), "_AvgPoolNd": ("AvgPool1d", "AvgPool2d", "AvgPool3d"),
    "_AdaptiveAvgPoolNd": ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"),
    "_AdaptiveMaxPoolNd": ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"),
    "_MaxUnpoolNd": ("MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"), "_LPPoolNd": ("LPPool1d", "LPPool2d", "LPPool3d"),
    "_DropoutNd": ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"),
    "_ConstantPadNd": ("ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"),
    "_ReflectionPadNd": ("ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d"),
    "_ReplicationPadNd": ("ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d"),
    "_CircularPadNd": ("CircularPad1d", "CircularPad2d", "CircularPad3d"),
    "ConstantPad1d": ("ZeroPad1d",), "ConstantPad2d": ("ZeroPad2d",), "ConstantPad3d": ("ZeroPad3d",),
    "Hardtanh": ("ReLU6",), "Upsample": ("UpsamplingNearest2d", "UpsamplingBilinear2d"),
    "RNNBase": ("RNN", "LSTM", "GRU"), "RNNCellBase": ("RNNCell", "LSTMCell", "GRUCell"),
}


def layer_is(kind: str, cls: str):
    """isinstance(an nn.<kind> layer, nn.<cls>): True or False, or None for a private base class
    cnnlint does not know (`nn.modules.foo._Base`)."""
    if cls == "Module" or kind == cls:
        return True
    if kind.startswith("Lazy") and kind[4:] == cls:
        return True
    kind = kind[4:] if kind.startswith("Lazy") else kind
    if cls in _DERIVED:
        return kind in _DERIVED[cls]
    return None if cls.startswith("_") else False


def layer_kind(name: str):
    """'torch.nn.Conv2d' / 'torch.nn.modules.conv.Conv2d' -> 'Conv2d'."""
    if not name.startswith("torch.nn."):
        return None
    last = name.rsplit(".", 1)[1]
    if (last in LAYERS and LAYERS[last].library == "nn") or last in CONTAINERS:
        return last
    return None


CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
