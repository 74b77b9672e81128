"""The public repositories of the field bench: names, sets and the folders taken.

No code of them is committed; ``bench/field.py gather`` extracts them from local
snapshots (``git --git-dir=... archive``) into the work folder. ``set`` is ``dev``
(failures looked at in detail while fixing cnnlint), ``heldout`` (only measured; the repair
search of issue 16 was then tuned on its mutants) or ``fresh`` (gathered after that, measured once).
``include``: path prefixes of the repository whose ``.py`` files are model files.
"""
from __future__ import annotations

SOURCES = [
    # --- DEV -------------------------------------------------------------------
    {"repo": "akamaster/pytorch_resnet_cifar10", "set": "dev", "include": ["resnet.py"]},
    {"repo": "bearpaw/pytorch-classification", "set": "dev", "include": ["models/"]},
    {"repo": "chenyaofo/pytorch-cifar-models", "set": "dev", "include": ["pytorch_cifar_models/"]},
    {"repo": "moskomule/senet.pytorch", "set": "dev", "include": ["senet/"]},
    {"repo": "jaxony/unet-pytorch", "set": "dev", "include": ["model.py"]},
    {"repo": "kenshohara/3D-ResNets-PyTorch", "set": "dev", "include": ["models/"]},
    {"repo": "xmu-xiaoma666/External-Attention-pytorch", "set": "dev",
     "include": ["model/attention/", "model/conv/", "model/mlp/", "model/rep/", "model/__init__.py"]},
    {"repo": "lukemelas/EfficientNet-PyTorch", "set": "dev", "include": ["efficientnet_pytorch/"]},
    {"repo": "Cadene/pretrained-models.pytorch", "set": "dev", "include": ["pretrainedmodels/models/",
                                                                           "pretrainedmodels/__init__.py"]},
    {"repo": "fxia22/pointnet.pytorch", "set": "dev", "include": ["pointnet/model.py", "pointnet/__init__.py"]},
    {"repo": "znxlwm/pytorch-generative-model-collections", "set": "dev",
     "include": ["GAN.py", "ACGAN.py", "BEGAN.py", "CGAN.py", "EBGAN.py", "infoGAN.py", "LSGAN.py",
                 "WGAN.py", "DRAGAN.py", "utils.py"]},
    # --- HELD-OUT --------------------------------------------------------------
    {"repo": "huyvnphan/PyTorch_CIFAR10", "set": "heldout", "include": ["cifar10_models/"]},
    {"repo": "hysts/pytorch_image_classification", "set": "heldout",
     "include": ["pytorch_image_classification/models/"]},
    {"repo": "milesial/Pytorch-UNet", "set": "heldout", "include": ["unet/"]},
    {"repo": "4uiiurz1/pytorch-nested-unet", "set": "heldout", "include": ["archs.py"]},
    {"repo": "d-li14/mobilenetv3.pytorch", "set": "heldout", "include": ["mobilenetv3.py"]},
    {"repo": "tonylins/pytorch-mobilenet-v2", "set": "heldout", "include": ["MobileNetV2.py"]},
    {"repo": "szagoruyko/wide-residual-networks", "set": "heldout", "include": ["pytorch/resnet.py", "pytorch/utils.py"]},
    {"repo": "clovaai/rexnet", "set": "heldout", "include": ["rexnetv1.py", "rexnetv1_lite.py"]},
    # timm's convnext.py (in the project's corpus) derives from this code: counted as dev
    {"repo": "facebookresearch/ConvNeXt", "set": "dev", "include": ["models/"]},
    {"repo": "megvii-model/ShuffleNet-Series", "set": "heldout",
     "include": ["ShuffleNetV1/blocks.py", "ShuffleNetV1/network.py", "ShuffleNetV2/blocks.py",
                 "ShuffleNetV2/network.py", "ShuffleNetV2+/blocks.py", "ShuffleNetV2+/network.py",
                 "ShuffleNetV2.Large/network.py", "OneShot/blocks.py", "OneShot/network.py"]},
    {"repo": "jadore801120/attention-is-all-you-need-pytorch", "set": "heldout",
     "include": ["transformer/"]},
    {"repo": "Lornatang/SRGAN-PyTorch", "set": "heldout", "include": ["model.py"]},
    {"repo": "udacity/deep-learning-v2-pytorch", "set": "heldout", "include": ["intro-to-pytorch/fc_model.py"]},
    {"repo": "meetshah1995/pytorch-semseg", "set": "heldout", "include": ["ptsemseg/models/"]},
    {"repo": "meliketoy/wide-resnet.pytorch", "set": "heldout", "include": ["networks/"]},
    {"repo": "xternalz/WideResNet-pytorch", "set": "heldout", "include": ["wideresnet.py"]},
    # --- FRESH: gathered after the repair search was tuned (issue 16), measured once ---------
    {"repo": "kuangliu/pytorch-cifar", "set": "fresh", "include": ["models/"]},
    {"repo": "weiaicunzai/pytorch-cifar100", "set": "fresh", "include": ["models/"]},
    # vit_pytorch is one of the libraries another session checks cnnlint on: dev
    {"repo": "lucidrains/vit-pytorch", "set": "dev",
     "include": ["vit_pytorch/" + n + ".py" for n in (
         "vit", "simple_vit", "cait", "cct", "cvt", "deepvit", "levit", "local_vit", "max_vit",
         "mobile_vit", "nest", "pit", "regionvit", "rvt", "sep_vit", "t2t", "twins_svt", "vit_1d",
         "vit_3d", "xcit", "cross_vit", "crossformer", "vivit", "simple_vit_1d")]},
]

# Constructor arguments (source text, evaluated in the model's module) for models that
# need some and that no literal call in their repository shows: repo -> file -> model.
SPECS = {
    "bearpaw/pytorch-classification": {
        "models/cifar/resnet.py": {"resnet": ["depth=20"], "ResNet": ["depth=20"]},
        "models/cifar/preresnet.py": {"preresnet": ["depth=20"], "PreResNet": ["depth=20"]},
        "models/cifar/resnext.py": {"resnext": ["cardinality=8, depth=29, num_classes=10"]},
        "models/cifar/wrn.py": {"wrn": ["depth=16, num_classes=10, widen_factor=2"]},
        "models/imagenet/resnext.py": {"resnext50": ["4, 32"]},
    },
    "chenyaofo/pytorch-cifar-models": {
        "pytorch_cifar_models/resnet.py": {"CifarResNet": ["BasicBlock, [3, 3, 3]"]},
        "pytorch_cifar_models/repvgg.py": {"RepVGG": ["[2, 4, 14, 1], num_classes=10, "
                                                      "width_multiplier=[0.75, 0.75, 0.75, 2.5]"]},
        "pytorch_cifar_models/shufflenetv2.py": {"ShuffleNetV2": ["[4, 8, 4], [24, 48, 96, 192, 1024], 10"]},
    },
    "moskomule/senet.pytorch": {
        "senet/se_resnet.py": {"CifarSEResNet": ["CifarSEBasicBlock, 3"]},
    },
    "kenshohara/3D-ResNets-PyTorch": {
        "models/resnet.py": {"generate_model": ["18"]},
        "models/pre_act_resnet.py": {"generate_model": ["18"]},
        "models/resnet2p1d.py": {"generate_model": ["18"]},
        "models/densenet.py": {"generate_model": ["121"]},
        "models/resnext.py": {"generate_model": ["50"]},
        "models/wide_resnet.py": {"generate_model": ["50, 2"]},
    },
    "jaxony/unet-pytorch": {"model.py": {"UNet": ["2"]}},
    # held-out
    "milesial/Pytorch-UNet": {"unet/unet_model.py": {"UNet": ["3, 2"]}},
    "4uiiurz1/pytorch-nested-unet": {"archs.py": {"UNet": ["1"], "NestedUNet": ["1"]}},
    "szagoruyko/wide-residual-networks": {},
    "meliketoy/wide-resnet.pytorch": {
        "networks/lenet.py": {"LeNet": ["10"]},
        "networks/resnet.py": {"ResNet": ["18, 10"]},
        "networks/vggnet.py": {"VGG": ["16, 10"]},
        "networks/wide_resnet.py": {"Wide_ResNet": ["16, 2, 0.3, 10"]},
    },
    "xternalz/WideResNet-pytorch": {"wideresnet.py": {"WideResNet": ["16, 10, 2"]}},
}
