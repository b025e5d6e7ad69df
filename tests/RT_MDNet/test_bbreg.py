"""RT-MDNet's box regression: targets, the ridge fit, prediction with upstream's acceptance and limits."""
import numpy as np
import pytest

from RT_MDNet.modules.bbreg import BBRegressor, RidgeRegression
from RT_MDNet.modules.sample_generator import SampleGenerator, gen_samples


def test_regression_targets_hand_computed():
    y = BBRegressor.get_examples(np.array([[0, 0, 10, 20.0]]), np.array([2, 4, 20, 10.0]))
    # centres (5, 10) -> (12, 9): dx = 7 / 10, dy = -1 / 20, dw = log 2, dh = log 1/2
    assert y[0] == pytest.approx([0.7, -0.05, np.log(2), np.log(0.5)])


@pytest.mark.parametrize('n, d', [(30, 8), (6, 20)])  # primal and dual forms
def test_ridge_solves_the_penalised_least_squares(n, d):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(n, 3))
    model = RidgeRegression(alpha=2.5).fit(X, Y)
    residual = model.predict(X) - Y
    assert np.allclose(residual.sum(axis=0), 0, atol=1e-9)  # intercept: residuals average to 0
    Xc = X - X.mean(axis=0)
    gradient = Xc.T @ residual + 2.5 * model.coef_.T  # d/dW (|XcW - Yc|^2 / 2 + alpha |W|^2 / 2)
    assert np.allclose(gradient, 0, atol=1e-8)


def test_bbreg_learns_offsets_from_features_that_encode_them():
    rng = np.random.default_rng(1)
    gt = np.array([60, 50, 40, 30.0])
    boxes = gen_samples(SampleGenerator('uniform', (200, 160), 0.3, 1.5, 1.1, rng=rng), gt, 200, (0.6, 1), (1, 2))
    X = np.concatenate([BBRegressor.get_examples(boxes, gt), rng.normal(size=(len(boxes), 6))], axis=1)
    reg = BBRegressor((200, 160), alpha=1e-6)
    reg.train(X, boxes, gt)
    out = reg.predict(X, boxes)
    assert out == pytest.approx(np.tile(gt, (len(boxes), 1)), abs=1e-4)


def test_prediction_outside_the_training_ranges_keeps_the_box_and_is_limited_to_the_image():
    reg = BBRegressor((100, 80), alpha=1e-6)
    reg.model.coef_ = np.eye(4)
    reg.model.intercept_ = np.zeros(4)
    box = np.array([[10, 10, 20, 20.0]])
    # a shift of 5 widths: IoU 0 -> rejected, the box is kept
    assert reg.predict(np.array([[5.0, 0, 0, 0]]), box)[0].tolist() == box[0].tolist()
    # a shift of 0.1 width (IoU 0.82) is applied
    out = reg.predict(np.array([[0.1, 0, 0, 0]]), box)[0]
    assert out.tolist() == pytest.approx([12, 10, 20, 20])
    # x clipped at 0, w limited to W - x_in (upstream: uses the input box's x)
    near = np.array([[0.5, 10, 99.8, 20]])
    out = reg.predict(np.array([[-0.01, 0, 0, 0]]), near)[0]  # x = 0.5 - 0.998 < 0
    assert out[0] == 0 and out[2] == pytest.approx(100 - 0.5)
