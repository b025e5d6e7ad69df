"""The VOT2020 evaluation command (``arena/VOT2020/eval.py``): a VOT workspace for our TraX trackers, ``vot
evaluate``, a check that every run finished, ``vot analysis``, one table (accuracy, robustness, EAO, time per
frame). The toolkit side lives in :mod:`arena.VOT2020.toolkit`; doc/vot2020.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, List, Optional, Sequence, Tuple

from arena import paths
from arena.VOT2020.tracking import FEEDBACK, MASK_THRESHOLD

__all__ = ['SYNTHETIC_NAME', 'parse_tracker', 'sequences_root', 'build_parser', 'main']

SYNTHETIC_NAME = 'Synthetic-VOT2020'
COLUMNS = ('baseline.A', 'baseline.R', 'baseline.EAO', 'ms/frame')


def parse_tracker(text: str) -> Tuple[str, str]:
    """``NAME`` or ``NAME:PARAM`` -> (tracker, parameter set; 'default' when not given)."""
    name, _, param = text.partition(':')
    if not name:
        raise ValueError(f"--tracker '{text}': expected NAME or NAME:PARAM (kcf, dimp:super_dimp, ...)")
    return name, param or 'default'


def sequences_root(sequences: Optional[str], configured: str) -> Tuple[str, Optional[int], Optional[str]]:
    """(VOT dataset folder, frames per sequence of a synthetic set or None, note for the first output line).
    `sequences`, else the configured ``vot_path``, else the synthetic VOT2020 set (generated on first use with
    the arena's synthetic parameters, ``ARENA_SYNTHETIC_*``)."""
    root = sequences or configured
    if root:
        return root, None, None
    from ltr.dataset.synthetic import ensure_synthetic_benchmark, read_manifest
    root = ensure_synthetic_benchmark(layout='vot', split='test', progress=False, **paths.synthetic_params())
    entry = read_manifest(root)['splits']['test']
    note = (f"no VOT2020 sequences configured: evaluating on the synthetic set {SYNTHETIC_NAME} "
            f"({entry['num_sequences']} sequences at {root})")
    return root, int(entry['frames']), note


def build_parser() -> argparse.ArgumentParser:
    """Flags of ``arena/VOT2020/eval.py`` (dash and underscore forms)."""
    p = argparse.ArgumentParser(description='Evaluate VOT2020 mask trackers (Alpha-Refine alphaseg and box-only '
                                            'baselines) with the VOT toolkit.')
    p.add_argument('--tracker', action='append', default=None, metavar='NAME[:PARAM]',
                   help='base tracker (repeatable; default kcf): kcf, dimp:super_dimp, atom, eco, siamrpn, rtmdnet ...')
    p.add_argument('--sequences', '--dataset-root', '--dataset_root', dest='sequences', default=None,
                   help='VOT dataset folder (list.txt + sequences); default: vot_path, else the synthetic set')
    p.add_argument('--workspace', default=None,
                   help='VOT workspace (default <save_dir>/VOT2020, or <save_dir>/Synthetic-VOT2020)')
    p.add_argument('--refiner', '--refine-path', '--refine_path', dest='refiner', default=None,
                   help='refiner checkpoint of the alphaseg trackers (default: refiner_source.find_refiner)')
    p.add_argument('--mask-thres', '--mask_thres', dest='mask_thres', type=float, default=MASK_THRESHOLD,
                   help=f'mask threshold of the alphaseg trackers (default {MASK_THRESHOLD})')
    p.add_argument('--feedback', choices=FEEDBACK, default='refined',
                   help="box the alphaseg trackers feed back: 'refined' (default) or 'base' (upstream VOT2020)")
    p.add_argument('--no-box', '--no_box', dest='box', action='store_false', help='no box-only baselines')
    p.add_argument('--no-alphaseg', '--no_alphaseg', dest='alphaseg', action='store_false', help='no alphaseg trackers')
    p.add_argument('--device', default=None, help='torch device of the trackers (default: CUDA if available)')
    p.add_argument('--force', action='store_true', help='rerun finished runs (vot evaluate --force)')
    p.add_argument('--setup-only', '--setup_only', dest='setup_only', action='store_true',
                   help='write the workspace and print the vot commands, run nothing')
    return p


def _entries(args: Any, refiner: Optional[str]) -> List[Any]:
    from arena.VOT2020.toolkit import tracker_entry
    entries = []
    for tracker, param in (parse_tracker(t) for t in args.tracker or ['kcf']):
        if args.alphaseg:
            entries.append(tracker_entry(tracker, param, True, refiner, args.mask_thres, args.feedback, args.device))
        if args.box:
            entries.append(tracker_entry(tracker, param, False, device=args.device))
    if not entries:
        raise ValueError('--no-box and --no-alphaseg: no tracker to evaluate')
    return entries


def _resolved_refiner(args: Any, defaults: Any) -> Optional[str]:
    """The refiner file the alphaseg entries name (absolute), or None without alphaseg trackers."""
    if not args.alphaseg:
        return None
    from arena.refiners import RefinerError
    from pytracking.evaluation.refiner_source import find_refiner
    path, line = find_refiner(args.refiner, getattr(defaults, 'refine_path', None))
    if path is None:
        raise RefinerError(line)
    print(line, flush=True)
    return os.path.abspath(path)


def main(argv: Optional[Sequence[str]], defaults: Any) -> int:
    """Run the evaluation; returns the exit status (1 with one line on stderr when something fails)."""
    args = build_parser().parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'eval.py'
    try:
        from arena.VOT2020 import toolkit
    except ImportError as e:
        print(f"{prog}: error: {e}; install the [vot] extra (pip install -e .[vot])", file=sys.stderr)
        return 1
    from arena.refiners import RefinerError
    from ltr.admin.cli import user_error_types
    from ltr.dataset.synthetic import SyntheticConfigError, SyntheticTreeError
    try:
        root, frames, note = sequences_root(args.sequences, paths.dataset_root('vot_path'))
        if note:
            print(note, flush=True)
        stack = toolkit.vot2020_stack() if frames is None else toolkit.synthetic_stack(frames)
        workspace = args.workspace or os.path.join(paths.save_dir(), 'VOT2020' if frames is None else SYNTHETIC_NAME)
        entries = _entries(args, _resolved_refiner(args, defaults))
        ids = [e.identifier for e in entries]
        toolkit.create_workspace(workspace, root, entries, stack, replace=args.force)
        print(f"workspace: {workspace} (trackers: {', '.join(ids)})", flush=True)
        if args.setup_only:
            print(f"run: vot evaluate --workspace {workspace} {' '.join(ids)}\n"
                  f"     vot analysis --workspace {workspace} --format json {' '.join(ids)}")
            return 0
        toolkit.run_vot(['evaluate'] + ids + (['--force'] if args.force else []), workspace)
        missing = toolkit.incomplete_runs(workspace, ids)
        if missing:
            logs = os.path.join(workspace, 'logs')
            raise toolkit.WorkspaceError(f"{len(missing)} runs did not finish ({', '.join(missing[:4])}): a tracker "
                                         f"crashed or stopped answering; its output is in {logs}, the toolkit's in "
                                         f"{os.path.join(workspace, 'vot_evaluate.log')}")
        name = time.strftime('%Y-%m-%dT%H-%M-%S')
        toolkit.run_vot(['analysis', '--format', 'json', '--name', name] + ids, workspace)
        analysis = os.path.join(workspace, 'analysis', name + '.json')
        measures = toolkit.read_analysis(analysis)
        for tracker, seconds in toolkit.frame_times(workspace, ids).items():
            measures.setdefault(tracker, {})['ms/frame'] = 1e3 * seconds
    except (toolkit.WorkspaceError, RefinerError, SyntheticConfigError, SyntheticTreeError, ValueError,
            OSError) + user_error_types() as e:
        print(f"{prog}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    print(toolkit.format_table(measures, COLUMNS))
    print(f"analysis: {analysis}\nresults: {os.path.join(workspace, 'results')}")
    return 0
