"""Synthetic training datasets: the tree reader (both layouts) and on-the-fly generation with crops."""
import numpy as np
import pytest
import torch

from ltr.data.bounding_box_utils import iou_xywh, mask_to_xywh
from ltr.dataset.base_video_dataset import BaseVideoDataset
from ltr.dataset.synthetic import (SyntheticConfig, SyntheticTracking, SyntheticTrackingOnTheFly, generate_tree,
                                   render_crop, render_frame)

SIZE = (160, 120)
FRAMES = 12
SEED = 3


@pytest.fixture(scope='module', params=['lasot', 'got10k'])
def tree(request, tmp_path_factory):
    root = str(tmp_path_factory.mktemp('syn') / request.param)
    split = 'train'
    generate_tree(root, request.param, split, 2, FRAMES, SIZE, SEED, progress=False)
    return root, split


@pytest.fixture(scope='module')
def fly():
    return SyntheticTrackingOnTheFly(num_sequences=2, frames=FRAMES, size=SIZE, seed=SEED, split='train')


def test_tree_dataset_follows_the_base_interface(tree):
    root, split = tree
    ds = SyntheticTracking(root, split=split)
    assert isinstance(ds, BaseVideoDataset) and ds.has_mask() and ds.get_num_sequences() == 2
    info = ds.get_sequence_info(0)
    assert info['bbox'].shape == (FRAMES, 4) and info['bbox'].dtype == torch.float32
    assert info['valid'].dtype == torch.bool and info['visible'].dtype == torch.bool
    frames, anno, meta = ds.get_frames(0, [0, 5], info)
    assert frames[0].shape == (SIZE[1], SIZE[0], 3) and frames[0].dtype == np.uint8
    assert set(anno) >= {'bbox', 'valid', 'visible', 'mask'}
    assert anno['mask'][1].shape == (SIZE[1], SIZE[0]) and anno['mask'][1].dtype == torch.float32
    assert set(torch.unique(anno['mask'][1]).tolist()) <= {0.0, 1.0}
    np.testing.assert_array_equal(mask_to_xywh(anno['mask'][1].numpy()), anno['bbox'][1].numpy())
    assert meta['object_class_name'] in ds.get_class_list()


def test_on_the_fly_sequences_are_the_written_ones(tree, fly):
    root, split = tree
    ds = SyntheticTracking(root, split=split)
    for seq in range(2):
        assert torch.equal(ds.get_sequence_info(seq)['bbox'], fly.get_sequence_info(seq)['bbox'])
        assert torch.equal(ds.get_sequence_info(seq)['visible'], fly.get_sequence_info(seq)['visible'])
        disk, disk_anno, _ = ds.get_frames(seq, [0, FRAMES - 1])
        mem, mem_anno, _ = fly.get_frames(seq, [0, FRAMES - 1])
        for a, b in zip(disk_anno['mask'], mem_anno['mask']):
            assert torch.equal(a, b)  # PNG masks are lossless
        for a, b in zip(disk, mem):
            assert np.abs(a.astype(int) - b.astype(int)).mean() < 4  # JPEG loss only


def test_unknown_split_is_a_clear_error(tree):
    root, _ = tree
    with pytest.raises(Exception, match="no 'test' split"):
        SyntheticTracking(root, split='test')


def test_frame_box_equals_the_box_of_the_full_mask(fly):
    plan = fly.plan(1)
    for t in range(FRAMES):
        np.testing.assert_array_equal(fly.frame_box(1, t), mask_to_xywh(render_frame(plan, t)[1]))


def test_render_crop_equals_cropping_the_frame(fly):
    plan = fly.plan(0)
    img, mask = render_frame(plan, 4)
    x0, y0, w, h = 30, 20, 64, 48  # scale 1, integer offset: same pixels
    cimg, cmask = render_crop(plan, 4, (x0, y0, w, h), (w, h))
    np.testing.assert_array_equal(cmask, mask[y0:y0 + h, x0:x0 + w])
    assert np.abs(cimg.astype(int) - img[y0:y0 + h, x0:x0 + w].astype(int)).max() <= 2


def test_render_crop_pads_outside_the_frame_with_zeros(fly):
    plan = fly.plan(0)
    img, mask = render_frame(plan, 2)
    cimg, cmask = render_crop(plan, 2, (-20, -10, 60, 40), (60, 40))
    assert not cimg[:10].any() and not cimg[:, :20].any() and not cmask[:10].any()
    np.testing.assert_array_equal(cmask[10:, 20:], mask[:30, :40])


def test_render_crop_at_another_scale_keeps_the_box(fly):
    plan = fly.plan(1)
    box = fly.frame_box(1, 6)
    crop = (box[0] - box[2], box[1] - box[3], 3 * box[2], 3 * box[3])
    _, cmask = render_crop(plan, 6, crop, (96, 96))
    sx, sy = 96 / crop[2], 96 / crop[3]
    expected = np.array([(box[0] - crop[0]) * sx, (box[1] - crop[1]) * sy, box[2] * sx, box[3] * sy])
    assert iou_xywh(mask_to_xywh(cmask), expected) > 0.85


def test_sample_pair_is_deterministic_and_its_boxes_fit_its_masks():
    ds = SyntheticTrackingOnTheFly(num_sequences=5, frames=60, size=(320, 240), seed=0)
    a, b = ds.sample_pair(7, output_sz=128), ds.sample_pair(7, output_sz=128)
    assert a['frame_ids'] == b['frame_ids'] and np.array_equal(a['search_image'], b['search_image'])
    assert not np.array_equal(ds.sample_pair(8, output_sz=128)['search_image'], a['search_image'])
    for i in range(6):
        p = ds.sample_pair(i, output_sz=128)
        for key in ('template', 'search'):
            assert p[f'{key}_image'].shape == (128, 128, 3) and p[f'{key}_mask'].shape == (128, 128)
            assert iou_xywh(mask_to_xywh(p[f'{key}_mask']), p[f'{key}_box']) > 0.8
        # the template crop is centred on its box, side = 2 * sqrt(w * h)
        t = p['template_box']
        np.testing.assert_allclose(t[:2] + t[2:] / 2, [64, 64], atol=1e-6)
        np.testing.assert_allclose(np.sqrt(t[2] * t[3]), 64, rtol=1e-6)


def test_knobs_reject_unknown_names():
    with pytest.raises(ValueError, match='unknown synthetic knob'):
        SyntheticConfig.from_dict({'speed_of_light': 1})


def test_the_project_readers_of_the_real_datasets_read_the_trees_unchanged(tree, tmp_path):
    from ltr.dataset import Got10k, Lasot
    root, split = tree
    ours = SyntheticTracking(root, split=split)
    if ours.layout == 'lasot':
        real = Lasot(root, cache_dir=str(tmp_path / 'cache'))
    else:
        real = Got10k(f"{root}/{split}", cache_dir=str(tmp_path / 'cache'))
    assert sorted(real.sequence_list) == sorted(ours.sequence_list) and real.has_mask()
    for i, name in enumerate(real.sequence_list):
        j = ours.sequence_list.index(name)
        a, b = real.get_sequence_info(i), ours.get_sequence_info(j)
        assert torch.equal(a['bbox'], b['bbox']) and torch.equal(a['visible'], b['visible'])
        assert torch.equal(real.get_frames(i, [3])[1]['mask'][0], ours.get_frames(j, [3])[1]['mask'][0])


def test_motion_blur_of_a_far_zoomed_crop_only_draws_what_reaches_the_crop(monkeypatch):
    import ltr.dataset.synthetic.render as render
    cfg = SyntheticConfig().replace(blur_speed_px=0.0, blur_factor=2.0)  # every moving target is blurred
    ds = SyntheticTrackingOnTheFly(num_sequences=1, frames=FRAMES, size=SIZE, seed=SEED, config=cfg)
    t = next(f for f in range(FRAMES) if ds.frame_box(0, f)[2] > 4)
    x, y, w, h = ds.frame_box(0, t)
    crop = [x + w / 2 - 1, y + h / 2 - 1, 2.0, 2.0]  # 2x2 frame pixels -> 64x64: zoom 32
    warped = []
    real_warp = render._warp
    monkeypatch.setattr(render, '_warp', lambda src, M, roi: warped.append((roi[2] - roi[0]) * (roi[3] - roi[1]))
                        or real_warp(src, M, roi))
    image, mask = ds.render_crop(0, t, crop, (64, 64))
    cut = max(warped)
    warped.clear()
    monkeypatch.setattr(render, '_MAX_BLUR_CANVAS', float('inf'))
    full_image, full_mask = ds.render_crop(0, t, crop, (64, 64))
    assert max(warped) > 10 * cut  # the whole blurred target would have been drawn
    assert np.array_equal(mask, full_mask)
    assert np.abs(image.astype(int) - full_image.astype(int)).max() <= 2  # warp rounding only


def test_ordinary_blurred_crops_are_not_cut(monkeypatch):
    import ltr.dataset.synthetic.render as render
    cfg = SyntheticConfig().replace(blur_speed_px=0.0, blur_factor=2.0)
    ds = SyntheticTrackingOnTheFly(num_sequences=2, frames=FRAMES, size=SIZE, seed=SEED, config=cfg)
    pairs = [ds.sample_pair(i, output_sz=64) for i in range(3)]
    monkeypatch.setattr(render, '_MAX_BLUR_CANVAS', float('inf'))
    for i, p in enumerate(pairs):
        q = ds.sample_pair(i, output_sz=64)
        assert all(np.array_equal(p[k], q[k]) for k in ('template_image', 'search_image', 'search_mask'))
