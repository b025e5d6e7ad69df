"""RT-MDNet's sample generation on hand-computed cases (a scripted random source) and its filters."""
import numpy as np
import pytest

from ltr.data.bounding_box_utils import iou_xywh
from RT_MDNet.modules.sample_generator import SampleGenerator, gen_samples


class Scripted:
    """A stand-in for numpy's Generator returning the given draws in order."""

    def __init__(self, normal=(), uniform=()):
        self.normal, self.uniform = list(normal), list(uniform)

    def standard_normal(self, size):
        return np.asarray(self.normal.pop(0), dtype=np.float64).reshape(size)

    def random(self, size):
        return np.asarray(self.uniform.pop(0), dtype=np.float64).reshape(size)

    def permutation(self, x):
        return np.asarray(x)


def test_gaussian_sample_hand_computed():
    # shift = 0.1 * mean(40, 20) * clip(0.5 * (1, -4), -1, 1) = 3 * (0.5, -1); scale = 1.2 ** clip(0.5 * 2) = 1.2
    gen = SampleGenerator('gaussian', (200, 100), 0.1, 1.2, rng=Scripted(normal=[[1.0, -4.0], [2.0]]))
    box = gen([10, 20, 40, 20], 1)
    assert box.dtype == np.float32
    # centre (30, 30) + (1.5, -3) = (31.5, 27); size (48, 24)
    assert box[0] == pytest.approx([31.5 - 24, 27 - 12, 48, 24])


def test_uniform_sample_with_aspect_hand_computed():
    rng = Scripted(uniform=[[0.75], [0.5, 1.0], [0.25]])
    gen = SampleGenerator('uniform', (200, 100), 1, 2, 1.1, rng=rng)
    box = gen([10, 20, 40, 20], 1)[0]
    # aspect r = 0.5: w * 1.1^0.5, h * 1.1^-0.5; shift 30 * (0, 1); scale 2^(2 * 0.25 - 1) = 2^-0.5
    w, h = 40 * 1.1 ** 0.5 * 2 ** -0.5, 20 * 1.1 ** -0.5 * 2 ** -0.5
    assert box == pytest.approx([30 - w / 2, 60 - h / 2, w, h], rel=1e-6)


def test_sizes_and_centres_are_clipped():
    # valid: the whole box stays inside (centre in [w/2, W - w/2 - 1]); sizes in [5, W - 5]
    gen = SampleGenerator('gaussian', (30, 30), 10, 1, valid=True, rng=Scripted(normal=[[4.0, -4.0], [0.0]]))
    box = gen([0, 0, 40, 2], 1)[0]
    assert box[2:].tolist() == [25, 5]
    assert box[0] + box[2] / 2 == pytest.approx(30 - 12.5 - 1) and box[1] + box[3] / 2 == pytest.approx(2.5)
    # not valid: only the centre is kept in [0, W] x [0, H]
    gen = SampleGenerator('uniform', (30, 30), 10, 1, rng=Scripted(uniform=[[1.0, 0.0], [0.5]]))
    box = gen([10, 10, 10, 10], 1)[0]
    assert box[0] + box[2] / 2 == pytest.approx(30) and box[1] + box[3] / 2 == pytest.approx(0)


def test_whole_samples_a_grid():
    gen = SampleGenerator('whole', (101, 51), 1, 1, rng=Scripted(uniform=[[0.5] * 4]))
    boxes = gen([0, 0, 20, 10], 4)  # m = 4: grid 0, 1/3, 2/3, 1; identity permutation -> first row
    cx = boxes[:, 0] + boxes[:, 2] / 2
    cy = boxes[:, 1] + boxes[:, 3] / 2
    assert cx == pytest.approx(10 + np.array([0, 1 / 3, 2 / 3, 1]) * (101 - 10 - 1))
    assert cy == pytest.approx([5, 5, 5, 5])


def test_gen_samples_respects_overlap_and_scale_ranges():
    rng = np.random.default_rng(0)
    bbox = np.array([50, 40, 30, 20.0])
    pos = gen_samples(SampleGenerator('gaussian', (200, 150), 0.1, 1.2, rng=rng), bbox, 100, (0.7, 1))
    assert pos.shape == (100, 4)
    assert np.all(iou_xywh(pos.astype(float), bbox[None]) >= 0.7)
    neg = gen_samples(SampleGenerator('uniform', (200, 150), 1, 2, 1.1, rng=rng), bbox, 200, (0, 0.5))
    assert len(neg) == 200 and np.all(iou_xywh(neg.astype(float), bbox[None]) <= 0.5)
    reg = gen_samples(SampleGenerator('uniform', (200, 150), 0.3, 1.5, 1.1, rng=rng), bbox, 50, (0.6, 1), (1, 2))
    ratio = np.prod(reg[:, 2:], axis=1) / np.prod(bbox[2:])
    assert 40 <= len(reg) <= 50 and np.all((ratio >= 1) & (ratio <= 2))  # may fall short, as upstream
    # an impossible range: upstream gives up after factors 2, 4, 8 and returns what it has (nothing)
    none = gen_samples(SampleGenerator('gaussian', (200, 150), 0.01, 1.0, rng=rng), bbox, 10, (0, 0.1))
    assert none.shape == (0, 4)


def test_seeded_generators_repeat():
    a = SampleGenerator('gaussian', (200, 150), 0.6, 1.05, rng=np.random.default_rng(3))([50, 40, 30, 20], 8)
    b = SampleGenerator('gaussian', (200, 150), 0.6, 1.05, rng=np.random.default_rng(3))([50, 40, 30, 20], 8)
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match='gaussian'):
        SampleGenerator('normal', (10, 10))
