"""make demo on tiny settings: table, plots, video, caching; how the refiner is chosen."""
import argparse
import os

import pytest
import torch

from ltr.admin.cli import UserInputError
from arena import demo

TINY = ['--sequences', '2', '--frames', '8', '--size', '96x72', '--video-frames', '4', '--threads', '1', '--quiet']


@pytest.fixture(autouse=True)
def restore_threads():
    old = torch.get_num_threads()
    yield
    torch.set_num_threads(old)


def test_tiny_demo_end_to_end_then_cached(tmp_path, capsys):
    out = str(tmp_path / 'demo')
    assert demo.main(TINY + ['--untrained', '--out-dir', out]) == 0
    text = capsys.readouterr().out
    assert 'Synthetic-LaSOT: 2 sequences x 8 frames, official convention' in text
    for row in ('KCF ', 'KCF + Alpha-Refine', 'KCF centres + GT size (oracle)'):
        assert any(line.startswith(row) for line in text.splitlines())
    assert "Alpha-Refine changes KCF's AUC by" in text and 'refinements fallen back' in text
    for name in ('plots/success_plot.png', 'plots/precision_plot.png', 'table.txt', 'demo_video.mp4'):
        assert os.path.getsize(os.path.join(out, name)) > 0
    video_mtime = os.path.getmtime(os.path.join(out, 'demo_video.mp4'))

    assert demo.main(TINY + ['--untrained', '--out-dir', out]) == 0
    again = capsys.readouterr().out
    assert again.count('0 sequences run, 2 already done') == 3  # base, refined, oracle: all cached
    assert os.path.getmtime(os.path.join(out, 'demo_video.mp4')) == video_mtime
    rows = lambda out: [line for line in out.splitlines() if line.startswith('KCF')]
    assert rows(again) == rows(text)  # same scores and recorded fps


def _args(**kw):
    base = dict(untrained=False, refiner=None, skip_training=False)
    base.update(kw)
    return argparse.Namespace(**base)


def test_refiner_choice_official_first(tmp_path, monkeypatch):
    import ltr.run_training
    official = tmp_path / 'checkpoints' / 'ltr' / 'SEx_beta' / 'SEcm_r34' / 'SEcmnet_ep0040-c.pth.tar'
    official.parent.mkdir(parents=True)
    official.write_bytes(b'x')
    monkeypatch.setattr(ltr.run_training, 'run_training', lambda *a, **k: pytest.fail('must not train'))
    path, _, line = demo.get_refiner(_args(), str(tmp_path))
    assert path == str(official) and 'official' in line


def test_refiner_choice_trains_the_synthetic_recipe_when_nothing_else(tmp_path, monkeypatch):
    import ltr.run_training
    calls = []

    def fake_training(module, name):
        calls.append((module, name))
        folder = tmp_path / 'checkpoints' / 'ltr' / 'SEx_beta' / 'SEcm_synthetic'
        folder.mkdir(parents=True, exist_ok=True)
        (folder / 'SEcmnet_ep0003.pth.tar').write_bytes(b'x')

    monkeypatch.setattr(ltr.run_training, 'run_training', fake_training)
    path, _, line = demo.get_refiner(_args(), str(tmp_path))
    assert calls == [('SEx_beta', 'SEcm_synthetic')] and path.endswith('SEcmnet_ep0003.pth.tar')


def test_skip_training_without_a_checkpoint_says_what_to_do(tmp_path):
    with pytest.raises(UserInputError, match='SEcm_synthetic'):
        demo.get_refiner(_args(skip_training=True), str(tmp_path))
    with pytest.raises(UserInputError, match='--refiner'):
        demo.get_refiner(_args(refiner=str(tmp_path / 'missing.pth.tar')), str(tmp_path))
