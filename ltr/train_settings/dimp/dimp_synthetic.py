"""DiMP on CPU: the DiMP-18 heads on a frozen ImageNet EfficientNet-Lite0, trained on the synthetic benchmark.

    python ltr/run_training.py dimp dimp_synthetic         # resumes from its latest checkpoint

What differs from ``dimp18`` and why (everything else is the upstream recipe: 3 train + 3 test frames,
jitter, label function, 8 proposals per frame, hinge threshold, loss weights 1/100/100/400):
- network: ``dimpnet18(backbone='efficientnet_lite0')`` with the whole backbone frozen (no backward pass
  through it: the 2-core budget); ``layer2``/``layer3`` = Lite0 ``block3``/``block5``;
- data: the synthetic train split rendered on the fly, validation on its val split every epoch; 12x12
  features (192 px crops);
- schedule: batch 8, 40 epochs of 160 samples (32 validation samples), about an hour on 2 cores; the
  classifier's upstream learning rates x10 (5e-4, 5e-3, 5e-4; the IoU-Net at dimp18's 1e-3) because the run
  has 800 steps instead of upstream's 50 x 1000; lr x0.2 every 15 epochs.

The DiMP tracker runs the checkpoint with ``pytracking/parameter/dimp/dimp18.py`` given its path and
``image_sample_size = 12 * 16``; ``benchmarks/tracker_training.py`` measures it.
"""
from ltr.actors.tracking import DiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.bbreg import _atom
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = 'dimp_synthetic: DiMP heads on a frozen EfficientNet-Lite0, synthetic data, CPU'
    _dimp.set_synthetic_defaults(settings)
    settings.param_groups = {'classifier.filter_initializer': 5e-4, 'classifier.filter_optimizer': 5e-3,
                             'classifier.feature_extractor': 5e-4, 'bb_regressor': 1e-3}
    train_datasets, val_datasets = _atom.synthetic_datasets(settings)
    net = dimpnet.dimpnet18(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                            optim_iter=5, clf_feat_norm=True, final_conv=True, optim_init_step=0.9, optim_init_reg=0.1,
                            init_gauss_sigma=_dimp.init_gauss_sigma(settings), num_dist_bins=100,
                            bin_displacement=0.1, mask_init_factor=3.0, target_mask_act='sigmoid', score_act='relu',
                            backbone='efficientnet_lite0', frozen_backbone_layers='all')
    return _dimp.train(settings, train_datasets, val_datasets, net, DiMPActor, _dimp.hinge_objective(settings))
