"""AR34c+m: the official Alpha-Refine refiner recipe (corner + mask heads on ResNet-34).

    python -m torch.distributed.launch --nproc_per_node=8 ltr/run_training_multigpu.py SEx_beta SEcm_r34

Datasets (weights): LaSOT train 1, GOT-10k train 1, COCO 1, ImageNet VID 1, ImageNet DET 1,
YouTube-VOS 2 (masks), saliency 3 (masks); validation on the LaSOT test split every 5 epochs.
"""
from ltr.dataset import Got10k, ImagenetDET, ImagenetVID, Lasot, MSCOCOSeq, Saliency, YouTubeVOS
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from ltr.train_settings.SEx_beta import _secm


def run(settings):
    settings.description = 'SEcm_r34: Alpha-Refine AR34c+m, ResNet-34 corner + mask refiner'
    _secm.set_defaults(settings)
    # roots come from ltr/admin/local.py (or LTR_<ATTR>); a missing one is reported by name
    train_datasets = [Lasot(split='train'), Got10k(split='train'), MSCOCOSeq(), ImagenetVID(), ImagenetDET(),
                      YouTubeVOS(), Saliency()]
    val_datasets = [Lasot(split='test')]
    net = SEcm_resnet34(backbone_pretrained=True, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True)
    return _secm.train(settings, train_datasets, [1, 1, 1, 1, 1, 2, 3], val_datasets, net)
