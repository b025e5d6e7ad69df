"""PrDiMP-50 (upstream pytracking ``ltr/train_settings/dimp/prdimp50.py``): dimp50's recipe with max gap 200,
128 Gaussian-mixture proposals with densities, normalised label densities, KL losses (IoU-Net 0.0025,
classifier 0.25 / 0.25 / 1.0 for final / initial / intermediate iterates) and three parameter groups.

    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py dimp prdimp50
"""
from ltr.actors.tracking import KLDiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = 'Default train settings for PrDiMP with ResNet50 as backbone.'
    _dimp.set_defaults(settings)
    settings.max_gap = 200
    settings.proposal_params = dict(_dimp.KL_PROPOSAL_PARAMS)
    settings.loss_weight = {'bb_ce': 0.0025, 'clf_ce': 0.25, 'clf_ce_init': 0.25, 'clf_ce_iter': 1.0}
    settings.param_groups = {'classifier': 1e-3, 'bb_regressor': 1e-3, 'feature_extractor': 2e-5}
    train_datasets, val_datasets = _dimp.upstream_datasets()
    net = dimpnet.klcedimpnet50(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                                optim_iter=5, clf_feat_norm=True, clf_feat_blocks=0, final_conv=True,
                                out_feature_dim=512, optim_init_step=1.0, optim_init_reg=0.05, optim_min_reg=0.05,
                                gauss_sigma=_dimp.init_gauss_sigma(settings), alpha_eps=0.05, normalize_label=True,
                                init_initializer='zero')
    return _dimp.train(settings, train_datasets, val_datasets, net, KLDiMPActor, _dimp.kl_objective(settings), kl=True)
