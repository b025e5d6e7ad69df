"""ATOM on CPU: the IoU-Net on a frozen ImageNet EfficientNet-Lite0, trained on the synthetic benchmark.

    python ltr/run_training.py bbreg atom_synthetic        # resumes from its latest checkpoint

What differs from ``atom`` and why (everything else is the upstream recipe: jitter, 16 proposals per frame
with upstream's sigmas and min IoU, MSE on the mapped IoUs, Adam 1e-3 on the IoU-Net only):
- network: ``atom_resnet18(backbone='efficientnet_lite0')``: the one ImageNet backbone installable here,
  ``layer2``/``layer3`` = Lite0 ``block3``/``block5`` (40/112 channels, strides 8/16), frozen as upstream's;
- data: the synthetic train split rendered on the fly, validation on its val split every epoch
  (``_atom.set_synthetic_cpu_defaults``); 12x12 features (192 px crops) for 2 CPU cores;
- schedule: batch 16, 20 epochs of 640 pairs (64 validation pairs), about half an hour on 2 cores, lr x0.2
  every 8 epochs.

The ATOM tracker runs the checkpoint with ``pytracking/parameter/atom/default.py`` given ``net_path`` and a
192 px search area (``max/min_image_sample_size = 192 ** 2``); ``benchmarks/tracker_training.py`` measures it.
"""
from ltr.models.bbreg.atom import atom_resnet18
from ltr.train_settings.bbreg import _atom


def run(settings):
    settings.description = 'atom_synthetic: ATOM IoU-Net on a frozen EfficientNet-Lite0, synthetic data, CPU'
    _atom.set_defaults(settings)
    _atom.set_synthetic_cpu_defaults(settings)
    settings.batch_size = 16
    settings.samples_per_epoch = 640
    settings.epochs = 20
    settings.lr_step_size = 8
    train_datasets, val_datasets = _atom.synthetic_datasets(settings)
    settings.dataset_weights = [1]
    net = atom_resnet18(backbone_pretrained=settings.backbone_pretrained, backbone='efficientnet_lite0')
    return _atom.train_atom(settings, train_datasets, val_datasets, net)
