"""Shared IoU-Net box refinement (ATOM/DiMP): gradient ascent converges to the peak of a known IoU
function put in place of the network, in both box spaces; patch <-> image coordinates; selection."""
import math

import pytest
import torch

from ltr.data.bounding_box_utils import iou_xywh, rect_to_rel, rel_to_rect
from pytracking.features.augmentation import Blur, FlipHorizontal, Identity, Rotate, Translation
from pytracking.tracker.base.iounet_refine import (BoxRefinementSettings, augmented_target_boxes, box_to_state,
                                                   iounet_box, optimize_boxes, random_init_boxes, refine_box,
                                                   select_box)
from pytracking.utils.params import TrackerParams

PEAK = torch.tensor([40.0, 30.0, 50.0, 20.0])


def smooth_iou(boxes):
    """A smooth unimodal stand-in for the IoU-Net: 1 at PEAK, falling with the error relative to
    0.3 x the peak box size (so that, like the IoU, its gradient scales with 1 / box size)."""
    d = (boxes - PEAK) / (0.3 * torch.tensor([50.0, 20.0, 50.0, 20.0]))
    return torch.exp(-(d ** 2).sum(-1))


def true_iou(boxes):
    return iou_xywh(boxes, PEAK.expand_as(boxes))


@pytest.mark.parametrize('space, step', [('default', 0.5), ('relative', (0.02, 0.03))])
def test_gradient_ascent_converges_to_the_peak(space, step):
    s = BoxRefinementSettings(box_refinement_iter=60, box_refinement_step_length=step, box_refinement_space=space)
    starts = torch.tensor([[35.0, 33.0, 60.0, 16.0], [44.0, 26.0, 42.0, 25.0], [40.0, 30.0, 50.0, 20.0]])
    boxes, ious = optimize_boxes(smooth_iou, starts, s)
    assert boxes.shape == (3, 4) and ious.shape == (3,)
    assert torch.allclose(boxes, PEAK.expand(3, 4), atol=0.05), boxes
    assert torch.all(ious > 0.999)


def test_true_iou_climbs_towards_the_target():
    s = BoxRefinementSettings(box_refinement_iter=20, box_refinement_step_length=1.0)
    start = torch.tensor([[30.0, 24.0, 62.0, 27.0]])
    before = true_iou(start)
    boxes, _ = optimize_boxes(true_iou, start, s)
    assert before < 0.6 and true_iou(boxes) > 0.85
    five, _ = optimize_boxes(true_iou, start, BoxRefinementSettings(box_refinement_iter=5, box_refinement_step_length=1.0))
    assert before < true_iou(five) < true_iou(boxes)          # monotone progress (ATOM: 5 steps of length 1)


def test_step_decay_and_zero_iterations():
    start = torch.tensor([[30.0, 20.0, 40.0, 30.0]])
    boxes, ious = optimize_boxes(smooth_iou, start, BoxRefinementSettings(box_refinement_iter=0))
    assert torch.equal(boxes, start) and torch.allclose(ious, smooth_iou(start))
    # decay 0: only the first step moves the box
    one, _ = optimize_boxes(smooth_iou, start, BoxRefinementSettings(box_refinement_iter=1, box_refinement_step_length=0.5))
    many, _ = optimize_boxes(smooth_iou, start, BoxRefinementSettings(box_refinement_iter=5, box_refinement_step_length=0.5,
                                                                       box_refinement_step_decay=0.0))
    assert torch.allclose(one, many)


def test_default_step_hand_computed():
    # IoU(b) = sum(b): gradient 1 everywhere -> b + step * (w, h, w, h)
    boxes, ious = optimize_boxes(lambda b: b.sum(-1), torch.tensor([[1.0, 2.0, 10.0, 20.0]]),
                                 BoxRefinementSettings(box_refinement_iter=1, box_refinement_step_length=0.1))
    assert torch.allclose(boxes, torch.tensor([[2.0, 4.0, 11.0, 22.0]]))
    assert ious.tolist() == [33.0]          # IoU of the boxes before the last step (upstream)


def test_relative_space_round_trip():
    b = torch.tensor([[[3.0, 4.0, 10.0, 20.0], [5.0, 1.0, 7.0, 9.0]]])
    norm = b[:, :1, 2:]
    assert torch.allclose(rel_to_rect(rect_to_rel(b, norm), norm), b)
    assert torch.allclose(rel_to_rect(rect_to_rel(b)), b)
    assert torch.allclose(rect_to_rel(b, norm)[0, 0], torch.tensor([0.8, 0.7, math.log(10), math.log(20)]))


def test_random_init_boxes():
    init = torch.tensor([10.0, 20.0, 30.0, 60.0])
    s = BoxRefinementSettings(num_init_random_boxes=50, box_jitter_pos=0.1, box_jitter_sz=0.5)
    a = random_init_boxes(init, s, torch.Generator().manual_seed(0))
    b = random_init_boxes(init, s, torch.Generator().manual_seed(0))
    assert a.shape == (51, 4) and torch.equal(a, b) and torch.equal(a[0], init)
    side = math.sqrt(30 * 60)
    centres = a[1:, :2] + a[1:, 2:] / 2
    assert torch.all((centres - torch.tensor([25.0, 50.0])).abs() <= 0.05 * side + 1e-4)
    assert torch.all(a[1:, 2:] >= 10.0 - 1e-6)      # at least a third of the smaller side
    assert random_init_boxes(init, BoxRefinementSettings(num_init_random_boxes=0)).shape == (1, 4)


def test_select_box_filters_aspect_and_averages_top_k():
    boxes = torch.tensor([[0, 0, 10, 10], [0, 0, 100, 10], [2, 2, 10, 10], [4, 4, 10, 10.0]])
    ious = torch.tensor([0.9, 0.99, 0.8, 0.1])
    box, iou = select_box(boxes, ious, maximal_aspect_ratio=6, k=2)
    assert box.tolist() == [1, 1, 10, 10] and iou.item() == pytest.approx(0.85)
    assert select_box(boxes[1:2], ious[1:2], 6, 3) is None


def test_patch_coordinates_round_trip_and_hand_case():
    pos, sz = torch.tensor([100.0, 150.0]), torch.tensor([40.0, 60.0])
    sample_pos, scale, img_sz = torch.tensor([98.0, 152.0]), 2.0, torch.tensor([288.0, 288.0])
    box = iounet_box(pos, sz, sample_pos, scale, img_sz)
    # centre (2, -2)/2 + 143.5 = (144.5, 142.5); size (20, 30); top-left = centre - (size - 1)/2
    assert box.tolist() == [142.5 - 14.5, 144.5 - 9.5, 30.0, 20.0]
    pos2, sz2 = box_to_state(box, sample_pos, scale, img_sz)
    assert torch.allclose(sz2, sz)
    assert torch.allclose(pos2, pos + 0.5 * scale)      # upstream's (size-1)/2 vs size/2 half-pixel shift


def test_augmented_target_boxes():
    box = torch.tensor([10.0, 20.0, 30.0, 40.0])
    ts = [Identity(), Translation((2, -3)), FlipHorizontal(), Rotate(10), Blur(1.0)]
    got = augmented_target_boxes(box, ts, use_augmentation=True)
    assert got.tolist() == [[10, 20, 30, 40], [7, 22, 30, 40], [10, 20, 30, 40]]   # stops at Rotate
    assert augmented_target_boxes(box, ts, use_augmentation=False).tolist() == [[10, 20, 30, 40]]


def test_settings_from_params_and_refine_box():
    params = TrackerParams({'box_refinement_iter': 60, 'box_refinement_step_length': 0.5, 'iounet_k': 3,
                            'num_init_random_boxes': 4})
    s = BoxRefinementSettings.from_params(params)
    assert (s.box_refinement_iter, s.iounet_k, s.box_refinement_space) == (60, 3, 'default')
    box, iou = refine_box(smooth_iou, torch.tensor([36.0, 33.0, 56.0, 18.0]), s, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(box, PEAK, atol=0.1) and iou > 0.99
    with pytest.raises(ValueError, match='box_refinement_space'):
        BoxRefinementSettings.from_params(TrackerParams({'box_refinement_space': 'log'}))
