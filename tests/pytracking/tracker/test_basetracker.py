"""The base-tracker interface: the set_target_box hook as upstream applies it to DiMP, input checks, registry."""
import math

import numpy as np
import pytest
import torch

from pytracking.parameter import available_parameters, load_parameters
from pytracking.tracker import available_trackers, load_tracker_class
from pytracking.tracker.base import BaseTracker, check_box
from pytracking.tracker.kcf import KCF
from pytracking.utils.params import TrackerParams


class TensorStateTracker(BaseTracker):
    """A minimal tracker holding its state in torch tensors, as DiMP/ATOM do (it never moves)."""

    def initialize(self, image, info):
        x, y, w, h = check_box(info['init_bbox'])
        self.pos = torch.tensor([y + h / 2, x + w / 2], dtype=torch.float32)
        self.target_sz = torch.tensor([h, w], dtype=torch.float32)
        self.base_target_sz = self.target_sz.clone()
        self.target_scale = 1.0

    def track(self, image, info=None):
        return {'target_bbox': [float(v) for v in self.get_target_box()]}


def test_hook_sets_pos_size_and_scale_as_upstream_does_for_dimp():
    tracker = TensorStateTracker(TrackerParams())
    tracker.initialize(None, {'init_bbox': [0, 0, 15, 20]})          # base_target_sz = [20, 15]
    tracker.set_target_box([10, 20, 30, 40])
    # pos = [y1 + h/2, x1 + w/2], target_sz = [h, w], scale = sqrt(h*w / prod(base)) = sqrt(1200/300)
    assert isinstance(tracker.pos, torch.Tensor) and tracker.pos.dtype == torch.float32
    assert tracker.pos.tolist() == [40.0, 25.0]
    assert tracker.target_sz.tolist() == [40.0, 30.0]
    assert tracker.target_scale == pytest.approx(2.0)
    assert tracker.track(None)['target_bbox'] == [10.0, 20.0, 30.0, 40.0]


def test_hook_scale_is_computed_in_float32_on_a_tensor_state():
    """upstream's arena: torch.sqrt(prod(target_sz) / prod(base_target_sz)) on float32 tensors."""
    tracker = TensorStateTracker(TrackerParams())
    tracker.initialize(None, {'init_bbox': [0, 0, 7, 3]})           # base area 21
    tracker.set_target_box([0.0, 0.0, 10.0, 3.3])
    f32 = torch.sqrt(torch.tensor([3.3, 10.0]).prod() / torch.tensor([3.0, 7.0]).prod())
    assert tracker.target_scale == float(f32)
    assert tracker.target_scale != math.sqrt(33.0 / 21.0)           # the float64 value differs in the last bits


def test_hook_accepts_tensors_and_numpy_boxes():
    tracker = TensorStateTracker(TrackerParams())
    tracker.initialize(None, {'init_bbox': [0, 0, 10, 10]})
    tracker.set_target_box(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(tracker.get_target_box(), [1, 2, 3, 4])
    tracker.set_target_box(np.array([[5.0, 6.0, 7.0, 8.0]]))
    np.testing.assert_allclose(tracker.get_target_box(), [5, 6, 7, 8])
    assert tracker.target_scale == pytest.approx(math.sqrt(56 / 100))


@pytest.mark.parametrize('box', [[1, 2, 0, 4], [1, 2, 3, -4], [np.nan, 2, 3, 4], [1, 2, 3]])
def test_hook_rejects_degenerate_boxes_and_keeps_the_state(box):
    tracker = TensorStateTracker(TrackerParams())
    tracker.initialize(None, {'init_bbox': [0, 0, 10, 10]})
    with pytest.raises(ValueError, match='set_target_box'):
        tracker.set_target_box(box)
    assert tracker.get_target_box().tolist() == [0, 0, 10, 10]


def test_hook_before_initialize_is_a_clear_error():
    with pytest.raises(RuntimeError, match='initialize'):
        TensorStateTracker(TrackerParams()).set_target_box([0, 0, 5, 5])


def test_params_must_be_tracker_params_and_interface_is_abstract():
    with pytest.raises(TypeError, match='TrackerParams'):
        TensorStateTracker({'padding': 2})
    with pytest.raises(TypeError):
        BaseTracker(TrackerParams())
    assert TensorStateTracker(TrackerParams()).predicts_segmentation_mask() is False


def test_registry_finds_kcf_and_names_the_known_ones_otherwise():
    assert 'kcf' in available_trackers() and 'base' not in available_trackers()
    assert load_tracker_class('kcf') is KCF
    for bad in ('no_such_tracker', 'base', '../kcf'):
        with pytest.raises(ValueError, match="available: .*kcf"):
            load_tracker_class(bad)
    assert isinstance(load_parameters('kcf', 'default'), TrackerParams)
    with pytest.raises(ValueError, match="no parameter set 'nope' for tracker 'kcf'.*available: default"):
        load_parameters('kcf', 'nope')
    assert available_parameters('no_such_tracker') == []
