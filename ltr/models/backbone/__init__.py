"""Backbones: ResNet-18/34/50 with intermediate-layer outputs (pytracking layout)."""
from ltr.models.backbone.resnet import ResNet, resnet18, resnet34, resnet50

__all__ = ['ResNet', 'resnet18', 'resnet34', 'resnet50']
