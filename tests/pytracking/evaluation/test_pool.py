"""Parallel and sharded runs below the arena: shard arithmetic, run_sequence_pool (failures, timing, seeding),
and pytracking/run_tracker.py --workers / --shard (same files as one process)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.running import (RefinedTracker, parse_shard, run_sequence_pool, seed_globals,
                                           shard_sequences)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def named(n):
    return SequenceList(Sequence(name=f's{k}', frames=[], dataset='x', ground_truth_rect=np.zeros((1, 4)))
                        for k in range(n))


def test_parse_shard():
    assert parse_shard('2/4') == (2, 4) and parse_shard('1/1') == (1, 1)
    for bad in ('0/3', '4/3', '1', 'a/b', '1/2/3'):
        with pytest.raises(ValueError, match='--shard'):
            parse_shard(bad)


@pytest.mark.parametrize('n, count', [(10, 3), (2, 3), (7, 1)])
def test_shards_partition_the_list_in_its_order(n, count):
    seqs = named(n)
    shards = [shard_sequences(seqs, i, count).names() for i in range(1, count + 1)]
    assert sorted(sum(shards, []), key=lambda s: int(s[1:])) == seqs.names()
    assert shards[0] == seqs.names()[::count]  # sequence k goes to shard k mod N + 1


def test_seed_globals_makes_the_global_generators_repeat():
    import random
    import torch
    seed_globals(0)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_globals(0)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


class StillTracker:
    def initialize(self, image, info):
        self.box = np.asarray(info['init_bbox'], dtype=float)

    def track(self, image, info=None):
        return {'target_bbox': self.box}

    def set_target_box(self, box):
        self.box = np.asarray(box, dtype=float)


def _sequences(tmp_path, n=3, frames=3):
    import cv2
    seqs = []
    for k in range(n):
        paths = []
        for i in range(frames):
            p = str(tmp_path / f'seq{k}_{i}.png')
            cv2.imwrite(p, np.full((72, 96, 3), 40 * k, np.uint8))
            paths.append(p)
        seqs.append(Sequence(name=f'seq{k}', frames=paths, dataset='fake',
                             ground_truth_rect=np.tile([[10.0, 10.0, 30.0, 20.0]], (frames, 1))))
    return SequenceList(seqs)


def test_pool_reports_a_failing_sequence_and_finishes_the_others(tmp_path):
    seqs = _sequences(tmp_path)
    out = str(tmp_path / 'out')

    def make(seq):
        if seq.name == 'seq1':
            raise ValueError('no such thing')
        return RefinedTracker(StillTracker())
    failures = []
    outcome = run_sequence_pool(seqs, out, make, progress=False, on_failed=failures.append)
    assert sorted(outcome.done) == ['seq0', 'seq2'] and [f.name for f in outcome.failed] == ['seq1']
    assert failures[0].line().startswith('seq1: ValueError: no such thing (traceback: ')
    result = outcome.done['seq0']
    assert result.read_times.shape == (3,) and result.build_time >= 0  # timing of the components
    again = run_sequence_pool(seqs, out, lambda s: RefinedTracker(StillTracker()), progress=False)
    assert list(again.done) == ['seq1'] and sorted(again.finished_before) == ['seq0', 'seq2']


def _run_tracker(tmp_path, root, out, *extra):
    cmd = [sys.executable, os.path.join(REPO, 'pytracking', 'run_tracker.py'), 'kcf', 'default', '--dataset',
           'synthetic_lasot', '--dataset-root', root, '--results-path', str(tmp_path / out), '--quiet', *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=REPO), timeout=300)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / out / 'kcf' / 'default'
    return {n: (folder / n).read_bytes() for n in os.listdir(folder) if n.endswith('.txt') and not n.endswith('_time.txt')}


def test_run_tracker_workers_and_shards_write_the_files_of_one_process(tmp_path):
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=3, frames=5, size=(96, 72),
                                      root=str(tmp_path / 'tree'), progress=False)
    one = _run_tracker(tmp_path, root, 'one')
    assert len(one) == 3
    assert _run_tracker(tmp_path, root, 'two', '--workers', '2') == one
    _run_tracker(tmp_path, root, 'sharded', '--shard', '1/2')
    assert _run_tracker(tmp_path, root, 'sharded', '--shard', '2/2') == one
