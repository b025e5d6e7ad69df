"""IoU-Net box refinement shared by ATOM and DiMP (upstream ``tracker/atom/atom.py`` and
``tracker/dimp/dimp.py``: ``get_iounet_box``, ``init_iou_net``, ``refine_target_box``,
``optimize_boxes{,_default,_relative}``), written once with its parameters passed in.

Coordinates: a tracker's state is ``pos`` (row, col centre) and ``target_sz`` (h, w) in image pixels.
The IoU-Net works on the resized search patch: a patch sampled at ``sample_pos`` with scale
``sample_scale`` covers ``sample_scale * img_sample_sz`` image pixels and is ``img_sample_sz`` pixels
large; boxes there are xywh in patch pixels (``iounet_box`` / ``box_to_state`` convert, with
upstream's ``(size - 1) / 2`` centre convention).

The refinement itself: starting from the current box and ``num_init_random_boxes`` jittered copies,
each box climbs the predicted IoU by gradient ascent (``box_refinement_iter`` steps, step length
scaled by the box size in the 'default' space, or taken in the log-size 'relative' space); boxes
with extreme aspect ratios are dropped and the ``iounet_k`` best are averaged. ``predict_iou`` is any
callable ``boxes (1, N, 4) -> IoU (1, N)``: the network in a tracker, a known function in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import torch

from ltr.data.bounding_box_utils import rel_to_rect, rect_to_rel

__all__ = ['BoxRefinementSettings', 'iounet_box', 'box_to_state', 'augmented_target_boxes', 'iou_modulation',
           'network_iou_predictor', 'random_init_boxes', 'optimize_boxes', 'select_box', 'refine_box']

PredictIoU = Callable[[torch.Tensor], torch.Tensor]

# Transforms whose target box is the identity box moved by the transform's shift (upstream
# init_iou_net stops at the first transform of another kind).
_SHIFT_ONLY = ('Identity', 'Translation', 'FlipHorizontal', 'FlipVertical', 'Blur')


@dataclass
class BoxRefinementSettings:
    """The knobs of the box refinement (names as in the upstream parameter files)."""

    num_init_random_boxes: int = 9
    box_jitter_pos: float = 0.1
    box_jitter_sz: float = 0.5
    box_refinement_iter: int = 5
    box_refinement_step_length: Union[float, Sequence[float]] = 1.0
    box_refinement_step_decay: float = 1.0
    box_refinement_space: str = 'default'
    maximal_aspect_ratio: float = 6.0
    iounet_k: int = 5

    @classmethod
    def from_params(cls, params: Any) -> 'BoxRefinementSettings':
        """Read the knobs a parameter object declares (``params.get(name, default)``); others keep the defaults."""
        values = {}
        for f in fields(cls):
            values[f.name] = params.get(f.name, f.default) if hasattr(params, 'get') else getattr(params, f.name, f.default)
        settings = cls(**values)
        if settings.box_refinement_space not in ('default', 'relative'):
            raise ValueError(f"box_refinement_space must be 'default' or 'relative', got '{settings.box_refinement_space}'")
        return settings


def iounet_box(pos: torch.Tensor, target_sz: torch.Tensor, sample_pos: torch.Tensor, sample_scale,
               img_sample_sz: torch.Tensor) -> torch.Tensor:
    """The target (pos, size in image pixels) as an xywh box in the patch sampled at `sample_pos`/`sample_scale`."""
    box_center = (pos - sample_pos) / sample_scale + (img_sample_sz - 1) / 2
    box_sz = target_sz / sample_scale
    target_ul = box_center - (box_sz - 1) / 2
    return torch.cat([target_ul.flip((0,)), box_sz.flip((0,))])


def box_to_state(box: torch.Tensor, sample_pos: torch.Tensor, sample_scale,
                 img_sample_sz: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """A patch box xywh back to the image: (pos (row, col), target_sz (h, w)) (upstream refine_target_box)."""
    center = box[:2] + box[2:] / 2
    pos = (center.flip((0,)) - (img_sample_sz - 1) / 2) * sample_scale + sample_pos
    return pos, box[2:].flip((0,)) * sample_scale


def augmented_target_boxes(target_box: torch.Tensor, transforms: Sequence[Any], use_augmentation: bool) -> torch.Tensor:
    """Target boxes (N, 4) of the first-frame augmented patches used to build the IoU modulation.

    With `use_augmentation` (``iounet_augmentation``): one box per leading shift-only transform,
    moved by its shift; otherwise only the first transform's box.
    """
    boxes: List[torch.Tensor] = []
    for t in (transforms if use_augmentation else transforms[:1]):
        if type(t).__name__ not in _SHIFT_ONLY:
            break
        boxes.append(target_box + torch.tensor([t.shift[1], t.shift[0], 0, 0], dtype=target_box.dtype))
    if not boxes:
        boxes.append(target_box.clone())
    return torch.stack(boxes)


def iou_modulation(bb_regressor: torch.nn.Module, iou_backbone_feat: Sequence[torch.Tensor],
                   target_boxes: torch.Tensor) -> List[torch.Tensor]:
    """Modulation vectors of the target, averaged over the augmented samples (upstream ``init_iou_net``).

    `iou_backbone_feat`: backbone maps of the first-frame samples (the first N = len(target_boxes) are used).
    """
    n = target_boxes.shape[0]
    feats = [x[:n] for x in iou_backbone_feat]
    with torch.no_grad():
        modulation = bb_regressor.get_modulation(feats, target_boxes.to(feats[0].device, feats[0].dtype))
    return [m.detach().mean(0) for m in modulation]


def network_iou_predictor(bb_regressor: torch.nn.Module, modulation: Sequence[torch.Tensor],
                          iou_features: Sequence[torch.Tensor]) -> PredictIoU:
    """``predict_iou`` callable of a network: boxes (1, N, 4) in patch pixels -> predicted IoU (1, N)."""
    def predict(boxes: torch.Tensor) -> torch.Tensor:
        out = bb_regressor.predict_iou(modulation, iou_features, boxes)
        return out[0] if isinstance(out, (list, tuple)) else out
    return predict


def random_init_boxes(init_box: torch.Tensor, settings: BoxRefinementSettings,
                      generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """`init_box` followed by ``num_init_random_boxes`` jittered copies (centre and size jitter in units
    of ``sqrt(w h)``, sizes at least a third of the smaller side) -> (1 + n, 4)."""
    n = settings.num_init_random_boxes
    init_box = init_box.reshape(4)
    if n <= 0:
        return init_box.reshape(1, 4).clone()
    square_sz = init_box[2:].prod().sqrt()
    rand_factor = square_sz * torch.tensor([settings.box_jitter_pos] * 2 + [settings.box_jitter_sz] * 2,
                                           dtype=init_box.dtype)
    minimal_edge = init_box[2:].min() / 3
    rand_bb = (torch.rand(n, 4, generator=generator, dtype=init_box.dtype) - 0.5) * rand_factor
    new_sz = (init_box[2:] + rand_bb[:, 2:]).clamp(min=float(minimal_edge))
    new_center = (init_box[:2] + init_box[2:] / 2) + rand_bb[:, :2]
    return torch.cat([init_box.reshape(1, 4), torch.cat([new_center - new_sz / 2, new_sz], 1)])


def _step_tensor(step_length, device, dtype) -> Union[float, torch.Tensor]:
    if isinstance(step_length, (tuple, list)):
        return torch.tensor([step_length[0], step_length[0], step_length[1], step_length[1]],
                            device=device, dtype=dtype).view(1, 1, 4)
    return float(step_length)


def _ascend(predict_iou: PredictIoU, boxes: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Predicted IoU of `boxes` and its gradient w.r.t. them."""
    var = boxes.clone().detach().requires_grad_(True)
    with torch.enable_grad():
        iou = predict_iou(var)
        grad, = torch.autograd.grad(iou, var, grad_outputs=torch.ones_like(iou))
    return iou.detach(), grad


def optimize_boxes(predict_iou: PredictIoU, init_boxes: torch.Tensor, settings: BoxRefinementSettings,
                   device: Optional[torch.device] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Gradient ascent of every box on the predicted IoU -> (boxes (N, 4), IoU (N,)), both on the CPU.

    'default' space: ``box += step * dIoU/dbox * (w, h, w, h)``; 'relative' space: the step is taken on
    ``(cx/w0, cy/h0, log w, log h)`` with ``(w0, h0)`` the first box's size. The step shrinks by
    ``box_refinement_step_decay`` per iteration. As upstream, the returned IoU is the one predicted for
    the boxes before the last step (with 0 iterations: of the initial boxes).
    """
    device = init_boxes.device if device is None else device
    boxes = init_boxes.reshape(1, -1, 4).to(device)
    step = _step_tensor(settings.box_refinement_step_length, device, boxes.dtype)
    relative = settings.box_refinement_space == 'relative'
    sz_norm = boxes[:, :1, 2:].clone()
    state = rect_to_rel(boxes, sz_norm) if relative else boxes
    iou = None
    for _ in range(settings.box_refinement_iter):
        if relative:
            var = state.clone().detach().requires_grad_(True)
            with torch.enable_grad():
                iou_t = predict_iou(rel_to_rect(var, sz_norm))
                grad, = torch.autograd.grad(iou_t, var, grad_outputs=torch.ones_like(iou_t))
            iou = iou_t.detach()
            state = (state + step * grad).detach()
        else:
            iou, grad = _ascend(predict_iou, state)
            state = (state + step * grad * state[:, :, 2:].repeat(1, 1, 2)).detach()
        step = step * settings.box_refinement_step_decay
    out_boxes = rel_to_rect(state, sz_norm) if relative else state
    if iou is None:
        with torch.no_grad():
            iou = predict_iou(out_boxes)
    return out_boxes.reshape(-1, 4).cpu(), iou.reshape(-1).cpu()


def select_box(boxes: torch.Tensor, ious: torch.Tensor, maximal_aspect_ratio: float,
               k: int) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
    """Mean box and mean IoU of the `k` best boxes whose aspect ratio is within
    ``(1/maximal_aspect_ratio, maximal_aspect_ratio)`` (sizes first clamped to >= 1); None if none is left."""
    boxes = boxes.clone()
    boxes[:, 2:] = boxes[:, 2:].clamp(min=1)
    aspect = boxes[:, 2] / boxes[:, 3]
    keep = (aspect < maximal_aspect_ratio) & (aspect > 1 / maximal_aspect_ratio)
    boxes, ious = boxes[keep], ious[keep]
    if boxes.shape[0] == 0:
        return None
    _, inds = torch.topk(ious, min(k, boxes.shape[0]))
    return boxes[inds].mean(0), ious[inds].mean(0)


def refine_box(predict_iou: PredictIoU, init_box: torch.Tensor, settings: BoxRefinementSettings,
               device: Optional[torch.device] = None,
               generator: Optional[torch.Generator] = None) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
    """The whole refinement of one patch box: jittered starts, gradient ascent, aspect filter, top-k mean.

    Returns (box xywh (4,), mean predicted IoU) in patch pixels, or None when every box was dropped.
    """
    starts = random_init_boxes(init_box, settings, generator)
    boxes, ious = optimize_boxes(predict_iou, starts, settings, device)
    return select_box(boxes, ious, settings.maximal_aspect_ratio, settings.iounet_k)
