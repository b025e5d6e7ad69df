"""ATOM: parameter file, first-frame optimisation, arena runs with and without the refiner (random
weights), the feed-back hook, network-file errors, and localisation with a hand-made feature."""
import os

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from arena.runner import load_arena_benchmark, run_arena
from ltr.admin.loading import CheckpointError, save_network_checkpoint
from ltr.data.annotations import read_boxes
from pytracking.parameter.atom.default import parameters
from pytracking.tracker.atom import ATOM, get_tracker_class
from pytracking.utils.params import UnknownParameterError


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def fast_params(net, **changes):
    """Upstream values except a small search patch (128 px) and fewer first-frame samples/iterations."""
    p = parameters()
    p.update(net=net, device='cpu', max_image_sample_size=128 ** 2, min_image_sample_size=128 ** 2,
             augmentation={'fliplr': True, 'blur': [(2, 0.2)], 'relativeshift': [(0.6, 0.6)], 'dropout': (2, 0.2)},
             sample_memory_size=30, init_CG_iter=12, init_GN_iter=3)
    return p.update(**changes)


def test_parameter_file_holds_the_upstream_values():
    p = parameters()
    assert get_tracker_class() is ATOM
    assert (p.net_path, p.search_area_scale, p.max_image_sample_size, p.kernel_size, p.compressed_dim) == \
        ('atom_default.pth', 5, 288 ** 2, (4, 4), 64)
    assert (p.init_CG_iter, p.init_GN_iter, p.CG_iter, p.train_skipping, p.sample_memory_size) == (60, 6, 5, 10, 250)
    assert (p.iounet_k, p.num_init_random_boxes, p.box_refinement_iter, p.box_refinement_step_length) == (3, 9, 5, 1)
    assert p.response_activation == ('mlu', 0.05) and p.displacement_scale == 0.8
    assert len(p.augmentation['rotate']) == 12 and p.augmentation['dropout'] == (7, 0.2)
    with pytest.raises(UnknownParameterError):
        p.dispalcement_scale = 0.8          # upstream's misspelling is caught


def test_first_frame_optimisation_lowers_its_loss_and_tracks(atom_net, scene):
    frames, gt = scene(4, (120, 160), (50, 40, 30, 24), (2.0, 1.0))
    torch.manual_seed(1)
    t = ATOM(fast_params(atom_net))
    t.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    assert t.img_sample_sz.tolist() == [128.0, 128.0] and t.feature_sz.tolist() == [8, 8]
    assert t.joint_losses[-1] < 0.5 * t.joint_losses[0]
    assert t.training_samples[0].shape == (30, 64, 8, 8)
    for f in frames[1:]:
        box = t.track(f)['target_bbox']
        assert len(box) == 4 and np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0


def test_feed_back_hook_moves_the_next_search_region(atom_net, scene):
    frames, gt = scene(3, (120, 160), (50, 40, 30, 24), (2.0, 1.0))
    torch.manual_seed(2)
    t = ATOM(fast_params(atom_net))
    t.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    t.track(frames[1])
    t.set_target_box([80.0, 50.0, 40.0, 36.0])
    assert t.pos.tolist() == [68.0, 100.0] and t.target_sz.tolist() == [36.0, 40.0]
    assert t.target_scale == pytest.approx(np.sqrt(36 * 40 / float(t.base_target_sz.prod())))
    seen = {}
    original = t.extract_processed_sample

    def spy(im, pos, scales, sz):
        seen.update(pos=pos.clone(), scales=scales.clone())
        return original(im, pos, scales, sz)

    t.extract_processed_sample = spy
    t.track(frames[2])
    assert seen['pos'].tolist() == [68.0, 100.0]
    assert seen['scales'].tolist() == pytest.approx([np.sqrt(36 * 40 / float(t.base_target_sz.prod()))])


def test_arena_runs_with_and_without_the_refiner(atom_net, synthetic_lasot, tiny_refiner, tmp_path):
    tree = synthetic_lasot(num_sequences=1, frames=5)
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    save = str(tmp_path / 'save')
    make = lambda: ATOM(fast_params(atom_net))  # noqa: E731
    run_arena(bench, save, 'atom_default', make, progress=False, log=lambda s: None)
    run_arena(bench, save, 'atom_default_RF', make, lambda seq: tiny_refiner, {'refiner': 'tiny'}, progress=False,
              log=lambda s: None)
    for name in ('atom_default', 'atom_default_RF'):
        for seq in bench.sequences:
            boxes = read_boxes(os.path.join(save, 'Synthetic-LaSOT', name, seq.name + '.txt'))
            assert boxes.shape == (len(seq), 4) and np.all(np.isfinite(boxes)) and np.all(boxes[:, 2:] > 0)


def test_missing_wrong_or_corrupt_network_file_is_one_clear_error(tmp_path, atom_net):
    p = parameters()
    p.update(device='cpu', net_path=str(tmp_path / 'atom_default.pth'))
    with pytest.raises(CheckpointError) as e:
        ATOM(p)
    assert 'atom_default.pth' in str(e.value) and 'MODEL_ZOO.md' in str(e.value) and '\n' not in str(e.value)

    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointError, match='corrupt.pth'):
        ATOM(p.update(net_path=str(corrupt)))

    wrong = tmp_path / 'wrong.pth'
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    save_network_checkpoint(str(wrong), SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], input_sz=128))
    with pytest.raises(CheckpointError, match="wrong.pth: expected a ATOMnet network, found net_type 'SEcmnet'"):
        ATOM(p.update(net_path=str(wrong)))


class PooledPixels(nn.Module):
    """A fixed hand-made 'backbone': per 16x16 (layer3) / 8x8 (layer2) cell, the mean and mean square
    of the normalised colour channels. No learnt weights; the online classifier must do the tracking."""

    def __init__(self):
        super().__init__()
        self.bb_regressor = Passthrough()
        self.bb_regressor_layer = ['layer2', 'layer3']

    def extract_features(self, im, layers):
        stride = {'layer2': 8, 'layer3': 16}
        return {l: torch.cat([F.avg_pool2d(im, stride[l]), F.avg_pool2d(im ** 2, stride[l])], 1) for l in layers}


class Passthrough(nn.Module):
    def get_iou_feat(self, feats):
        return tuple(feats)


def test_online_classifier_follows_a_moving_textured_blob_with_a_hand_made_feature(scene):
    frames, gt = scene(16, (240, 320), (100, 90, 48, 40), (3.0, 1.5), seed=3)
    torch.manual_seed(4)
    p = parameters()
    p.update(net=PooledPixels(), device='cpu', use_iou_net=False, proj_init_method='randn', compressed_dim=6)
    t = ATOM(p)
    t.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    errors = []
    for f, g in zip(frames[1:], gt[1:]):
        x, y, w, h = t.track(f)['target_bbox']
        errors.append(np.hypot(x + w / 2 - (g[0] + g[2] / 2), y + h / 2 - (g[1] + g[3] / 2)))
    # the target moves 3.4 px/frame (50 px in total); a tracker that stays put errs by ~25 px on average
    assert np.mean(errors) < 8.0, np.round(errors, 1)


def test_iounet_position_uses_upstreams_axis_order_for_a_non_square_patch(atom_net, scene, monkeypatch):
    """upstream atom.py: new_pos = (box centre (x, y) - (img_sample_sz - 1) / 2).flip() * scale + sample_pos,
    i.e. the (row, col) half sizes are subtracted from (x, y) before flipping. Target 48 x 24 (w x h),
    'initrect': sample area 240 * 120 > 128^2, scale sqrt(28800 / 16384); base * 5 = (90.5, 181.0) ->
    rounded (90, 181) -> stride-16 sizes (96, 192). Box (80, 40, 20, 10): centre (90, 45) - (47.5, 95.5)
    = (42.5, -50.5) -> (row, col) (-50.5, 42.5)."""
    from pytracking.tracker.atom import atom as atom_module
    frames, gt = scene(2, (200, 260), (100, 80, 48, 24), (0.0, 0.0))
    torch.manual_seed(3)
    t = ATOM(fast_params(atom_net, search_area_shape='initrect'))
    t.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    assert t.img_sample_sz.tolist() == [96.0, 192.0]
    monkeypatch.setattr(atom_module, 'refine_box',
                        lambda *a, **k: (torch.tensor([80.0, 40.0, 20.0, 10.0]), torch.tensor(0.5)))
    t.refine_target_box(torch.tensor([50.0, 60.0]), 2.0, 0)
    assert t.pos_iounet.tolist() == pytest.approx([-50.5 * 2 + 50, 42.5 * 2 + 60])
    assert t.target_sz.tolist() == pytest.approx([20.0, 40.0])
