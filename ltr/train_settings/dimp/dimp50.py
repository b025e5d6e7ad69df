"""DiMP-50 (upstream pytracking ``ltr/train_settings/dimp/dimp50.py``).

    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py dimp dimp50

Checkpoints ``<workspace>/checkpoints/ltr/dimp/dimp50/DiMPnet_ep%04d.pth.tar``, loadable by
``pytracking/parameter/dimp/dimp50.py`` (its ``net_path``).
"""
from ltr.actors.tracking import DiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = 'Default train settings for DiMP with ResNet50 as backbone.'
    _dimp.set_defaults(settings)
    train_datasets, val_datasets = _dimp.upstream_datasets()
    net = dimpnet.dimpnet50(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                            optim_iter=5, clf_feat_norm=True, clf_feat_blocks=0, final_conv=True, out_feature_dim=512,
                            optim_init_step=0.9, optim_init_reg=0.1, init_gauss_sigma=_dimp.init_gauss_sigma(settings),
                            num_dist_bins=100, bin_displacement=0.1, mask_init_factor=3.0, target_mask_act='sigmoid',
                            score_act='relu')
    return _dimp.train(settings, train_datasets, val_datasets, net, DiMPActor, _dimp.hinge_objective(settings))
