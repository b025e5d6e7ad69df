"""RT-MDNet network: official key layout (strict load of a fabricated rt-mdnet.pth), RoIAlign, LRN, loss, metrics."""
import json
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ltr.admin.loading import CheckpointError
from RT_MDNet.modules.model import LRN, MDNet, BinaryLoss, RoIAlignAdaMax, accuracy, precision

SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'spec_checkpoints',
                    'rtmdnet.json')
# spec/checkpoints/rtmdnet.json 'state_dict' (kept here so the test runs where the spec folder is absent)
SHARED_LAYERS = {
    'conv1.0.weight': [96, 3, 7, 7], 'conv1.0.bias': [96], 'conv2.0.weight': [256, 96, 5, 5], 'conv2.0.bias': [256],
    'conv3.0.weight': [512, 256, 3, 3], 'conv3.0.bias': [512], 'fc4.0.weight': [512, 4608], 'fc4.0.bias': [512],
    'fc5.1.weight': [512, 512], 'fc5.1.bias': [512]}


def fabricated(shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(v, generator=g) for k, v in shapes.items()}


def test_embedded_keys_are_the_spec():
    if not os.path.isfile(SPEC):
        pytest.skip('spec folder not present')
    spec = json.load(open(SPEC))
    assert spec['state_dict'] == SHARED_LAYERS
    full = {k: list(v.shape) for k, v in MDNet().state_dict().items()}
    assert full == spec['full_module_state_dict']


def test_strict_load_of_a_fabricated_model_file(tmp_path):
    net = MDNet()
    own = {k: list(v.shape) for k, v in net.layers.state_dict().items()}
    assert set(own) == set(SHARED_LAYERS) and own == SHARED_LAYERS  # both ways, with shapes
    state = fabricated(SHARED_LAYERS)
    path = tmp_path / 'rt-mdnet.pth'
    torch.save({'shared_layers': state}, path)
    loaded = MDNet(str(path))
    for k, v in loaded.layers.state_dict().items():
        assert torch.equal(v, state[k]), k
    assert sum(p.numel() for p in loaded.layers.parameters()) == 4431488


@pytest.mark.parametrize('change, message', [
    (lambda s: s.pop('fc5.1.bias'), 'missing keys'),
    (lambda s: s.update({'fc6.weight': torch.zeros(2, 512)}), 'unexpected keys'),
    (lambda s: s.update({'fc4.0.weight': torch.zeros(512, 4096)}), 'shape mismatch'),
])
def test_a_wrong_model_file_is_an_error(tmp_path, change, message):
    state = fabricated(SHARED_LAYERS)
    change(state)
    path = tmp_path / 'rt-mdnet.pth'
    torch.save({'shared_layers': state}, path)
    with pytest.raises(CheckpointError, match=message):
        MDNet(str(path))


def test_a_file_without_shared_layers_or_missing_is_an_error(tmp_path):
    path = tmp_path / 'rt-mdnet.pth'
    torch.save(fabricated(SHARED_LAYERS), path)  # a bare state dict, not {'shared_layers': ...}
    with pytest.raises(CheckpointError, match="expected a dict with 'shared_layers'"):
        MDNet(str(path))
    with pytest.raises(CheckpointError, match='no such checkpoint file'):
        MDNet(str(tmp_path / 'nothing.pth'))


def test_layer_outputs_and_branch_logits():
    torch.manual_seed(0)
    net = MDNet().eval()
    x = torch.randn(2, 3, 107, 107) * 50
    assert net(x, out_layer='conv3').shape == (2, 512, 5, 5)
    feats = torch.randn(4, 4608)
    logits = net(feats, in_layer='fc4')
    assert logits.shape == (4, 2)
    assert torch.allclose(net(feats, in_layer='fc4', out_layer='fc6_softmax').sum(1), torch.ones(4))
    assert set(net.get_learnable_params()) == set(net.params)
    net.set_learnable_params(['fc'])
    assert set(net.get_learnable_params()) == {'fc4_weight', 'fc4_bias', 'fc5_weight', 'fc5_bias', 'fc6_0_weight',
                                               'fc6_0_bias'}


def test_lrn_hand_computed():
    x = torch.tensor([[[[2.0]], [[-10.0]]]])
    out = LRN()(x)
    assert out[0, 0, 0, 0].item() == pytest.approx(2.0 / (2 + 1e-4 * 4) ** 0.75)
    assert out[0, 1, 0, 0].item() == pytest.approx(-10.0 / (2 + 1e-4 * 100) ** 0.75)


def upstream_ada_samples(fmap, roi, n=7, scale=1 / 8):
    """The upstream adaptive kernel written out point by point (stride 1 case: bins under 1.5 cells)."""
    C, H, W = fmap.shape
    x1, y1, x2, y2 = [v * scale for v in roi]
    bw, bh = (x2 - x1 + 1) / n, (y2 - y1 + 1) / n
    out = torch.zeros(C, n, n)
    for i in range(n):
        for j in range(n):
            h, w = i * bh + y1, j * bw + x1
            if h < 0 or h >= H or w < 0 or w >= W:
                continue
            hs, ws = min(int(np.floor(h)), H - 2), min(int(np.floor(w)), W - 2)
            rh, rw = h - hs, w - ws
            out[:, i, j] = (fmap[:, hs, ws] * (1 - rh) * (1 - rw) + fmap[:, hs, ws + 1] * (1 - rh) * rw
                            + fmap[:, hs + 1, ws] * rh * (1 - rw) + fmap[:, hs + 1, ws + 1] * rh * rw)
    return out


def test_roi_align_matches_the_upstream_kernel_inside_the_map():
    g = torch.Generator().manual_seed(1)
    fmap = torch.randn(1, 4, 12, 14, generator=g)
    rois = [(8.0, 16.0, 60.0, 52.0), (3.5, 0.0, 50.25, 70.0), (20.0, 10.0, 30.0, 20.0)]
    out = RoIAlignAdaMax(3, 3, 1 / 8)(fmap, torch.tensor([[0.0, *r] for r in rois]))
    assert out.shape == (3, 4, 3, 3)
    for k, roi in enumerate(rois):
        expected = F.max_pool2d(upstream_ada_samples(fmap[0], roi)[None], 3, 2)[0]
        assert torch.allclose(out[k], expected, atol=1e-5), roi


def test_roi_align_samples_outside_the_map_are_zero():
    fmap = torch.ones(1, 2, 6, 6)
    # x from -16 px to 16 px = cells -2..2, bin 5/7: grid columns 0..2 (x < 0) are outside -> 0 before the
    # max-pool, so pooled columns 0 and 1 (grid 0..2, 2..4) are max(0, -1) = 0 and column 2 (grid 4..6) is -1
    out = RoIAlignAdaMax(3, 3, 1 / 8)(-fmap, torch.tensor([[0.0, -16.0, 0.0, 16.0, 30.0]]))
    assert out[0, 0, :, 0].tolist() == [0.0, 0.0, 0.0] and out[0, 0, :, 1].tolist() == [0.0, 0.0, 0.0]
    assert out[0, 0, :, 2].tolist() == [-1.0, -1.0, -1.0]


def test_binary_loss_and_metrics_hand_computed():
    pos = torch.tensor([[0.0, 2.0], [1.0, 0.0]])
    neg = torch.tensor([[3.0, 0.0], [0.0, 0.0], [0.0, 5.0]])
    expected = (np.log1p(np.exp(-2)) + np.log1p(np.exp(1)) + np.log1p(np.exp(-3)) + np.log(2) + np.log1p(np.exp(5))) / 5
    assert BinaryLoss()(pos, neg).item() == pytest.approx(expected, rel=1e-6)
    assert accuracy(pos, neg) == pytest.approx((0.5, 1 / 3))
    # target logits: pos 2, 0; neg 0, 0, 5 -> top-2 = {5 (neg), 2 (pos)} -> precision 1/2
    assert precision(pos, neg) == pytest.approx(0.5)


def ramp_map():
    """One 4 x 5 map, value 5 * row + col (a linear function, so interpolation is easy to do by hand)."""
    return torch.arange(20, dtype=torch.float32).reshape(1, 1, 4, 5)


def test_upstream_kernel_interpolates_between_cells_a_stride_apart():
    """roi cells x 0.5..13.5 (bin_w = 14 / 7 = 2, stride 2), y 0.25..6.25 (bin_h = 1, stride 1).
    Point (1, 1): h = 1.25, w = 2.5 -> rows 1, 2 (0.75, 0.25), columns 2, 4 (1 - 0.5/2 = 0.75, 0.25):
    0.75 (0.75 * 7 + 0.25 * 9) + 0.25 (0.75 * 12 + 0.25 * 14) = 8.75.
    Point (1, 2): w = 4.5 -> lo = min(4, 5 - 2) = 3, columns 3 and 3 + 2 = 5, i.e. flat offset row * 5 + 5 =
    the next row's column 0 (the kernel reads flat memory): 0.75 (0.25 * 8 + 0.75 * 10) + 0.25 (0.25 * 13 +
    0.75 * 15) = 10.75. Point (1, 3): w = 6.5 >= 5 is outside: 0."""
    from RT_MDNet.modules.model import upstream_ada_samples
    out = upstream_ada_samples(ramp_map(), torch.tensor([[0.0, 0.5, 0.25, 13.5, 6.25]]), 7, 7)
    assert out[0, 0, 1, 1].item() == pytest.approx(8.75)
    assert out[0, 0, 1, 2].item() == pytest.approx(10.75)
    assert out[0, 0, 1, 3].item() == 0.0


def test_upstream_kernel_in_the_last_cell():
    """Stride 1, h = 3.5 in a 4-row map: lo = min(3, 2) = 2, weights 1 - |1.5| = -0.5 (row 2) and
    1 - |0.5| = 0.5 (row 3); w = 0: column 0. -0.5 * 10 + 0.5 * 15 = 2.5 (torchvision: row 3, 15)."""
    from RT_MDNet.modules.model import upstream_ada_samples
    out = upstream_ada_samples(ramp_map(), torch.tensor([[0.0, 0.0, 0.5, 6.0, 6.5]]), 7, 7)   # h = 0.5 + p
    assert out[0, 0, 3, 0].item() == pytest.approx(2.5)


def test_roi_align_uses_the_upstream_kernel_where_torchvision_differs():
    g = torch.Generator().manual_seed(2)
    fmap = torch.randn(2, 3, 9, 11, generator=g)
    rois = torch.tensor([[0.0, 8.0, 16.0, 60.0, 52.0],       # interior, stride 1: torchvision is exact
                         [1.0, 0.0, 0.0, 120.0, 100.0],      # bins about 2 cells: stride 2
                         [0.0, 40.0, 30.0, 87.0, 71.0]])     # reaches the last row/column cell
    upstream = RoIAlignAdaMax(3, 3, 1 / 8)(fmap, rois)
    former = RoIAlignAdaMax(3, 3, 1 / 8, kernel='torchvision')(fmap, rois)
    from RT_MDNet.modules.model import upstream_ada_samples
    cells = torch.cat([rois[:, :1], rois[:, 1:] / 8], 1)
    expected = F.max_pool2d(upstream_ada_samples(fmap, cells, 7, 7), 3, 2)
    assert torch.allclose(upstream, expected, atol=1e-5)
    assert torch.allclose(former[0], upstream[0], atol=1e-5)
    assert not torch.allclose(former[1], upstream[1], atol=1e-3)
    assert not torch.allclose(former[2], upstream[2], atol=1e-3)
    with pytest.raises(ValueError, match='kernel'):
        RoIAlignAdaMax(kernel='cuda')
