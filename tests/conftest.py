"""Test-wide isolation: every test session gets its own local.py files and output folders.

The machine-local settings files (ltr/admin/local.py, pytracking/evaluation/local.py) are created
from their templates inside a temporary tree, so tests never read or write a developer's paths and
their defaults (workspace, results, networks) point into that tree.

Also the fixtures several test modules share: ``one_torch_thread``, ``synthetic_lasot`` (a tiny synthetic
LaSOT-layout tree), ``tiny_refiner`` (a random-weight refiner) and ``atom_net`` (a random-weight ATOMnet).
"""
import os
import sys

import matplotlib
import pytest

matplotlib.use('Agg')


@pytest.fixture(scope='session', autouse=True)
def isolated_local_settings(tmp_path_factory):
    from ltr.admin import environment as ltr_env
    from pytracking.evaluation import environment as pt_env

    root = tmp_path_factory.mktemp('machine')
    saved = (ltr_env.EnvSettings._local_file, pt_env.EnvSettings._local_file)
    ltr_env.EnvSettings._local_file = str(root / 'ltr' / 'admin' / 'local.py')
    pt_env.EnvSettings._local_file = str(root / 'pytracking' / 'evaluation' / 'local.py')
    os.makedirs(root / 'ltr' / 'admin')
    os.makedirs(root / 'pytracking' / 'evaluation')
    for name in ('ltr.admin.local', 'pytracking.evaluation.local'):
        sys.modules.pop(name, None)
    for var in [v for v in os.environ if v.startswith(('LTR_', 'PYTRACKING_'))]:
        del os.environ[var]
    yield root
    ltr_env.EnvSettings._local_file, pt_env.EnvSettings._local_file = saved
    for name in ('ltr.admin.local', 'pytracking.evaluation.local'):
        sys.modules.pop(name, None)


# -- shared fixtures of the network and arena tests ---------------------------------------------------------
# A test module that runs networks takes one torch thread for all its tests with
#     pytestmark = pytest.mark.usefixtures('one_torch_thread')
# (the machine is shared; the arena scripts run with one thread, as upstream's).

@pytest.fixture(scope='module')
def one_torch_thread():
    """torch limited to one thread for the module that asks for it; the previous count restored after."""
    import torch
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope='module')
def synthetic_lasot(tmp_path_factory):
    """A function ``(num_sequences, frames, size=(160, 120)) -> root`` that generates a synthetic LaSOT-layout
    test split (seed 0) into a fresh folder of this test module and returns its root."""
    from ltr.dataset.synthetic import ensure_synthetic_benchmark

    def make(num_sequences: int, frames: int, size=(160, 120)) -> str:
        root = tmp_path_factory.mktemp('synthetic') / 'tree'
        return ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=num_sequences, frames=frames,
                                          size=size, root=str(root), progress=False)
    return make


def _random_tiny_refiner_net():
    """A small SEcm refiner (SEcm_resnet18, layer3, input 128) with random weights (seed 0)."""
    import torch
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    torch.manual_seed(0)
    return SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)


@pytest.fixture(scope='module')
def tiny_refiner():
    """The arena's refiner (``arena.refiners.load_refiner``) on :func:`_random_tiny_refiner_net`, on CPU."""
    from arena.refiners import load_refiner
    return load_refiner(_random_tiny_refiner_net(), device='cpu')


@pytest.fixture(scope='module')
def atom_net():
    """ATOMnet (``atom_resnet18``, backbone not pretrained) with random weights (seed 0), in eval mode."""
    import torch
    from ltr.models.bbreg.atom import atom_resnet18
    torch.manual_seed(0)
    return atom_resnet18(backbone_pretrained=False).eval()
