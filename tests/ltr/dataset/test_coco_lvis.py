"""COCO 2017 (pycocotools) and LVIS (lvis API) readers with polygon and RLE masks."""
import json
import os

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from ltr.data.annotations import AnnotationError
from ltr.dataset import LVIS, MSCOCOSeq, MSCOCOSeq17

H, W = 48, 64


def _rle_of_rect(x, y, w, h):
    m = np.zeros((H, W), np.uint8, order='F')
    m[y:y + h, x:x + w] = 1
    rle = mask_utils.encode(m)
    rle['counts'] = rle['counts'].decode()
    return rle


def _content(images):
    return {
        'images': images,
        'annotations': [
            {'id': 1, 'image_id': 7, 'category_id': 3, 'bbox': [10, 5, 20, 10], 'area': 200, 'iscrowd': 0,
             'segmentation': [[10, 5, 30, 5, 30, 15, 10, 15]]},
            {'id': 2, 'image_id': 7, 'category_id': 3, 'bbox': [0, 0, 8, 8], 'area': 64, 'iscrowd': 1,
             'segmentation': _rle_of_rect(0, 0, 8, 8)},
            {'id': 3, 'image_id': 8, 'category_id': 4, 'bbox': [40, 20, 12, 6], 'area': 72, 'iscrowd': 0,
             'segmentation': _rle_of_rect(40, 20, 12, 6)}],
        'categories': [{'id': 3, 'name': 'cat', 'supercategory': 'animal'}, {'id': 4, 'name': 'cup', 'supercategory': 'kitchen'}]}


@pytest.fixture
def coco_tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'coco')
    write_text(os.path.join(root, 'annotations', 'instances_train2017.json'), json.dumps(_content(
        [{'id': 7, 'file_name': '000000000007.jpg', 'height': H, 'width': W},
         {'id': 8, 'file_name': '000000000008.jpg', 'height': H, 'width': W}])))
    for k in (7, 8):
        write_image(os.path.join(root, 'images', 'train2017', f'{k:012d}.jpg'), seed=k)
    return root


def test_coco_non_crowd_instances_with_polygon_and_rle_masks(coco_tree):
    ds = MSCOCOSeq17(coco_tree)
    assert len(ds) == 2 and ds.has_mask() and not ds.is_video_sequence()
    frames, anno, meta = ds.get_frames(0, [1, 1])
    assert frames[0].shape == (H, W, 3) and anno['bbox'][0].tolist() == [10, 5, 20, 10]
    m = anno['mask'][0].numpy()
    ys, xs = np.nonzero(m)
    assert 9 <= xs.min() <= 11 and 29 <= xs.max() <= 30 and meta['major_class'] == 'animal'
    _, anno, _ = ds.get_frames(1, [0])
    assert anno['mask'][0].sum().item() == 72


def test_coco_recipe_reader_has_no_masks(coco_tree):
    ds = MSCOCOSeq(coco_tree)
    assert not ds.has_mask() and 'mask' not in ds.get_frames(0, [0])[1]


def test_coco_malformed_json_names_file_and_line(coco_tree):
    path = os.path.join(coco_tree, 'annotations', 'instances_train2017.json')
    with open(path, 'w') as f:
        f.write('{\n"images": [],\n"annotations": [,]\n}\n')
    with pytest.raises(AnnotationError, match=r'instances_train2017\.json, line 3'):
        MSCOCOSeq(coco_tree)


@pytest.fixture
def lvis_tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'lvis')
    content = _content([{'id': 7, 'coco_url': 'http://images.cocodataset.org/train2017/000000000007.jpg',
                         'height': H, 'width': W},
                        {'id': 8, 'coco_url': 'http://images.cocodataset.org/val2017/000000000008.jpg',
                         'height': H, 'width': W}])
    for ann in content['annotations']:
        ann.pop('iscrowd')
        if isinstance(ann['segmentation'], dict):
            ann['segmentation'] = [[40, 20, 52, 20, 52, 26, 40, 26]]
    write_text(os.path.join(root, 'annotations', 'lvis_v1_train.json'), json.dumps(content))
    write_image(os.path.join(root, 'images', 'train2017', '000000000007.jpg'), seed=7)
    write_image(os.path.join(root, 'images', 'val2017', '000000000008.jpg'), seed=8)
    return root


def test_lvis_v1_images_found_through_coco_url_and_masks(lvis_tree):
    ds = LVIS(lvis_tree)
    assert len(ds) == 3 and ds.has_mask()
    frames, anno, meta = ds.get_frames(2, [0])
    assert frames[0].shape == (H, W, 3) and meta['object_class_name'] == 'cup'
    assert anno['bbox'][0].tolist() == [40, 20, 12, 6] and anno['mask'][0].sum().item() > 50


def test_lvis_missing_annotation_file(tmp_path):
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match='lvis_v1_train.json'):
        LVIS(str(tmp_path / 'empty'))
