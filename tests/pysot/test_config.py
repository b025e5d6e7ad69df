"""pysot config: upstream defaults, the experiments' overrides, and errors that name the key and the file."""
import pytest

from pysot.core.config import ConfigError, cfg, default_config, load_config
from pysot.tracker.arena import EXPERIMENTS_DIR, find_config


def test_defaults_are_upstreams():
    c = default_config()
    assert (c.TRACK.PENALTY_K, c.TRACK.WINDOW_INFLUENCE, c.TRACK.LR) == (0.04, 0.44, 0.4)
    assert (c.TRACK.EXEMPLAR_SIZE, c.TRACK.INSTANCE_SIZE, c.TRACK.BASE_SIZE, c.TRACK.CONTEXT_AMOUNT) == (127, 255, 8, 0.5)
    assert (c.TRACK.LOST_INSTANCE_SIZE, c.TRACK.CONFIDENCE_LOW, c.TRACK.CONFIDENCE_HIGH) == (831, 0.85, 0.998)
    assert c.ANCHOR.RATIOS == [0.33, 0.5, 1, 2, 3] and c.ANCHOR.SCALES == [8] and c.ANCHOR.ANCHOR_NUM == 5
    assert c is not cfg and c.TRACK.LR == cfg.TRACK.LR


def test_experiment_configs_override_the_defaults():
    short = load_config(find_config('siamrpn_r50_l234_dwxcorr'))
    assert (short.TRACK.TYPE, short.TRACK.PENALTY_K, short.TRACK.WINDOW_INFLUENCE, short.TRACK.LR) == \
        ('SiamRPNTracker', 0.05, 0.42, 0.38)
    assert short.BACKBONE.TYPE == 'resnet50' and short.RPN.KWARGS.in_channels == [256, 256, 256]
    long = load_config(find_config('siamrpn_r50_l234_dwxcorr_lt'))
    assert (long.TRACK.TYPE, long.TRACK.WINDOW_INFLUENCE, long.TRACK.LR, long.TRACK.CONFIDENCE_LOW) == \
        ('SiamRPNLTTracker', 0.28, 0.22, 0.8)
    assert long.ADJUST.KWARGS.out_channels == [128, 256, 512]
    assert long.TRACK.CONFIDENCE_HIGH == 0.998 and long.TRACK.LOST_INSTANCE_SIZE == 831  # defaults kept


def test_unknown_key_names_key_and_file(tmp_path):
    path = tmp_path / 'config.yaml'
    path.write_text("TRACK:\n    PENALTY_K: 0.05\n    WINDOW_INFLUNCE: 0.4\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert 'TRACK.WINDOW_INFLUNCE' in str(err.value) and str(path) in str(err.value)
    with pytest.raises(ConfigError, match='TRACK.WINDOW_INFLUNCE'):  # the upstream global API too
        default_config().merge_from_file(str(path))


def test_wrong_type_and_missing_file_name_the_file(tmp_path):
    path = tmp_path / 'config.yaml'
    path.write_text("TRACK:\n    EXEMPLAR_SIZE: [127]\n")
    with pytest.raises(ConfigError, match=str(path).replace('\\', '\\\\') + '.*TRACK.EXEMPLAR_SIZE'):
        load_config(path)
    with pytest.raises(ConfigError, match='nosuch.yaml'):
        load_config(tmp_path / 'nosuch.yaml')
    with pytest.raises(ConfigError, match="no pysot experiment 'nosuch'.*available: .*siamrpn_r50_l234_dwxcorr"):
        find_config('nosuch')
    assert EXPERIMENTS_DIR.endswith('experiments')
