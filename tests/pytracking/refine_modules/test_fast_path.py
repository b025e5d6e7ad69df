"""The refiner's fast path (folded BatchNorm, channels-last, batched frames) gives the plain path's numbers."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18, SEcm_resnet34
from pytracking.refine_modules.fast import count_batchnorms, fold_batchnorm, fold_conv_bn, inference_copy
from pytracking.refine_modules.refine_module import RefineModule

H, W = 180, 240
INIT_BOX = np.array([60.0, 50.0, 50.0, 40.0])


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def randomise_batchnorms(net: nn.Module, seed: int) -> nn.Module:
    """Non-trivial running statistics and affine parameters, so that folding has something to fold."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(0.1 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(n, generator=g))
                m.weight.copy_(0.5 + torch.rand(n, generator=g))
                m.bias.copy_(0.1 * torch.randn(n, generator=g))
    return net.eval()


def random_frames(n: int, seed: int):
    """Smooth random frames with a bright rectangle, and jittered boxes around it (some at the border)."""
    rng = np.random.default_rng(seed)
    frames, boxes = [], []
    for _ in range(n):
        f = (rng.random((H // 8, W // 8, 3)) * 255).astype(np.uint8).repeat(8, 0).repeat(8, 1)
        w, h = rng.uniform(20, 90), rng.uniform(20, 70)
        x, y = rng.uniform(-w / 2, W - w / 2), rng.uniform(-h / 2, H - h / 2)
        f[max(int(y), 0):max(int(y + h), 0), max(int(x), 0):max(int(x + w), 0)] = (230, 40, 40)
        frames.append(f)
        boxes.append(np.array([x, y, w, h]) + rng.normal(0, 4, 4) * [1, 1, 0.5, 0.5])
    return frames, boxes


@pytest.fixture(scope='module')
def net34():
    torch.manual_seed(0)
    return randomise_batchnorms(SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8,
                                              unfreeze_layer3=True), seed=1)


@pytest.fixture(scope='module')
def net18():
    torch.manual_seed(1)
    return randomise_batchnorms(SEcm_resnet18(backbone_pretrained=False, input_sz=128), seed=2)


@pytest.fixture(scope='module')
def net_lite():
    torch.manual_seed(2)
    return randomise_batchnorms(SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128), seed=3)


@pytest.fixture(scope='module')
def net_lite_s8():
    torch.manual_seed(3)
    net = randomise_batchnorms(SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=8), seed=4)
    with torch.no_grad():  # a non-zero refinement (it starts at zero)
        net.corner_head.fine[2].weight.normal_(0, 0.1)
    return net


def test_folded_conv_equals_conv_then_batchnorm():
    torch.manual_seed(0)
    seq = randomise_batchnorms(nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU()), 3)
    block = randomise_batchnorms(BasicBlock(8, 8), 4)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        expected = block(seq(x))
        fused = fold_conv_bn(seq[0], seq[1])
        assert fused.bias is not None and torch.allclose(fused(x), seq[1](seq[0](x)), atol=1e-5)
        folded_seq, folded_block = inference_copy(seq, 'cpu'), inference_copy(block, 'cpu')
        assert count_batchnorms(folded_seq) == 0 and count_batchnorms(folded_block) == 0
        assert torch.allclose(folded_block(folded_seq(x)), expected, atol=1e-5)
    assert count_batchnorms(block) == 2  # the original keeps its layers


def test_folding_refuses_a_network_in_training_mode():
    with pytest.raises(ValueError, match='eval mode'):
        fold_batchnorm(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)).train())


def test_inference_copy_folds_every_batchnorm_and_leaves_the_weights_untouched(net34):
    before = {k: v.clone() for k, v in net34.state_dict().items()}
    rf = RefineModule(net34, device='cpu', backend='torch')
    assert rf.inference_network is not rf.refine_network
    assert count_batchnorms(rf.inference_network) == 0 and count_batchnorms(rf.refine_network) > 0
    after = net34.state_dict()
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
    assert RefineModule(net34, device='cpu', fast=False).inference_network is net34


@pytest.mark.parametrize('which,frames_n', [('net34', 6), ('net18', 24), ('net_lite', 12), ('net_lite_s8', 8)])
def test_fast_path_matches_plain_path(which, frames_n, request):
    net = request.getfixturevalue(which)
    frames, boxes = random_frames(frames_n + 1, seed=frames_n)
    plain, fast = RefineModule(net, device='cpu', fast=False), RefineModule(net, device='cpu', backend='torch')
    for rf in (plain, fast):
        rf.initialize(frames[0], INIT_BOX)
    assert torch.allclose(plain._kernel, fast._kernel, rtol=1e-4, atol=1e-3)  # float rounding only
    worst_corner = worst_mask = 0.0
    for f, b in zip(frames[1:], boxes[1:]):
        p, q = plain.refine(f, b, test=True), fast.refine(f, b, test=True)
        worst_corner = max(worst_corner, np.abs(p['corner'] - q['corner']).max())
        worst_mask = max(worst_mask, np.abs(plain.get_mask(f, b) - fast.get_mask(f, b)).max())
    print(f"worst corner difference {worst_corner:.2e} px, mask {worst_mask:.2e}")
    assert worst_corner < 1e-3 and worst_mask < 1e-4


def test_efficientnet_blocks_are_folded_and_keep_tensorflow_padding(net_lite):
    folded = inference_copy(net_lite, 'cpu')
    assert count_batchnorms(folded) == 0
    block = folded.feature_extractor._blocks[1]  # stride 2: asymmetric padding kept by the folded conv's class
    assert type(block._depthwise_conv) is type(net_lite.feature_extractor._blocks[1]._depthwise_conv)
    x, box = torch.randn(2, 3, 128, 128), torch.tensor([[[32.0, 32.0, 64.0, 64.0]] * 2])
    with torch.no_grad():
        expected, got = net_lite(x, x, box, mode='train'), folded(x, x, box, mode='train')
    assert (got['corner'] - expected['corner']).abs().max() < 1e-3  # crop pixels
    assert (got['mask'] - expected['mask']).abs().max() < 1e-4


def test_refine_batch_equals_frame_by_frame(net18):
    frames, boxes = random_frames(7, seed=5)
    boxes[3] = np.array([np.nan, 1, 2, 3])  # a degenerate row is returned unchanged
    rf = RefineModule(net18, device='cpu', backend='torch')
    rf.initialize(frames[0], INIT_BOX)
    for mode in ('corner', 'mask'):
        batch = rf.refine_batch(frames[1:], boxes[1:], mode=mode)
        assert batch.shape == (6, 4) and batch.dtype == np.float64
        assert np.isnan(batch[2, 0]) and np.array_equal(batch[2, 1:], [1, 2, 3])
        for i in (0, 1, 3, 4, 5):
            single = RefineModule(net18, device='cpu', backend='torch')
            single.initialize(frames[0], INIT_BOX)
            assert np.abs(single.refine(frames[i + 1], boxes[i + 1], mode=mode) - batch[i]).max() < 1e-4


def test_mask_mode_computes_the_corner_box_only_as_fallback(net18):
    frames, boxes = random_frames(3, seed=6)
    calls = []
    rf = RefineModule(net18, device='cpu', backend='torch')
    rf.inference_network.corner_head.register_forward_hook(lambda *a: calls.append(1))
    rf.initialize(frames[0], INIT_BOX)
    reference = RefineModule(net18, device='cpu', fast=False)
    reference.initialize(frames[0], INIT_BOX)
    for f, b in zip(frames[1:], boxes[1:]):
        calls.clear()
        expected = reference.refine(f, b, test=True)
        got = rf.refine(f, b, mode='mask')
        assert np.abs(got - expected['mask']).max() < 1e-3
        # the fallback (corner) box is what the mask box is exactly when the mask had no contour
        assert len(calls) == int(np.allclose(expected['mask'], expected['corner']))


def test_mask_mode_of_a_corner_head_with_a_backbone_tap(net_lite_s8):
    """Corner_Predictor_s8 reads block3: the mask mode's corner fallback runs in the network pass, not lazily."""
    frames, boxes = random_frames(4, seed=7)
    rf, reference = RefineModule(net_lite_s8, device='cpu', backend='torch'), RefineModule(net_lite_s8, device='cpu', fast=False)
    for r in (rf, reference):
        r.initialize(frames[0], INIT_BOX)
    assert not rf._lazy_corner()
    for f, b in zip(frames[1:], boxes[1:]):
        assert np.abs(rf.refine(f, b, mode='mask') - reference.refine(f, b, mode='mask')).max() < 1e-3


@pytest.mark.parametrize('kwargs,message', [({'backend': 'tensorrt'}, 'backend should be one of'),
                                            ({'precision': 'float16'}, 'CUDA'),
                                            ({'precision': 'int8'}, 'precision should be one of')])
def test_bad_options_are_clear_errors(net18, kwargs, message):
    with pytest.raises(ValueError, match=message):
        RefineModule(net18, device='cpu', **kwargs)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')
@pytest.mark.parametrize('precision,tol', [('float32', 1e-3), ('float16', 2.0), ('bfloat16', 4.0)])
def test_cuda_fast_path_matches_cpu_plain_path(net18, precision, tol):
    frames, boxes = random_frames(9, seed=7)
    plain = RefineModule(net18, device='cpu', fast=False)
    cuda = RefineModule(copy.deepcopy(net18), device='cuda', precision=precision)  # .to() moves a module in place
    for rf in (plain, cuda):
        rf.initialize(frames[0], INIT_BOX)
    for f, b in zip(frames[1:], boxes[1:]):
        assert np.abs(plain.refine(f, b, mode='corner') - cuda.refine(f, b, mode='corner')).max() < tol
        if precision == 'float32':
            assert np.abs(plain.get_mask(f, b) - cuda.get_mask(f, b)).max() < 1e-4
