"""SEcm heads on ImageNet-pretrained EfficientNet-Lite0, trained on SEcm_r34's real datasets (for GPUs).

    python -m torch.distributed.launch --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_lite0
    torchrun --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_lite0

SEcm_r34's datasets and weights, crop size 256, batch, jitter, schedule (40 epochs of 4000 x 32 pairs,
Adam lr 1e-3 halved every 8 epochs) and loss weights; only the backbone differs (the whole
EfficientNet-Lite0 is trained, as SEcm_r34 trains its whole ResNet-34). The result runs on a CPU in a
fraction of the time of AR34c+m (``benchmarks/refiner_latency.py``).
"""
from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.train_settings.SEx_beta import _secm


def run(settings):
    settings.description = 'SEcm_lite0: EfficientNet-Lite0 (ImageNet) corner + mask refiner, SEcm_r34 datasets'
    _secm.set_defaults(settings)
    train_datasets, weights, val_datasets = _secm.upstream_datasets()
    net = SEcm_efficientnet_lite0(backbone_pretrained=True, input_sz=settings.output_sz)
    return _secm.train(settings, train_datasets, weights, val_datasets, net)
