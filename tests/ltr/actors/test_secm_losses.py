"""The SEcm recipes' corner loss setting: upstream's MSE by default, L1 on request, anything else refused."""
import pytest
import torch

from ltr.admin.settings import Settings
from ltr.train_settings.SEx_beta._secm import corner_objective, set_defaults


def test_default_corner_loss_is_upstreams_mse():
    settings = Settings()
    set_defaults(settings)
    assert settings.corner_loss == 'mse'
    pred, gt = torch.tensor([[0., 0., 10., 10.]]), torch.tensor([[1., 2., 10., 13.]])
    assert corner_objective(settings.corner_loss)(pred, gt).item() == pytest.approx((1 + 4 + 0 + 9) / 4)


def test_l1_corner_loss_is_the_mean_absolute_pixel_error():
    pred, gt = torch.tensor([[0., 0., 10., 10.]]), torch.tensor([[1., 2., 10., 13.]])
    assert corner_objective('l1')(pred, gt).item() == pytest.approx((1 + 2 + 0 + 3) / 4)


def test_unknown_corner_loss_names_the_setting():
    with pytest.raises(ValueError, match=r"settings.corner_loss .*'huber'"):
        corner_objective('huber')
