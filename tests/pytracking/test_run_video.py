"""run_video: a generated video file / image folder -> an annotated MP4 and a txt with one box per frame."""
import os

import cv2
import numpy as np
import pytest
import torch

from ltr.admin.cli import UserInputError
from ltr.data.annotations import read_boxes
from pytracking import run_video
from pytracking.run_video import annotate, parse_box

H, W, N = 96, 128, 8
BOX = (30.0, 20.0, 28.0, 20.0)


def scene_frames():
    """RGB frames of a bright textured block moving right over a darker noisy background."""
    rng = np.random.default_rng(0)
    background = rng.integers(0, 90, (H, W, 3), dtype=np.uint8)
    block = rng.integers(150, 255, (20, 28, 3), dtype=np.uint8)
    frames = []
    for t in range(N):
        img = background.copy()
        img[20:40, 30 + 2 * t:58 + 2 * t] = block
        frames.append(img)
    return frames


@pytest.fixture
def video_file(tmp_path):
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 20, (W, H))
    for rgb in scene_frames():
        writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def frame_count(path):
    cap = cv2.VideoCapture(path)
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_video_file_gives_an_mp4_and_one_box_per_frame(video_file, tmp_path):
    out = str(tmp_path / 'out' / 'clip')
    assert run_video.main([video_file, '--box', ','.join(str(v) for v in BOX), '-o', out]) == 0
    boxes = read_boxes(out + '.txt')
    assert boxes.shape == (N, 4)
    np.testing.assert_allclose(boxes[0], BOX)
    assert frame_count(out + '.mp4') == N
    assert boxes[-1, 0] > boxes[0, 0]  # followed the block to the right


def test_refine_uses_the_shared_step_and_overlays_the_mask_of_one_network_pass(video_file, tmp_path, monkeypatch):
    from ltr.admin.loading import save_network_checkpoint
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    from pytracking.evaluation import running
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'SEcmnet_ep0001.pth.tar')
    save_network_checkpoint(ckpt, SEcm_resnet18(backbone_pretrained=False, input_sz=128, unfreeze_layer3=True))
    steps = []
    original = running.RefinedTracker.track

    def spy(self, image, want_mask=False):
        res = original(self, image, want_mask)
        steps.append((self.refiner is not None, want_mask, res.mask is not None))
        return res

    monkeypatch.setattr(running.RefinedTracker, 'track', spy)
    from pytracking.refine_modules.refine_module import RefineModule
    passes = []
    search = RefineModule._run_search_branch
    monkeypatch.setattr(RefineModule, '_run_search_branch', lambda self, *a: passes.append(1) or search(self, *a))
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        video, txt = run_video.run_video(video_file, np.array(BOX), str(tmp_path / 'rf'), refine=ckpt, progress=False)
    finally:
        torch.set_num_threads(old)
    assert steps == [(True, True, True)] * (N - 1)
    assert len(passes) == N - 1  # box and mask of a frame come from one network pass
    assert read_boxes(txt).shape == (N, 4) and frame_count(video) == N


def test_image_folder_and_max_frames(tmp_path):
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i, rgb in enumerate(scene_frames()):
        cv2.imwrite(str(folder / f'{i}.png'), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    video, txt = run_video.run_video(str(folder), np.array(BOX), str(tmp_path / 'f'), max_frames=5, progress=False)
    assert read_boxes(txt).shape == (5, 4) and frame_count(video) == 5


def test_annotate_draws_box_and_tints_the_mask():
    rgb = np.zeros((H, W, 3), np.uint8)
    mask = np.zeros((H, W), np.uint8)
    mask[50:60, 50:60] = 1
    bgr = annotate(rgb, np.array([10.0, 10.0, 20.0, 20.0]), mask=mask)
    assert tuple(bgr[10, 15]) == (0, 255, 0)          # box edge, green (BGR)
    assert bgr[55, 55, 2] > 0 and bgr[55, 55, 0] == 0  # red tint inside the mask
    assert not bgr[80, 100].any()


@pytest.mark.parametrize('text', ['1,2,3', '1,2,0,4', 'a,b,c,d', '1,2,nan,4'])
def test_bad_box_is_a_clear_error(text):
    with pytest.raises(UserInputError, match='--box'):
        parse_box(text)


def test_missing_source_and_no_display(tmp_path, video_file, monkeypatch):
    with pytest.raises(UserInputError, match='no such video file'):
        run_video.run_video(str(tmp_path / 'nothing.mp4'), np.array(BOX), str(tmp_path / 'x'), progress=False)
    monkeypatch.setattr(run_video, 'has_display', lambda: False)
    with pytest.raises(UserInputError, match='--box'):
        run_video.run_video(video_file, None, str(tmp_path / 'x'), progress=False)
    assert not os.path.exists(str(tmp_path / 'x.mp4'))
