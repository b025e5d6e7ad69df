"""Shipping a network: the compact checkpoint computes what the training checkpoint computes."""
import pytest
import torch

from ltr.admin.compact_checkpoint import compact_checkpoint
from ltr.admin.loading import load_checkpoint, load_network, save_network_checkpoint


class ConvBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)

    def forward(self, x):
        return self.bn(self.conv(x))


@pytest.fixture
def conv_bn_constructor(register_constructor):
    def conv_bn(backbone_pretrained=True):
        return ConvBn()

    return register_constructor(conv_bn, 'ltr.models.conv_bn_for_tests')


def test_compact_file_gives_the_training_outputs_even_with_statistics_beyond_float16(tmp_path, conv_bn_constructor):
    torch.manual_seed(0)
    net = conv_bn_constructor(backbone_pretrained=True).eval()
    net.conv.weight.data *= 300.0  # a layer before a BatchNorm can see activations of 1e3 (running var 4e6 seen in training)
    with torch.no_grad():
        net.bn.running_var.copy_(torch.tensor([4.0e6, 1.0, 2.5e-7, 7.0e4]))
        net.bn.running_mean.uniform_(-500, 500)
    src, dst = str(tmp_path / 'ConvBn_ep0001.pth.tar'), str(tmp_path / 'shipped.pth.tar')
    save_network_checkpoint(src, net, epoch=1)
    compact_checkpoint(src, dst)

    stored = load_checkpoint(dst)
    assert stored['net']['conv.weight'].dtype == torch.float16  # within range: halved
    assert stored['net']['bn.running_var'].dtype == torch.float32  # 4e6 does not fit float16
    assert stored['constructor'].kwds['backbone_pretrained'] is False
    assert set(stored) == {'epoch', 'actor_type', 'net_type', 'net', 'net_info', 'constructor'}

    shipped = load_network(dst).eval()
    assert all(p.dtype == torch.float32 for p in shipped.state_dict().values() if p.is_floating_point())
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        expected, got = net(x), shipped(x)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, expected, rtol=2e-3, atol=2e-3 * float(expected.abs().max()))


def test_compact_file_keeps_recipe_settings_but_no_local_paths(tmp_path, conv_bn_constructor):
    src, dst = str(tmp_path / 'ConvBn_ep0001.pth.tar'), str(tmp_path / 'shipped.pth.tar')
    save_network_checkpoint(src, conv_bn_constructor(), epoch=1)
    ckpt = load_checkpoint(src)
    ckpt['settings'] = {'frame_size': [640, 480], 'env': {'workspace_dir': str(tmp_path)},
                        'pretrained': str(tmp_path / 'stage1' / 'SEcmnet_ep0030.pth.tar')}
    torch.save(ckpt, src)
    compact_checkpoint(src, dst)
    assert load_checkpoint(dst)['settings'] == {'frame_size': [640, 480], 'pretrained': 'SEcmnet_ep0030.pth.tar'}
