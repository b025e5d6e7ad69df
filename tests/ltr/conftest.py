"""Fixtures of the ltr tests: tiny images and text files written in the real layouts, and whole fake
training-dataset trees (LaSOT, GOT-10k, TrackingNet, COCO) for the recipe tests."""
import json
import os
import sys
import types

import cv2
import numpy as np
import pytest

from ltr.admin.model_constructor import model_constructor


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


# -- fake training-dataset trees ------------------------------------------------------------------------------
FRAMES, H, W = 24, 72, 96  # videos long enough for the tracking samplers (>= 20 frames)


def _boxes(k, n=FRAMES):
    """A box drifting a pixel per frame, different per sequence `k` (all inside the 96x72 frames)."""
    return [[20 + i + 3 * k, 16 + (i % 5) + k, 24 + k, 18 + (i % 3)] for i in range(n)]


def _lines(boxes):
    return ''.join(','.join(str(v) for v in b) + '\n' for b in boxes)


def write_lasot(root, names=('cat-1', 'dog-2')):
    for k, name in enumerate(names):
        d = os.path.join(root, name.rsplit('-', 1)[0], name)
        _write_text(os.path.join(d, 'groundtruth.txt'), _lines(_boxes(k)))
        _write_text(os.path.join(d, 'full_occlusion.txt'), ','.join(['0'] * FRAMES) + '\n')
        _write_text(os.path.join(d, 'out_of_view.txt'), ','.join(['0'] * FRAMES) + '\n')
        for i in range(FRAMES):
            _write_image(os.path.join(d, 'img', f'{i + 1:08d}.jpg'), H, W, seed=100 * k + i)
    _write_text(os.path.join(root, 'training_set.txt'), '\n'.join(names) + '\n')
    _write_text(os.path.join(root, 'testing_set.txt'), '')
    return root


def write_got10k(root, list_length=9334):
    """Two sequence folders; ``list.txt`` alternates their names `list_length` times, so the official
    vottrain/votval split indices (up to 9333) select existing folders."""
    names = ['GOT-10k_Train_000001', 'GOT-10k_Train_000002']
    for k, name in enumerate(names):
        d = os.path.join(root, name)
        _write_text(os.path.join(d, 'groundtruth.txt'), _lines(_boxes(k)))
        _write_text(os.path.join(d, 'absence.label'), '0\n' * FRAMES)
        _write_text(os.path.join(d, 'cover.label'), '8\n' * FRAMES)
        _write_text(os.path.join(d, 'meta_info.ini'), f'[METAINFO]\nobject_class: thing{k}\n')
        for i in range(FRAMES):
            _write_image(os.path.join(d, f'{i + 1:08d}.jpg'), H, W, seed=200 + 100 * k + i)
    _write_text(os.path.join(root, 'list.txt'), '\n'.join(names[i % 2] for i in range(list_length)) + '\n')
    return root


def write_trackingnet(root, chunks=(0, 1, 2, 3)):
    for c in chunks:
        seq = f'seq_{c}'
        _write_text(os.path.join(root, f'TRAIN_{c}', 'anno', seq + '.txt'), _lines(_boxes(c)))
        for i in range(FRAMES):
            _write_image(os.path.join(root, f'TRAIN_{c}', 'frames', seq, f'{i}.jpg'), H, W, seed=300 + 100 * c + i)
    return root


def write_coco(root):
    images = [{'id': k, 'file_name': f'{k:012d}.jpg', 'height': H, 'width': W} for k in (1, 2)]
    anns = [{'id': k, 'image_id': k, 'category_id': 1, 'bbox': [10 + 5 * k, 12, 30, 20], 'area': 600, 'iscrowd': 0,
             'segmentation': [[10, 12, 40, 12, 40, 32, 10, 32]]} for k in (1, 2)]
    _write_text(os.path.join(root, 'annotations', 'instances_train2017.json'),
                json.dumps({'images': images, 'annotations': anns,
                            'categories': [{'id': 1, 'name': 'thing', 'supercategory': 'x'}]}))
    for k in (1, 2):
        _write_image(os.path.join(root, 'images', 'train2017', f'{k:012d}.jpg'), H, W, seed=400 + k)
    return root


@pytest.fixture(scope='module')
def tracking_dataset_trees(tmp_path_factory):
    """Fake LaSOT, GOT-10k, TrackingNet and COCO trees (written once per module): ``{LTR_<ATTR>: root}``."""
    base = tmp_path_factory.mktemp('datasets')
    return {'LTR_LASOT_DIR': write_lasot(str(base / 'lasot')), 'LTR_GOT10K_DIR': write_got10k(str(base / 'got10k')),
            'LTR_TRACKINGNET_DIR': write_trackingnet(str(base / 'trackingnet')),
            'LTR_COCO_DIR': write_coco(str(base / 'coco'))}


@pytest.fixture
def register_constructor(monkeypatch):
    """``register(fn, module_name)``: `fn` decorated with ``@model_constructor`` as if it lived in the module
    `module_name` under ``ltr.models`` (the only place constructors may live); the module is in
    ``sys.modules`` for the test only. Returns the decorated constructor."""
    def register(fn, module_name: str):
        module = types.ModuleType(module_name)
        fn.__module__ = module_name
        setattr(module, fn.__name__, model_constructor(fn))
        monkeypatch.setitem(sys.modules, module_name, module)
        return getattr(module, fn.__name__)
    return register
