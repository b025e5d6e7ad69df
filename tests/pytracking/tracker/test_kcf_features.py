"""KCF features: orientation histograms point the right way, intensity is the cell mean, patches replicate borders."""
import numpy as np
import pytest

from pytracking.features.hog import hog_gray_features, num_feature_channels
from pytracking.tracker.kcf.features import extract_patch


def stripes(axis: int, period: int = 6, size=(32, 32)) -> np.ndarray:
    coord = np.indices(size)[axis]
    return (127 + 100 * np.sin(2 * np.pi * coord / period)).astype(np.uint8)


def test_orientation_bins_follow_the_gradient_direction():
    # Intensity varying along rows: gradient at 90 degrees -> bin 4 (centre 90) of 9.
    f = hog_gray_features(stripes(axis=0), cell=4, num_orientations=9)
    assert f.shape == (num_feature_channels(9), 8, 8)
    assert np.argmax(f[:9].sum(axis=(1, 2))) == 4
    # Varying along columns: gradient at 0/180 degrees -> split between bins 0 (centre 10) and 8 (centre 170).
    g = hog_gray_features(stripes(axis=1), cell=4, num_orientations=9)[:9].sum(axis=(1, 2))
    assert set(np.argsort(g)[-2:]) == {0, 8}
    assert g[0] == pytest.approx(g[8], rel=1e-3) and g[0] > 5 * g[4]


def test_intensity_channel_is_the_cell_mean_and_flat_patches_have_no_gradients():
    rng = np.random.default_rng(0)
    patch = rng.integers(0, 256, size=(12, 20)).astype(np.uint8)
    f = hog_gray_features(patch, cell=4)
    np.testing.assert_allclose(f[-1], patch.reshape(3, 4, 5, 4).mean(axis=(1, 3)) / 255 - 0.5, atol=1e-6)
    flat = hog_gray_features(np.full((8, 8), 77, np.uint8), cell=4)
    assert np.all(flat[:-1] == 0)
    assert np.all(f[:-1] >= 0) and np.all(f[:-1] <= 0.2)
    with pytest.raises(ValueError, match='multiple of the cell size'):
        hog_gray_features(np.zeros((10, 12), np.uint8), cell=4)


def test_patch_inside_is_the_slice_and_outside_replicates_the_border():
    img = np.arange(20 * 30, dtype=np.int64).reshape(20, 30).astype(np.uint8)
    patch, centre, ratio = extract_patch(img, np.array([10.0, 15.0]), np.array([8.0, 12.0]), (8, 12))
    np.testing.assert_array_equal(patch, img[6:14, 9:21])
    np.testing.assert_allclose(centre, [10.0, 15.0])
    assert ratio == 1.0
    corner, centre, _ = extract_patch(img, np.array([0.0, 0.0]), np.array([4.0, 4.0]), (4, 4))
    np.testing.assert_array_equal(corner, [[img[0, 0]] * 2 + [img[0, 0], img[0, 1]]] * 2 +
                                  [[img[0, 0], img[0, 0], img[0, 0], img[0, 1]],
                                   [img[1, 0], img[1, 0], img[1, 0], img[1, 1]]])
    far, _, _ = extract_patch(img, np.array([-50.0, 100.0]), np.array([4.0, 4.0]), (4, 4))
    assert np.all(far == img[0, 29])


def test_patch_resampling_reports_its_scale_and_snapped_centre():
    img = np.zeros((100, 100), np.uint8)
    patch, centre, ratio = extract_patch(img, np.array([50.3, 40.6]), np.array([40.0, 60.0]), (20, 30))
    assert patch.shape == (20, 30) and ratio == 2.0
    # The crop snaps to whole pixels; the returned centre is the crop's true centre (within half a pixel).
    assert np.all(np.abs(centre - [50.3, 40.6]) <= 0.5)
    assert np.all(centre == np.round(centre))
