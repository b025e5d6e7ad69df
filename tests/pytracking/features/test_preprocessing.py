"""pytracking-family patch sampling (sample_patch & co.): hand-computed crop windows, truncated
centre, pre-subsampling, replicate/zero padding, 'inside' modes, whole-image identity."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pytracking.features.augmentation import FlipHorizontal, Identity
from pytracking.features.preprocessing import (numpy_to_torch, sample_patch, sample_patch_multiscale,
                                               sample_patch_transformed, torch_to_numpy)


def ramp(h, w, c=1):
    """Pixel (r, col) of channel k = 1000 k + 100 r + col: every pixel names its source."""
    r = torch.arange(h, dtype=torch.float32)[:, None] * 100 + torch.arange(w, dtype=torch.float32)[None, :]
    return torch.stack([r + 1000 * k for k in range(c)])[None]


def test_crop_window_hand_computed():
    im = ramp(10, 12)
    patch, coord = sample_patch(im, torch.tensor([4.7, 5.2]), torch.tensor([4.0, 6.0]))
    # pos truncated to (4, 5); 4 rows: 4-1 .. 4+2 ; 6 cols: 5-2 .. 5+3
    assert coord.tolist() == [[3, 3, 7, 9]]
    assert torch.equal(patch, im[..., 3:7, 3:9])


def test_whole_image_at_scale_one_is_the_image():
    im = ramp(8, 10, c=3)
    patch, coord = sample_patch(im, torch.tensor([3.5, 4.5]), torch.tensor([8.0, 10.0]), torch.tensor([8, 10]))
    assert coord.tolist() == [[0, 0, 8, 10]]
    assert torch.equal(patch, im)
    assert patch.data_ptr() != im.data_ptr()   # a copy, as upstream's clone()


def test_replicate_padding_outside_the_image():
    im = ramp(5, 6)
    patch, coord = sample_patch(im, torch.tensor([0.0, 5.0]), torch.tensor([4.0, 4.0]))
    assert coord.tolist() == [[-1, 4, 3, 8]]
    rows, cols = [0, 0, 1, 2], [4, 5, 5, 5]
    assert patch[0, 0].tolist() == [[100 * r + c for c in cols] for r in rows]


def test_masks_are_zero_padded_and_resized_nearest():
    mask = torch.ones(1, 1, 4, 4)
    patch, _ = sample_patch(mask, torch.tensor([0.0, 0.0]), torch.tensor([4.0, 4.0]), is_mask=True)
    assert patch[0, 0].tolist() == [[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]]
    big, _ = sample_patch(mask, torch.tensor([0.0, 0.0]), torch.tensor([4.0, 4.0]), torch.tensor([8, 8]), is_mask=True)
    assert set(big.unique().tolist()) == {0.0, 1.0}


def test_even_size_centre_is_half_a_pixel_below_right():
    im = ramp(9, 9)
    _, coord = sample_patch(im, torch.tensor([4.0, 4.0]), torch.tensor([2.0, 3.0]))
    assert coord.tolist() == [[4, 3, 6, 6]]          # 2 rows: 4, 5 ; 3 cols: 3, 4, 5


def test_pre_subsampling_of_large_crops():
    im = ramp(60, 60)
    patch, coord = sample_patch(im, torch.tensor([20.0, 21.0]), torch.tensor([40.0, 40.0]), torch.tensor([10, 10]))
    # df = int(40/10 - 0.1) = 3; offset = pos % 3 = (2, 0); pos -> (6, 7) in the subsampled image;
    # 13 = round(40/3) rows: 0..12, cols 1..13; coordinates scaled back by 3.
    assert coord.tolist() == [[0, 3, 39, 42]]
    sub = im[..., 2::3, 0::3][..., 0:13, 1:14]
    assert torch.allclose(patch, F.interpolate(sub, [10, 10], mode='bilinear', align_corners=False))


def test_inside_mode_shrinks_and_shifts_the_crop_into_the_image():
    im = ramp(10, 12)
    patch, coord = sample_patch(im, torch.tensor([5.0, 6.0]), torch.tensor([20.0, 20.0]), torch.tensor([10, 10]),
                                mode='inside')
    # shrink = max(20/10, 20/12) = 2 -> 10 x 10 crop at rows 1..10 (one past the image) -> shifted up by 1
    assert coord.tolist() == [[0, 2, 10, 12]]
    assert torch.equal(patch, im[..., 0:10, 2:12])


def test_inside_major_with_max_scale_change_centres_the_overflow():
    im = ramp(12, 16)
    _, coord = sample_patch(im, torch.tensor([6.0, 8.0]), torch.tensor([24.0, 24.0]), torch.tensor([19, 19]),
                            mode='inside_major', max_scale_change=1.25)
    # shrink = min(24/12, 24/16) = 1.5, limited to 1.25 -> 19 px; the crop is larger than the
    # image, so it is centred on it: 3 rows above / 4 below, 1 column left / 2 right
    assert coord.tolist() == [[-3, -1, 16, 18]]
    _, coord = sample_patch(im, torch.tensor([6.0, 8.0]), torch.tensor([24.0, 24.0]), torch.tensor([16, 16]),
                            mode='inside_major')
    assert coord.tolist() == [[-2, 0, 14, 16]]       # 16 px: fits the width exactly


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match='border mode'):
        sample_patch(ramp(4, 4), torch.tensor([1.0, 1.0]), torch.tensor([2.0, 2.0]), mode='reflect')


def test_multiscale_and_transformed():
    im = ramp(30, 30, c=3)
    patches, coords = sample_patch_multiscale(im, torch.tensor([15.0, 15.0]), [1.0, 2.0], torch.tensor([8.0, 8.0]))
    assert patches.shape == (2, 3, 8, 8) and coords.tolist() == [[12, 12, 20, 20], [8, 8, 24, 24]]   # 15 - 7//2, 15 + 8//2 + 1; 15 - 15//2, 15 + 16//2 + 1
    both = sample_patch_transformed(im, torch.tensor([15.0, 15.0]), 1.0, torch.tensor([8.0, 8.0]),
                                    [Identity(), FlipHorizontal()])
    assert both.shape == (2, 3, 8, 8)
    assert torch.equal(both[0], patches[0]) and torch.equal(both[1], patches[0].flip(-1))


def test_numpy_torch_round_trip():
    a = np.random.default_rng(0).integers(0, 255, (5, 7, 3)).astype(np.uint8)
    t = numpy_to_torch(a)
    assert t.shape == (1, 3, 5, 7) and t.dtype == torch.float32
    assert np.array_equal(torch_to_numpy(t), a.astype(np.float32))
