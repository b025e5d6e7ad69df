"""Image loader: RGB uint8 out whatever the file, same pixels as OpenCV's BGR decode + conversion."""
import cv2
import numpy as np
import pytest

from ltr.data.image_loader import ImageReadError, default_image_loader, imread_mask, opencv_loader


@pytest.mark.parametrize('name, shape', [('colour.jpg', (13, 17, 3)), ('grey.jpg', (13, 17)),
                                         ('rgba.png', (9, 11, 4)), ('grey.png', (9, 11))])
def test_rgb_out_equals_bgr_decode_then_conversion(tmp_path, name, shape):
    path = str(tmp_path / name)
    cv2.imwrite(path, np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8))
    expected = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    for loader in (opencv_loader, default_image_loader):
        img = loader(path)
        assert img.dtype == np.uint8 and img.shape == shape[:2] + (3,)
        if loader is opencv_loader or not name.endswith('.jpg'):
            assert np.array_equal(img, expected)


def test_red_pixel_is_red(tmp_path):
    path = str(tmp_path / 'red.png')
    bgr = np.zeros((2, 2, 3), np.uint8)
    bgr[..., 2] = 255
    cv2.imwrite(path, bgr)
    assert opencv_loader(path)[0, 0].tolist() == [255, 0, 0]


def test_missing_and_corrupt_files_name_the_path(tmp_path):
    with pytest.raises(ImageReadError, match='no such file'):
        opencv_loader(str(tmp_path / 'none.jpg'))
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not an image')
    with pytest.raises(ImageReadError, match='bad.png: cannot be decoded'):
        imread_mask(str(bad))
