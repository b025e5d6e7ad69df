"""From training to tracking: each CPU recipe (atom_synthetic, dimp_synthetic, prdimp_synthetic) trains two
steps on the synthetic benchmark, and the tracker of its family loads the checkpoint by path through its
parameter set (strict, weights-only) and tracks a synthetic sequence."""
import numpy as np
import pytest

from ltr.data.image_loader import default_image_loader
from ltr.run_training import run_training

pytestmark = pytest.mark.usefixtures('one_torch_thread')

TINY = dict(batch_size=2, samples_per_epoch=4, epochs=1, val_samples_per_epoch=2, feature_sz=6, num_sequences=4,
            frames=30, frame_size=[160, 120], num_workers=0, backbone_pretrained=False, use_gpu=False)
CASES = [('bbreg', 'atom_synthetic', 'ATOMnet', 'atom', 'default'),
         ('dimp', 'dimp_synthetic', 'DiMPnet', 'dimp', 'dimp18'),
         ('dimp', 'prdimp_synthetic', 'DiMPnet', 'dimp', 'prdimp18')]


@pytest.mark.parametrize('group,recipe,net_type,tracker_name,param_name', CASES)
def test_recipe_checkpoint_tracks(tmp_path, monkeypatch, synthetic_lasot, group, recipe, net_type, tracker_name,
                                  param_name):
    from pytracking.features.net_wrappers import NetWithBackbone
    from pytracking.parameter import load_parameters
    from pytracking.evaluation.syntheticdataset import synthetic_lasot_dataset
    from pytracking.tracker import load_tracker_class
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path))
    monkeypatch.setenv('LTR_TENSORBOARD_DIR', str(tmp_path / 'tb'))
    trainer = run_training(group, recipe, overrides=TINY)
    assert [len(trainer.stats[l]['Loss/total'].history) for l in ('train', 'val')] == [1, 1]
    path = str(tmp_path / 'checkpoints' / 'ltr' / group / recipe / f'{net_type}_ep0001.pth.tar')

    params = load_parameters(tracker_name, param_name)
    if tracker_name == 'dimp':  # the parameter set's own wrapper, pointed at the checkpoint; 96 px search area
        params.update(net=NetWithBackbone(net_path=path, expected_net_type='DiMPnet',
                                          expected_constructor=params.net.expected_constructor),
                      image_sample_size=96, device='cpu')
    else:
        params.update(net_path=path, max_image_sample_size=96 ** 2, min_image_sample_size=96 ** 2, device='cpu')
    seq = synthetic_lasot_dataset(synthetic_lasot(1, 4), 'test')[0]
    tracker = load_tracker_class(tracker_name)(params)
    tracker.initialize(default_image_loader(seq.frames[0]), {'init_bbox': list(map(float, seq.ground_truth_rect[0]))})
    for f in seq.frames[1:]:
        box = np.asarray(tracker.track(default_image_loader(f))['target_bbox'], dtype=np.float64)
        assert box.shape == (4,) and np.isfinite(box).all()
