"""ResNet backbones: official key names/shapes, layer taps, early stop, frozen layers, local weights."""
import json
import os

import pytest
import torch

from ltr.models.backbone import resnet18, resnet34, resnet50
from ltr.models.backbone.resnet import load_pretrained, pretrained_weights_file

SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'spec_checkpoints')
PREFIX = 'feature_extractor.'


def spec_backbone_shapes(name):
    path = os.path.join(SPEC_DIR, f'{name}.json')
    if not os.path.isfile(path):
        pytest.skip(f'spec file {path} not available')
    with open(path) as f:
        sd = json.load(f)['state_dict']
    return {k[len(PREFIX):]: v for k, v in sd.items() if k.startswith(PREFIX)}


def fabricate(shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    def value(k, shape):
        if k.endswith('num_batches_tracked'):
            return torch.tensor(7)
        t = torch.randn(shape, generator=g)
        return t.abs() + 0.5 if k.endswith('running_var') else t
    return {k: value(k, v) for k, v in shapes.items()}


@pytest.fixture(scope='module')
def r18():
    torch.manual_seed(0)
    return resnet18()


@pytest.fixture(scope='module')
def r50():
    torch.manual_seed(0)
    return resnet50()


@pytest.mark.parametrize('spec', ['dimp18', 'prdimp18', 'atom'])
def test_resnet18_matches_official_backbone_keys_and_loads_strict(r18, spec):
    shapes = spec_backbone_shapes(spec)
    ours = {k: list(v.shape) for k, v in r18.state_dict().items()}
    assert set(ours) == set(shapes)
    assert ours == shapes
    sd = fabricate(shapes)
    r18.load_state_dict(sd, strict=True)
    assert torch.equal(r18.layer3[1].conv2.weight, sd['layer3.1.conv2.weight'])


@pytest.mark.parametrize('spec', ['dimp50', 'prdimp50', 'super_dimp'])
def test_resnet50_matches_official_backbone_keys_and_loads_strict(r50, spec):
    shapes = spec_backbone_shapes(spec)
    ours = {k: list(v.shape) for k, v in r50.state_dict().items()}
    assert set(ours) == set(shapes)
    assert ours == shapes
    r50.load_state_dict(fabricate(shapes), strict=True)


def test_resnet34_matches_secm_backbone_keys():
    shapes = spec_backbone_shapes('secm_r34')
    net = resnet34()
    assert {k: list(v.shape) for k, v in net.state_dict().items()} == shapes


def test_taps_have_documented_strides_and_channels(r18):
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        out = r18.eval()(x, ['layer3', 'conv1', 'layer1', 'layer2', 'layer4', 'fc'])
    assert list(out) == ['conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc']  # network order
    assert out['conv1'].shape == (1, 64, 32, 32)   # stride 2: before the max-pool
    assert out['layer1'].shape == (1, 64, 16, 16)
    assert out['layer2'].shape == (1, 128, 8, 8)
    assert out['layer3'].shape == (1, 256, 4, 4)
    assert out['layer4'].shape == (1, 512, 2, 2)
    assert out['fc'].shape == (1, 1000)


def test_conv1_tap_is_after_bn_relu_before_maxpool(r18):
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        tap = r18.eval()(x, ['conv1'])['conv1']
        expected = torch.relu(r18.bn1(r18.conv1(x)))
    assert torch.equal(tap, expected)


def test_forward_stops_after_last_requested_layer(r18):
    calls = []
    hooks = [getattr(r18, n).register_forward_hook(lambda m, i, o, n=n: calls.append(n))
             for n in ('layer3', 'layer4', 'fc')]
    try:
        with torch.no_grad():
            out = r18(torch.randn(1, 3, 64, 64), ['layer2'])
    finally:
        for h in hooks:
            h.remove()
    assert list(out) == ['layer2'] and calls == []


def test_unknown_layer_is_a_clear_error(r18):
    with pytest.raises(ValueError, match='layer5'):
        r18(torch.randn(1, 3, 32, 32), ['layer5'])


def test_frozen_layers_have_no_grad_and_fixed_bn():
    net = resnet18(frozen_layers=['conv1', 'layer1'])
    assert not net.conv1.weight.requires_grad and not net.bn1.weight.requires_grad
    assert not any(p.requires_grad for p in net.layer1.parameters())
    assert all(p.requires_grad for p in net.layer2.parameters())
    net.train()
    assert not net.bn1.training and not net.layer1[0].bn1.training and net.layer2[0].bn1.training


def test_pretrained_weights_only_from_local_file(tmp_path, monkeypatch, r18):
    with pytest.raises(FileNotFoundError, match='resnet18'):
        pretrained_weights_file('resnet18', str(tmp_path))
    torch.save(r18.state_dict(), tmp_path / 'resnet18-f37072fd.pth')
    monkeypatch.setenv('LTR_PRETRAINED_NETWORKS', str(tmp_path))
    net = resnet18(pretrained=True)
    assert torch.equal(net.conv1.weight, r18.conv1.weight)


def test_pretrained_file_of_another_network_is_refused(tmp_path, r18):
    torch.save(r18.state_dict(), tmp_path / 'resnet34.pth')
    with pytest.raises(ValueError, match='resnet34'):
        load_pretrained(resnet34(), 'resnet34', str(tmp_path))
