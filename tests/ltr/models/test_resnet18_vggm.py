"""resnet18_vggmconv1: key set of the official file, strict plain-state-dict loading, tap shapes."""
import json
import os

import pytest
import torch

from ltr.models.backbone.resnet18_vggm import load_plain_state_dict, resnet18_vggmconv1

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'spec_checkpoints',
                    'eco_resnet18_vggmconv1.json')


def _spec():
    if not os.path.isfile(SPEC):
        pytest.skip(f"spec file not present: {SPEC}")
    with open(SPEC) as f:
        return json.load(f)['state_dict']


def fabricate(spec, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {k: (torch.randn(shape, generator=g) if shape else torch.tensor(3)) for k, shape in spec.items()}


def test_keys_and_shapes_equal_the_spec_both_ways():
    spec = _spec()
    own = {k: list(v.shape) for k, v in resnet18_vggmconv1().state_dict().items()}
    assert set(own) == set(spec)
    assert all(own[k] == spec[k] for k in spec)


def test_strict_load_of_fabricated_file(tmp_path):
    state = fabricate(_spec())
    path = tmp_path / 'resnet18_vggmconv1.pth'
    torch.save(state, path)
    net = resnet18_vggmconv1(path=str(path))
    assert torch.equal(net.vggmconv1.weight, state['vggmconv1.weight'])
    assert torch.equal(net.layer3[1].conv2.weight, state['layer3.1.conv2.weight'])


@pytest.mark.parametrize('mutate, message', [
    (lambda s: s.pop('vggmconv1.bias'), 'missing'),
    (lambda s: s.__setitem__('extra.weight', torch.zeros(1)), 'unexpected'),
    (lambda s: s.__setitem__('fc.bias', torch.zeros(10)), 'shape'),
])
def test_wrong_file_is_an_error_naming_it(tmp_path, mutate, message):
    state = fabricate(_spec())
    mutate(state)
    path = tmp_path / 'bad.pth'
    torch.save(state, path)
    with pytest.raises(ValueError, match=message) as err:
        resnet18_vggmconv1(path=str(path))
    assert str(path) in str(err.value)


def test_ltr_checkpoint_instead_of_plain_state_dict_is_refused(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save({'net': {'a': torch.zeros(1)}, 'epoch': 3}, path)
    with pytest.raises(ValueError, match='plain state dict'):
        load_plain_state_dict(resnet18_vggmconv1(), str(path))


def test_taps_strides_and_channels():
    torch.manual_seed(0)
    net = resnet18_vggmconv1().eval()
    with torch.no_grad():
        out = net(torch.randn(1, 3, 64, 64))
    assert list(out) == ['vggconv1', 'layer3']
    assert out['vggconv1'].shape == (1, 96, 32, 32) and out['layer3'].shape == (1, 256, 4, 4)
    assert (out['vggconv1'] >= 0).all()
    with pytest.raises(ValueError, match='unknown'):
        net(torch.randn(1, 3, 32, 32), ['conv9'])
