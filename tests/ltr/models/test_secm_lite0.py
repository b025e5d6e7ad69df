"""SEcm_lite0: the SEcm heads on EfficientNet-Lite0 build, train, save and load like SEcm_r34."""
import pytest
import torch

from ltr.admin.loading import CheckpointError, load_network, save_network_checkpoint
from ltr.models.head.corner_fine import Corner_Predictor_s8
from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.models.SEx_beta.SEcm_r34 import SEcmnet
from ltr.train_settings.SEx_beta._secm import load_pretrained_net

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


def test_stride_8_corner_refinement_trains_and_reads_block3():
    torch.manual_seed(1)
    net = SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=8).train()
    assert isinstance(net.corner_head, Corner_Predictor_s8) and net.corner_skip_layer == 'block3'
    assert net.constructor.kwds['corner_stride'] == 8
    imgs = torch.randn(1, 2, 3, 128, 128)
    out = net(imgs, imgs, torch.tensor([[[32.0, 32.0, 64.0, 64.0]] * 2]))
    assert out['corner'].shape == (2, 4) and out['mask'].shape == (2, 1, 128, 128)
    out['corner'].sum().backward()
    assert net.corner_head.fine[2].weight.grad.abs().sum() > 0  # starts at zero, but learns
    assert net.feature_extractor._blocks[5]._project_conv.weight.grad is not None  # block3 reached by the corner loss
    with pytest.raises(ValueError, match='corner_stride'):
        SEcm_efficientnet_lite0(backbone_pretrained=False, corner_stride=4)


def test_fine_grid_keeps_the_coarse_corner_of_a_peaked_map(monkeypatch):
    """With a zero correction, a coarse logit peak at an inner cell (r, c) gives the coarse corner (16 c, 16 r) on the
    fine grid (at the border, bilinear upsampling clamps: a peak there lands 4 px outside)."""
    head = Corner_Predictor_s8(inplanes=64, skip_channels=40, feat_sz=8).eval()
    for r, c in [(1, 1), (3, 5), (6, 2)]:
        peak = torch.zeros(1, 1, 8, 8)
        peak[0, 0, r, c] = 60.0
        monkeypatch.setattr(head, 'get_score_maps', lambda x, p=peak: (p, p))
        with torch.no_grad():
            corners = head(torch.randn(1, 64, 8, 8), torch.randn(1, 40, 16, 16))
        assert torch.allclose(corners, torch.tensor([[16.0 * c, 16.0 * r] * 2]), atol=1e-3)


def test_warm_start_from_a_coarse_checkpoint_leaves_only_the_new_branch_at_its_start(tmp_path):
    torch.manual_seed(2)
    coarse = SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128).eval()
    path = str(tmp_path / 'SEcmnet_ep0001.pth.tar')
    save_network_checkpoint(path, coarse, epoch=1)
    fine = SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=8)
    with pytest.raises(CheckpointError, match='missing keys'):
        load_pretrained_net(fine, path)  # strict unless the new parts are named
    load_pretrained_net(fine, path, ['corner_head.fine'])
    loaded = fine.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in coarse.state_dict().items())
    assert float(loaded['corner_head.fine.2.weight'].abs().sum()) == 0.0
    with pytest.raises(CheckpointError, match='missing keys'):  # a wrong prefix fills nothing
        load_pretrained_net(SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=8), path,
                            ['corner_head.fin'])
