"""SiamRPN++ in the arena: the 'siamrpn' builder (experiment files, strict load, missing model in one line), runs
with and without the refiner on a synthetic set, the mask -> box mode with --thres, and GOT10k's SiamRPNpp_RF."""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from arena.paths import RF_TYPE
from arena.refiners import load_refiner
from arena.runner import load_arena_benchmark, main, result_name, run_arena
from arena.trackers import tracker_factory
from ltr.admin.loading import CheckpointError
from ltr.data.annotations import read_boxes
from pysot.core.config import load_config
from pysot.models.model_builder import ModelBuilder
from pysot.tracker.arena import EXPERIMENTS_DIR, PysotTracker

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = 'tiny_siamrpn'


@pytest.fixture(scope='module')
def tree(tmp_path_factory):
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    root = tmp_path_factory.mktemp('synthetic') / 'tree'
    return ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=2, frames=6, size=(160, 120),
                                      root=str(root), progress=False)


def _make_nets(root, write_tiny_config):
    from ltr.admin.loading import save_network_checkpoint
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    config = load_config(write_tiny_config(root / TINY))
    torch.manual_seed(0)
    torch.save(ModelBuilder(config).state_dict(), root / TINY / 'model.pth')
    refiner = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)
    save_network_checkpoint(str(root / 'tiny_refiner.pth.tar'), refiner)
    return root


@pytest.fixture
def network_path(tmp_path_factory, tiny_config, monkeypatch):
    root = tmp_path_factory.getbasetemp() / 'pysot_nets'
    if not (root / TINY / 'model.pth').exists():
        _make_nets(root, tiny_config)
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(root))
    return root


def test_builder_finds_the_experiment_in_network_path_and_loads_it_strictly(network_path):
    make = tracker_factory('siamrpn', TINY)
    first, second = make(), make()
    assert isinstance(first, PysotTracker) and first is not second and first.params.experiment == TINY
    saved = torch.load(network_path / TINY / 'model.pth', weights_only=True)
    for key, value in first.tracker.model.state_dict().items():
        torch.testing.assert_close(value, saved[key])


def test_missing_model_file_is_one_line_naming_the_file(network_path, tmp_path, monkeypatch, tiny_config):
    tiny_config(tmp_path / 'only_config')  # a config without model.pth
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    with pytest.raises(CheckpointError) as err:
        tracker_factory('siamrpn', 'only_config')
    message = str(err.value)
    assert '\n' not in message
    assert os.path.join(EXPERIMENTS_DIR, 'only_config', 'model.pth') in message
    assert os.path.join(str(tmp_path), 'only_config', 'model.pth') in message and 'model zoo' in message


@pytest.mark.skipif(os.path.isfile(os.path.join(EXPERIMENTS_DIR, 'siamrpn_r50_l234_dwxcorr', 'model.pth')),
                    reason='the official model.pth is installed here')
def test_script_without_model_file_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'PYTRACKING_', 'ARENA_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), PYTRACKING_NETWORK_PATH=str(tmp_path / 'nets'))
    done = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'LaSOT', 'run_siamrpn_RF.py')], cwd=str(tmp_path),
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and 'Traceback' not in done.stderr and done.stderr.count('\n') == 1
    assert os.path.join('pysot', 'experiments', 'siamrpn_r50_l234_dwxcorr', 'model.pth') in done.stderr


def test_runs_with_and_without_the_refiner_give_finite_clipped_boxes(network_path, tree, tmp_path):
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    make = tracker_factory('siamrpn', TINY)
    refiner = load_refiner(str(network_path / 'tiny_refiner.pth.tar'), device='cpu')
    save = str(tmp_path / 'save')
    base = run_arena(bench, save, result_name('siamrpn', TINY), make, progress=False, log=lambda s: None)
    rf_name = result_name('siamrpn', TINY, RF_TYPE, 0)
    refined = run_arena(bench, save, rf_name, make, lambda seq: refiner, {'refiner': 'tiny'}, progress=False,
                        log=lambda s: None)
    assert len(base.ran) == len(refined.ran) == 2
    for name in (base.tracker_name, rf_name):
        for seq in bench.sequences:
            boxes = read_boxes(os.path.join(save, 'Synthetic-LaSOT', name, seq.name + '.txt'))
            assert boxes.shape == (6, 4) and np.all(np.isfinite(boxes))
            assert np.all(boxes[1:, 2:] >= 10 - 1e-4) and np.all(boxes[1:, 0] + boxes[1:, 2] <= 160 + 1e-4)


def test_mask_mode_with_threshold_names_its_folder_and_records_it(network_path, tree, tmp_path, capsys):
    defaults = SimpleNamespace(RF_type=RF_TYPE, selector_path=0, sr=2.0, input_sz=256, save_dir=str(tmp_path),
                               dataset_root_='', refine_path=None)
    status = main(['--param', TINY, '--dataset-root', tree, '--refine-path', str(network_path / 'tiny_refiner.pth.tar'),
                   '--thres', '0.3', '--first', '1', '--quiet', '--device', 'cpu'],
                  'LaSOT', defaults, tracker='siamrpn', param='siamrpn_r50_l234_dwxcorr', refine=True, mode='mask')
    assert status == 0, capsys.readouterr().err
    folder = tmp_path / 'LaSOT' / result_name('siamrpn', TINY, RF_TYPE + '_m2b_0.3', 0)
    settings = json.loads((folder / 'run_info.json').read_text())['settings']
    assert settings['mode'] == 'mask' and settings['thres'] == 0.3
    assert np.all(np.isfinite(read_boxes(str(next(folder.glob('*[0-9].txt'))))))


def test_got10k_siamrpnpp_rf_runs_and_evaluates(network_path, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'ARENA_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), PYTRACKING_NETWORK_PATH=str(network_path),
               ARENA_SYNTHETIC_SEQUENCES='1', ARENA_SYNTHETIC_FRAMES='5', ARENA_SYNTHETIC_SIZE='128x96')
    script = os.path.join(REPO, 'arena', 'GOT10k', 'eval_got10k.py')
    done = subprocess.run([sys.executable, script, '--tracker', 'SiamRPNpp_RF', '--param', TINY, '--refine-path',
                           str(network_path / 'tiny_refiner.pth.tar'), '--save-dir', str(tmp_path), '--quiet',
                           '--device', 'cpu'], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    name = result_name('siamrpn', TINY, RF_TYPE, 0)
    assert name in done.stdout and 'AO' in done.stdout
    assert any(f.endswith('.txt') for f in os.listdir(tmp_path / 'Synthetic-GOT10k' / name))
