"""A small SEcm refiner trained on the embedded synthetic benchmark only, on CPU (tens of minutes on 2 cores).

    python ltr/run_training.py SEx_beta SEcm_synthetic
    python benchmarks/refiner_gain.py --train      # the same, timed, then the held-out IoU gain

What differs from SEcm_r34 and why (everything else is the upstream recipe):
- data: the synthetic benchmark's train split rendered on the fly (``SyntheticTrackingOnTheFly``:
  boxes and masks for every frame, 320x240 frames, a practically unlimited number of 50-frame
  videos), so every training pair is new. Held-out evaluation uses the synthetic *test* split
  (another random stream).
- network: ``SEcm_resnet18`` with 96x96 crops (6x6 layer3 map, 3x3 correlation window), conv1 and
  layer1 frozen: about a tenth of the compute of ResNet-34 at 256 with the same heads. No ImageNet
  weights are available offline, so the backbone starts from random weights (the frozen early
  layers stay random filters, which are generic enough for edges and texture).
- schedule: 10 short epochs of 1600 samples, lr 2e-3 halved every 4 epochs, a checkpoint every
  epoch; mask loss weight 100 (the corner loss is in pixels of a smaller crop).

Measured on the 2-core CPU (``python ltr/run_training.py SEx_beta SEcm_synthetic``): about 1.15 s per
step of 16 pairs (~40% of it rendering and annotating the videos), 2 minutes an epoch, 20 minutes in
all. Epoch-mean corner loss (squared crop pixels) 64, 51, 53, 47, 34, 31, 29, 27, 24, 23; mask BCE
0.33 -> 0.12. On held-out pairs (``benchmarks/refiner_gain.py``, 150 pairs) it lifts jittered boxes
from mean IoU 0.643 to 0.762, but handed the ground-truth box itself it returns 0.816, and 0.696 after
five refinements fed back on the same frame (``--jitter 0 0 --iterations 5``): too imprecise to
improve KCF under feed-back (doc/arena.md, "What the demo shows").
"""
from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
from ltr.train_settings.SEx_beta import _secm


def run(settings):
    settings.description = 'SEcm_synthetic: ResNet-18 corner + mask refiner trained on synthetic data (CPU)'
    _secm.set_defaults(settings)
    settings.batch_size = 16
    settings.num_workers = 0
    settings.output_sz = 96
    settings.frozen_backbone_layers = ['conv1', 'layer1']
    settings.frame_size = [320, 240]
    settings.num_sequences = 50000
    settings.frames = 50
    settings.samples_per_epoch = 1600
    settings.val_samples_per_epoch = 0
    settings.epochs = 10
    settings.lr = 2e-3
    settings.lr_step_size = 4
    settings.lr_gamma = 0.5
    settings.save_interval = 1
    settings.mask_loss_weight = 100.0
    train_data = SyntheticTrackingOnTheFly(num_sequences=settings.num_sequences, frames=settings.frames,
                                           size=tuple(settings.frame_size), seed=settings.seed, split='train')
    net = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True,
                        input_sz=settings.output_sz, frozen_backbone_layers=settings.frozen_backbone_layers)
    return _secm.train(settings, [train_data], [1], [], net)
