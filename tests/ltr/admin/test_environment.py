"""Machine-local settings: created from a template, never overwritten, overridable, clear errors."""
import os
import sys

import pytest

from ltr.admin import environment as ltr_env
from ltr.admin.local_settings import MissingPathError, apply_overrides
from pytracking.evaluation import environment as pt_env


@pytest.fixture
def fresh_local(tmp_path, monkeypatch):
    """Point both local.py files at an empty temporary tree."""
    ltr_file = tmp_path / 'ltr' / 'admin' / 'local.py'
    pt_file = tmp_path / 'pytracking' / 'evaluation' / 'local.py'
    ltr_file.parent.mkdir(parents=True)
    pt_file.parent.mkdir(parents=True)
    monkeypatch.setattr(ltr_env.EnvSettings, '_local_file', str(ltr_file))
    monkeypatch.setattr(pt_env.EnvSettings, '_local_file', str(pt_file))
    monkeypatch.delitem(sys.modules, 'ltr.admin.local', raising=False)
    monkeypatch.delitem(sys.modules, 'pytracking.evaluation.local', raising=False)
    yield ltr_file, pt_file
    sys.modules.pop('ltr.admin.local', None)
    sys.modules.pop('pytracking.evaluation.local', None)


def test_local_files_are_created_from_templates_with_upstream_names(fresh_local):
    ltr_file, pt_file = fresh_local
    s = ltr_env.env_settings()
    assert ltr_file.exists()
    for attr in ('workspace_dir', 'tensorboard_dir', 'lasot_dir', 'got10k_dir', 'trackingnet_dir', 'coco_dir',
                 'lvis_dir', 'imagenet_dir', 'imagenetdet_dir', 'youtubevos_dir', 'saliency_dir'):
        assert hasattr(s, attr)
    assert s.workspace_dir == str(ltr_file.parent.parent)  # defaults to the ltr/ folder
    assert s.lasot_dir == ''
    p = pt_env.env_settings()
    assert pt_file.exists()
    for attr in ('network_path', 'results_path', 'lasot_path', 'got10k_path', 'trackingnet_path', 'otb_path'):
        assert hasattr(p, attr)
    assert p.network_path == os.path.join(str(pt_file.parent.parent), 'networks')


def test_existing_local_file_is_never_overwritten(fresh_local):
    ltr_file, _ = fresh_local
    ltr_file.write_text("class EnvironmentSettings:\n    def __init__(self):\n        self.workspace_dir = '/w'\n"
                        "        self.lasot_dir = '/data/lasot'\n")
    s = ltr_env.env_settings()
    assert s.lasot_dir == '/data/lasot'
    assert s.got10k_dir == ''  # attributes missing from an old file still exist, empty
    assert 'lasot' in ltr_file.read_text()


def test_syntax_error_in_local_file_shows_the_real_error_and_keeps_the_file(fresh_local):
    ltr_file, _ = fresh_local
    ltr_file.write_text("class EnvironmentSettings:\n    def __init__(self)\n        self.lasot_dir = '/my/path'\n")
    with pytest.raises(SyntaxError):
        ltr_env.env_settings()
    assert "/my/path" in ltr_file.read_text()


def test_environment_variables_override_the_file(fresh_local, monkeypatch, tmp_path):
    monkeypatch.setenv('LTR_LASOT_DIR', str(tmp_path))
    monkeypatch.setenv('PYTRACKING_LASOT_PATH', '/elsewhere')
    assert ltr_env.env_settings().lasot_dir == str(tmp_path)
    assert pt_env.env_settings().lasot_path == '/elsewhere'


def test_command_line_overrides_come_last_and_reject_unknown_names(fresh_local):
    s = apply_overrides(pt_env.env_settings(), {'lasot_path': '/cli', 'got10k_path': None})
    assert s.lasot_path == '/cli' and s.got10k_path == ''
    with pytest.raises(AttributeError, match='lasot_pth'):
        apply_overrides(s, {'lasot_pth': '/typo'})


def test_missing_directory_errors_name_the_attribute_and_how_to_set_it(fresh_local, tmp_path):
    s = ltr_env.env_settings()
    with pytest.raises(MissingPathError, match=r"lasot_dir is not set: set lasot_dir in .*local\.py or the "
                                               r"environment variable LTR_LASOT_DIR"):
        s.require_dir('lasot_dir')
    s.lasot_dir = str(tmp_path / 'nope')
    with pytest.raises(MissingPathError, match="does not exist"):
        s.require_dir('lasot_dir')
    s.lasot_dir = str(tmp_path)
    assert s.require_dir('lasot_dir') == str(tmp_path)
