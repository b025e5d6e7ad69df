"""Seeded random-weight stand-ins of every tracker x parameter set the arena knows.

Used by the registry test (``tests/arena/test_registry.py``) and by ``benchmarks/arena_snapshot.py``.
Discovery, not a list: pytracking trackers are every ``pytracking/tracker/<name>`` package with every
``pytracking/parameter/<name>/<param>.py``; trackers outside pytracking are the builders of
``arena.trackers.BUILDERS`` with the parameter sets :data:`OUTSIDE_PARAMS` names for them.

A parameter set's network gets random weights from its real constructor: the constructor call of the
official file the set names (``net_path``) is read from ``tests/spec_checkpoints/*.json``
(``checkpoint_file`` -> ``upstream_constructor``) and called with ``backbone_pretrained=False``; deep
features with a ``random_weights`` switch (ECO) are switched to random weights. :data:`SMALL` shrinks the
work of a tracker (search region, first-frame samples, iterations) without changing its code path.
"""
from __future__ import annotations

import ast
import glob
import importlib
import json
import os
from typing import Any, Callable, Dict, List, Tuple

import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_DIR = os.path.join(REPO, 'tests', 'spec_checkpoints')

# per tracker: overrides that make a run cheap on CPU (the algorithm is unchanged)
SMALL: Dict[str, Dict[str, Any]] = {
    'atom': dict(max_image_sample_size=128 ** 2, min_image_sample_size=128 ** 2, sample_memory_size=30,
                 init_CG_iter=12, init_GN_iter=3,
                 augmentation={'fliplr': True, 'blur': [(2, 0.2)], 'relativeshift': [(0.6, 0.6)], 'dropout': (2, 0.2)}),
    'dimp': dict(image_sample_size=8 * 16),
    'eco': dict(init_GN_iter=1, init_CG_iter=3, CG_iter=2,
                augmentation={'fliplr': True, 'shift': [(6, 6)], 'dropout': (2, 0.2)}),
    'siamrpn': dict(INSTANCE_SIZE=175, LOST_INSTANCE_SIZE=191),  # pysot config TRACK.* (score maps 15 and 17)
    'rtmdnet': dict(jitter=False, replicate_num=2, n_pos_init=100, n_neg_init=400, n_bbreg=100, batch_neg_cand=256,
                    n_samples=64, maxiter_init=5, maxiter_update=3, n_pos_update=20, n_neg_update=60),
}


def _pysot_experiments() -> List[str]:
    from pysot.tracker.arena import EXPERIMENTS_DIR
    return sorted(d for d in os.listdir(EXPERIMENTS_DIR) if os.path.isfile(os.path.join(EXPERIMENTS_DIR, d, 'config.yaml')))


def _rtmdnet_params() -> List[str]:
    from RT_MDNet.arena import PARAMS
    return sorted(PARAMS)


# trackers outside pytracking (arena.trackers.BUILDERS) -> their parameter sets
OUTSIDE_PARAMS: Dict[str, Callable[[], List[str]]] = {'siamrpn': _pysot_experiments, 'rtmdnet': _rtmdnet_params}


def all_tracker_params() -> List[Tuple[str, str]]:
    """Every (tracker, parameter set) the arena can run, discovered from the packages."""
    from arena.trackers import BUILDERS
    from pytracking.parameter import available_parameters
    from pytracking.tracker import available_trackers
    pairs = [(t, p) for t in available_trackers() for p in available_parameters(t)]
    for tracker in sorted(BUILDERS):
        if tracker not in OUTSIDE_PARAMS:
            raise KeyError(f"tests/arena/random_trackers.py: no parameter-set list for arena tracker '{tracker}' "
                           f"(add it to OUTSIDE_PARAMS)")
        pairs += [(tracker, p) for p in OUTSIDE_PARAMS[tracker]()]
    return pairs


def _spec_constructors() -> Dict[str, str]:
    """checkpoint file name -> upstream constructor call (``module:function(kwargs)``)."""
    table = {}
    for path in sorted(glob.glob(os.path.join(SPEC_DIR, '*.json'))):
        with open(path) as f:
            spec = json.load(f)
        if spec.get('checkpoint_file') and spec.get('upstream_constructor', '').startswith('ltr.'):
            table[spec['checkpoint_file']] = spec['upstream_constructor']
    return table


def random_network(net_path: str, seed: int = 0) -> torch.nn.Module:
    """The network of the official file `net_path` built by its constructor with random weights (eval mode)."""
    constructors = _spec_constructors()
    if net_path not in constructors:
        raise KeyError(f"no tests/spec_checkpoints/*.json names the network file {net_path!r} "
                       f"(known: {', '.join(sorted(constructors))})")
    module, call = constructors[net_path].split(':', 1)
    node = ast.parse(call, mode='eval').body
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    kwargs['backbone_pretrained'] = False
    torch.manual_seed(seed)
    return getattr(importlib.import_module(module), node.func.id)(**kwargs).eval()


def pytracking_params(tracker: str, param: str, seed: int = 0, small: bool = True):
    """Parameter set `param` of pytracking tracker `tracker` on CPU, its network with random weights."""
    from pytracking.features.net_wrappers import NetWrapper
    from pytracking.parameter import load_parameters
    params = load_parameters(tracker, param)
    net = getattr(params, 'net', None) if 'net' in params else None
    if isinstance(net, NetWrapper) and net.net is None:
        net.net = random_network(net.net_path, seed)
    elif 'net_path' in params and net is None:
        params.net = random_network(params.net_path, seed)
    if 'features' in params:
        for feature in getattr(params.features, 'features', []):
            if hasattr(feature, 'random_weights'):
                feature.random_weights = True
    params.update(device='cpu')
    if small:
        params.update(SMALL.get(tracker, {}))
    return params


def tracker_factory(tracker: str, param: str, seed: int = 0, small: bool = True) -> Callable[[], Any]:
    """A function returning fresh trackers of (`tracker`, `param`) with seeded random weights, built as the
    arena builds them (one network shared by the instances)."""
    torch.manual_seed(seed)
    if tracker == 'siamrpn':
        from pysot.core.config import load_config
        from pysot.tracker.arena import build_model, find_config, make_tracker, parameters
        config = load_config(find_config(param))
        for key, value in (SMALL['siamrpn'] if small else {}).items():
            setattr(config.TRACK, key, value)
        model = build_model(config, None, 'cpu')
        params = parameters(param, device='cpu')
        return lambda: make_tracker(model, config, params.copy())
    if tracker == 'rtmdnet':
        from RT_MDNet.arena import PARAMS
        from RT_MDNet.tracker import RTMDNet
        params = PARAMS[param]()
        params.update(device='cpu', **(SMALL['rtmdnet'] if small else {}))
        return lambda: RTMDNet(params.copy())
    from pytracking.tracker import load_tracker_class
    cls = load_tracker_class(tracker)
    params = pytracking_params(tracker, param, seed, small)

    def make() -> Any:
        torch.manual_seed(seed)  # deep features built on first use (ECO) draw the same weights
        return cls(params.copy())
    return make


def random_refiner_net(seed: int = 0) -> torch.nn.Module:
    """The tests' tiny refiner: SEcm_resnet18 (layer3, input 128) with random weights (tests/conftest.py)."""
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    torch.manual_seed(seed)
    return SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)


def random_siammask_refiner(thres: float = 0.5, seed: int = 0, small: bool = True) -> Any:
    """SiamMask as a refiner (``pysot.tracker.arena.SiamMaskRefiner``, experiment siammask_r50_l3) with seeded
    random weights on CPU; the RPN heads' last layers are scaled down so that random features decode to finite
    boxes (a candidate is chosen and the mask path runs)."""
    from pysot.core.config import load_config
    from pysot.tracker.arena import SiamMaskRefiner, build_model, find_config
    from pysot.tracker.tracker_builder import build_tracker
    config = load_config(find_config('siammask_r50_l3'))
    config.TRACK.MASK_THERSHOLD = float(thres)
    if small:
        config.TRACK.INSTANCE_SIZE = SMALL['siamrpn']['INSTANCE_SIZE']
    torch.manual_seed(seed)
    model = build_model(config, None, 'cpu')
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith('rpn_head') and '.head.3.' in name:
                p.mul_(1e-6)
    return SiamMaskRefiner(build_tracker(model, config), thres)
