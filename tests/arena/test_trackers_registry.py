"""The arena's tracker registry and upstream's eval_got10k.py entry point."""
import os
import subprocess
import sys

import pytest

from arena.trackers import GOT10K_TRACKERS, TrackerUnavailable, named_tracker, refiner_code_args, tracker_factory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_pytracking_tracker_factory_gives_fresh_instances():
    make = tracker_factory('kcf', 'default')
    assert make() is not make()


def test_unknown_tracker_and_param_are_one_line_errors():
    with pytest.raises(TrackerUnavailable, match="no package pytracking/tracker/nosuch"):
        tracker_factory('nosuch', 'default')
    with pytest.raises(TrackerUnavailable, match="pytracking/parameter/kcf/nosuch.py"):
        tracker_factory('kcf', 'nosuch')


def test_got10k_names_cover_upstream_trackers():
    assert {'DiMPsuper_RF', 'DiMP50_RF', 'ATOM_RF', 'ECO_RF', 'SiamRPNpp_RF', 'RTMDNet_RF'} <= set(GOT10K_TRACKERS)


def test_eval_got10k_runs_and_evaluates_base_tracker(tmp_path):
    env = dict(os.environ, ARENA_SYNTHETIC_SEQUENCES='2', ARENA_SYNTHETIC_FRAMES='8', ARENA_SYNTHETIC_SIZE='160x120',
               LTR_WORKSPACE_DIR=str(tmp_path / 'workspace'))
    script = os.path.join(ROOT, 'arena', 'GOT10k', 'eval_got10k.py')
    out = subprocess.run([sys.executable, script, '--tracker', 'KCF', '--save-dir', str(tmp_path), '--quiet'],
                         capture_output=True, text=True, env=env, cwd=os.path.dirname(script))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith('no GOT10k root configured')
    assert 'kcf_default' in out.stdout and 'AO' in out.stdout
    assert len(os.listdir(tmp_path / 'Synthetic-GOT10k' / 'kcf_default')) >= 2


def test_eval_got10k_unknown_name(tmp_path):
    script = os.path.join(ROOT, 'arena', 'GOT10k', 'eval_got10k.py')
    out = subprocess.run([sys.executable, script, '--tracker', 'Nope_RF'], capture_output=True, text=True)
    assert out.returncode == 1 and 'unknown' in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_named_tracker_takes_upstream_names_with_or_without_rf():
    assert named_tracker('DiMPsuper_RF') == named_tracker('DiMPsuper') == ('dimp', 'super_dimp')
    assert named_tracker('KCF') == ('kcf', 'default')


def test_unknown_named_tracker_lists_the_known_ones():
    with pytest.raises(TrackerUnavailable, match=r"--tracker DiMP18: unknown \(known: DiMPsuper_RF, .*KCF\)"):
        named_tracker('DiMP18')


def test_rf_code_picks_the_official_file_beside_the_default_refiner():
    assert refiner_code_args(os.path.join('w', 'SEcmnet_ep0040-c.pth.tar'), 'e') == \
        ['--refine-path', os.path.join('w', 'SEcmnet_ep0040-e.pth.tar')]
    assert refiner_code_args(os.path.join('w', 'SEcmnet_ep0040-c.pth.tar'), None) == []
