"""First-frame augmentation transforms: pixel rules of each transform on small hand-checked cases."""
import numpy as np
import pytest
import torch

from pytracking.features.augmentation import (Affine, Blur, FlipHorizontal, FlipVertical, Identity, Rotate,
                                              Scale, Transform, Translation)


def ramp(h, w):
    return (torch.arange(h, dtype=torch.float32)[:, None] * 100 + torch.arange(w, dtype=torch.float32))[None, None]


def test_identity_pads_to_output_by_replicating_the_border():
    im = ramp(2, 3)
    out = Identity(output_sz=(4, 5))(im)
    # pad 1 row above/below, 1 column left/right
    assert out[0, 0].tolist() == [[0, 0, 1, 2, 2], [0, 0, 1, 2, 2], [100, 100, 101, 102, 102], [100, 100, 101, 102, 102]]
    assert torch.equal(Identity()(im), im)


def test_odd_padding_puts_the_extra_pixel_after():
    out = Identity(output_sz=(3, 2))(ramp(2, 2))
    assert out[0, 0].tolist() == [[0, 1], [100, 101], [100, 101]]


def test_translation_moves_content_and_replicates():
    im = ramp(5, 5)
    out = Translation((2, -1))(im)
    assert out.shape == im.shape
    for r in range(2, 5):
        for c in range(0, 4):
            assert out[0, 0, r, c] == im[0, 0, r - 2, c + 1]
    assert out[0, 0, 0, 0] == im[0, 0, 0, 1]     # replicated top row


def test_flips():
    im = ramp(3, 4)
    assert torch.equal(FlipHorizontal()(im), im.flip(-1))
    assert torch.equal(FlipVertical()(im), im.flip(-2))
    a = np.arange(6).reshape(2, 3)
    assert np.array_equal(FlipHorizontal()(a), a[:, ::-1]) and np.array_equal(FlipVertical()(a), a[::-1])


def test_blur_keeps_constants_inside_and_spreads_an_impulse_as_a_normalised_gaussian():
    const = torch.full((1, 2, 15, 15), 3.0)
    blurred = Blur(1.0)(const)
    assert torch.allclose(blurred[..., 2:-2, 2:-2], const[..., 2:-2, 2:-2])
    assert blurred[0, 0, 0, 0] < 3.0             # zero padding darkens the border (upstream)
    impulse = torch.zeros(1, 1, 15, 15)
    impulse[0, 0, 7, 7] = 1.0
    spread = Blur((2.0, 0.5))(impulse)
    assert spread.sum().item() == pytest.approx(1.0, abs=1e-6)
    g = torch.exp(-torch.arange(-4, 5, dtype=torch.float32) ** 2 / 8)
    assert torch.allclose(spread[0, 0, 3:12, 7] / spread[0, 0, 7, 7], g, atol=1e-6)   # sigma_y = 2, radius 4
    assert spread[0, 0, 7, 5] == 0              # radius ceil(2 * 0.5) = 1 along x


def test_rotate_about_the_centre():
    im = ramp(5, 5)
    assert torch.allclose(Rotate(0)(im), im)
    assert torch.allclose(Rotate(180)(im), im.flip(-1).flip(-2), atol=1e-3)
    r90 = Rotate(90)(im)
    assert r90[0, 0, 2, 2] == pytest.approx(202, abs=1e-3)        # the centre stays
    # positive angles turn the content counter-clockwise on screen (upstream matrix [[c, s], [-s, c]])
    assert torch.allclose(r90, torch.rot90(im, 1, (2, 3)), atol=1e-3)


def test_rotate_keeps_single_channel_masks_and_device():
    mask = torch.zeros(1, 1, 6, 6)
    mask[..., 1:3, 1:5] = 1
    out = Rotate(90)(mask, is_mask=True)
    assert out.shape == mask.shape and set(out.unique().tolist()) <= {0.0, 1.0}


def test_scale_zooms_about_the_centre_with_even_parity():
    im = ramp(8, 8)
    out = Scale(2.0, output_sz=(8, 8))(im)
    assert out.shape == (1, 1, 8, 8)
    small = Scale(2.0)(im)                      # 4 x 4 content padded back to 8 x 8 only with output_sz
    assert small.shape == (1, 1, 4, 4)
    assert Scale(3.0)(ramp(8, 8)).shape == (1, 1, 4, 4)           # round(8/3) = 3 -> made even: 4
    with pytest.raises(ValueError, match='square'):
        Scale(2.0)(ramp(4, 6))


def test_affine_identity_matrix():
    im = ramp(4, 4)
    assert torch.allclose(Affine(np.array([[1.0, 0, 0], [0, 1.0, 0]]))(im), im)


def test_base_transform_is_abstract():
    with pytest.raises(NotImplementedError):
        Transform()(ramp(2, 2))
