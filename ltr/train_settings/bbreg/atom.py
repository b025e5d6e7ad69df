"""ATOM: the IoU-Net on a frozen ImageNet ResNet-18 (upstream pytracking ``ltr/train_settings/bbreg/atom.py``).

    python ltr/run_training.py bbreg atom
    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py bbreg atom

Datasets: LaSOT train, GOT-10k vottrain, TrackingNet chunks 0-3, COCO (weights 1, 1, 1, 1); validation
on GOT-10k votval every 5 epochs. Checkpoints ``<workspace>/checkpoints/ltr/bbreg/atom/ATOMnet_ep%04d.pth.tar``,
loadable by ``pytracking/parameter/atom/default.py`` (set its ``net_path``).
"""
from ltr.models.bbreg.atom import atom_resnet18
from ltr.train_settings.bbreg import _atom


def run(settings):
    settings.description = 'ATOM IoUNet with default settings, but additionally using GOT10k for training.'
    _atom.set_defaults(settings)
    train_datasets, val_datasets = _atom.upstream_datasets()
    net = atom_resnet18(backbone_pretrained=settings.backbone_pretrained)
    return _atom.train_atom(settings, train_datasets, val_datasets, net)
