"""SEcm_lite0: the SEcm heads on EfficientNet-Lite0 build, train, save and load like SEcm_r34."""
import pytest
import torch

from ltr.admin.loading import load_network, save_network_checkpoint
from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.models.SEx_beta.SEcm_r34 import SEcmnet

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(0)
    return SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128)


def test_structure_and_shapes(net):
    assert isinstance(net, SEcmnet) and net.heads == ('corner', 'mask')
    assert net.test_layers == ('block1', 'block2', 'block3', 'block5') and net.corr_layer == 'block5'
    assert net.neck.pool_size == 4 and net.corner_head.feat_sz == 8  # 128 / 16, its central half
    net.train()
    imgs = torch.randn(1, 2, 3, 128, 128)
    out = net(imgs, imgs, torch.tensor([[[32.0, 32.0, 64.0, 64.0]] * 2]))
    assert out['corner'].shape == (2, 4) and out['mask'].shape == (2, 1, 128, 128)
    assert 0 <= float(out['mask'].detach().min()) and float(out['mask'].detach().max()) <= 1
    out['corner'].sum().backward()
    assert net.feature_extractor._blocks[10]._project_conv.weight.grad is not None


def test_frozen_layers_and_recorded_constructor():
    net = SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=96, frozen_backbone_layers=['stem', 'block1'])
    assert not net.feature_extractor._conv_stem.weight.requires_grad
    assert net.feature_extractor._blocks[1]._depthwise_conv.weight.requires_grad
    c = net.constructor
    assert (c.fun_module, c.fun_name) == ('ltr.models.SEx_beta.SEcm_lite0', 'SEcm_efficientnet_lite0')
    assert c.kwds['input_sz'] == 96


def test_checkpoint_round_trip_is_strict_and_exact(net, tmp_path):
    path = str(tmp_path / 'SEcmnet_ep0001.pth.tar')
    save_network_checkpoint(path, net.eval(), epoch=1)
    loaded = load_network(path, expected_net_type='SEcmnet', backbone_pretrained=False).eval()
    x = torch.randn(1, 3, 128, 128)
    box = torch.tensor([[[32.0, 32.0, 64.0, 64.0]]])
    with torch.no_grad():
        a = net(x, x, box, mode='train')
        b = loaded(x, x, box, mode='train')
    assert torch.equal(a['corner'], b['corner']) and torch.equal(a['mask'], b['mask'])


def test_corr_layer_must_be_stride_16():
    with pytest.raises(ValueError, match='stride-16'):
        SEcm_efficientnet_lite0(backbone_pretrained=False, corr_layer='block3')
