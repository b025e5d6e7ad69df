"""SiamMask (siammask_r50_l3): official key list and strict load, the refine module's geometry, the tracker on
a synthetic sequence with random weights, SiamMask as a refiner, and the crop-size floor for degenerate boxes."""
import json
import os

import cv2
import numpy as np
import pytest
import torch

from ltr.admin.loading import CheckpointError
from pysot.core.config import load_config
from pysot.models.head.mask import Refine
from pysot.models.model_builder import ModelBuilder
from pysot.tracker.arena import SiamMaskRefiner, find_config, make_tracker
from pysot.tracker.siammask_tracker import SiamMaskTracker, crop_back, mask_polygon
from pysot.tracker.tracker_builder import build_tracker
from pysot.utils.model_load import load_pretrain

SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'spec_checkpoints',
                    'siammask_r50_l3.json')


def small_config():
    """siammask_r50_l3 with a 175 px search region (score map 15): the network is unchanged, the run cheaper."""
    config = load_config(find_config('siammask_r50_l3'))
    config.TRACK.INSTANCE_SIZE = 175
    return config


@pytest.fixture(scope='module')
def model():
    """The SiamMask network with random weights; the RPN heads' last layers scaled down so that the box
    decoding of random features stays finite (a candidate is chosen, so the mask path runs)."""
    torch.manual_seed(0)
    net = ModelBuilder(small_config()).eval()
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.startswith('rpn_head') and '.head.3.' in name:
                p.mul_(1e-6)
    return net


def test_official_key_list_loads_strictly(tmp_path):
    spec = json.load(open(SPEC))
    net = ModelBuilder(load_config(find_config('siammask_r50_l3')))
    own = net.state_dict()
    assert list(own) == list(spec['state_dict'])
    assert {k: list(v.shape) for k, v in own.items()} == spec['state_dict']
    assert sum(p.numel() for p in net.parameters()) == spec['num_params']
    fabricated = {k: torch.full(shape, float(i % 89), dtype=torch.long if k.endswith('num_batches_tracked') else torch.float32)
                  for i, (k, shape) in enumerate(spec['state_dict'].items())}
    path = tmp_path / 'model.pth'
    torch.save(fabricated, path)
    load_pretrain(net, path)
    loaded = net.state_dict()
    for i, k in enumerate(spec['state_dict']):
        assert float(loaded[k].reshape(-1)[0]) == float(i % 89), k
    del fabricated['refine_head.post2.bias']
    torch.save(fabricated, path)
    with pytest.raises(CheckpointError, match='refine_head.post2.bias'):
        load_pretrain(net, path)


def test_refine_module_reads_windows_at_the_position_and_returns_127x127():
    torch.manual_seed(0)
    refine = Refine().eval()
    # search features of a 255 px crop: conv1 125, layer1 63, layer2 31; correlation map 25 x 25
    feats = [torch.rand(1, 64, 125, 125), torch.rand(1, 256, 63, 63), torch.rand(1, 512, 31, 31)]
    corr = torch.rand(1, 256, 25, 25)
    with torch.inference_mode():
        for pos in [(0, 0), (24, 24), (12, 3)]:
            assert refine(feats, corr, pos).shape == (1, 127 * 127)
        a = refine(feats, corr, (5, 7))
        corr2 = corr.clone()
        corr2[:, :, 5, 8] += 1  # another position's vector does not matter
        assert torch.equal(a, refine(feats, corr2, (5, 7)))


def test_crop_back_puts_the_mask_on_its_image_window():
    mask = np.ones((127, 127), dtype=np.float32)
    sub_box = [40.0, 20.0, 63.5, 63.5]  # the image window the 127 x 127 mask covers
    s = 127 / sub_box[2]
    back = crop_back(mask, [-sub_box[0] * s, -sub_box[1] * s, 200 * s, 150 * s], (200, 150))
    ys, xs = np.nonzero(back > 0.5)
    assert back.shape == (150, 200)
    assert abs(xs.min() - 40) <= 1 and abs(xs.max() - 103) <= 1 and abs(ys.min() - 20) <= 1 and abs(ys.max() - 83) <= 1


def test_mask_polygon_is_the_rotated_rectangle_or_the_box_corners():
    mask = np.zeros((100, 100), dtype=np.float32)
    mask[20:40, 10:50] = 0.9
    poly = mask_polygon(mask, 0.5, (0, 0), (1, 1))
    assert poly.shape == (4, 2) and poly[:, 0].min() == pytest.approx(10, abs=1) and poly[:, 1].max() == pytest.approx(39, abs=1)
    empty = mask_polygon(np.zeros((100, 100)), 0.5, (50, 50), (20, 10))
    np.testing.assert_allclose(empty, [[40, 45], [60, 45], [60, 55], [40, 55]])


def test_tracker_tracks_a_synthetic_sequence_with_random_weights(model, synthetic_lasot):
    from pytracking.evaluation.datasets import read_layout
    from pytracking.evaluation.running import RefinedTracker, track_sequence
    seq = read_layout('lasot', synthetic_lasot(1, 4))[0]
    config = small_config()
    tracker = make_tracker(model, config)
    assert isinstance(tracker.tracker, SiamMaskTracker)
    result = track_sequence(seq, RefinedTracker(tracker))
    assert result.boxes.shape == (4, 4) and np.all(np.isfinite(result.boxes))
    out = tracker.tracker.track(np.zeros((120, 160, 3), dtype=np.uint8))
    assert out['mask'].shape == (120, 160) and out['mask'].dtype == np.float32 and len(out['polygon']) == 8
    assert 0 <= out['mask'].min() and out['mask'].max() <= 1


def test_as_refiner_the_box_is_the_bounding_rect_of_the_thresholded_mask(model, synthetic_lasot):
    from ltr.data.image_loader import default_image_loader
    from pytracking.evaluation.datasets import read_layout
    seq = read_layout('lasot', synthetic_lasot(1, 3))[0]
    frames = [default_image_loader(p) for p in seq.frames]
    refiner = SiamMaskRefiner(build_tracker(model, small_config()), thres=0.5)
    refiner.initialize(frames[0], seq.ground_truth_rect[0])
    r = refiner.refine_frame(frames[1], seq.ground_truth_rect[0], with_mask=True)
    assert r.mask.shape == frames[1].shape[:2] and r.fallback is None
    binary = (r.mask > 0.5).astype(np.uint8)
    contours = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[-2]
    areas = [cv2.contourArea(c) for c in contours]
    if areas and max(areas) > 100:
        expected = cv2.boundingRect(contours[int(np.argmax(areas))])
    else:  # SiamMask's own box
        t = refiner.tracker
        expected = [t.center_pos[0] - t.size[0] / 2, t.center_pos[1] - t.size[1] / 2, t.size[0], t.size[1]]
    np.testing.assert_allclose(r.box, expected)
    degenerate = refiner.refine_frame(frames[1], [1e4, 1e4, 5, 5])
    assert degenerate.fallback.startswith('input box') and list(degenerate.box) == [1e4, 1e4, 5, 5]


def test_a_box_fed_back_almost_empty_does_not_crash_the_crop(model):
    """The arena's 'original_sz ... 0' crash: a refiner's near-empty box (clipped but not floored) fed back."""
    config = small_config()
    config.TRACK.TYPE = 'SiamRPNTracker'  # the same crop code path as SiamRPN++
    tracker = make_tracker(model, config)
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    tracker.initialize(image, {'init_bbox': [40, 30, 40, 30]})
    tracker.set_target_box([80, 60, 1e-3, 1e-3])
    out = tracker.track(image)
    assert np.all(np.isfinite(out['target_bbox']))
