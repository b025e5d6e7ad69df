"""PrDiMP on CPU: the PrDiMP-18 heads on a frozen ImageNet EfficientNet-Lite0, trained on the synthetic benchmark.

    python ltr/run_training.py dimp prdimp_synthetic       # resumes from its latest checkpoint

What differs from ``prdimp18`` and why (everything else is the upstream recipe: 3 + 3 frames, max gap 200,
128 Gaussian-mixture proposals, normalised label densities, KL loss weights 0.0025/0.25/0.25/1.0,
classifier and IoU-Net at 1e-3):
- network: ``klcedimpnet18(backbone='efficientnet_lite0')``, the whole backbone frozen;
- data: the synthetic train split rendered on the fly (60-frame videos, so the 200-frame gap spans a whole
  video), validation on its val split every epoch; 12x12 features (192 px crops);
- schedule: batch 8, 40 epochs of 160 samples (32 validation samples), about two hours on 2 cores, lr x0.2
  every 15 epochs.

The DiMP tracker runs the checkpoint with ``pytracking/parameter/dimp/prdimp18.py`` given its path and
``image_sample_size = 12 * 16``; ``benchmarks/tracker_training.py`` measures it.
"""
from ltr.actors.tracking import KLDiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.bbreg import _atom
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = 'prdimp_synthetic: PrDiMP heads on a frozen EfficientNet-Lite0, synthetic data, CPU'
    _dimp.set_synthetic_defaults(settings)
    settings.max_gap = 200
    settings.proposal_params = dict(_dimp.KL_PROPOSAL_PARAMS)
    settings.loss_weight = {'bb_ce': 0.0025, 'clf_ce': 0.25, 'clf_ce_init': 0.25, 'clf_ce_iter': 1.0}
    settings.param_groups = {'classifier': 1e-3, 'bb_regressor': 1e-3}
    train_datasets, val_datasets = _atom.synthetic_datasets(settings)
    net = dimpnet.klcedimpnet18(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                                optim_iter=5, clf_feat_norm=True, final_conv=True, optim_init_step=1.0,
                                optim_init_reg=0.05, optim_min_reg=0.05, gauss_sigma=_dimp.init_gauss_sigma(settings),
                                alpha_eps=0.05, normalize_label=True, init_initializer='zero',
                                backbone='efficientnet_lite0', frozen_backbone_layers='all')
    return _dimp.train(settings, train_datasets, val_datasets, net, KLDiMPActor, _dimp.kl_objective(settings), kl=True)
