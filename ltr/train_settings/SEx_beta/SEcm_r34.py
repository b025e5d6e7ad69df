"""AR34c+m: the official Alpha-Refine refiner recipe (corner + mask heads on ResNet-34).

    python -m torch.distributed.launch --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_r34

Datasets (weights): LaSOT train 1, GOT-10k train 1, COCO 1, ImageNet VID 1, ImageNet DET 1,
YouTube-VOS 2 (masks), saliency 3 (masks); validation on the LaSOT test split every 5 epochs.
"""
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from ltr.train_settings.SEx_beta import _secm


def run(settings):
    settings.description = 'SEcm_r34: Alpha-Refine AR34c+m, ResNet-34 corner + mask refiner'
    _secm.set_defaults(settings)
    train_datasets, weights, val_datasets = _secm.upstream_datasets()
    net = SEcm_resnet34(backbone_pretrained=True, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True)
    return _secm.train(settings, train_datasets, weights, val_datasets, net)
