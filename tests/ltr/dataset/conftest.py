"""Fixtures for the dataset-reader tests: tiny images written in the real layouts."""
import os

import cv2
import numpy as np
import pytest


def _write_image(path, h=48, w=64, seed=0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, size=(h, w, 3), dtype=np.uint8)
    ext = os.path.splitext(path)[1].lower()
    ok, buf = cv2.imencode('.jpg' if ext in ('.jpg', '.jpeg') else ext, img)
    assert ok
    with open(path, 'wb') as f:
        f.write(buf.tobytes())
    return img


def _write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


@pytest.fixture
def write_image():
    return _write_image


@pytest.fixture
def write_text():
    return _write_text


@pytest.fixture
def cache_dir(tmp_path):
    return str(tmp_path / 'cache')
