"""IoU-Net box regressor of ATOM and DiMP (upstream ``ltr/models/bbreg/atom_iou_net.py``).

Given backbone features of a reference image with its target box, and features of a test image
with candidate boxes, it predicts the IoU of every candidate with the target. Two branches use the
stride-8 (``layer2``) and stride-16 (``layer3``) backbone maps. The reference branch pools the target
box into a *modulation* vector per block; the test branch multiplies its features channel-wise by
that vector, pools each candidate box with Precise RoI Pooling, and a small MLP gives the IoU.

Module names and sizes keep the official state-dict keys (``spec/checkpoints/atom.json`` and the
``bb_regressor.*`` keys of the DiMP files); boxes are ``(x, y, w, h)`` in input-image pixels.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
import torch.nn as nn

from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import PrRoIPool2D
from ltr.models.layers.blocks import LinearBlock


def conv(in_planes: int, out_planes: int, kernel_size: int = 3, stride: int = 1, padding: int = 1,
         dilation: int = 1) -> nn.Sequential:
    """Conv2d (with bias) + BatchNorm2d + ReLU: the IoU-Net's own block (keys ``.0.*``, ``.1.*``)."""
    return nn.Sequential(
        nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding,
                  dilation=dilation, bias=True),
        nn.BatchNorm2d(out_planes),
        nn.ReLU(inplace=True))


def boxes_to_rois(boxes: torch.Tensor) -> torch.Tensor:
    """(B, N, 4) xywh boxes -> (B*N, 5) PrRoIPool rois ``[batch_index, x1, y1, x2, y2]``."""
    batch, num = boxes.shape[:2]
    index = torch.arange(batch, dtype=boxes.dtype, device=boxes.device).reshape(batch, 1, 1).expand(batch, num, 1)
    xyxy = torch.cat((boxes[..., :2], boxes[..., :2] + boxes[..., 2:4]), dim=-1)
    return torch.cat((index, xyxy), dim=-1).reshape(-1, 5)


class AtomIoUNet(nn.Module):
    """IoU predictor with target modulation.

    args:
        input_dim: channels of the two backbone maps (ResNet-18: (128, 256); ResNet-50: (512, 1024)).
        pred_input_dim: channels of the modulated test features per block.
        pred_inter_dim: width of the per-block fully connected layers before the IoU output.
    """

    def __init__(self, input_dim: Sequence[int] = (128, 256), pred_input_dim: Sequence[int] = (256, 256),
                 pred_inter_dim: Sequence[int] = (256, 256)):
        super().__init__()
        # r: reference (target) branch, t: test branch; 3: stride-8 block, 4: stride-16 block.
        self.conv3_1r = conv(input_dim[0], 128, kernel_size=3, stride=1)
        self.conv3_1t = conv(input_dim[0], 256, kernel_size=3, stride=1)
        self.conv3_2t = conv(256, pred_input_dim[0], kernel_size=3, stride=1)
        self.prroi_pool3r = PrRoIPool2D(3, 3, 1 / 8)
        self.prroi_pool3t = PrRoIPool2D(5, 5, 1 / 8)
        self.fc3_1r = conv(128, 256, kernel_size=3, stride=1, padding=0)

        self.conv4_1r = conv(input_dim[1], 256, kernel_size=3, stride=1)
        self.conv4_1t = conv(input_dim[1], 256, kernel_size=3, stride=1)
        self.conv4_2t = conv(256, pred_input_dim[1], kernel_size=3, stride=1)
        self.prroi_pool4r = PrRoIPool2D(1, 1, 1 / 16)
        self.prroi_pool4t = PrRoIPool2D(3, 3, 1 / 16)

        self.fc34_3r = conv(256 + 256, pred_input_dim[0], kernel_size=1, stride=1, padding=0)
        self.fc34_4r = conv(256 + 256, pred_input_dim[1], kernel_size=1, stride=1, padding=0)
        self.fc3_rt = LinearBlock(pred_input_dim[0], pred_inter_dim[0], 5)
        self.fc4_rt = LinearBlock(pred_input_dim[1], pred_inter_dim[1], 3)
        self.iou_predictor = nn.Linear(pred_inter_dim[0] + pred_inter_dim[1], 1, bias=True)
        self._init_weights()

    def _init_weights(self) -> None:
        # Upstream: Kaiming (fan_in) for conv/linear weights, zero biases; BatchNorm weights U(0, 1)
        # (the pre-1.2 PyTorch default the official models were trained with).
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight.data, mode='fan_in')
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.uniform_()
                m.bias.data.zero_()

    def forward(self, feat1: Sequence[torch.Tensor], feat2: Sequence[torch.Tensor], bb1: torch.Tensor,
                proposals2: torch.Tensor) -> torch.Tensor:
        """Training-time call: IoU of `proposals2` in the test images w.r.t. the first train image's target.

        args:
            feat1: reference features per block, (num_train, S, C, H, W) or (num_train*S, C, H, W).
            feat2: test features per block, (num_test, S, C, H, W) or (num_test*S, C, H, W).
            bb1: (num_train, S, 4) xywh target boxes of the train images (only image 0 is used).
            proposals2: (num_test, S, N, 4) xywh candidate boxes.
        returns:
            (num_test, S, N) predicted IoU.
        """
        if bb1.dim() != 3 or proposals2.dim() != 4:
            raise ValueError(f"AtomIoUNet.forward: bb1 must be (num_train, S, 4) and proposals2 (num_test, S, N, 4); "
                             f"got {tuple(bb1.shape)} and {tuple(proposals2.shape)}")
        num_test, num_seq = proposals2.shape[:2]
        feat1 = [f[0] if f.dim() == 5 else f.reshape(-1, num_seq, *f.shape[-3:])[0] for f in feat1]
        modulation = self.get_modulation(feat1, bb1[0])
        iou_feat = self.get_iou_feat(feat2)
        modulation = [m.reshape(1, num_seq, -1).expand(num_test, -1, -1).reshape(num_test * num_seq, -1)
                      for m in modulation]
        pred = self.predict_iou(modulation, iou_feat, proposals2.reshape(num_test * num_seq, -1, 4))
        return pred.reshape(num_test, num_seq, -1)

    def predict_iou(self, modulation: Sequence[torch.Tensor], feat: Sequence[torch.Tensor],
                    proposals: torch.Tensor) -> torch.Tensor:
        """IoU of each proposal (B, N, 4 xywh) given modulation vectors and test features (B images) -> (B, N)."""
        mod3, mod4 = modulation
        feat3, feat4 = feat
        batch = feat3.shape[0]
        feat3_att = feat3 * mod3.reshape(batch, -1, 1, 1)
        feat4_att = feat4 * mod4.reshape(batch, -1, 1, 1)
        rois = boxes_to_rois(proposals.to(feat3.dtype))
        fc3 = self.fc3_rt(self.prroi_pool3t(feat3_att, rois))
        fc4 = self.fc4_rt(self.prroi_pool4t(feat4_att, rois))
        return self.iou_predictor(torch.cat((fc3, fc4), dim=1)).reshape(batch, proposals.shape[1])

    def get_modulation(self, feat: Sequence[torch.Tensor], bb: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Modulation vectors (B, C3, 1, 1), (B, C4, 1, 1) from reference features and target boxes (B, 4) xywh."""
        feat3, feat4 = feat
        rois = boxes_to_rois(bb.reshape(bb.shape[0], 1, 4).to(feat3.dtype))
        pooled3 = self.prroi_pool3r(self.conv3_1r(feat3), rois)
        pooled4 = self.prroi_pool4r(self.conv4_1r(feat4), rois)
        fc34 = torch.cat((self.fc3_1r(pooled3), pooled4), dim=1)
        return self.fc34_3r(fc34), self.fc34_4r(fc34)

    def get_iou_feat(self, feat2: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Test-branch features of both blocks from 4-D or 5-D backbone maps."""
        feat3, feat4 = [f.reshape(-1, *f.shape[-3:]) if f.dim() == 5 else f for f in feat2]
        return self.conv3_2t(self.conv3_1t(feat3)), self.conv4_2t(self.conv4_1t(feat4))


__all__: List[str] = ['AtomIoUNet', 'conv', 'boxes_to_rois']
