"""arena eval: the synthetic fallback when no LaSOT root is configured, and OTB-style sets
(in-process calls of arena.evaluate.run, as the eval.py scripts make them)."""
import importlib.util
import json
import os

import numpy as np
import pytest

from ltr.data.annotations import write_boxes
from pytracking.evaluation.lasotdataset import lasot_dataset
from pytracking.evaluation.readers_common import packaged_table

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_common_path(bench):
    """arena/<bench>/common_path.py as eval.py imports it (its values read the configuration now)."""
    spec = importlib.util.spec_from_file_location(f'common_path_{bench}', os.path.join(REPO, 'arena', bench, 'common_path.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tiny_synthetic(tmp_path, monkeypatch):
    """No LaSOT root; workspace, arena output and a tiny synthetic benchmark in tmp_path."""
    monkeypatch.setenv('PYTRACKING_LASOT_PATH', '')
    monkeypatch.setenv('PYTRACKING_OTB_PATH', '')
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path / 'workspace'))
    monkeypatch.setenv('ARENA_SAVE_DIR', str(tmp_path / 'arena'))
    monkeypatch.setenv('ARENA_SYNTHETIC_SEQUENCES', '2')
    monkeypatch.setenv('ARENA_SYNTHETIC_FRAMES', '8')
    monkeypatch.setenv('ARENA_SYNTHETIC_SIZE', '64x48')
    from arena.benchmarks import synthetic_benchmark_root
    root = synthetic_benchmark_root('lasot')
    assert root.startswith(str(tmp_path / 'workspace' / 'synthetic'))
    return root, tmp_path / 'arena'


def test_lasot_eval_falls_back_to_synthetic_benchmark(tiny_synthetic, tmp_path, capsys):
    from arena.evaluate import run
    root, save_dir = tiny_synthetic
    seqs = lasot_dataset(root, 'test')
    for s in seqs:  # a perfect tracker: every visible frame is within 20 px
        write_boxes(str(save_dir / 'Synthetic-LaSOT' / 'perfect' / f'{s.name}.txt'), s.ground_truth_rect)
    defaults = load_common_path('LaSOT')
    assert defaults.dataset_root_ == '' and defaults.save_dir == str(save_dir)
    out_json = tmp_path / 'scores.json'
    code = run(['--no-plots', '--json', str(out_json)], 'LaSOT', defaults, layout='lasot')
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[0] == (f'no LaSOT root configured: evaluating the synthetic benchmark Synthetic-LaSOT '
                        f'({len(seqs)} sequences at {root})')
    assert lines[1].startswith(f'Synthetic-LaSOT: {len(seqs)} sequences, official convention')
    scores = json.loads(out_json.read_text())['perfect']
    for s in seqs:
        # perfect boxes: every present frame is a success, absent frames are removed from the
        # numerator but stay in the denominator
        expected = s.target_visible.sum() / len(s)
        assert scores['per_sequence'][s.name]['precision'] == pytest.approx(expected, abs=1e-12)


def test_otb_eval_scores_each_otb_style_set(tmp_path, monkeypatch, capsys):
    from arena.evaluate import run
    rng = np.random.default_rng(0)
    root = tmp_path / 'otb'
    gts = {}
    for row in packaged_table('otb100.csv'):
        n = int(row['end_frame']) - int(row['start_frame']) + 1
        gt = np.column_stack([rng.uniform(1, 100, (n, 2)), rng.uniform(10, 50, (n, 2))]).round(0)
        write_boxes(str(root / row['folder'] / row['anno_file']), gt, decimals=0)
        gts[row['name']] = gt[int(row['init_omit']):]
    res = tmp_path / 'arena' / 'OTB100'
    for name, gt in gts.items():
        write_boxes(str(res / 'good' / f'{name}.txt'), gt + rng.normal(0, 1, gt.shape))
        write_boxes(str(res / 'poor' / f'{name}.txt'), gt + rng.normal(0, 20, gt.shape))
    monkeypatch.setenv('PYTRACKING_OTB_PATH', str(root))
    monkeypatch.setenv('ARENA_SAVE_DIR', str(tmp_path / 'arena'))
    defaults = load_common_path('OTB')
    assert defaults.dataset_root_ == str(root)
    code = run(['--no-plots', '--convention', 'pysot'], 'OTB100', defaults, layout='otb')
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[0].startswith('OTB100: 100 sequences, pysot convention')
    assert [l.split()[0] for l in lines[3:5]] == ['good', 'poor']
    # a set whose root is not configured (and no synthetic fallback asked for by name) is one line
    monkeypatch.setenv('PYTRACKING_UAV_PATH', str(tmp_path / 'missing'))
    code = run(['--no-plots', '-d', 'UAV123'], 'OTB100', load_common_path('OTB'), layout='otb')
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and 'missing' in err[0]
    code = run(['--no-plots', '-d', 'VOT2018'], 'OTB100', defaults, layout='otb')
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and 'OTB100, NFS30, UAV123' in err[0]
