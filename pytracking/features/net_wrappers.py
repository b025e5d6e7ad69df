"""Network wrappers of the pytracking trackers (upstream ``pytracking/features/net_wrappers.py``).

:class:`NetWithBackbone` holds the name of a network file, loads it on first use through
:func:`pytracking.utils.loading.load_network` (relative names are looked up in ``network_path`` of
``pytracking/evaluation/local.py`` / ``PYTRACKING_NETWORK_PATH``; weights-only, strict) and
normalises images before the backbone. One wrapper is shared by every tracker instance built from the
same parameter object, so the file is read once per run. A ready network object can be handed in
instead of a file name (tests with random weights).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import torch

from pytracking.utils.device import resolve_device

__all__ = ['NetWrapper', 'NetWithBackbone']

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class NetWrapper:
    """A lazily loaded network; attribute access falls through to the network once it is loaded.

    args:
        net_path: file name (relative to ``network_path``) or path of the checkpoint; ignored when `net` is given.
        net: a ready ``nn.Module`` to use instead of a file.
        expected_net_type: class name(s) the checkpoint's ``net_type`` must have (wrong file -> one-line error).
        expected_constructor: constructor name(s) the checkpoint must have been built by (e.g. DiMP vs PrDiMP).
        missing_hint: what to do when the file is missing (names the MODEL_ZOO.md entry).
    """

    def __init__(self, net_path: Optional[str] = None, net: Optional[torch.nn.Module] = None,
                 expected_net_type: Union[None, str, Sequence[str]] = None,
                 expected_constructor: Union[None, str, Sequence[str]] = None, missing_hint: str = '') -> None:
        if net_path is None and net is None:
            raise ValueError('NetWrapper needs a net_path or a ready network (net=...)')
        self.net_path = net_path
        self.net = net
        self.expected_net_type = expected_net_type
        self.expected_constructor = ((expected_constructor,) if isinstance(expected_constructor, str)
                                     else expected_constructor)
        self.missing_hint = missing_hint
        self.device: Optional[torch.device] = None

    def __getattr__(self, name: str) -> Any:
        net = self.__dict__.get('net')
        if net is None or name.startswith('__'):
            raise AttributeError(f"{type(self).__name__} has no attribute '{name}' (network not loaded yet)")
        return getattr(net, name)

    def load_network(self) -> torch.nn.Module:
        """Read the checkpoint (once) and check it is the expected kind of network."""
        if self.net is not None:
            return self.net
        from ltr.admin.loading import CheckpointError
        from pytracking.utils.loading import load_network, resolve_network_path
        net = load_network(self.net_path, expected_net_type=self.expected_net_type, missing_hint=self.missing_hint)
        fun_name = getattr(getattr(net, 'constructor', None), 'fun_name', None)
        if self.expected_constructor and fun_name not in self.expected_constructor:
            raise CheckpointError(f"{resolve_network_path(self.net_path)}: built by {fun_name}, but this parameter set "
                                  f"needs a network built by {' or '.join(self.expected_constructor)}")
        self.net = net
        return net

    def initialize(self, device: Union[None, str, torch.device] = None) -> torch.nn.Module:
        """Load the network if needed, move it to `device` (default: CUDA if available) and set eval mode."""
        net = self.load_network()
        self.device = resolve_device(device)
        net.to(self.device)
        net.eval()
        return net


class NetWithBackbone(NetWrapper):
    """A network with ``extract_backbone_features``; images are normalised here (upstream ``NetWithBackbone``).

    `image_format` ``'rgb'`` / ``'bgr'`` (0..255 input, divided by 255) or ``'rgb255'`` / ``'bgr255'``
    (kept in 0..255); then ``(im - mean) / std`` per channel.
    """

    def __init__(self, net_path: Optional[str] = None, net: Optional[torch.nn.Module] = None,
                 image_format: str = 'rgb', mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD, **kwargs: Any) -> None:
        super().__init__(net_path, net, **kwargs)
        if image_format not in ('rgb', 'bgr', 'rgb255', 'bgr255'):
            raise ValueError(f"image_format must be rgb, bgr, rgb255 or bgr255, got {image_format!r}")
        self.image_format = image_format
        self._mean = torch.tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1)
        self._std = torch.tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1)

    def preprocess_image(self, im: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` 0..255 float image -> normalised network input on the wrapper's device."""
        device = self.device if self.device is not None else im.device
        im = im.to(device)
        if self.image_format in ('rgb', 'bgr'):
            im = im / 255
        if self.image_format in ('bgr', 'bgr255'):
            im = im[:, [2, 1, 0], :, :]
        return (im - self._mean.to(device)) / self._std.to(device)

    def extract_backbone(self, im: torch.Tensor):
        """Backbone features (the taps the heads use) of 0..255 images ``(N, 3, H, W)``."""
        if self.net is None:
            raise RuntimeError('NetWithBackbone.extract_backbone: call initialize() first')
        return self.net.extract_backbone_features(self.preprocess_image(im))
