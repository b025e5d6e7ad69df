"""The VOT toolkit side of the VOT2020 arena: a workspace for our TraX trackers, the ``vot`` command that evaluates
and analyses them, and the numbers it reports (needs the ``[vot]`` extra; doc/vot2020.md).

A workspace (``vot`` toolkit 0.9 layout)::

    <workspace>/config.yaml    registry ./trackers.ini, stack ./stack.yaml, sequences <VOT dataset folder>
    <workspace>/stack.yaml     the experiments (no dataset URL: nothing is ever downloaded)
    <workspace>/trackers.ini   one entry per tracker: protocol trax, the entry point's command line
    <workspace>/results/<tracker>/<experiment>/<seq>/<seq>_<anchor>.txt (+ _time.value)   written by vot evaluate
    <workspace>/analysis/<name>.json                                                     written by vot analysis

The experiments are the toolkit's VOT2020 short-term ``baseline`` (multistart: a run from every anchor frame,
analyses multistart_average_ar = accuracy and robustness, multistart_eao_score = EAO) with the experiment type
:class:`MultiStart`: vot-toolkit 0.9.0's own multistart experiment cannot run (see the class); its analyses,
runtime, TraX client and region code are used as they are.
"""
from __future__ import annotations

import configparser
import json
import math
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import yaml

from ltr.admin.fileio import atomic_write_text

__all__ = ['MultiStart', 'TrackerEntry', 'VOT2020_EAO', 'synthetic_stack', 'vot2020_stack', 'tracker_entry',
           'write_trackers_ini', 'read_trackers_ini', 'create_workspace', 'vot_command', 'offline_env', 'run_vot',
           'incomplete_runs', 'frame_times', 'read_analysis', 'format_table', 'WorkspaceError']

MULTISTART = 'arena.VOT2020.toolkit.MultiStart'  # the stack's experiment type
VOT2020_EAO = (115, 755)  # EAO interval of the VOT2020 short-term stack (vot/stack/vot2020/shortterm.yaml)
SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
OFFLINE_PROXY = 'http://127.0.0.1:9'  # a closed local port: the toolkit's update check fails at once, offline
FIXED_SCRIPTS = {'kcf': 'default', 'siamrpn': 'siamrpn_r50_l234_dwxcorr', 'rtmdnet': 'default'}  # run_<name>*.py


class WorkspaceError(RuntimeError):
    """A workspace that cannot be created, run or read; the message is one line."""


def _multistart_base():
    from vot.experiment.multistart import MultiStartExperiment
    return MultiStartExperiment


class MultiStart(_multistart_base()):
    """The toolkit's multistart experiment (VOT2020 short-term ``baseline``) with a working run step.

    vot-toolkit 0.9.0's ``MultiStartExperiment.execute`` cannot run: it queries the runtime with an
    ``ObjectStatus`` where ``ObjectQuery`` takes a region ("ObjectQuery.state must be a Region"), sets the query's
    offset to the anchor's index in the sequence instead of 0 in the anchor's sub-sequence, and reads per-object
    times from the runtime's per-frame list. This one runs each anchor's sub-sequence the way the toolkit's
    multirun experiment runs its sub-sequences and writes the same result files (``<seq>_<anchor:08d>``, the
    initialisation frame marked as such, per-frame times); scanning, anchors and analyses are the toolkit's.
    """

    def execute(self, tracker, sequence, force: bool = False, callback: Optional[Callable[[float], None]] = None):
        """Run `tracker` from every anchor of `sequence` (forward anchors to the end, backward ones to the start)."""
        from vot.dataset.proxy import FrameMapSequence
        from vot.experiment.multistart import find_anchors
        from vot.region import Special
        from vot.tracker import ObjectQuery, Trajectory
        results = self.results(tracker, sequence)
        forward, backward = find_anchors(sequence, self.anchor)
        if not forward and not backward:
            raise RuntimeError("Sequence does not contain any anchors")
        runs = [(i, False) for i in forward] + [(i, True) for i in backward]
        with self._get_runtime(tracker, sequence) as runtime:
            for done, (anchor, reverse) in enumerate(runs, start=1):
                name = f"{sequence.name}_{anchor:08d}"
                if force or not Trajectory.exists(results, name):
                    order = range(anchor, -1, -1) if reverse else range(anchor, len(sequence))
                    proxy = FrameMapSequence(sequence, list(order))
                    start = self._get_initialization(proxy, 0)
                    run = runtime.run(proxy, [ObjectQuery(start.region, start.properties, 0)])
                    trajectory = Trajectory(len(proxy))
                    trajectory.set(0, Special(Trajectory.INITIALIZATION), {'time': run.times[0]})
                    for frame in range(1, len(proxy)):
                        trajectory.set(frame, run.objects[0][frame].region, {'time': run.times[frame]})
                    trajectory.write(results, name)
                if callback:
                    callback(done / len(runs))


# -- stacks ------------------------------------------------------------------------------------
def _baseline(low: int, high: int) -> dict:
    """The VOT2020 short-term ``baseline`` experiment with EAO interval [low, high]."""
    return {'type': MULTISTART,
            'analyses': [{'type': 'multistart_eao_score', 'name': 'eaoscore', 'low': low, 'high': high},
                         {'type': 'multistart_average_ar', 'name': 'ar'}]}


def vot2020_stack() -> dict:
    """The VOT2020 short-term stack's baseline experiment (EAO over frames 115..755), without a dataset URL."""
    return {'title': 'VOT-ST2020 baseline (multistart), Alpha-Refine arena',
            'experiments': {'baseline': _baseline(*VOT2020_EAO)}}


def synthetic_stack(frames: int) -> dict:
    """The baseline experiment for a synthetic VOT set of `frames`-frame sequences: VOT2020's EAO interval scaled
    from its 755 frames to `frames` (low = round(115 / 755 * frames), high = frames)."""
    low = max(1, round(VOT2020_EAO[0] / VOT2020_EAO[1] * frames))
    return {'title': f'Synthetic VOT2020 baseline (multistart, EAO over frames {low}..{frames})',
            'experiments': {'baseline': _baseline(low, frames)}}


# -- trackers ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackerEntry:
    """One ``trackers.ini`` entry: identifier, label and the entry point's command line."""
    identifier: str
    label: str
    command: str
    timeout: int = 120  # seconds the toolkit waits for an answer (the first one includes loading the networks)


def tracker_entry(tracker: str, param: str = 'default', alphaseg: bool = True, refiner: Optional[str] = None,
                  mask_thres: Optional[float] = None, feedback: Optional[str] = None, device: Optional[str] = None,
                  python: str = sys.executable) -> TrackerEntry:
    """The entry of `tracker`/`param` (``<tracker>_<param>_alphaseg`` or ``_box``): ``run_kcf*.py``,
    ``run_siamrpn*.py``, ``run_rtmdnet*.py`` (their one parameter set; 'default' names it) or ``run_pytracking*.py
    --tracker_name --tracker_param``, with an absolute interpreter and script path (the toolkit runs it in a
    temporary folder)."""
    if tracker in FIXED_SCRIPTS:
        if param not in ('default', FIXED_SCRIPTS[tracker]):
            raise ValueError(f"--tracker {tracker}:{param}: run_{tracker}*.py runs {tracker}:{FIXED_SCRIPTS[tracker]} "
                             f"only")
        param = FIXED_SCRIPTS[tracker]
    script = (tracker if tracker in FIXED_SCRIPTS else 'pytracking') + ('_alphaseg' if alphaseg else '')
    argv = [python, os.path.join(SCRIPTS_DIR, f'run_{script}.py')]
    if tracker not in FIXED_SCRIPTS:
        argv += ['--tracker_name', tracker, '--tracker_param', param]
    for flag, value in (('--refiner', refiner), ('--mask_thres', mask_thres), ('--feedback', feedback)):
        if alphaseg and value is not None:
            argv += [flag, str(value)]
    if device:
        argv += ['--device', device]
    kind = 'alphaseg' if alphaseg else 'box'
    identifier = f"{tracker}_{param}_{kind}".replace('.', '-')
    label = f"{tracker} {param} + AR masks" if alphaseg else f"{tracker} {param} (box)"
    return TrackerEntry(identifier, label, ' '.join(shlex.quote(a) for a in argv))


def write_trackers_ini(path: str, entries: Sequence[TrackerEntry]) -> None:
    """``trackers.ini`` with `entries` (TraX protocol), replacing the file."""
    config = configparser.ConfigParser(interpolation=None)
    for e in entries:
        config[e.identifier] = {'label': e.label, 'protocol': 'trax', 'command': e.command, 'timeout': str(e.timeout)}
    with open(path, 'w', encoding='utf-8') as f:
        f.write('# written by arena/VOT2020/eval.py (doc/vot2020.md)\n')
        config.write(f)


def read_trackers_ini(path: str) -> Dict[str, TrackerEntry]:
    """The entries of a ``trackers.ini`` (none when the file is missing or empty)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(path, encoding='utf-8')
    return {name: TrackerEntry(name, section.get('label', name), section.get('command', ''),
                               int(section.get('timeout', TrackerEntry.timeout)))
            for name, section in config.items() if name != configparser.DEFAULTSECT}


def create_workspace(directory: str, sequences: str, entries: Sequence[TrackerEntry], stack: dict,
                     replace: bool = False) -> str:
    """A VOT workspace at `directory` for the VOT dataset folder `sequences` (``list.txt`` and sequence folders):
    ``config.yaml`` (the toolkit's ``Workspace.initialize``, no download), ``stack.yaml`` (rewritten) and
    ``trackers.ini`` (`entries` added; other entries kept). An entry whose command changed while results of it
    exist (another refiner file, other flags) is a WorkspaceError unless `replace` (the caller reruns it).
    Returns `directory`."""
    from vot.workspace import Workspace
    if not os.path.isfile(os.path.join(sequences, 'list.txt')):
        raise WorkspaceError(f"{sequences}: not a VOT dataset folder (no list.txt)")
    config = {'registry': ['./trackers.ini'], 'stack': './stack.yaml', 'sequences': os.path.abspath(sequences)}
    if Workspace.exists(directory):
        with open(os.path.join(directory, 'config.yaml'), encoding='utf-8') as f:
            old = yaml.safe_load(f) or {}
        if old.get('sequences') != config['sequences']:
            raise WorkspaceError(f"{directory}: a workspace for other sequences ({old.get('sequences')}); "
                                 f"use another --workspace")
    else:
        Workspace.initialize(directory, config, download=False)
    ini = os.path.join(directory, 'trackers.ini')
    known = read_trackers_ini(ini)
    changed = [e.identifier for e in entries if e.identifier in known and known[e.identifier].command != e.command
               and os.path.isdir(os.path.join(directory, 'results', e.identifier))]
    if changed and not replace:
        raise WorkspaceError(f"{directory}: results of {', '.join(changed)} were made with another command (refiner "
                             f"file or flags); rerun them with --force or use another --workspace")
    with open(os.path.join(directory, 'stack.yaml'), 'w', encoding='utf-8') as f:
        yaml.safe_dump(stack, f, sort_keys=False)
    write_trackers_ini(ini, list({**known, **{e.identifier: e for e in entries}}.values()))
    return directory


# -- the vot command ---------------------------------------------------------------------------
def vot_command() -> str:
    """The ``vot`` executable of this interpreter's environment (the ``[vot]`` extra)."""
    path = os.path.join(os.path.dirname(sys.executable), 'vot')
    if not os.path.isfile(path):
        raise WorkspaceError(f"no vot command at {path}: install the [vot] extra (pip install -e .[vot])")
    return path


def offline_env() -> Dict[str, str]:
    """The environment of a ``vot`` run: HTTP(S) proxies on a closed local port, so the toolkit's update check
    fails at once and nothing leaves the machine (TraX uses pipes, not HTTP)."""
    env = dict(os.environ)
    for var in ('HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'):
        env[var] = OFFLINE_PROXY
    for var in ('NO_PROXY', 'no_proxy'):
        env.pop(var, None)
    return env


def run_vot(args: Sequence[str], workspace: str, timeout: Optional[float] = None) -> str:
    """``vot <args> --workspace <workspace>`` (offline); its output is kept in ``<workspace>/vot_<command>.log`` and
    returned. WorkspaceError (naming the log) when it exits non-zero."""
    argv = [vot_command()] + list(args) + ['--workspace', os.path.abspath(workspace)]
    done = subprocess.run(argv, cwd=workspace, env=offline_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    log = os.path.join(workspace, f'vot_{args[0]}.log')
    atomic_write_text(log, done.stdout)
    if done.returncode != 0:
        raise WorkspaceError(f"vot {args[0]} failed ({done.returncode}): {_last_lines(done.stdout)} (log: {log})")
    return done.stdout


def _last_lines(text: str, n: int = 5) -> str:
    return ' | '.join(line.strip() for line in text.strip().splitlines()[-n:])


def _scans(workspace: str, trackers: Sequence[str]):
    """(tracker, experiment, sequence, toolkit's scan) for every tracker x experiment x sequence of the workspace."""
    from vot.workspace import Workspace
    ws = Workspace.load(workspace)
    for tracker in ws.registry.resolve(*trackers, storage=ws.storage.substorage('results'), skip_unknown=False):
        for experiment in ws.stack:
            for sequence in experiment.transform(ws.dataset):
                yield tracker, experiment, sequence, experiment.scan(tracker, sequence)


def incomplete_runs(workspace: str, trackers: Sequence[str]) -> List[str]:
    """``<tracker>/<experiment>/<sequence>`` for every run the workspace's results lack (the toolkit's own scan, as
    ``vot pack`` does). ``vot evaluate`` exits 0 after a tracker error: this is how a crash or a silent tracker
    shows."""
    return [f"{t.identifier}/{e.identifier}/{s.name}" for t, e, s, scan in _scans(workspace, trackers) if not scan[0]]


def frame_times(workspace: str, trackers: Sequence[str]) -> Dict[str, float]:
    """Median seconds per tracked frame (initialisations left out) the toolkit recorded for each tracker: one TraX
    round trip (the tracker reads the frame, tracks, sends its mask back)."""
    from vot.tracker import Trajectory
    times: Dict[str, List[float]] = {t: [] for t in trackers}
    for tracker, experiment, sequence, (_, files, results) in _scans(workspace, trackers):
        for name in sorted({os.path.splitext(f)[0] for f in files if not f.endswith('.value')}):  # region files
            trajectory = Trajectory.read(results, name)
            times[tracker.identifier] += [trajectory.properties(i).get('time') or 0.0
                                          for i in range(1, len(trajectory))]
    return {t: float(np.median(v)) if v else math.nan for t, v in times.items()}


def read_analysis(path: str) -> Dict[str, Dict[str, float]]:
    """The scalar measures of a ``vot analysis --format json`` file: ``{tracker: {'<experiment>.<measure>': value}}``
    (``baseline.A``, ``baseline.R``, ``baseline.EAO``), named by the toolkit's own analysis descriptions."""
    from vot.analysis import Measure
    from vot.utilities import import_class
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    trackers = list(doc['trackers'])
    out: Dict[str, Dict[str, float]] = {t: {} for t in trackers}
    for experiment, block in doc['results'].items():
        for params, grid in zip(block['parameters']['analyses'], block['results']):
            analysis = import_class(params['type'])(**{k: v for k, v in params.items() if k != 'type'})
            measures = [(i, d.abbreviation) for i, d in enumerate(analysis.describe()) if isinstance(d, Measure)]
            for tracker, row in zip(trackers, grid):
                for i, name in measures:
                    out[tracker][f'{experiment}.{name}'] = float(row[i]) if row[i] is not None else math.nan
    return out


def format_table(measures: Dict[str, Dict[str, float]], keys: Sequence[str]) -> str:
    """A plain-text table: one row per tracker, one column per key (NaN shown as '-')."""
    width = max([len('tracker')] + [len(t) for t in measures])
    lines = ['tracker'.ljust(width) + ''.join(f'{k:>16}' for k in keys)]
    for tracker, values in measures.items():
        cells = [values.get(k, math.nan) for k in keys]
        lines.append(tracker.ljust(width) + ''.join(f'{v:>16.4f}' if math.isfinite(v) else f"{'-':>16}" for v in cells))
    return '\n'.join(lines)
