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
    for row in ('KCF ', 'KCF + Alpha-Refine', 'KCF refined offline (no feed-back)', 'KCF fixed size ',
                'KCF fixed size + Alpha-Refine', 'KCF centres + GT size (oracle)'):
        assert any(line.startswith(row) for line in text.splitlines()), row
    assert "Alpha-Refine changes KCF's AUC by" in text and "fixed-size KCF's by" in text
    assert 'refinements fallen back' in text
    for name in ('plots/success_plot.png', 'plots/precision_plot.png', 'table.txt', 'demo_video.mp4'):
        assert os.path.getsize(os.path.join(out, name)) > 0
    video_mtime = os.path.getmtime(os.path.join(out, 'demo_video.mp4'))

    assert demo.main(TINY + ['--untrained', '--out-dir', out]) == 0
    again = capsys.readouterr().out
    assert again.count('0 sequences run, 2 already done') == 5  # base, refined, oracle, fixed, fixed refined
    assert os.path.getmtime(os.path.join(out, 'demo_video.mp4')) == video_mtime
    rows = lambda out: [line for line in out.splitlines() if line.startswith('KCF')]
    assert rows(again) == rows(text)  # same scores and recorded fps


def test_offline_row_is_the_base_results_refined_without_feed_back(tmp_path):
    out = str(tmp_path / 'demo')
    result = demo.run_demo(demo.build_parser().parse_args(TINY + ['--untrained', '--out-dir', out, '--video-frames', '0']))
    from ltr.data.annotations import read_boxes
    arena_dir = os.path.join(out, 'arena', 'Synthetic-LaSOT')
    for seq in ('ellipse-1.txt', 'rectangle-1.txt'):
        base = read_boxes(os.path.join(arena_dir, 'kcf_default', seq))
        offline = read_boxes(os.path.join(arena_dir, 'kcf_default' + demo.OFFLINE_SUFFIX, seq))
        assert offline.shape == base.shape and (offline[0] == base[0]).all()  # frame 1: the ground truth
    assert set(result['curves']) == {demo.KCF, demo.KCF_AR, demo.KCF_OFFLINE, demo.FIXED, demo.FIXED_AR, demo.ORACLE}


def _args(**kw):
    base = dict(untrained=False, refiner=None, train=False)
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


def test_train_flag_trains_both_stages_of_the_lite_recipe_and_uses_the_second(tmp_path, monkeypatch):
    import ltr.run_training
    calls = []

    def fake_training(module, name, overrides=None):
        calls.append((module, name))
        folder = tmp_path / 'checkpoints' / 'ltr' / module / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / 'SEcmnet_ep0003.pth.tar').write_bytes(b'x')

    monkeypatch.setattr(ltr.run_training, 'run_training', fake_training)
    path, _, line = demo.get_refiner(_args(train=True), str(tmp_path))
    assert calls == [('SEx_beta', 'SEcm_lite0_synthetic'), ('SEx_beta', 'SEcm_lite0_synthetic_s8')]
    assert path == str(tmp_path / 'checkpoints' / 'ltr' / 'SEx_beta' / 'SEcm_lite0_synthetic_s8' / 'SEcmnet_ep0003.pth.tar')
    assert 'locally trained' in line


def test_without_training_the_shipped_refiner_is_used(tmp_path, monkeypatch):
    import ltr.run_training
    from pytracking.evaluation import refiner_source
    monkeypatch.setattr(ltr.run_training, 'run_training', lambda *a, **k: pytest.fail('must not train'))
    shipped = tmp_path / 'shipped.pth.tar'
    shipped.write_bytes(b'x')
    monkeypatch.setattr(refiner_source, 'SHIPPED_REFINER', str(shipped))
    path, _, line = demo.get_refiner(_args(), str(tmp_path))
    assert path == str(shipped) and 'shipped' in line
    monkeypatch.setattr(refiner_source, 'SHIPPED_REFINER', str(tmp_path / 'absent.pth.tar'))
    with pytest.raises(UserInputError, match='SEcm_lite0_synthetic'):
        demo.get_refiner(_args(), str(tmp_path))
    with pytest.raises(UserInputError, match='--refiner'):
        demo.get_refiner(_args(refiner=str(tmp_path / 'missing.pth.tar')), str(tmp_path))
