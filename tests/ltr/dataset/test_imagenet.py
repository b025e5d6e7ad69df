"""ImageNet VID and DET readers on tiny trees with VOC-style XML annotations."""
import os

import pytest

from ltr.data.annotations import AnnotationError
from ltr.dataset import ImagenetDET, ImagenetVID


def _xml(objects, w=64, h=48, folder='x', fname='000000'):
    objs = ''.join(
        f"<object>{'<trackid>%s</trackid>' % o['tid'] if 'tid' in o else ''}<name>{o['name']}</name>"
        f"<bndbox><xmax>{o['box'][2]}</xmax><xmin>{o['box'][0]}</xmin><ymax>{o['box'][3]}</ymax>"
        f"<ymin>{o['box'][1]}</ymin></bndbox><occluded>{o.get('occ', 0)}</occluded><generated>0</generated></object>"
        for o in objects)
    return (f"<annotation><folder>{folder}</folder><filename>{fname}</filename><source><database>ILSVRC_2015"
            f"</database></source><size><width>{w}</width><height>{h}</height></size>{objs}</annotation>\n")


@pytest.fixture
def vid_tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'vid')
    rel = os.path.join('ILSVRC2015_VID_train_0000', 'ILSVRC2015_train_00000000')
    frames = [[{'tid': 0, 'name': 'n01', 'box': (1, 2, 11, 22)}],
              [{'tid': 0, 'name': 'n01', 'box': (2, 3, 12, 23), 'occ': 1}, {'tid': 1, 'name': 'n02', 'box': (5, 5, 9, 9)}],
              [{'tid': 1, 'name': 'n02', 'box': (6, 6, 10, 10)}]]
    for i, objs in enumerate(frames):
        write_text(os.path.join(root, 'Annotations', 'VID', 'train', rel, f'{i:06d}.xml'), _xml(objs))
        write_image(os.path.join(root, 'Data', 'VID', 'train', rel, f'{i:06d}.JPEG'), seed=i)
    return root


def test_vid_tracklets(vid_tree, cache_dir):
    ds = ImagenetVID(vid_tree, cache_dir=cache_dir)
    assert len(ds) == 2
    assert ds.get_sequence_info(0)['bbox'].tolist() == [[1, 2, 10, 20], [2, 3, 10, 20]]
    t1 = ds.sequence_list[1]
    assert t1['start_frame'] == 1 and t1['class_name'] == 'n02'
    frames, anno, meta = ds.get_frames(1, [1])
    assert frames[0].shape == (48, 64, 3) and anno['bbox'][0].tolist() == [6, 6, 4, 4] and meta['object_class_name'] == 'n02'
    assert ds.get_sequence_info(0)['visible'].tolist() == [True, True]
    occl = ImagenetVID(vid_tree, use_target_visible=True, cache_dir=cache_dir)
    assert occl.get_sequence_info(0)['visible'].tolist() == [True, False]
    assert len(ImagenetVID(vid_tree, min_length=3, cache_dir=cache_dir)) == 0


def test_vid_malformed_xml_names_file_and_line(vid_tree, cache_dir):
    path = os.path.join(vid_tree, 'Annotations', 'VID', 'train', 'ILSVRC2015_VID_train_0000',
                        'ILSVRC2015_train_00000000', '000002.xml')
    with open(path, 'w') as f:
        f.write('<annotation>\n<size><width>64</width>\n<object></annotation>\n')
    with pytest.raises(AnnotationError, match=r'000002\.xml, line 3'):
        ImagenetVID(vid_tree, cache_dir=cache_dir)


@pytest.fixture
def det_tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'det')
    files = {os.path.join('a', 'n01', 'n01_1'): [{'name': 'n01', 'box': (1, 1, 21, 11)}],
             os.path.join('b', 'img_2'): [{'name': 'n02', 'box': (0, 0, 10, 10)}, {'name': 'n03', 'box': (5, 6, 7, 9)}]}
    for rel, objs in files.items():
        write_text(os.path.join(root, 'Annotations', 'DET', 'train', rel + '.xml'), _xml(objs))
        write_image(os.path.join(root, 'Data', 'DET', 'train', rel + '.JPEG'))
    write_text(os.path.join(root, 'Annotations', 'DET', 'train', 'i', 'skipped.xml'), _xml([{'name': 'n9', 'box': (0, 0, 5, 5)}]))
    return root


def test_det_objects_are_one_frame_sequences(det_tree, cache_dir):
    ds = ImagenetDET(det_tree, cache_dir=cache_dir)
    assert not ds.is_video_sequence() and len(ds) == 3  # sub-set 'i' is left out, as upstream
    assert ds.get_sequence_info(0)['bbox'].tolist() == [[1, 1, 20, 10]]
    frames, anno, meta = ds.get_frames(2, [1, 1])
    assert len(frames) == 2 and anno['bbox'][1].tolist() == [5, 6, 2, 3] and meta['object_class_name'] == 'n03'


def test_det_missing_bndbox_value(det_tree, cache_dir):
    path = os.path.join(det_tree, 'Annotations', 'DET', 'train', 'b', 'img_2.xml')
    with open(path, 'w') as f:
        f.write('<annotation><size><width>4</width><height>4</height></size><object><name>n</name>'
                '<bndbox><xmin>a</xmin><ymin>0</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object></annotation>')
    with pytest.raises(AnnotationError, match=r'img_2\.xml: <bndbox/xmin> is not a number'):
        ImagenetDET(det_tree, cache_dir=cache_dir)
