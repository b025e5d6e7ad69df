"""DiMP-family networks against the official checkpoints' key lists (spec/checkpoints/*.json): a state dict
fabricated from each JSON loads strictly, the key sets are equal both ways, and the network runs forward on
CPU in eval mode; checkpoints written in the official format load back through pytracking's loader."""
import json
import os
import re

import pytest
import torch

from ltr.admin.loading import save_network_checkpoint
from ltr.models.tracking import dimpnet

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, 'spec_checkpoints')
NETWORKS = ['dimp18', 'dimp50', 'prdimp18', 'prdimp50', 'super_dimp']


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def load_spec(name):
    path = os.path.normpath(os.path.join(SPEC, f'{name}.json'))
    if not os.path.isfile(path):
        pytest.skip(f'spec file {path} not present')
    with open(path) as f:
        return json.load(f)


def build_upstream(spec):
    """Call our constructor with the arguments of the spec's upstream constructor call."""
    found = re.match(r"ltr\.models\.tracking\.dimpnet:(\w+)\((.*)\)$", spec['upstream_constructor'])
    assert found, spec['upstream_constructor']
    kwargs = eval(f"dict({found.group(2)})", {'__builtins__': {'dict': dict}})  # literal keyword arguments only
    kwargs['backbone_pretrained'] = False
    return getattr(dimpnet, found.group(1))(**kwargs)


def fabricate_state_dict(spec, seed=0):
    g = torch.Generator().manual_seed(seed)
    sd = {}
    for key, shape in spec['state_dict'].items():
        if key.endswith('num_batches_tracked'):
            sd[key] = torch.tensor(7, dtype=torch.long)
        elif key.endswith('running_var'):
            sd[key] = torch.rand(shape, generator=g) + 0.5
        else:
            sd[key] = 0.05 * torch.randn(shape, generator=g)
    return sd


@pytest.mark.parametrize('name', NETWORKS)
def test_official_keys_load_strictly_and_forward_runs(name):
    spec = load_spec(name)
    net = build_upstream(spec)
    own = net.state_dict()
    assert set(own) == set(spec['state_dict']) and len(own) == spec['num_state_dict_entries']
    assert {k: list(v.shape) for k, v in own.items()} == spec['state_dict']
    fabricated = fabricate_state_dict(spec)
    net.load_state_dict(fabricated, strict=True)
    torch.testing.assert_close(net.state_dict()['classifier.filter_optimizer.filter_reg'],
                               fabricated['classifier.filter_optimizer.filter_reg'])
    net.eval()
    if name in ('dimp18', 'prdimp50'):  # the full training-path forward once per backbone kind
        imgs = torch.randn(1, 1, 3, 96, 96)
        boxes = torch.tensor([[[30.0, 28.0, 36.0, 40.0]]])
        proposals = torch.tensor([[[[28.0, 30.0, 40.0, 36.0], [20.0, 20.0, 30.0, 30.0]]]]).reshape(1, 1, 2, 4)
        with torch.no_grad():
            scores, iou = net(imgs, imgs, boxes, proposals)
        assert len(scores) == net.classifier.filter_optimizer.num_iter + 1
        assert scores[-1].shape == (1, 1, 7, 7) and torch.isfinite(scores[-1]).all()
        assert iou.numel() == 2 and torch.isfinite(iou).all()
    else:
        with torch.no_grad():
            feat = net.extract_backbone_features(torch.randn(1, 3, 64, 64))
            clf = net.extract_classification_feat(feat)
        assert list(feat) == ['layer2', 'layer3'] and clf.shape[-2:] == (4, 4) and torch.isfinite(clf).all()


def test_constructor_defaults_and_frozen_layers():
    net = dimpnet.dimpnet18(backbone_pretrained=False, frozen_backbone_layers=['conv1', 'bn1', 'layer1'])
    assert not any(p.requires_grad for p in net.feature_extractor.layer1.parameters())
    assert not net.feature_extractor.bn1.weight.requires_grad and net.feature_extractor.layer2[0].conv1.weight.requires_grad
    frozen_all = dimpnet.klcedimpnet18(backbone_pretrained=False, train_feature_extractor=False)
    assert not any(p.requires_grad for p in frozen_all.feature_extractor.parameters())
    assert net.classifier.filter_size == 1 and net.output_layers == ['layer2', 'layer3']
    with pytest.raises(ValueError, match='frozen_backbone_layers'):
        dimpnet.dimpnet18(backbone_pretrained=False, frozen_backbone_layers='layer1')


def test_checkpoint_round_trip_through_pytracking_loader(tmp_path, monkeypatch):
    from pytracking.utils.loading import load_network
    net = dimpnet.klcedimpnet18(filter_size=4, backbone_pretrained=False, optim_init_reg=0.05)
    path = tmp_path / 'prdimp18.pth.tar'
    save_network_checkpoint(str(path), net)
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    loaded = load_network('prdimp18.pth.tar', expected_net_type='DiMPnet')
    assert loaded.constructor.fun_name == 'klcedimpnet18' and loaded.classifier.filter_size == 4
    for k, v in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k
