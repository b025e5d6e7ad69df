"""Which base trackers the arena can run, and how each one is built.

pytracking trackers (``pytracking/tracker/<name>`` + ``pytracking/parameter/<name>/<param>.py``) are
built through :class:`pytracking.tracker_factory.Tracker`. Trackers living outside pytracking
(SiamRPN++ in ``pysot/``, RT-MDNet in ``RT_MDNet/``) register a builder ``'module:function'`` in
:data:`BUILDERS`; the function has the signature ``builder(param: str, debug: int = 0) ->
Callable[[], BaseTracker]`` and returns a factory of fresh tracker instances (it raises one clear
error naming the missing model file). :data:`GOT10K_TRACKERS` maps upstream's
``eval_got10k.py --tracker`` names to ``(tracker, param)``.
"""
from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ['TrackerUnavailable', 'BUILDERS', 'GOT10K_TRACKERS', 'add_named_tracker_args', 'named_tracker',
           'refiner_code_args', 'tracker_factory']

# tracker name -> 'module:function' of its builder (trackers outside pytracking)
BUILDERS: Dict[str, str] = {
    'siamrpn': 'pysot.tracker.arena:tracker_factory',
    'rtmdnet': 'RT_MDNet.arena:tracker_factory',
}

# upstream arena/GOT10k names -> (tracker, param); the '_RF' names run with Alpha-Refine
GOT10K_TRACKERS: Dict[str, Tuple[str, str]] = {
    'DiMPsuper_RF': ('dimp', 'super_dimp'),
    'DiMP50_RF': ('dimp', 'dimp50'),
    'ATOM_RF': ('atom', 'default'),
    'ECO_RF': ('eco', 'default'),
    'SiamRPNpp_RF': ('siamrpn', 'siamrpn_r50_l234_dwxcorr'),
    'RTMDNet_RF': ('rtmdnet', 'default'),
    'KCF_RF': ('kcf', 'default'),
}


class TrackerUnavailable(RuntimeError):
    """A tracker or parameter set that does not exist (yet); the message is one line."""


def add_named_tracker_args(parser) -> None:
    """The options of upstream's scripts that run a named tracker: ``--tracker``, ``--rf_code``, ``--vis``,
    ``--no-eval``."""
    parser.add_argument('--tracker', default='DiMPsuper_RF',
                        help=f"one of {', '.join(GOT10K_TRACKERS)} (or without _RF)")
    parser.add_argument('--rf_code', '--rf-code', dest='rf_code', default=None, help='refiner file code (a..e)')
    parser.add_argument('--vis', action='store_true', help='accepted for upstream compatibility (no display is used)')
    parser.add_argument('--no-eval', dest='no_eval', action='store_true', help='only run, do not evaluate')


def named_tracker(name: str) -> Tuple[str, str]:
    """``(tracker, param)`` of an upstream ``--tracker`` name (:data:`GOT10K_TRACKERS`, with or without ``_RF``);
    an unknown name is a TrackerUnavailable listing the known ones."""
    key = name if name.endswith('_RF') else name + '_RF'
    if key not in GOT10K_TRACKERS:
        names = ', '.join(list(GOT10K_TRACKERS) + [n[:-3] for n in GOT10K_TRACKERS])
        raise TrackerUnavailable(f"--tracker {name}: unknown (known: {names})")
    return GOT10K_TRACKERS[key]


def refiner_code_args(refine_path: str, rf_code: Optional[str]) -> List[str]:
    """``['--refine-path', <SEcmnet_ep0040-<rf_code>.pth.tar next to refine_path>]``, or [] without a code."""
    if not rf_code:
        return []
    return ['--refine-path', os.path.join(os.path.dirname(refine_path), f'SEcmnet_ep0040-{rf_code}.pth.tar')]


def _builder(tracker: str) -> Callable[..., Callable[[], Any]]:
    module_name, func = BUILDERS[tracker].split(':')
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name is None or not module_name.startswith(err.name):
            raise
        raise TrackerUnavailable(f"tracker '{tracker}' is not available yet: no module {module_name}") from None
    if not hasattr(module, func):
        raise TrackerUnavailable(f"tracker '{tracker}' is not available yet: {module_name} has no {func}()")
    return getattr(module, func)


def _pytracking_factory(tracker: str, param: str, debug: int) -> Callable[[], Any]:
    from pytracking.tracker_factory import Tracker
    from pytracking.parameter import available_parameters
    from pytracking.tracker import available_trackers
    if tracker not in available_trackers():
        raise TrackerUnavailable(f"tracker '{tracker}' is not available yet: no package pytracking/tracker/{tracker} "
                                 f"(available: {', '.join(available_trackers() + sorted(BUILDERS))})")
    if param not in available_parameters(tracker):
        raise TrackerUnavailable(f"no parameter set pytracking/parameter/{tracker}/{param}.py "
                                 f"(available: {', '.join(available_parameters(tracker)) or 'none'})")
    base = Tracker(tracker, param, results_path=os.curdir)  # the arena writes its own layout, not results_path's
    params = base.get_parameters(debug=debug)
    base.create_tracker(params.copy())  # a missing or wrong network file fails here, before any sequence
    return lambda: base.create_tracker(params.copy())


def tracker_factory(tracker: str, param: str, debug: int = 0) -> Callable[[], Any]:
    """A function returning a fresh `tracker` instance with parameter set `param` (checked now, so a missing
    tracker, parameter set or model file is one clear error before any sequence runs)."""
    if tracker in BUILDERS:
        return _builder(tracker)(param, debug=debug)
    return _pytracking_factory(tracker, param, debug)
