"""YouTube-VOS (palette PNG instance masks) and saliency (images + gt) readers."""
import json
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from ltr.data.annotations import AnnotationError
from ltr.dataset import Saliency, YouTubeVOS

H, W = 48, 64


def _palette_png(path, ids):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im = Image.fromarray(ids.astype(np.uint8), mode='P')
    im.putpalette([0, 0, 0, 236, 95, 103, 249, 145, 87] + [0] * (256 * 3 - 9))  # YouTube-VOS colours
    im.save(path)


@pytest.fixture
def ytvos_tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'ytvos')
    frames = ['00000', '00005', '00010']
    meta = {'videos': {'003234408d': {'objects': {'1': {'category': 'penguin', 'frames': frames},
                                                  '2': {'category': 'penguin', 'frames': frames[1:]}}}}}
    write_text(os.path.join(root, 'train', 'meta.json'), json.dumps(meta))
    for i, f in enumerate(frames):
        ids = np.zeros((H, W), np.uint8)
        ids[2:32, 2 + i:42 + i] = 1              # 1200 px: kept
        if i:
            ids[34:46, 40:60] = 2                # 240 px: below upstream's 1000-pixel threshold
        _palette_png(os.path.join(root, 'train', 'Annotations', '003234408d', f + '.png'), ids)
        write_image(os.path.join(root, 'train', 'JPEGImages', '003234408d', f + '.jpg'), seed=i)
    return root


def test_ytvos_objects_by_palette_index_with_pixel_threshold(ytvos_tree, cache_dir):
    ds = YouTubeVOS(ytvos_tree, cache_dir=cache_dir)
    assert len(ds) == 1 and ds.has_mask()
    assert ds.get_sequence_info(0)['bbox'].tolist() == [[2, 2, 40, 30], [3, 2, 40, 30], [4, 2, 40, 30]]
    frames, anno, _ = ds.get_frames(0, [2])
    assert frames[0].shape == (H, W, 3) and anno['mask'][0].sum().item() == 1200
    assert anno['mask'][0][2, 4].item() == 1 and anno['mask'][0][40, 50].item() == 0
    assert len(YouTubeVOS(ytvos_tree, min_pixels=200, cache_dir=cache_dir)) == 2


def test_ytvos_malformed_meta_json(ytvos_tree, cache_dir):
    with open(os.path.join(ytvos_tree, 'train', 'meta.json'), 'w') as f:
        f.write('{"videos": {\n  "a": {"objects": }\n}}')
    with pytest.raises(AnnotationError, match=r'meta\.json, line 2'):
        YouTubeVOS(ytvos_tree, cache_dir=cache_dir)


@pytest.fixture
def sal_tree(tmp_path, write_image):
    root = str(tmp_path / 'saliency')
    os.makedirs(os.path.join(root, 'gt'))
    for k, (x, y) in enumerate([(5, 6), (20, 10)], 1):
        gt = np.zeros((H, W), np.uint8)
        gt[y:y + 10, x:x + 15] = 255
        cv2.imwrite(os.path.join(root, 'gt', f'{k:08d}.png'), gt)
        write_image(os.path.join(root, 'images', f'{k:08d}.jpg'), seed=k)
    return root


def test_saliency_box_from_mask_and_255_is_object(sal_tree, cache_dir):
    ds = Saliency(sal_tree, cache_dir=cache_dir)
    assert len(ds) == 2 and ds.has_mask() and not ds.is_video_sequence()
    assert ds.get_sequence_info(1)['bbox'].tolist() == [[20, 10, 15, 10]]
    frames, anno, _ = ds.get_frames(0, [1, 1])
    assert len(frames) == 2 and anno['mask'][1].sum().item() == 150 and anno['mask'][0][6, 5].item() == 1


def test_saliency_layout_required(tmp_path, cache_dir):
    with pytest.raises(FileNotFoundError, match='images/ and gt/'):
        Saliency(str(tmp_path), cache_dir=cache_dir)
