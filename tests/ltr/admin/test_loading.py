"""Checkpoints: official dict format, pickled constructor, strict and safe loading."""
import os
import sys
import types
from collections import OrderedDict

import pytest
import torch

from ltr.admin.loading import CheckpointError, InertObject, latest_checkpoint, load_checkpoint, load_network, \
    save_network_checkpoint
from ltr.admin.model_constructor import ConstructorError, NetConstructor


class TinyNet(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, channels, 3)
        self.bn = torch.nn.BatchNorm2d(channels)


@pytest.fixture
def tiny_constructor(register_constructor):
    """A decorated constructor living in a module under ltr.models (the only place constructors may live)."""
    def tinynet(channels=4, backbone_pretrained=True):
        return TinyNet(channels)

    return register_constructor(tinynet, 'ltr.models.tiny_for_tests')


def test_round_trip_in_official_format_rebuilds_an_identical_network(tmp_path, tiny_constructor):
    torch.manual_seed(0)
    net = tiny_constructor(channels=5)
    net.bn.running_mean.uniform_()
    path = str(tmp_path / 'TinyNet_ep0003.pth.tar')
    save_network_checkpoint(path, net, epoch=3, actor_type='TinyActor')
    raw = load_checkpoint(path)
    assert list(raw)[:6] == ['epoch', 'actor_type', 'net_type', 'net', 'net_info', 'constructor']
    assert raw['epoch'] == 3 and raw['net_type'] == 'TinyNet'
    c = raw['constructor']
    assert (c.fun_name, c.fun_module, c.args, c.kwds) == ('tinynet', 'ltr.models.tiny_for_tests', (), {'channels': 5})
    loaded = load_network(path, backbone_pretrained=False)
    assert isinstance(loaded, TinyNet)
    for (k, a), (k2, b) in zip(net.state_dict().items(), loaded.state_dict().items()):
        assert k == k2 and torch.equal(a, b)
    assert loaded.constructor.kwds == {'channels': 5, 'backbone_pretrained': False}
    assert load_network(str(tmp_path)).conv.out_channels == 5  # a folder loads its latest epoch file


def test_ddp_style_wrapped_network_is_saved_without_module_prefix(tmp_path, tiny_constructor):
    net = torch.nn.DataParallel(tiny_constructor())
    path = str(tmp_path / 'x.pth.tar')
    save_network_checkpoint(path, net)
    assert all(not k.startswith('module.') for k in load_checkpoint(path)['net'])


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth.tar')
    torch.save({'net': OrderedDict(), 'constructor': _Evil(marker)}, path)
    with pytest.raises(CheckpointError, match=r"evil\.pth\.tar: refused to load: the file needs '(posix|nt)\.system'"):
        load_network(path)
    assert not marker.exists()


def _pickle_with_fake_module(name, cls_name, obj_attrs):
    """Instance of a class pickled under module `name` (the caller removes the modules again)."""
    parts = name.split('.')
    for i in range(1, len(parts)):
        sys.modules.setdefault('.'.join(parts[:i]), types.ModuleType('.'.join(parts[:i])))
    module = types.ModuleType(name)
    cls = type(cls_name, (), {})
    cls.__module__ = name
    setattr(module, cls_name, cls)
    sys.modules[name] = module
    obj = cls()
    vars(obj).update(obj_attrs)
    return obj


def test_settings_referencing_user_local_module_load_as_inert_placeholders(tmp_path, tiny_constructor, monkeypatch):
    env = _pickle_with_fake_module('ltr.admin.local', 'EnvironmentSettings', {'workspace_dir': '/home/u/ws'})
    legacy = _pickle_with_fake_module('dlframework.common.utils.stats', 'AverageMeter', {'avg': 0.5})
    settings = _pickle_with_fake_module('ltr.admin.settings_fake_holder', 'Settings', {})
    path = str(tmp_path / 'SEcmnet_ep0040.pth.tar')
    try:
        save_network_checkpoint(path, tiny_constructor(), epoch=40,
                                extra={'stats': OrderedDict(train=OrderedDict(Loss=legacy)),
                                       'settings': {'env': env}, 'optimizer': {'state': {}, 'param_groups': []}})
    finally:
        for name in ('ltr.admin.local', 'dlframework.common.utils.stats', 'dlframework.common.utils',
                     'dlframework.common', 'dlframework', 'ltr.admin.settings_fake_holder'):
            sys.modules.pop(name, None)
    monkeypatch.setitem(sys.modules, 'ltr.admin.local', None)  # importing it now would raise: prove we never do
    ckpt = load_checkpoint(path)
    env_back = ckpt['settings']['env']
    assert isinstance(env_back, InertObject) and env_back.pickled_name == 'ltr.admin.local.EnvironmentSettings'
    assert env_back.workspace_dir == '/home/u/ws'
    assert ckpt['stats']['train']['Loss'].avg == 0.5
    assert isinstance(load_network(path), TinyNet)
    del settings


def test_missing_file_error_names_path_and_hint(tmp_path):
    path = str(tmp_path / 'SEcmnet_ep0040-c.pth.tar')
    with pytest.raises(CheckpointError, match=r"SEcmnet_ep0040-c\.pth\.tar: no such checkpoint file; put it in X"):
        load_network(path, missing_hint='put it in X')


def test_wrong_network_type_names_expected_and_found(tmp_path, tiny_constructor):
    path = str(tmp_path / 'n.pth.tar')
    save_network_checkpoint(path, tiny_constructor())
    with pytest.raises(CheckpointError, match=r"expected a SEcmnet network, found net_type 'TinyNet' built by "
                                              r"ltr\.models\.tiny_for_tests\.tinynet"):
        load_network(path, expected_net_type='SEcmnet')


def test_shape_mismatch_lists_the_first_mismatching_keys(tmp_path, tiny_constructor):
    path = str(tmp_path / 'n.pth.tar')
    net = tiny_constructor(channels=4)
    save_network_checkpoint(path, net)
    ckpt = load_checkpoint(path)
    ckpt['net']['conv.weight'] = torch.zeros(4, 3, 5, 5)
    ckpt['net']['extra.weight'] = torch.zeros(1)
    del ckpt['net']['bn.bias']
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError) as e:
        load_network(path)
    msg = str(e.value)
    assert "missing keys ['bn.bias']" in msg and "unexpected keys ['extra.weight']" in msg
    assert "conv.weight (4, 3, 5, 5) vs (4, 3, 3, 3)" in msg and '\n' not in msg


def test_constructor_outside_ltr_models_or_undecorated_is_refused(tmp_path, tiny_constructor):
    path = str(tmp_path / 'n.pth.tar')
    torch.save({'net': OrderedDict(), 'constructor': NetConstructor('system', 'os', ('true',), {})}, path)
    with pytest.raises(CheckpointError, match=r"constructor os\.system is not in ltr\.models"):
        load_network(path)
    sys.modules['ltr.models.tiny_for_tests'].plain = lambda: TinyNet(3)
    with pytest.raises(ConstructorError, match='not a network constructor'):
        NetConstructor('plain', 'ltr.models.tiny_for_tests', (), {}).get()
    legacy = NetConstructor('tinynet', 'dlframework.ltr.models.tiny_for_tests', (), {'channels': 2})
    assert legacy.get().conv.out_channels == 2  # old files name dlframework.* modules


def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / 'broken.pth.tar'
    path.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CheckpointError, match=r"broken\.pth\.tar: not a readable checkpoint"):
        load_checkpoint(str(path))


def test_official_style_constructor_loads_without_imagenet_backbone_files(tmp_path, register_constructor):
    """Upstream's pickled constructors record backbone_pretrained=True; load_network must not replay it (the
    state dict overwrites every weight), so no ImageNet file is needed, as upstream's documentation loads."""
    def pretrained_net(channels=4, backbone_pretrained=True):
        if backbone_pretrained:
            raise FileNotFoundError('ImageNet backbone weights not found')
        return TinyNet(channels)

    net = register_constructor(pretrained_net, 'ltr.models.needs_imagenet_for_tests')(channels=3,
                                                                                       backbone_pretrained=False)
    path = str(tmp_path / 'official.pth.tar')
    save_network_checkpoint(path, net)
    ckpt = torch.load(path, weights_only=False)
    ckpt['constructor'].kwds['backbone_pretrained'] = True  # as the official files record it
    torch.save(ckpt, path)
    loaded = load_network(path)
    assert loaded.conv.out_channels == 3 and loaded.constructor.kwds['backbone_pretrained'] is False


def test_constructor_without_backbone_argument_loads_without_warning(tmp_path, recwarn, register_constructor):
    def plain_net(channels=4):
        return TinyNet(channels)

    path = str(tmp_path / 'plain.pth.tar')
    save_network_checkpoint(path, register_constructor(plain_net, 'ltr.models.no_backbone_for_tests')(channels=2))
    assert load_network(path).conv.out_channels == 2
    assert not [w for w in recwarn if 'backbone_pretrained' in str(w.message)]


@pytest.mark.parametrize('content', [b'hello world\n', b'', bytes(range(256)), 'npy', 'pickle'])
def test_unreadable_file_error_never_suggests_an_unsafe_load(tmp_path, content):
    import pickle
    import numpy as np
    path = tmp_path / 'not_a_checkpoint.pth'
    if content == 'npy':
        np.save(path.open('wb'), np.zeros(3))
    elif content == 'pickle':
        path.write_bytes(pickle.dumps({'a': 1}, protocol=4))
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match='not a readable checkpoint') as err:
        load_checkpoint(str(path))
    assert 'weights_only' not in str(err.value) and '\n' not in str(err.value)


def test_latest_checkpoint_only_picks_epoch_files(tmp_path):
    for name in ('SEcmnet_ep0005.pth.tar', 'SEcmnet_ep0040-c.pth.tar', 'SEcmnet_ep0010.pth.tar', 'notes.txt'):
        (tmp_path / name).write_bytes(b'')
    assert os.path.basename(latest_checkpoint(str(tmp_path))) == 'SEcmnet_ep0010.pth.tar'
    assert latest_checkpoint(str(tmp_path / 'empty')) is None
