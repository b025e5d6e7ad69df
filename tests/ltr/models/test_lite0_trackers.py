"""The small CPU variants of the base-tracker networks: DiMP, PrDiMP and ATOM heads on EfficientNet-Lite0 taps
offered under ResNet stage names (``backbone='efficientnet_lite0'``)."""
import pytest
import torch

from ltr.admin.loading import load_network, save_network_checkpoint
from ltr.models.backbone.efficientnet_lite import efficientnet_lite0
from ltr.models.bbreg.atom import LITE0_AS_RESNET, ResNetNamedTaps, atom_resnet18, lite0_backbone
from ltr.models.tracking.dimpnet import dimpnet18, klcedimpnet18

pytestmark = pytest.mark.usefixtures('one_torch_thread')


def test_resnet_names_return_the_lite0_taps_at_the_same_strides():
    torch.manual_seed(0)
    body = efficientnet_lite0(pretrained=False).eval()
    taps = ResNetNamedTaps(body, LITE0_AS_RESNET)
    x = torch.randn(1, 3, 64, 64)
    out = taps(x, ['layer3', 'layer2'])
    ref = body(x, ['block3', 'block5'])
    assert list(out) == ['layer3', 'layer2']
    assert torch.equal(out['layer2'], ref['block3']) and torch.equal(out['layer3'], ref['block5'])
    assert out['layer2'].shape == (1, 40, 8, 8) and out['layer3'].shape == (1, 112, 4, 4)
    with pytest.raises(ValueError, match='unknown layer'):
        taps(x, ['block3'])


def test_freezing_resnet_stages_freezes_their_lite0_stages():
    net = lite0_backbone(pretrained=False, frozen_layers=['conv1', 'bn1', 'layer1', 'layer2'])
    frozen = {n.split('.')[2] if n.startswith('body._blocks') else n.split('.')[1]
              for n, p in net.named_parameters() if not p.requires_grad}
    assert frozen == {'_conv_stem', '_bn0', '0', '1', '2', '3', '4'}  # stem, block1 (0), block2 (1-2), block3 (3-4)
    net.train()
    assert not net.body._blocks[4].training and net.body._blocks[5].training


@pytest.mark.parametrize('build', [dimpnet18, klcedimpnet18])
def test_dimp_heads_on_lite0_train_forward_and_reload(build, tmp_path):
    torch.manual_seed(0)
    net = build(filter_size=4, backbone_pretrained=False, backbone='efficientnet_lite0', optim_iter=2)
    assert net.bb_regressor.conv3_1r[0].in_channels == 40 and net.bb_regressor.conv4_1r[0].in_channels == 112
    assert net.classifier.feature_extractor[0].conv1.in_channels == 112
    imgs = torch.randn(2, 2, 3, 64, 64)  # (images, sequences, ...): training-mode BatchNorm needs 2 sequences
    bb = torch.tensor([[[24., 24., 16., 16.], [20., 20., 20., 20.]], [[22., 26., 16., 14.], [24., 20., 18., 20.]]])
    scores, iou = net(imgs, imgs, bb, bb[:, :, None, :].repeat(1, 1, 3, 1))
    assert len(scores) == 3 and scores[-1].shape == (2, 2, 5, 5) and iou.shape == (2, 2, 3)
    path = str(tmp_path / 'DiMPnet_ep0001.pth.tar')
    save_network_checkpoint(path, net, epoch=1)
    loaded = load_network(path)
    assert loaded.constructor.kwds['backbone'] == 'efficientnet_lite0'
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), loaded.state_dict().values()))


def test_atom_on_lite0_freezes_the_whole_backbone():
    net = atom_resnet18(backbone_pretrained=False, backbone='efficientnet_lite0').train()
    assert not any(p.requires_grad for p in net.feature_extractor.parameters())
    assert not any(m.training for m in net.feature_extractor.body.modules() if isinstance(m, torch.nn.BatchNorm2d))
    imgs = torch.randn(1, 2, 3, 64, 64)
    iou = net(imgs, imgs, torch.tensor([[[24., 24., 16., 16.]] * 2]), torch.tensor([[[[24., 24., 16., 16.]] * 4] * 2]))
    assert iou.shape == (1, 2, 4)


def test_unknown_backbone_is_refused():
    with pytest.raises(ValueError, match='backbone'):
        dimpnet18(backbone_pretrained=False, backbone='resnet34')
    with pytest.raises(ValueError, match='backbone'):
        atom_resnet18(backbone_pretrained=False, backbone='vgg')
