"""The VOT region format (ltr/data/vot_region.py) against the VOT toolkit's and TraX's own functions: mask run
lengths, mask and rectangle lines, offsets at the frame border, the padding of TraX masks to the frame, the
box-only baselines' masks and the initial box of a mask."""
import numpy as np
import pytest

from ltr.data.vot_region import (MaskRegion, VotRegionError, encode_mask, encode_rectangle, init_box_of_mask,
                                 mask_of_box, mask_to_rle, pad_to_frame, parse_region, read_regions, rle_to_mask,
                                 write_regions)

vot_io = pytest.importorskip('vot.region.io', reason='the [vot] extra (vot-toolkit) is not installed')
from vot.region import Special  # noqa: E402
from vot.region.shapes import Mask as VotMask, Rectangle as VotRectangle  # noqa: E402

H, W = 48, 64


def random_masks(seed=0):
    """Blobs anywhere in the frame, touching each border, the whole frame, one pixel, none."""
    rng = np.random.default_rng(seed)
    masks = []
    for _ in range(12):
        m = np.zeros((H, W), np.uint8)
        x0, y0 = rng.integers(0, W - 2), rng.integers(0, H - 2)
        m[y0:y0 + rng.integers(1, 20), x0:x0 + rng.integers(1, 25)] = 1
        m &= (rng.random((H, W)) < 0.8).astype(np.uint8)
        masks.append(m)
    border = np.zeros((H, W), np.uint8)
    border[0, 0] = border[H - 1, W - 1] = border[0, W - 1] = border[H - 1, 0] = 1
    one = np.zeros((H, W), np.uint8)
    one[H - 1, W - 1] = 1
    return masks + [border, one, np.ones((H, W), np.uint8), np.zeros((H, W), np.uint8)]


@pytest.mark.parametrize('index', range(len(random_masks())))
def test_mask_lines_are_the_toolkits(index):
    mask = random_masks()[index]
    line = encode_mask(mask)
    assert line == str(VotMask(mask, optimize=True))  # what the toolkit writes for a whole-frame mask
    # the toolkit's decoder before its optimize step (which takes a one-pixel-wide region for an empty one)
    their_mask, their_offset = vot_io.create_mask_from_string(line[1:].split(','))
    ours = parse_region(line)
    assert ours.offset == tuple(their_offset) and np.array_equal(ours.mask, their_mask)
    assert np.array_equal(ours.full_size((H, W)), mask)


def test_run_lengths_are_the_toolkits():
    rng = np.random.default_rng(1)
    for shape in [(0, 0), (1, 1), (3, 5), (7, 2), (20, 30)]:
        for p in (0.0, 0.3, 0.9, 1.0):
            m = (rng.random(shape) < p).astype(np.uint8)
            rle = mask_to_rle(m)
            assert rle == list(vot_io.mask_to_rle(m))
            if m.size:
                decoded = vot_io.rle_to_mask(np.array(rle, dtype=np.int32), shape[1], shape[0])
                assert np.array_equal(rle_to_mask(rle, shape[1], shape[0]), decoded)
                assert np.array_equal(rle_to_mask(rle, shape[1], shape[0]), m)


def test_short_runs_leave_zeros_and_long_runs_are_an_error():
    assert np.array_equal(rle_to_mask([1, 2], 2, 2), [[0, 1], [1, 0]])  # 3 of 4 pixels given: the rest is 0
    with pytest.raises(VotRegionError, match='more than 4'):
        rle_to_mask([1, 4], 2, 2)


@pytest.mark.parametrize('box', [(10.0, 20.5, 30.25, 4.0), (0, 0, 1, 1), (-3.5, 2, 1e-3, 1e5)])
def test_rectangle_lines_are_the_toolkits(box):
    line = encode_rectangle(box)
    assert line == str(VotRectangle(*box))
    parsed = parse_region(line)
    theirs = vot_io.parse_region(line)
    np.testing.assert_array_equal(parsed, [theirs.x, theirs.y, theirs.width, theirs.height])


def test_polygons_specials_and_nan():
    poly = parse_region('1,2,3,4,5,6')
    assert poly.shape == (3, 2) and poly[2].tolist() == [5.0, 6.0]
    assert parse_region('1') == 1 and parse_region('0') == 0
    assert parse_region('nan,nan,nan,nan') == 0 == vot_io.parse_region('nan,nan,nan,nan').code
    assert isinstance(vot_io.parse_region('2'), Special)


@pytest.mark.parametrize('line, message', [('m1,2,3', 'x0,y0,w,h'), ('1,2,x', 'not a list of numbers'),
                                           ('1,2,3', 'neither'), ('m0,0,2,2,1,9', 'more than 4')])
def test_malformed_lines_are_clear_errors(line, message):
    with pytest.raises(VotRegionError, match=message):
        parse_region(line)


def test_region_files_round_trip_and_errors_name_the_line(tmp_path):
    masks = random_masks()[:3]
    path = str(tmp_path / 'groundtruth.txt')
    write_regions(path, [encode_mask(m) for m in masks])
    assert [r.full_size((H, W)).tolist() for r in read_regions(path)] == [m.tolist() for m in masks]
    assert [str(r) for r in vot_io.read_trajectory(path)] == [encode_mask(m) for m in masks]
    with open(path, 'a') as f:
        f.write('m1,2\n')
    with pytest.raises(VotRegionError, match=r'groundtruth.txt, line 4'):
        read_regions(path)


@pytest.mark.parametrize('offset', [(W - 3, H - 2), (-2, -3), (W + 5, 0), (0, 0)])
def test_offsets_at_the_frame_border_keep_the_part_inside_the_frame(offset):
    region = MaskRegion(np.ones((5, 6), np.uint8), offset)
    full = region.full_size((H, W))
    x0, y0 = offset
    expected = np.zeros((H, W), np.uint8)
    expected[max(y0, 0):max(min(y0 + 5, H), 0), max(x0, 0):max(min(x0 + 6, W), 0)] = 1
    assert np.array_equal(full, expected)
    # the toolkit rasterises the same region into the frame the same way
    bounds = (0, 0, W - 1, H - 1)
    assert np.array_equal(VotMask(region.mask, offset).rasterize(bounds), expected)


def test_trax_masks_padded_to_the_frame_as_upstream():
    trax_region = pytest.importorskip('trax.region', reason='vot-trax is not installed')
    for mask in random_masks()[:-1]:
        sent = VotMask(mask, optimize=True)  # what the toolkit sends: the tight region and its offset
        received = trax_region.Mask.create(sent.mask, x=sent.offset[0], y=sent.offset[1]).array(True)
        assert received.shape[0] <= H and received.shape[1] <= W  # the TraX mask ends at the target
        assert np.array_equal(pad_to_frame(received, (H, W)), mask)


def test_pad_to_frame_pads_right_and_down_and_cuts_what_is_larger():
    small = np.ones((2, 3), np.uint8)
    padded = pad_to_frame(small, (4, 5))
    assert padded.shape == (4, 5) and padded[:2, :3].all() and padded.sum() == 6
    assert pad_to_frame(np.ones((6, 7), np.uint8), (4, 5)).shape == (4, 5)
    assert pad_to_frame(np.ones((6, 2), np.uint8), (4, 5)).sum() == 8
    same = np.eye(4, 5, dtype=np.uint8)
    assert np.array_equal(pad_to_frame(same, (4, 5)), same)


def test_mask_of_a_box_rounds_the_corners_and_clips_to_the_frame():
    m = mask_of_box((1.4, 2.6, 3.2, 1.8), (6, 8))  # x 1..4.6 -> columns 1..4, y 2.6..4.4 -> rows 3..3
    assert np.argwhere(m).tolist() == [[3, 1], [3, 2], [3, 3], [3, 4]]
    assert mask_of_box((-5, -5, 8, 7), (6, 8)).sum() == 3 * 2
    assert mask_of_box((6, 4, 10, 10), (6, 8)).sum() == 2 * 2
    assert mask_of_box((20, 20, 5, 5), (6, 8)).sum() == 0


def test_initial_box_of_a_mask_and_clear_errors_for_empty_or_single_pixel_masks():
    m = np.zeros((H, W), np.uint8)
    m[5:9, 10:13] = 1
    assert init_box_of_mask(m).tolist() == [10, 5, 3, 4]
    with pytest.raises(VotRegionError, match='empty mask'):
        init_box_of_mask(np.zeros((H, W), np.uint8))
    one = np.zeros((H, W), np.uint8)
    one[3, 4] = 1
    with pytest.raises(VotRegionError, match=r'\[4, 3, 1, 1\].*1 target pixels'):
        init_box_of_mask(one)
    line = np.zeros((H, W), np.uint8)
    line[3, 4:20] = 1
    with pytest.raises(VotRegionError, match='under 2 pixels'):
        init_box_of_mask(line)
