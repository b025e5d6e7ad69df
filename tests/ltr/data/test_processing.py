"""SEMaskProcessing: crops, jitter, GT in crop coordinates, masks cropped like the frames."""
import numpy as np
import pytest
import torch

from ltr.data.processing import SEMaskProcessing, jittered_box
from ltr.data.tensordict import TensorDict
from ltr.data.transforms import recipe_transforms


def _sample(box=(40., 30., 30., 20.), hw=(100, 120)):
    img = np.full(hw + (3,), 200, np.uint8)
    m = np.zeros(hw, np.uint8)
    x, y, w, h = map(int, box)
    m[y:y + h, x:x + w] = 1
    return TensorDict({'train_images': [img], 'train_masks': [m], 'train_anno': [torch.tensor(box)],
                       'test_images': [img.copy()], 'test_masks': [m.copy()], 'test_anno': [torch.tensor(box)],
                       'dataset': 'toy', 'mask': True})


def _recipe(mode='sequence'):
    joint, train, _ = recipe_transforms()
    return SEMaskProcessing(2.0, 256, {'train': 0, 'test': 0.25}, {'train': 0, 'test': 0.25}, mode=mode,
                            transform=train, joint_transform=joint)


def test_shapes_of_sequence_mode():
    torch.manual_seed(0)
    out = _recipe()(_sample())
    assert out['train_images'].shape == (1, 3, 256, 256) and out['test_images'].shape == (1, 3, 256, 256)
    assert out['train_anno'].shape == (1, 4) and out['test_masks'].shape == (1, 1, 256, 256)
    assert out['test_masks'].dtype == torch.float32 and out['mask'] is True and out['dataset'] == 'toy'


def test_template_without_jitter_fills_the_central_128_square():
    torch.manual_seed(0)
    out = _recipe()(_sample())
    # box 30x20 -> crop 60x40 -> factors 256/60, 256/40: centre 127.5, size 128 (spec (c))
    assert out['train_anno'][0].tolist() == pytest.approx([63.5, 63.5, 128.0, 128.0])
    m = out['train_masks'][0, 0]
    assert m[80:176, 80:176].min() == 1 and m[:50].max() == 0 and m[:, :50].max() == 0


def test_search_box_stays_inside_crop_and_mask_follows_box():
    torch.manual_seed(3)
    proc = _recipe()
    for _ in range(20):
        out = proc(_sample())
        x, y, w, h = out['test_anno'][0].tolist()
        assert 0 <= x and 0 <= y and x + w <= 256 + 1e-4 and y + h <= 256 + 1e-4
        ys, xs = torch.nonzero(out['test_masks'][0, 0] > 0.5, as_tuple=True)
        if xs.numel():
            assert abs(xs.float().mean().item() - (x + w / 2)) < 4 and abs(ys.float().mean().item() - (y + h / 2)) < 4


def test_jitter_formula_hand_computed(monkeypatch):
    monkeypatch.setattr(torch, 'randn', lambda n: torch.tensor([1.0, 0.0]))
    monkeypatch.setattr(torch, 'rand', lambda n: torch.tensor([1.0, 0.5]))
    b = jittered_box(torch.tensor([10., 20., 40., 10.]), center_jitter=0.25, scale_jitter=0.5)
    w = 40 * np.exp(0.5)  # size wh*exp(N*s); offset sqrt(w'h')*c*(U-0.5)
    off = np.sqrt(w * 10) * 0.25 * 0.5
    assert b.tolist() == pytest.approx([30 + off - w / 2, 25 - 5, w, 10], rel=1e-5)


def test_images_are_normalised_imagenet():
    torch.manual_seed(0)
    np.random.seed(0)
    import random
    random.seed(1)  # no grayscale on this draw either way: the image is grey already
    out = _recipe()(_sample())
    # centre pixels are 200/255 * brightness in [0.8, 1.2] (clamped at 1), normalised per channel
    v = out['train_images'][0, :, 128, 128]
    mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
    raw = v * std + mean
    assert torch.allclose(raw, raw[0].expand(3), atol=1e-5) and 0.8 * 200 / 255 - 1e-5 <= raw[0] <= 1.0 + 1e-6


def test_pair_mode_rejects_two_frames():
    d = _sample()
    d['test_images'] = d['test_images'] * 2
    d['test_anno'] = d['test_anno'] * 2
    d['test_masks'] = d['test_masks'] * 2
    with pytest.raises(ValueError, match='pair mode'):
        _recipe('pair')(d)


def test_jitter_mixture_draws_one_component_per_frame():
    torch.manual_seed(0)
    proc = SEMaskProcessing(2.0, 256, {'train': 0, 'test': [0.5, 0.0]}, {'train': 0, 'test': [0.5, 0.0]},
                            mode='pair', transform=recipe_transforms()[1])
    centred = 0
    for _ in range(40):
        box = proc(_sample())['test_anno'].tolist()
        centred += box == pytest.approx([63.5, 63.5, 128.0, 128.0])  # the 0 component: no jitter at all
    assert 10 <= centred <= 30  # about half of the frames draw each component


@pytest.mark.parametrize('center, scale', [([0.25, 0.05], 0.25), ([0.25, 0.05], [0.25]), ([], [])])
def test_jitter_mixture_needs_paired_lists(center, scale):
    with pytest.raises(ValueError, match=r"center_jitter_factor\['test'\]"):
        SEMaskProcessing(2.0, 256, {'train': 0, 'test': center}, {'train': 0, 'test': scale})
