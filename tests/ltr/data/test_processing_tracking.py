"""ATOMProcessing, DiMPProcessing, KLDiMPProcessing: crops, proposals and their IoU targets, label maps and
label densities, and the box-aware flip."""
import numpy as np
import pytest
import torch

from ltr.data import processing_utils as prutils
from ltr.data.processing_tracking import (ATOMProcessing, BoxAwareHorizontalFlip, DiMPProcessing, KLDiMPProcessing,
                                          transform_with_boxes)
from ltr.data.tensordict import TensorDict
from ltr.data.transforms import Compose, ToTensor

NO_JITTER = dict(center_jitter_factor={'train': 0, 'test': 0}, scale_jitter_factor={'train': 0, 'test': 0})


def _sample(n_train=1, n_test=1, box=(40.0, 30.0, 16.0, 16.0)):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (100, 120, 3), dtype=np.uint8) for _ in range(n_train + n_test)]
    return TensorDict({'train_images': frames[:n_train], 'train_anno': [torch.tensor(box)] * n_train,
                       'test_images': frames[n_train:], 'test_anno': [torch.tensor(box)] * n_test,
                       'dataset': 'toy', 'test_class': None})


def test_atom_processing_targets_are_the_mapped_proposal_ious():
    torch.manual_seed(0)
    proc = ATOMProcessing(4.0, 64, proposal_params={'min_iou': 0.1, 'boxes_per_frame': 16,
                                                    'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]},
                          mode='sequence', transform=ToTensor(), **NO_JITTER)
    out = proc(_sample())
    assert out['train_images'].shape == (1, 3, 64, 64) and out['test_proposals'].shape == (1, 16, 4)
    # side ceil(sqrt(256) * 4) = 64 = output: factor 1, box centred at (64 - 1) / 2
    assert torch.allclose(out['test_anno'][0], torch.tensor([31.5 - 8, 31.5 - 8, 16, 16]))
    ious = prutils.iou(out['test_anno'][0].view(1, 4), out['test_proposals'][0])
    assert torch.allclose(out['proposal_iou'][0], 2 * ious - 1)
    assert bool((out['proposal_iou'] > 2 * 0.1 - 1).all())


def test_dimp_processing_labels_peak_at_the_target():
    torch.manual_seed(0)
    label_params = {'feature_sz': 4, 'sigma_factor': 0.05, 'kernel_sz': 4}
    proc = DiMPProcessing(4.0, 64, mode='sequence', transform=ToTensor(), label_function_params=label_params,
                          proposal_params={'min_iou': 0.1, 'boxes_per_frame': 8, 'sigma_factor': [0.1]}, **NO_JITTER)
    out = proc(_sample(3, 3))
    assert out['train_images'].shape == (3, 3, 64, 64) and out['test_proposals'].shape == (3, 8, 4)
    assert out['train_label'].shape == out['test_label'].shape == (3, 5, 5)
    # crop region x1 = round(48 - 32) = 16, y1 = round(38 - 32) = 6, side 64 (factor 1): the box at (24, 24),
    # centre 32 -> cell 4 * (32 - 32) / 64 + 0.5 = 0.5 = grid value k of index 2 (k = -1.5 .. 2.5)
    assert torch.allclose(out['test_anno'], torch.tensor([24., 24., 16., 16.]).expand(3, 4))
    assert torch.allclose(out['test_label'], prutils.gaussian_label_function(out['test_anno'], 0.05, 4, 4, 64))
    assert divmod(int(out['test_label'][0].argmax()), 5) == (2, 2)


def test_kldimp_processing_densities():
    torch.manual_seed(0)
    params = {'feature_sz': 4, 'sigma_factor': 0.05, 'kernel_sz': 4}
    proc = KLDiMPProcessing(4.0, 64, mode='sequence', transform=ToTensor(), label_function_params=params,
                            label_density_params=dict(params, normalize=True),
                            proposal_params={'boxes_per_frame': 128, 'gt_sigma': (0.05, 0.05),
                                             'proposal_sigma': [(0.05, 0.05), (0.5, 0.5)]}, **NO_JITTER)
    out = proc(_sample(3, 3))
    assert out['test_proposals'].shape == (3, 128, 4)
    assert out['proposal_density'].shape == out['gt_density'].shape == (3, 128)
    assert bool((out['proposal_density'] > 0).all()) and bool((out['gt_density'] >= 0).all())
    assert torch.allclose(out['test_label_density'].sum(dim=(-2, -1)), torch.ones(3))
    raw = prutils.gaussian_label_function(out['test_anno'], 0.05, 4, 4, 64, density=True)
    assert torch.allclose(out['test_label_density'], raw / raw.sum(dim=(-2, -1), keepdim=True))
    # a target far outside the grid: a density summing to <= 0.01 becomes uniform
    far = proc._label_density(torch.tensor([[1000., 1000., 16., 16.]]))
    assert torch.allclose(far, torch.full((1, 5, 5), 1 / 25))


def test_box_aware_flip_uses_upstreams_coordinate_flip():
    im = np.zeros((10, 20, 3), np.uint8)
    im[2:5, 3:7] = 255  # pixels of the box (3, 2, 4, 3)
    (flipped,), (box,) = transform_with_boxes(BoxAwareHorizontalFlip(1.0), [im], [torch.tensor([3., 2., 4., 3.])])
    assert np.array_equal(flipped, im[:, ::-1])
    # x' = W - 1 - x - w = 12 (upstream flips the corners as pixel coordinates: one pixel left of the pixels 13..16)
    assert box.tolist() == [12., 2., 4., 3.]
    images, boxes = transform_with_boxes(Compose([BoxAwareHorizontalFlip(0.0), ToTensor()]), [im], [torch.ones(4)])
    assert images[0].shape == (3, 10, 20) and boxes[0].tolist() == [1., 1., 1., 1.]


def test_joint_flip_moves_every_frame_and_box_together():
    torch.manual_seed(0)
    proc = DiMPProcessing(4.0, 64, mode='sequence', transform=ToTensor(),
                          joint_transform=BoxAwareHorizontalFlip(1.0), **NO_JITTER)
    out = proc(_sample(1, 1, box=(10.0, 30.0, 16.0, 16.0)))
    # flipped box x = 120 - 1 - 10 - 16 = 93; crop x1 = round(101 - 32) = 69 reaches x2 = 133 > 120, moved
    # inside: x1 = 56 -> 93 - 56 = 37; y1 = round(38 - 32) = 6 -> 30 - 6 = 24
    assert out['test_anno'][0].tolist() == [37., 24., 16., 16.]


def test_pair_mode_needs_one_frame():
    proc = DiMPProcessing(4.0, 64, mode='pair', transform=ToTensor(), **NO_JITTER)
    with pytest.raises(ValueError, match='pair mode'):
        proc(_sample(2, 1))
    out = proc(_sample(1, 1))
    assert out['train_images'].shape == (3, 64, 64)
