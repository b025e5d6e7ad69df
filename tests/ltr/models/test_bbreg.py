"""IoU-Net box regressor and ATOMnet: official keys/shapes (atom.json, the DiMP files' bb_regressor),
strict loading, constructor record, checkpoint round trip, and forward behaviour on CPU."""
import json
import os

import pytest
import torch

from ltr.admin.loading import load_network, save_network_checkpoint
from ltr.admin.model_constructor import NetConstructor
from ltr.models.bbreg import AtomIoUNet
from ltr.models.bbreg.atom import ATOMnet, atom_resnet18
from ltr.models.bbreg.atom_iou_net import boxes_to_rois
from ltr.models.layers.blocks import LinearBlock, conv_block

SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'spec_checkpoints')


def spec(name):
    path = os.path.join(SPEC_DIR, f'{name}.json')
    if not os.path.isfile(path):
        pytest.skip(f'spec file {name}.json not available')
    with open(path) as f:
        return json.load(f)


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def fabricate(shapes):
    g = torch.Generator().manual_seed(1)
    return {k: torch.tensor(7) if k.endswith('num_batches_tracked') else torch.rand(v, generator=g) + 0.1
            for k, v in shapes.items()}


def test_atom_state_dict_matches_the_official_file(atom_net):
    s = spec('atom')
    shapes = s['state_dict']
    ours = atom_net.state_dict()
    assert set(ours) - set(shapes) == set() and set(shapes) - set(ours) == set()
    assert list(ours) == list(shapes)
    assert {k: list(v.shape) for k, v in ours.items()} == shapes
    assert len(ours) == s['num_state_dict_entries']
    assert sum(p.numel() for p in atom_net.parameters()) == s['num_params']
    fresh = atom_resnet18(backbone_pretrained=False)
    fake = fabricate(shapes)
    result = fresh.load_state_dict(fake, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(fresh.bb_regressor.fc3_rt.linear.weight, fake['bb_regressor.fc3_rt.linear.weight'])


@pytest.mark.parametrize('name, input_dim', [('dimp50', (4 * 128, 4 * 256)), ('dimp18', (128, 256)),
                                             ('prdimp50', (4 * 128, 4 * 256)), ('super_dimp', (4 * 128, 4 * 256))])
def test_dimp_files_bb_regressor_keys(name, input_dim):
    shapes = {k[len('bb_regressor.'):]: v for k, v in spec(name)['state_dict'].items() if k.startswith('bb_regressor.')}
    net = AtomIoUNet(input_dim=input_dim, pred_input_dim=(256, 256), pred_inter_dim=(256, 256))
    assert {k: list(v.shape) for k, v in net.state_dict().items()} == shapes
    net.load_state_dict(fabricate(shapes), strict=True)


def test_constructor_is_recorded_at_the_upstream_path(atom_net):
    c = atom_net.constructor
    assert isinstance(c, NetConstructor)
    assert (c.fun_module, c.fun_name, c.kwds) == ('ltr.models.bbreg.atom', 'atom_resnet18', {'backbone_pretrained': False})
    assert isinstance(c.get(), ATOMnet)


def test_backbone_is_frozen_regressor_trains(atom_net):
    assert not any(p.requires_grad for p in atom_net.feature_extractor.parameters())
    assert all(p.requires_grad for p in atom_net.bb_regressor.parameters())


def test_checkpoint_round_trip_through_the_safe_loader(atom_net, tmp_path):
    path = str(tmp_path / 'atom_default.pth')
    save_network_checkpoint(path, atom_net)
    loaded = load_network(path, expected_net_type='ATOMnet', backbone_pretrained=False)
    for (k, a), (_, b) in zip(atom_net.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), k


def test_forward_on_cpu_matches_the_test_time_path(atom_net):
    g = torch.Generator().manual_seed(3)
    train = torch.randn(1, 2, 3, 128, 128, generator=g)
    test = torch.randn(1, 2, 3, 128, 128, generator=g)
    train_bb = torch.tensor([[[30.0, 40.0, 50.0, 40.0], [10.0, 20.0, 60.0, 70.0]]])
    proposals = torch.tensor([[[[30.0, 40.0, 50.0, 40.0], [20.0, 30.0, 70.0, 60.0], [0.0, 0.0, 20.0, 20.0]]] * 2])
    with torch.no_grad():
        iou = atom_net(train, test, train_bb, proposals)
        assert iou.shape == (1, 2, 3) and torch.isfinite(iou).all()
        # Same numbers through the calls a tracker makes: modulation once, then IoU of candidates.
        feat_train = list(atom_net.extract_backbone_features(train[0]).values())
        feat_test = list(atom_net.extract_backbone_features(test[0]).values())
        modulation = atom_net.bb_regressor.get_modulation(feat_train, train_bb[0])
        iou_feat = atom_net.bb_regressor.get_iou_feat(feat_test)
        direct = atom_net.bb_regressor.predict_iou(modulation, iou_feat, proposals[0])
    assert torch.allclose(direct, iou[0], atol=1e-5)


def test_each_proposal_is_scored_independently_and_differentiably(atom_net):
    g = torch.Generator().manual_seed(4)
    feats = [torch.randn(1, 128, 16, 16, generator=g), torch.randn(1, 256, 8, 8, generator=g)]
    bb = torch.tensor([[40.0, 40.0, 40.0, 30.0]])
    reg = atom_net.bb_regressor
    with torch.no_grad():
        modulation = reg.get_modulation(feats, bb)
        iou_feat = reg.get_iou_feat(feats)
    boxes = torch.tensor([[[40.0, 40.0, 40.0, 30.0], [35.0, 45.0, 50.0, 20.0], [60.0, 10.0, 30.0, 30.0]]])
    all_three = reg.predict_iou(modulation, iou_feat, boxes)
    reversed_ = reg.predict_iou(modulation, iou_feat, boxes.flip(1))
    alone = reg.predict_iou(modulation, iou_feat, boxes[:, 1:2])
    assert torch.allclose(all_three, reversed_.flip(1), atol=1e-5)
    assert torch.allclose(all_three[:, 1:2], alone, atol=1e-5)
    boxes = boxes.clone().requires_grad_(True)
    reg.predict_iou(modulation, iou_feat, boxes).sum().backward()
    assert torch.isfinite(boxes.grad).all() and boxes.grad.abs().sum() > 0


def test_boxes_to_rois_hand_computed():
    rois = boxes_to_rois(torch.tensor([[[1.0, 2.0, 3.0, 4.0]], [[5.0, 6.0, 7.0, 8.0]]]))
    assert rois.tolist() == [[0, 1, 2, 4, 6], [1, 5, 6, 12, 14]]


def test_linear_block_is_linear_bn_relu():
    torch.manual_seed(5)
    block = LinearBlock(2, 3, 2).eval()
    block.bn.running_mean.fill_(0.5)
    block.bn.running_var.fill_(4.0)
    block.bn.weight.data.fill_(2.0)
    block.bn.bias.data.fill_(-0.1)
    x = torch.randn(4, 2, 2, 2)
    expected = torch.relu((block.linear(x.reshape(4, -1)) - 0.5) / torch.sqrt(torch.tensor(4.0 + block.bn.eps)) * 2.0 - 0.1)
    assert torch.allclose(block(x), expected, atol=1e-6)
    assert set(block.state_dict()) == {'linear.weight', 'linear.bias', 'bn.weight', 'bn.bias', 'bn.running_mean',
                                       'bn.running_var', 'bn.num_batches_tracked'}


def test_conv_block_layout_and_replicate_padding():
    assert [type(m).__name__ for m in conv_block(3, 4)] == ['Conv2d', 'BatchNorm2d', 'ReLU']
    plain = conv_block(1, 1, batch_norm=False, relu=False, bias=False)
    assert [type(m).__name__ for m in plain] == ['Conv2d']
    rep = conv_block(1, 1, batch_norm=False, relu=False, bias=False, padding_mode='replicate')
    rep[1].weight.data.fill_(1.0)
    out = rep(torch.ones(1, 1, 4, 4))
    assert torch.allclose(out, torch.full((1, 1, 4, 4), 9.0))  # replicate border: every 3x3 sums nine ones
    with pytest.raises(ValueError, match='padding_mode'):
        conv_block(1, 1, padding_mode='reflect')
