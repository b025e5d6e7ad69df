"""ONNX export of the search branch and the ONNX Runtime backend of RefineModule (optional [onnx] extra)."""
import numpy as np
import pytest
import torch

from ltr.admin.loading import save_network_checkpoint
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
from pytracking.refine_modules import export_onnx
from pytracking.refine_modules.refine_module import RefineModule

ort = pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (pip install -e .[onnx])')
onnx = pytest.importorskip('onnx', reason='onnx is not installed (pip install -e .[onnx])')

INIT_BOX = np.array([60.0, 50.0, 50.0, 40.0])


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(3)
    net = SEcm_resnet18(backbone_pretrained=False, input_sz=128).eval()
    g = torch.Generator().manual_seed(4)
    with torch.no_grad():  # non-trivial BatchNorm statistics
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=g))
    return net


def frames_and_boxes(n, seed=0):
    rng = np.random.default_rng(seed)
    frames = [(rng.random((20, 30, 3)) * 255).astype(np.uint8).repeat(8, 0).repeat(8, 1) for _ in range(n)]
    boxes = [INIT_BOX + rng.normal(0, 6, 4) * [1, 1, 0.5, 0.5] for _ in range(n)]
    return frames, boxes


def test_onnxruntime_backend_matches_pytorch(net):
    frames, boxes = frames_and_boxes(6)
    torch_rf = RefineModule(net, device='cpu', backend='torch')
    onnx_rf = RefineModule(net, device='cpu', backend='onnxruntime', threads=1)
    for rf in (torch_rf, onnx_rf):
        rf.initialize(frames[0], INIT_BOX)
    for f, b in zip(frames[1:], boxes[1:]):
        assert np.abs(torch_rf.refine(f, b, mode='corner') - onnx_rf.refine(f, b, mode='corner')).max() < 1e-4
        assert np.abs(torch_rf.get_mask(f, b) - onnx_rf.get_mask(f, b)).max() < 1e-4
    batch_t = torch_rf.refine_batch(frames[1:], boxes[1:], mode='corner')
    batch_o = onnx_rf.refine_batch(frames[1:], boxes[1:], mode='corner')
    assert np.abs(batch_t - batch_o).max() < 1e-4


@pytest.mark.parametrize('corner_stride', [16, 8])
def test_onnxruntime_backend_runs_the_efficientnet_lite_refiner(corner_stride):
    from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
    from pytracking.refine_modules.onnx_backend import runner_for
    torch.manual_seed(5)
    lite = SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=corner_stride).eval()
    if corner_stride == 8:  # a non-zero refinement (it starts at zero)
        with torch.no_grad():
            lite.corner_head.fine[2].weight.normal_(0, 0.1)
    rf = RefineModule(lite, device='cpu', backend='torch')
    frames, _ = frames_and_boxes(2)
    rf.initialize(frames[0], INIT_BOX)
    images = torch.randn(3, 3, 128, 128)
    with torch.no_grad():
        lite.neck.ref_kernel = rf._kernel.expand(3, -1, -1, -1)
        expected = lite.forward_test(images, mode='test', branches=['corner', 'mask'])
    out = runner_for(rf.inference_network, threads=1).run(images.numpy(), rf._kernel.numpy(), with_mask=True)
    assert np.abs(out['corner'] - expected['corner'].numpy()).max() < 1e-3
    assert np.abs(out['mask'] - expected['mask'].numpy()).max() < 1e-4


def test_auto_backend_is_onnxruntime_for_the_fast_cpu_path_only(net, monkeypatch):
    from pytracking.refine_modules import refine_module
    assert RefineModule(net, device='cpu').backend == 'onnxruntime'
    assert RefineModule(net, device='cpu', fast=False).backend == 'torch'  # the plain path stays upstream's
    assert refine_module.resolve_backend('auto', torch.device('cuda')) == 'torch'
    assert refine_module.resolve_backend('auto', torch.device('cpu'), precision='float16') == 'torch'
    monkeypatch.setattr(refine_module, 'onnxruntime_available', lambda: False)
    assert RefineModule(net, device='cpu').backend == 'torch'


def test_export_cli_writes_a_valid_graph_with_dynamic_batch(net, tmp_path, capsys):
    ckpt, out = tmp_path / 'SEcmnet_ep0001.pth.tar', tmp_path / 'refiner.onnx'
    save_network_checkpoint(str(ckpt), net, epoch=1)
    assert export_onnx.main([str(ckpt), str(out)]) == 0
    assert 'wrote' in capsys.readouterr().out
    onnx.checker.check_model(onnx.load(str(out)))
    session = ort.InferenceSession(str(out), providers=['CPUExecutionProvider'])
    assert [i.name for i in session.get_inputs()] == ['image', 'kernel']
    rng = np.random.default_rng(1)
    image = rng.standard_normal((3, 3, 128, 128)).astype(np.float32)
    kernel = rng.standard_normal((3, 256, 4, 4)).astype(np.float32)
    corner, mask = session.run(None, {'image': image, 'kernel': kernel})
    assert corner.shape == (3, 4) and mask.shape == (3, 1, 128, 128)
    # same numbers as the PyTorch network with that kernel
    with torch.inference_mode():
        net.neck.ref_kernel = torch.from_numpy(kernel)
        expected = net.forward_test(torch.from_numpy(image), mode='test', branches=['corner', 'mask'])
    assert np.abs(corner - expected['corner'].numpy()).max() < 1e-3
    assert np.abs(mask - expected['mask'].numpy()).max() < 1e-4


def test_export_cli_missing_checkpoint_is_one_line(tmp_path, capsys):
    assert export_onnx.main([str(tmp_path / 'nope.pth.tar'), str(tmp_path / 'x.onnx')]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('export_onnx:') and '\n' not in err and not (tmp_path / 'x.onnx').exists()
