"""Test-wide isolation: every test session gets its own local.py files and output folders.

The machine-local settings files (ltr/admin/local.py, pytracking/evaluation/local.py) are created
from their templates inside a temporary tree, so tests never read or write a developer's paths and
their defaults (workspace, results, networks) point into that tree.
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
