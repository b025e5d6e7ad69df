"""Inference fast path of the refiner: an inference-only copy of the network with BatchNorm folded.

``inference_copy(net, device)`` returns a deep copy in eval mode whose ``Conv2d -> BatchNorm2d``
pairs are replaced by one convolution with the normalisation folded into its weights and bias
(``w' = w * g / sqrt(v + eps)``, ``b' = (b - m) * g / sqrt(v + eps) + beta``); the BatchNorm
becomes ``nn.Identity``. The original network is not touched (training, checkpoints and
``state_dict`` keep the upstream layout). Pairs are found structurally, so any network built from
torchvision-style blocks is handled, including test doubles that replace a head:

* consecutive children of an ``nn.Sequential`` (``conv, bn, relu`` as in the SEcm heads and neck,
  ResNet ``downsample``), and
* sibling attributes ``conv<k>`` / ``bn<k>`` of one module (torchvision ``ResNet`` stem,
  ``BasicBlock`` and ``Bottleneck``, whose forward applies ``bn<k>(conv<k>(x))``), and
* the ``(conv, bn)`` attribute names a module lists in its ``conv_bn_pairs`` (EfficientNet-Lite's
  ``_depthwise_conv`` / ``_bn1`` ...).

Convolution subclasses (e.g. TensorFlow "same" padding) keep their class: the folded convolution is
a copy of the original with new weights and a bias.

Folding changes the numbers only by float rounding (about 1e-6 relative); the tests bound the
effect on the refined boxes and masks.
"""
from __future__ import annotations

import copy
import re
from typing import Iterator, List, Tuple, Union

import torch
import torch.nn as nn

__all__ = ['fold_conv_bn', 'fold_batchnorm', 'inference_copy', 'count_batchnorms']

_CONV_NAME = re.compile(r'^conv(\w*)$')


def fold_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """A new Conv2d computing ``bn(conv(x))`` with `bn` in eval mode (running statistics).

    The arithmetic is done in float64 and cast back to the convolution's dtype.
    """
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("fold_conv_bn: BatchNorm without running statistics cannot be folded")
    if conv.out_channels != bn.num_features:
        raise ValueError(f"fold_conv_bn: conv has {conv.out_channels} output channels, BatchNorm {bn.num_features}")
    fused = copy.deepcopy(conv)  # same class, padding and grouping
    if fused.bias is None:
        fused.bias = nn.Parameter(torch.empty(conv.out_channels, device=conv.weight.device, dtype=conv.weight.dtype))
    w = conv.weight.detach().double()
    b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(conv.out_channels, dtype=torch.float64,
                                                                              device=w.device)
    scale = torch.rsqrt(bn.running_var.detach().double() + bn.eps)
    if bn.affine:
        scale = scale * bn.weight.detach().double()
    shift = -bn.running_mean.detach().double() * scale
    if bn.affine:
        shift = shift + bn.bias.detach().double()
    with torch.no_grad():
        fused.weight.copy_((w * scale.reshape(-1, 1, 1, 1)).to(conv.weight.dtype))
        fused.bias.copy_((b * scale + shift).to(conv.weight.dtype))
    fused.requires_grad_(False)
    return fused


def _sequential_pairs(module: nn.Module) -> Iterator[Tuple[str, str]]:
    if isinstance(module, nn.Sequential):
        names = list(module._modules)
        for a, b in zip(names, names[1:]):
            if type(module._modules[a]) is nn.Conv2d and type(module._modules[b]) is nn.BatchNorm2d:
                yield a, b


def _declared_pairs(module: nn.Module) -> Iterator[Tuple[str, str]]:
    for conv_name, bn_name in getattr(module, 'conv_bn_pairs', ()):
        if isinstance(module._modules.get(conv_name), nn.Conv2d) and \
                type(module._modules.get(bn_name)) is nn.BatchNorm2d:
            yield conv_name, bn_name


def _attribute_pairs(module: nn.Module) -> Iterator[Tuple[str, str]]:
    if isinstance(module, nn.Sequential):
        return
    for name, child in module._modules.items():
        m = _CONV_NAME.match(name)
        bn_name = f'bn{m.group(1)}' if m else None
        if m and type(child) is nn.Conv2d and type(module._modules.get(bn_name)) is nn.BatchNorm2d:
            yield name, bn_name


def fold_batchnorm(net: nn.Module) -> int:
    """Fold every recognised conv/BatchNorm pair of `net` in place (BatchNorm -> Identity); returns how many.

    `net` must be in eval mode: folding uses the running statistics.
    """
    if any(m.training for m in net.modules() if isinstance(m, nn.BatchNorm2d)):
        raise ValueError("fold_batchnorm: the network must be in eval mode (BatchNorm uses batch statistics in training)")
    folded = 0
    for module in list(net.modules()):
        pairs: List[Tuple[str, str]] = (list(_sequential_pairs(module)) + list(_attribute_pairs(module))
                                        + list(_declared_pairs(module)))
        for conv_name, bn_name in pairs:
            conv, bn = module._modules[conv_name], module._modules[bn_name]
            if not bn.track_running_stats:
                continue
            module._modules[conv_name] = fold_conv_bn(conv, bn)
            module._modules[bn_name] = nn.Identity()
            folded += 1
    return folded


def count_batchnorms(net: nn.Module) -> int:
    """Number of BatchNorm2d modules left in `net`."""
    return sum(isinstance(m, nn.BatchNorm2d) for m in net.modules())


def inference_copy(net: nn.Module, device: Union[str, torch.device],
                   memory_format: torch.memory_format = torch.contiguous_format) -> nn.Module:
    """Deep copy of `net` (eval mode, no gradients, BatchNorm folded) on `device` in `memory_format`."""
    fast = copy.deepcopy(net).eval()
    fast.requires_grad_(False)
    fold_batchnorm(fast)
    return fast.to(device, memory_format=memory_format)
