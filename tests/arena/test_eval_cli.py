"""arena/LaSOT/eval.py on an in-test fake LaSOT tree (annotation files only, no images)."""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from ltr.data.annotations import write_boxes, write_flags

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVAL = os.path.join(REPO, 'arena', 'LaSOT', 'eval.py')


def make_tree(root, nseq=3, n=30, seed=0):
    """Fake LaSOT tree: <cls>/<cls>-k/{groundtruth,full_occlusion,out_of_view}.txt + testing_set.txt."""
    rng = np.random.default_rng(seed)
    names, gts = [], {}
    for k in range(nseq):
        name = f'cat-{k + 1}'
        d = os.path.join(root, 'cat', name)
        gt = np.column_stack([rng.uniform(1, 200, (n, 2)), rng.uniform(10, 60, (n, 2))]).round(1)
        write_boxes(os.path.join(d, 'groundtruth.txt'), gt)
        occ = np.zeros(n, int)
        occ[n // 2] = 1
        write_flags(os.path.join(d, 'full_occlusion.txt'), occ)
        write_flags(os.path.join(d, 'out_of_view.txt'), np.zeros(n, int))
        names.append(name)
        gts[name] = gt
    with open(os.path.join(root, 'testing_set.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    return gts


def write_results(results, tracker, gts, noise, seed=1, sep=','):
    rng = np.random.default_rng(seed)
    for name, gt in gts.items():
        pred = gt + rng.normal(0, noise, gt.shape)
        path = os.path.join(results, *tracker.split('/'), name + '.txt')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(''.join(sep.join(f'{v:.6f}' for v in row) + '\n' for row in pred))


def run_script(*args, cwd=REPO):
    """The real script in a subprocess."""
    env = dict(os.environ, MPLBACKEND='Agg')
    return subprocess.run([sys.executable, EVAL, *args], capture_output=True, text=True, cwd=cwd, env=env)


def run_eval(*args, capsys=None):
    """arena.evaluate.run in-process, as eval.py calls it; returns (status, stdout, stderr)."""
    from arena.evaluate import run
    defaults = SimpleNamespace(dataset_root_='', save_dir='unused')
    code = run(list(args), 'LaSOT', defaults, layout='lasot')
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / 'lasot'
    gts = make_tree(str(root))
    res = tmp_path / 'results'
    write_results(str(res), 'good', gts, 1.0)
    write_results(str(res), 'group/bad', gts, 15.0, seed=2, sep='\t')
    return root, res, gts


def test_eval_table_json_and_plots(tree, tmp_path):
    root, res, gts = tree
    out_json = tmp_path / 'scores.json'
    plots = tmp_path / 'plots'
    p = run_script('--dataset-root', str(root), '--results-dir', str(res), '--json', str(out_json),
                 '--plot-dir', str(plots))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert 'official convention' in lines[0]
    rows = [l for l in lines if l.startswith('good') or l.startswith('group/bad')]
    assert [r.split()[0] for r in rows] == ['good', 'group/bad']  # sorted by AUC, '/' names kept
    data = json.loads(out_json.read_text())
    assert set(data) == {'good', 'group/bad'}
    for t in data.values():
        assert 0 <= t['auc'] <= 1 and 0 <= t['precision'] <= 1 and set(t['per_sequence']) == set(gts)
    assert f"{100 * data['good']['auc']:.1f}" in rows[0]
    assert (plots / 'success_plot.png').stat().st_size > 0 and (plots / 'precision_plot.png').exists()


def test_eval_runs_from_its_own_folder_with_upstream_aliases(tree):
    root, res, _ = tree
    p = run_script('--dataset_root', str(root), '-p', str(res), '-t', 'good', '--convention', 'pysot', '-s',
                   '--no-plots', cwd=os.path.join(REPO, 'arena', 'LaSOT'))
    assert p.returncode == 0, p.stderr
    assert 'pysot convention' in p.stdout and 'group/bad' not in p.stdout and 'cat-2' in p.stdout


@pytest.mark.parametrize('damage, expect', [
    ('short', 'line 30: missing'), ('unparsable', 'line 3: not a number')])
def test_bad_results_one_line_error_no_table(tree, damage, expect, capsys):
    root, res, _ = tree
    path = res / 'good' / 'cat-2.txt'
    lines = path.read_text().splitlines()
    if damage == 'short':
        path.write_text('\n'.join(lines[:-1]) + '\n')
    else:
        lines[2] = '1,2,abc,4'
        path.write_text('\n'.join(lines) + '\n')
    p = run_eval('--dataset-root', str(root), '--results-dir', str(res), '--no-plots', capsys=capsys)
    assert p.returncode == 1
    assert p.stdout == ''
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and "tracker 'good'" in err[0] and "'cat-2'" in err[0] and expect in err[0]
    assert str(path) in err[0]


def test_missing_results_are_reported_per_tracker_and_the_complete_ones_scored(tree, capsys):
    root, res, _ = tree
    (res / 'good' / 'cat-2.txt').unlink()
    p = run_eval('--dataset-root', str(root), '--results-dir', str(res), '--no-plots', capsys=capsys)
    assert p.returncode == 1
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and "tracker 'good': 1 of" in err[0] and 'cat-2' in err[0]
    rows = [line.split()[0] for line in p.stdout.splitlines() if line.startswith(('good', 'group/bad'))]
    assert rows == ['group/bad']  # the complete tracker is scored


def test_longer_results_truncated_with_warning(tree, capsys):
    root, res, _ = tree
    path = res / 'good' / 'cat-1.txt'
    path.write_text(path.read_text() + '1,1,5,5\n')
    p = run_eval('--dataset-root', str(root), '--results-dir', str(res), '--no-plots', capsys=capsys)
    assert p.returncode == 0 and 'truncated' in p.stderr


def test_missing_dataset_root_is_one_line(tmp_path):
    p = run_script('--dataset-root', str(tmp_path / 'nope'), '--results-dir', str(tmp_path))
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and 'nope' in p.stderr


IMPORTS_OF_EVAL = """
import os, runpy, sys
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(sys.argv[0]))  # as 'python <script>' does
try:
    runpy.run_path(sys.argv[0], run_name='__main__')
except SystemExit as e:
    assert not e.code, e.code
print(' '.join(m for m in ('torch', 'matplotlib', 'matplotlib.pyplot') if m in sys.modules))
"""


@pytest.mark.parametrize('plots', [False, True])
def test_evaluation_never_imports_torch_and_matplotlib_only_to_plot(tree, tmp_path, plots):
    root, res, _ = tree
    args = [EVAL, '--dataset-root', str(root), '--results-dir', str(res), '--plot-dir', str(tmp_path / 'p')]
    p = subprocess.run([sys.executable, '-c', IMPORTS_OF_EVAL, *args, *([] if plots else ['--no-plots'])],
                       capture_output=True, text=True, cwd=REPO)
    assert p.returncode == 0, p.stderr
    imported = p.stdout.splitlines()[-1].split()  # the modules the wrapper found imported
    assert imported == (['matplotlib'] if plots else [])  # never torch, never pyplot


def test_parallel_scoring_equals_scoring_in_process(tree, capsys):
    root, res, _ = tree
    path = res / 'good' / 'cat-1.txt'
    path.write_text(path.read_text() + '1,1,5,5\n')  # a warning raised in a worker comes back
    outs = []
    for num in ('1', '2'):
        p = run_eval('--dataset-root', str(root), '--results-dir', str(res), '--no-plots', '-n', num, '-s',
                     capsys=capsys)
        assert p.returncode == 0 and p.stderr.count('truncated') == 1
        outs.append(p.stdout)
    assert outs[0] == outs[1]
