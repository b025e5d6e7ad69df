"""The refiner shipped in the repository (what `make demo` uses) is precise, not just loadable."""
import os

import numpy as np
import pytest
import torch

from ltr.admin.loading import load_checkpoint, load_network
from ltr.data.bounding_box_utils import iou_xywh
from ltr.data.processing import jittered_box
from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly
from pytracking.evaluation.refiner_source import SHIPPED_REFINER
from pytracking.refine_modules.refine_module import RefineModule

pytestmark = pytest.mark.skipif(not os.path.isfile(SHIPPED_REFINER), reason='shipped refiner file not in this checkout')


def _mean_ious(refiner: RefineModule, data: SyntheticTrackingOnTheFly, jitter: float, pairs: int = 12):
    rng = np.random.default_rng(3)
    torch.manual_seed(3)
    before, after = [], []
    while len(after) < pairs:
        seq = int(rng.integers(data.get_num_sequences()))
        t0, t1 = sorted(int(t) for t in rng.integers(0, 60, size=2))
        frames, anno, _ = data.get_frames(seq, [t0, t1])
        if not (anno['visible'][0] and anno['visible'][1]):
            continue
        gt = anno['bbox'][1].double().numpy()
        box = jittered_box(anno['bbox'][1], jitter, jitter).double().numpy()
        refiner.initialize(frames[0], anno['bbox'][0].double().numpy())
        before.append(float(iou_xywh(box, gt)))
        after.append(float(iou_xywh(refiner.refine(frames[1], box), gt)))
    return float(np.mean(before)), float(np.mean(after))


def test_shipped_refiner_tightens_boxes_on_held_out_synthetic_frames():
    net = load_network(SHIPPED_REFINER, expected_net_type='SEcmnet')
    assert all(v.dtype == torch.float32 for v in net.state_dict().values() if v.is_floating_point())
    width, height = load_checkpoint(SHIPPED_REFINER)['settings']['frame_size']
    data = SyntheticTrackingOnTheFly(num_sequences=20, frames=60, size=(width, height), seed=5, split='val')
    refiner = RefineModule(net, device='cpu')
    _, from_ground_truth = _mean_ious(refiner, data, jitter=0.0)
    jittered, refined = _mean_ious(refiner, data, jitter=0.25)
    assert from_ground_truth > 0.88  # benchmarks/refiner_gain.py, 200 test pairs: 0.927
    assert refined > jittered + 0.15  # 200 test pairs: 0.633 -> 0.867
