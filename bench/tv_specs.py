"""The torchvision classification models of the benchmark (plain data, no torch).

Each spec says how torchvision's factory builds the model and how cnnlint is told to
build the same model: the file under ``torchvision/models/``, the class, and the
literal constructor arguments, which may use names of that module (cnnlint evaluates
them in the module's scope). ``torchvision_oracle.py`` checks in PyTorch that the
constructor expression gives the same modules and parameter count as the factory.
"""
from __future__ import annotations

VERSION = "0.29.1"

# name: torchvision factory function (called with no arguments, no weights)
# file: module under torchvision/models/
# cls, args: the cnnlint constructor expression ``cls(args)``
# input: the standard input shape
_I224 = (1, 3, 224, 224)
_I299 = (1, 3, 299, 299)

SPECS = [
    dict(name="alexnet", file="alexnet.py", cls="AlexNet", args=""),
    dict(name="vgg11", file="vgg.py", cls="VGG", args="make_layers(cfgs['A'], batch_norm=False)"),
    dict(name="vgg11_bn", file="vgg.py", cls="VGG", args="make_layers(cfgs['A'], batch_norm=True)"),
    dict(name="vgg16", file="vgg.py", cls="VGG", args="make_layers(cfgs['D'], batch_norm=False)"),
    dict(name="vgg16_bn", file="vgg.py", cls="VGG", args="make_layers(cfgs['D'], batch_norm=True)"),
    dict(name="resnet18", file="resnet.py", cls="ResNet", args="BasicBlock, [2, 2, 2, 2]"),
    dict(name="resnet34", file="resnet.py", cls="ResNet", args="BasicBlock, [3, 4, 6, 3]"),
    dict(name="resnet50", file="resnet.py", cls="ResNet", args="Bottleneck, [3, 4, 6, 3]"),
    dict(name="resnext50_32x4d", file="resnet.py", cls="ResNet",
         args="Bottleneck, [3, 4, 6, 3], groups=32, width_per_group=4"),
    dict(name="wide_resnet50_2", file="resnet.py", cls="ResNet",
         args="Bottleneck, [3, 4, 6, 3], width_per_group=128"),
    dict(name="squeezenet1_0", file="squeezenet.py", cls="SqueezeNet", args="'1_0'"),
    dict(name="squeezenet1_1", file="squeezenet.py", cls="SqueezeNet", args="'1_1'"),
    dict(name="densenet121", file="densenet.py", cls="DenseNet", args="32, (6, 12, 24, 16), 64"),
    dict(name="googlenet", file="googlenet.py", cls="GoogLeNet", args=""),
    dict(name="inception_v3", file="inception.py", cls="Inception3", args="", input=_I299),
    dict(name="mobilenet_v2", file="mobilenetv2.py", cls="MobileNetV2", args=""),
    dict(name="mobilenet_v3_small", file="mobilenetv3.py", cls="MobileNetV3",
         args="*_mobilenet_v3_conf('mobilenet_v3_small')"),
    dict(name="mobilenet_v3_large", file="mobilenetv3.py", cls="MobileNetV3",
         args="*_mobilenet_v3_conf('mobilenet_v3_large')"),
    dict(name="mnasnet0_5", file="mnasnet.py", cls="MNASNet", args="0.5"),
    dict(name="mnasnet1_0", file="mnasnet.py", cls="MNASNet", args="1.0"),
    dict(name="shufflenet_v2_x0_5", file="shufflenetv2.py", cls="ShuffleNetV2",
         args="[4, 8, 4], [24, 48, 96, 192, 1024]"),
    dict(name="shufflenet_v2_x1_0", file="shufflenetv2.py", cls="ShuffleNetV2",
         args="[4, 8, 4], [24, 116, 232, 464, 1024]"),
    dict(name="efficientnet_b0", file="efficientnet.py", cls="EfficientNet",
         args="_efficientnet_conf('efficientnet_b0', width_mult=1.0, depth_mult=1.0)[0], 0.2"),
    dict(name="regnet_y_400mf", file="regnet.py", cls="RegNet",
         args="BlockParams.from_init_params(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8, se_ratio=0.25)"),
    dict(name="regnet_x_400mf", file="regnet.py", cls="RegNet",
         args="BlockParams.from_init_params(depth=22, w_0=24, w_a=24.48, w_m=2.54, group_width=16)"),
    dict(name="convnext_tiny", file="convnext.py", cls="ConvNeXt",
         args="[CNBlockConfig(96, 192, 3), CNBlockConfig(192, 384, 3), CNBlockConfig(384, 768, 9), "
              "CNBlockConfig(768, None, 3)]"),
]

for _s in SPECS:
    _s.setdefault("input", _I224)
    _s["input"] = list(_s["input"])
    _s["expr"] = f"{_s['cls']}({_s['args']})"
    _s["path"] = f"torchvision/models/{_s['file']}"


def input_shape_option(spec: dict) -> str:
    """The value of cnnlint's ``--input-shape`` for this spec."""
    return spec["expr"] + "=" + ",".join(str(d) for d in spec["input"])


def by_name() -> dict:
    return {s["name"]: s for s in SPECS}
