"""SEcm_r34: official state dict, constructor record, soft-argmax grid, correlation window, heads."""
import json
import os

import pytest
import torch

from ltr.admin.model_constructor import NetConstructor
from ltr.models.head.corner_coarse import Corner_Predictor
from ltr.models.neck.PtCorr import PtCorr, pixel_correlation
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18, SEcm_resnet34, SEcmnet

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'spec_checkpoints', 'secm_r34.json')
OFFICIAL_KWDS = dict(backbone_pretrained=False, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True)


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(0)
    return SEcm_resnet34(**OFFICIAL_KWDS).eval()


def test_official_state_dict_loads_strict(net):
    if not os.path.isfile(SPEC):
        pytest.skip('spec file not available')
    with open(SPEC) as f:
        spec = json.load(f)
    shapes = spec['state_dict']
    ours = net.state_dict()
    assert set(ours) == set(shapes) and len(ours) == spec['num_state_dict_entries'] == 354
    assert list(ours) == list(shapes)  # same registration order
    assert {k: list(v.shape) for k, v in ours.items()} == shapes
    assert sum(p.numel() for p in net.parameters()) == spec['num_params']
    fake = {k: torch.tensor(3) if k.endswith('num_batches_tracked') else torch.rand(v) + 0.1 for k, v in shapes.items()}
    fresh = SEcm_resnet34(**OFFICIAL_KWDS)
    assert not fresh.load_state_dict(fake, strict=True).missing_keys
    assert torch.equal(fresh.mask_head.post2.weight, fake['mask_head.post2.weight'])


def test_constructor_is_recorded_at_the_upstream_module_path(net):
    c = net.constructor
    assert isinstance(c, NetConstructor)
    assert (c.fun_module, c.fun_name) == ('ltr.models.SEx_beta.SEcm_r34', 'SEcm_resnet34')
    assert c.kwds == OFFICIAL_KWDS
    rebuilt = c.get()
    assert isinstance(rebuilt, SEcmnet) and rebuilt.input_sz == 256


def test_grids_are_non_persistent_buffers(net):
    buffers = dict(net.named_buffers())
    assert 'corner_head.coord_x' in buffers and 'corner_head.coord_y' in buffers
    assert not any('coord' in k for k in net.state_dict())


def test_soft_argmax_one_hot_cell_gives_cell_top_left():
    head = Corner_Predictor()
    for r, c in [(0, 0), (3, 7), (15, 15), (9, 2)]:
        logits = torch.zeros(1, 1, 16, 16)
        logits[0, 0, r, c] = 1e4
        x, y = head.soft_argmax(logits)
        assert (x.item(), y.item()) == (16 * c, 16 * r)
    x, y = head.soft_argmax(torch.zeros(1, 1, 16, 16))  # uniform: mean of 0, 16, ..., 240
    assert torch.allclose(torch.stack([x, y]), torch.tensor([[120.0], [120.0]]))


def test_corner_head_outputs_tl_then_br():
    head = Corner_Predictor().eval()
    # replace each branch's logits by a one-hot map through a forward hook on its last conv
    peaks = {'conv5_tl': (2, 3), 'conv5_br': (12, 14)}

    def one_hot(module, inp, out, name):
        o = torch.zeros_like(out)
        o[:, 0, peaks[name][0], peaks[name][1]] = 1e4
        return o
    for name in peaks:
        getattr(head, name).register_forward_hook(lambda m, i, o, n=name: one_hot(m, i, o, n))
    with torch.no_grad():
        out = head(torch.randn(2, 64, 16, 16))
    assert torch.equal(out, torch.tensor([[48.0, 32.0, 224.0, 192.0]] * 2))


def test_reference_kernel_is_the_central_8x8_of_layer3():
    neck = PtCorr(pool_size=8)
    ref = torch.arange(2 * 3 * 16 * 16, dtype=torch.float32).reshape(2, 3, 16, 16)
    kernel = neck.get_ref_kernel([ref], torch.zeros(1, 2, 4))
    assert torch.equal(kernel, ref[:, :, 4:12, 4:12])
    with pytest.raises(ValueError, match='num_images, B, 4'):
        neck.get_ref_kernel([ref], torch.zeros(2, 4))


def test_correlation_equals_explicit_sum():
    g = torch.Generator().manual_seed(0)
    kernel = torch.randn(2, 5, 8, 8, generator=g)
    feat = torch.randn(2, 5, 16, 16, generator=g)
    corr = pixel_correlation(kernel, feat)
    assert corr.shape == (2, 64, 16, 16)
    for b in range(2):
        for k in (0, 9, 37, 63):
            kr, kc = divmod(k, 8)  # row-major over the window
            explicit = (kernel[b, :, kr, kc, None, None] * feat[b]).sum(0)
            assert torch.allclose(corr[b, k], explicit, atol=1e-5)


def test_correlation_on_a_constructed_feature():
    v = torch.tensor([1.0, 2.0, -1.0])
    ref = torch.zeros(1, 3, 16, 16)
    ref[0, :, 5, 6] = v                 # window cell (1, 2) -> kernel index 1 * 8 + 2 = 10
    test = torch.zeros(1, 3, 16, 16)
    test[0, :, 2, 3] = v
    neck = PtCorr(pool_size=8)
    neck.get_ref_kernel([ref], torch.zeros(1, 1, 4))
    corr = pixel_correlation(neck.ref_kernel, test)
    assert corr[0, 10, 2, 3] == 6.0     # |v|^2
    corr[0, 10, 2, 3] = 0
    assert not corr.any()


def test_forward_shapes_and_branches(net):
    x = torch.randn(1, 2, 3, 256, 256)
    with torch.no_grad():
        train = net(x, x, torch.tensor([[[64.0, 64, 128, 128]] * 2]), mode='train')
        assert train['corner'].shape == (2, 4) and train['mask'].shape == (2, 1, 256, 256)
        assert 0 <= train['mask'].min() and train['mask'].max() <= 1
        assert (0 <= train['corner']).all() and (train['corner'] <= 240).all()
        calls = []
        hook = net.mask_head.register_forward_hook(lambda *a: calls.append(1))
        test = net.forward_test(x[0], mode='test')
        hook.remove()
    assert set(test) == {'feat', 'corner'} and test['feat'].shape == (2, 64, 16, 16) and calls == []
    with pytest.raises(ValueError, match="'train' or 'test'"):
        net.forward_test(x, mode='eval')
    with pytest.raises(ValueError, match='bbox'):
        net.forward_test(x, mode='test', branches=['bbox'])


def test_input_size_is_generic_and_checked():
    torch.manual_seed(0)
    small = SEcm_resnet18(backbone_pretrained=False, input_sz=128).eval()
    assert small.input_sz == 128 and small.neck.pool_size == 4
    x = torch.randn(1, 3, 128, 128)
    with torch.no_grad():
        out = small(x, x, torch.tensor([32.0, 32, 64, 64]), mode='train')
    assert out['mask'].shape == (1, 1, 128, 128) and (out['corner'] <= 112).all()
    with pytest.raises(ValueError, match='pool_size=8 does not match input_sz=128'):
        SEcm_resnet18(backbone_pretrained=False, input_sz=128, pool_size=8)


def test_resnet18_variant_shares_the_heads():
    net18 = SEcm_resnet18(backbone_pretrained=False)
    net18_keys = {k for k in net18.state_dict() if not k.startswith('feature_extractor.')}
    net34_keys = {k for k in SEcm_resnet34(backbone_pretrained=False).state_dict() if not k.startswith('feature_extractor.')}
    assert net18_keys == net34_keys
    assert net18.constructor.fun_name == 'SEcm_resnet18'
