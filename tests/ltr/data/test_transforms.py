"""Recipe transforms: joint grayscale, brightness jitter, normalisation."""
import random

import numpy as np
import pytest
import torch

from ltr.data.transforms import Compose, Normalize, ToGrayscale, ToTensor, ToTensorAndJitter, recipe_transforms


def _img(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (6, 5, 3), dtype=np.uint8)


def test_grayscale_applies_jointly_with_probability():
    random.seed(0)
    g = ToGrayscale(probability=0.5)
    n_gray = 0
    for _ in range(200):
        a, b = g(_img(0), _img(1))
        ga, gb = (bool((x[..., 0] == x[..., 1]).all() and (x[..., 1] == x[..., 2]).all()) for x in (a, b))
        assert ga == gb  # one draw for both images
        n_gray += ga
    assert 70 < n_gray < 130
    assert ToGrayscale(0.0)(_img()).tolist() == _img().tolist()


def test_grayscale_uses_rgb_luma():
    img = np.zeros((1, 1, 3), np.uint8)
    img[0, 0] = (255, 0, 0)
    assert ToGrayscale(1.0)(img)[0, 0].tolist() == [76, 76, 76]  # 0.299 * 255, OpenCV RGB2GRAY


def test_to_tensor_and_jitter_range_and_clamp():
    np.random.seed(0)
    t = ToTensorAndJitter(0.2)
    img = np.full((2, 2, 3), 100, np.uint8)
    vals = [t(img)[0, 0, 0].item() * 255 / 100 for _ in range(300)]
    assert 0.8 <= min(vals) < 0.85 and 1.15 < max(vals) <= 1.2
    bright = t(np.full((2, 2, 3), 255, np.uint8))
    assert bright.max().item() <= 1.0 and bright.shape == (3, 2, 2)


def test_normalize_and_recipe_val_transform():
    _, _, val = recipe_transforms()
    img = np.zeros((2, 2, 3), np.uint8)
    img[..., 1] = 255
    out = val(img)
    expected = torch.tensor([-0.485 / 0.229, (1 - 0.456) / 0.224, -0.406 / 0.225])
    assert torch.allclose(out[:, 0, 0], expected, atol=1e-6)


def test_compose_passes_multiple_images():
    out = Compose([ToGrayscale(1.0), ToTensor()])(_img(0), _img(1))
    assert len(out) == 2 and out[0].shape == (3, 6, 5)


def test_grayscale_refuses_tensors():
    with pytest.raises(TypeError):
        ToGrayscale(1.0)(torch.zeros(3, 2, 2))


def test_fused_tensor_normalize_matches_the_separate_transforms_exactly():
    img = np.random.default_rng(1).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    norm = Normalize()
    for to_tensor in (ToTensorAndJitter(0.2), ToTensor()):
        np.random.seed(4)
        fused = [Compose([to_tensor, norm])(img, img[::-1].copy()) for _ in range(3)]
        np.random.seed(4)
        separate = []
        for _ in range(3):
            params = to_tensor.roll()
            params = () if params is None else (params,)
            separate.append([norm.transform(to_tensor.transform(x, *params)) for x in (img, img[::-1].copy())])
        for f, s in zip(fused, separate):
            assert all(torch.equal(a, b) and a.is_contiguous() and a.dtype == torch.float32 for a, b in zip(f, s))
    # non-uint8 input takes the unfused path
    img_f = img.astype(np.float64)
    out = Compose([ToTensor(), norm])(img_f)
    assert torch.equal(out, norm.transform(ToTensor().transform(img_f)))


def test_compose_refuses_stale_fusion_after_edit():
    c = Compose([ToTensor(), Normalize()])
    img = np.full((2, 2, 3), 51, np.uint8)
    assert c(img)[0, 0, 0].item() == pytest.approx((0.2 - 0.485) / 0.229, abs=1e-6)
    c.transforms = [ToTensor()]
    assert c(img)[0, 0, 0].item() == pytest.approx(0.2, abs=1e-6)
