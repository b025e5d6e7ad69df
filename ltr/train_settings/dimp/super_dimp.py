"""SuperDiMP (upstream pytracking ``ltr/train_settings/dimp/super_dimp.py``): the DiMP-50 classifier (hinge
losses) with PrDiMP's KL-trained IoU-Net (weight 0.01), 6x search areas of 22x16 = 352 px, inside-major
crops (scale change <= 1.5), horizontal flips (all frames jointly, then each training crop), batch 20,
40000 samples per epoch (10000 for validation), max gap 200, dataset weights 1, 1, 1, 1, conv1..layer2
frozen and layer3 at 2e-5.

    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py dimp super_dimp
"""
from ltr.actors.tracking import KLDiMPActor
from ltr.models.tracking import dimpnet
from ltr.train_settings.dimp import _dimp


def run(settings):
    settings.description = ('SuperDiMP: Combines the DiMP classifier with the PrDiMP bounding box regressor and '
                            'better training settings (larger batch size, inside_major cropping, and flipping '
                            'augmentation. Gives results significantly better than both DiMP-50 and PrDiMP-50.')
    _dimp.set_defaults(settings)
    settings.batch_size = 20
    settings.search_area_factor = 6.0
    settings.feature_sz = 22
    settings.output_sz = settings.feature_sz * 16
    settings.center_jitter_factor = {'train': 3, 'test': 5.5}
    settings.crop_type = 'inside_major'
    settings.max_scale_change = 1.5
    settings.horizontal_flip_probability = 0.5
    settings.proposal_params = dict(_dimp.KL_PROPOSAL_PARAMS)
    settings.label_density_normalize = False
    settings.dataset_weights = [1, 1, 1, 1]
    settings.samples_per_epoch = 40000
    settings.val_samples_per_epoch = 10000
    settings.max_gap = 200
    settings.loss_weight = {'bb_ce': 0.01, 'test_clf': 100, 'test_init_clf': 100, 'test_iter_clf': 400}
    groups = {k: v for k, v in _dimp.DIMP50_PARAM_GROUPS.items() if k != 'feature_extractor'}
    settings.param_groups = dict(groups, bb_regressor=1e-3, **{'feature_extractor.layer3': 2e-5})
    train_datasets, val_datasets = _dimp.upstream_datasets()
    net = dimpnet.dimpnet50(filter_size=settings.target_filter_sz, backbone_pretrained=settings.backbone_pretrained,
                            optim_iter=5, clf_feat_norm=True, clf_feat_blocks=0, final_conv=True, out_feature_dim=512,
                            optim_init_step=0.9, optim_init_reg=0.1, init_gauss_sigma=_dimp.init_gauss_sigma(settings),
                            num_dist_bins=100, bin_displacement=0.1, mask_init_factor=3.0, target_mask_act='sigmoid',
                            score_act='relu', frozen_backbone_layers=['conv1', 'bn1', 'layer1', 'layer2'])
    return _dimp.train(settings, train_datasets, val_datasets, net, KLDiMPActor,
                       _dimp.kl_objective(settings, classifier='hinge'), kl=True)
