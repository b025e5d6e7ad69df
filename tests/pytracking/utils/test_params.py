"""TrackerParams: knobs declared once with defaults; unknown names are errors that name them."""
import copy
import pickle

import numpy as np
import pytest

from pytracking.parameter.kcf.default import parameters as kcf_parameters
from pytracking.utils.params import COMMON_KNOBS, TrackerParams, UnknownParameterError


def make():
    return TrackerParams({'padding': (2.5, 'search area factor'), 'displacement_scale': 0.8, 'scales': [1.0, 1.05]})


def test_declared_knobs_start_at_their_defaults_and_can_be_set():
    p = make()
    assert p.padding == 2.5 and p.displacement_scale == 0.8 and p.debug == 0
    p.padding = 2.0
    assert p.padding == 2.0
    assert p.defaults()['padding'] == 2.5


def test_setting_an_unknown_name_is_an_error_naming_it_with_a_suggestion():
    p = make()
    with pytest.raises(UnknownParameterError, match=r"'dispalcement_scale' \(did you mean 'displacement_scale'\?\)"):
        p.dispalcement_scale = 0.5
    with pytest.raises(AttributeError, match="'nothing_like_it'; declared: .*padding"):
        p.nothing_like_it = 1
    assert not p.has('dispalcement_scale') and p.displacement_scale == 0.8


def test_reading_an_unknown_name_is_an_error_but_hasattr_and_get_default_work():
    p = make()
    with pytest.raises(UnknownParameterError, match="'pading'"):
        _ = p.pading
    assert not hasattr(p, 'pading')
    assert p.get('pading', 7) == 7 and p.get('padding') == 2.5
    with pytest.raises(UnknownParameterError):
        p.get('pading')


def test_update_is_all_or_nothing_and_overrides_in_the_constructor_are_checked():
    p = make()
    with pytest.raises(UnknownParameterError, match="'paddin'"):
        p.update({'padding': 3.0, 'paddin': 3.0})
    assert p.padding == 2.5
    assert p.update(padding=3.0, debug=1) is p and p.padding == 3.0 and p.debug == 1
    with pytest.raises(UnknownParameterError, match="'typo'"):
        TrackerParams({'a': 1}, typo=2)
    assert TrackerParams({'a': 1}, a=5).a == 5


def test_lists_declared_defaults_values_and_changes():
    p = make()
    assert p.declared() == tuple(COMMON_KNOBS) + ('padding', 'displacement_scale', 'scales')
    assert p.defaults() == {'debug': 0, 'visualization': False, 'device': None,
                            'padding': 2.5, 'displacement_scale': 0.8, 'scales': [1.0, 1.05]}
    p.padding = 4.0
    assert p.changed() == {'padding': 4.0}
    assert p.to_dict()['padding'] == 4.0
    text = p.describe()
    assert 'padding = 4.0  (default 2.5)  # search area factor' in text
    assert 'displacement_scale = 0.8' in text
    assert 'padding=4.0' in repr(p)
    p.reset('padding')
    assert p.changed() == {}


def test_declaring_twice_or_a_bad_name_is_an_error():
    p = make()
    with pytest.raises(ValueError, match="'padding' is already declared"):
        p.declare('padding', 1.0)
    for bad in ('has', '_hidden', 'not valid', 3):
        with pytest.raises(ValueError):
            p.declare(bad, 1)
    p.declare('new_knob', np.zeros(2), 'an array default')
    assert p.changed() == {}


def test_copy_and_pickle_keep_declarations_and_are_independent():
    p = make()
    p.padding = 3.0
    for other in (p.copy(), pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert other == p and other.defaults() == p.defaults()
        other.padding = 9.0
        assert p.padding == 3.0
        with pytest.raises(UnknownParameterError):
            other.typo = 1


def test_kcf_parameter_file_declares_every_knob_it_sets():
    p = kcf_parameters()
    assert p.changed() == {}
    assert {'padding', 'interp_factor', 'num_scales', 'scale_step', 'kernel_sigma'} <= set(p.declared())
    assert p.padding == 2.5 and p.num_scales == 3
    with pytest.raises(UnknownParameterError, match="'num_scale'.*did you mean 'num_scales'"):
        p.num_scale = 5
