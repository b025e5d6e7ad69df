"""DiMP-18 (upstream pytracking ``ltr/train_settings/dimp/dimp18.py``): dimp50's recipe with batch 26, the
ResNet-18 network, the IoU-Net at 1e-3 and the whole backbone at the default 2e-4.

    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py dimp dimp18
"""
from ltr.actors.tracking import DiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = 'Default train settings for DiMP with ResNet18 as backbone.'
    _dimp.set_defaults(settings)
    settings.batch_size = 26
    settings.param_groups = dict(_dimp.DIMP50_PARAM_GROUPS, bb_regressor=1e-3, feature_extractor=None)
    train_datasets, val_datasets = _dimp.upstream_datasets()
    net = dimpnet.dimpnet18(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                            optim_iter=5, clf_feat_norm=True, final_conv=True, optim_init_step=0.9, optim_init_reg=0.1,
                            init_gauss_sigma=_dimp.init_gauss_sigma(settings), num_dist_bins=100,
                            bin_displacement=0.1, mask_init_factor=3.0, target_mask_act='sigmoid', score_act='relu')
    return _dimp.train(settings, train_datasets, val_datasets, net, DiMPActor, _dimp.hinge_objective(settings))
