"""A training script's model: a torchvision ResNet-50 backbone under a new head (bench/bench.py
times `cnnlint` on it cold and warm, with the environment that has torchvision)."""
import torch
import torch.nn as nn
import torchvision


class Classifier(nn.Module):
    def __init__(self, n_classes: int = 10, dropout: float = 0.2):
        super().__init__()
        self.backbone = torchvision.models.resnet50(weights=None)
        features = self.backbone.fc.in_features
        self.backbone.fc = nn.Identity()
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(features, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


def build(n_classes: int = 10) -> nn.Module:
    return Classifier(n_classes)


if __name__ == "__main__":
    model = build()
    print(model(torch.randn(2, 3, 224, 224)).shape)
