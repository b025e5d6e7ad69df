"""SiamRPN++ network: official key set and shapes (strict load of a file fabricated from the spec), sizes, errors."""
import json
import os

import pytest
import torch

from ltr.admin.loading import CheckpointError
from pysot.core.config import load_config
from pysot.models.backbone.resnet_atrous import resnet50
from pysot.models.model_builder import ModelBuilder
from pysot.tracker.arena import find_config
from pysot.utils.model_load import load_pretrain

SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'spec_checkpoints',
                    'siamrpn_r50_l234_dwxcorr.json')


@pytest.fixture(scope='module')
def official_model():
    return ModelBuilder(load_config(find_config('siamrpn_r50_l234_dwxcorr')))


@pytest.mark.skipif(not os.path.isfile(SPEC), reason='spec checkpoint JSON not present')
def test_official_file_loads_strictly_and_key_sets_match(official_model, tmp_path):
    spec = json.load(open(SPEC))['state_dict']
    own = official_model.state_dict()
    assert set(own) == set(spec) and list(own) == list(spec)
    assert {k: list(v.shape) for k, v in own.items()} == spec
    assert sum(p.numel() for p in official_model.parameters()) == 53950624
    # a flat model.pth as the pysot model zoo ships it, values distinct per key
    fabricated = {k: torch.full(shape, float(i % 97), dtype=torch.long if k.endswith('num_batches_tracked') else torch.float32)
                  for i, (k, shape) in enumerate(spec.items())}
    path = tmp_path / 'model.pth'
    torch.save(fabricated, path)
    del fabricated
    load_pretrain(official_model, path)
    loaded = official_model.state_dict()
    for i, k in enumerate(spec):
        assert float(loaded[k].reshape(-1)[0]) == float(i % 97), k


def test_resnet50_atrous_keeps_stride_8():
    net = resnet50(used_layers=[2, 3, 4]).eval()
    assert 'fc.weight' not in net.state_dict()
    assert tuple(net.state_dict()['layer2.0.downsample.0.weight'].shape) == (512, 256, 3, 3)
    assert net.layer3[0].conv2.dilation == (1, 1) and net.layer3[1].conv2.dilation == (2, 2)
    assert net.layer4[0].conv2.dilation == (2, 2) and net.layer4[1].conv2.dilation == (4, 4)
    with torch.inference_mode():
        out = net(torch.rand(1, 3, 63, 63))  # conv1 (no padding) 29 -> pool 15 -> layer2 7 -> 7 -> 7
    assert [tuple(o.shape) for o in out] == [(1, 512, 7, 7), (1, 1024, 7, 7), (1, 2048, 7, 7)]
    assert resnet50(used_layers=[2]).layer3 is None


@pytest.fixture
def tiny(tmp_path_factory, tiny_config):
    config = load_config(tiny_config(tmp_path_factory.mktemp('tiny')))
    torch.manual_seed(0)
    return config, ModelBuilder(config).eval()


def test_template_crop_to_7_and_score_map_size(tiny):
    config, model = tiny
    with torch.inference_mode():
        model.template(torch.rand(1, 3, 127, 127) * 255)
        assert [tuple(z.shape[-2:]) for z in model.zf] == [(7, 7)] * 3  # 15x15 cut to the centre 7x7
        out = model.track(torch.rand(1, 3, 255, 255) * 255)
    assert tuple(out['cls'].shape) == (1, 10, 25, 25) and tuple(out['loc'].shape) == (1, 20, 25, 25)
    assert torch.isfinite(out['cls']).all() and out['mask'] is None
    assert tuple(model.rpn_head.cls_weight.shape) == (3,)


def test_weighted_fusion_is_softmax_of_the_layer_weights(tiny):
    _, model = tiny
    head = model.rpn_head
    zs = [torch.rand(1, 16, 7, 7) for _ in range(3)]
    xs = [torch.rand(1, 16, 15, 15) for _ in range(3)]
    with torch.no_grad():
        head.cls_weight.copy_(torch.tensor([0.0, 100.0, 0.0]))
        head.loc_weight.copy_(torch.tensor([0.0, 0.0, 100.0]))
        cls, loc = head(zs, xs)
        torch.testing.assert_close(cls, head.rpn3(zs[1], xs[1])[0])
        torch.testing.assert_close(loc, head.rpn4(zs[2], xs[2])[1])
        head.cls_weight.fill_(1.0)
        head.loc_weight.fill_(1.0)


def test_training_snapshot_with_module_prefix_loads(tiny, tmp_path):
    config, model = tiny
    snap = {'epoch': 3, 'state_dict': {'module.' + k: v.clone() + 1 for k, v in model.state_dict().items()}}
    torch.save(snap, tmp_path / 'checkpoint_e3.pth')
    other = ModelBuilder(config)
    load_pretrain(other, tmp_path / 'checkpoint_e3.pth')
    for k, v in other.state_dict().items():
        torch.testing.assert_close(v, snap['state_dict']['module.' + k])


def test_wrong_files_are_errors_not_random_weights(tiny, tmp_path):
    config, model = tiny
    state = {k: v.clone() for k, v in model.state_dict().items()}
    no_counters = {k: v for k, v in state.items() if not k.endswith('num_batches_tracked')}
    torch.save(no_counters, tmp_path / 'old.pth')  # pre-0.4.1 files: BN counters absent -> filled, not an error
    load_pretrain(ModelBuilder(config), tmp_path / 'old.pth')

    missing = dict(state)
    del missing['rpn_head.rpn3.cls.head.3.bias']
    torch.save(missing, tmp_path / 'missing.pth')
    with pytest.raises(CheckpointError, match=r"missing\.pth.*missing keys.*rpn_head\.rpn3\.cls\.head\.3\.bias"):
        load_pretrain(ModelBuilder(config), tmp_path / 'missing.pth')
    extra = dict(state, **{'features.extra.weight': torch.zeros(1)})
    torch.save(extra, tmp_path / 'extra.pth')
    with pytest.raises(CheckpointError, match=r"unexpected keys.*features\.extra\.weight"):
        load_pretrain(ModelBuilder(config), tmp_path / 'extra.pth')
    torch.save({'net': state, 'constructor': None}, tmp_path / 'pytracking.pth')
    with pytest.raises(CheckpointError, match='not a pysot model file'):
        load_pretrain(ModelBuilder(config), tmp_path / 'pytracking.pth')
    with pytest.raises(CheckpointError, match='nosuch.pth'):
        load_pretrain(ModelBuilder(config), tmp_path / 'nosuch.pth')
