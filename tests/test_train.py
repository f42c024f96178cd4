"""gru_lib.train: loss, gradients, clipping and optimisers against independent numbers
(hand formulas, finite differences, torch.nn / torch.optim), and a training run that
must beat the trivial baseline of the adding problem."""

import numpy as np
import pytest
import torch

from gru_lib.convert import from_torch
from gru_lib.data import ADDING_BASELINE_MSE, adding_problem
from gru_lib.gradcheck import numerical_gradient, relative_error
from gru_lib.numpy import GRUParams, init_params
from gru_lib.train import (SGD, Adam, clip_by_global_norm, global_norm, init_readout,
                           loss_and_grads, mse_loss, parameters, train)


def test_mse_loss_by_hand_and_by_finite_differences():
    y = np.array([[1.0, 2.0], [3.0, 5.0]])
    target = np.array([[0.0, 2.0], [1.0, 2.0]])
    loss, dy = mse_loss(y, target)
    assert loss == (1 + 0 + 4 + 9) / 4                 # squared errors 1, 0, 4, 9
    assert relative_error(dy, numerical_gradient(lambda: mse_loss(y, target)[0], y)) < 1e-9


@pytest.mark.parametrize("reset_after", [False, True])
def test_loss_and_grads_match_finite_differences(reset_after):
    rng = np.random.default_rng(0)
    p = init_params(3, 4, seed=0)
    W_hy, b_y = init_readout(4, 2, seed=1)
    b_y += rng.normal(size=2)
    xs, target = rng.normal(size=(5, 3, 3)), rng.normal(size=(3, 2))

    def f():
        return loss_and_grads(p, W_hy, b_y, xs, target, reset_after=reset_after)[0]

    _, grads, dW_hy, db_y = loss_and_grads(p, W_hy, b_y, xs, target, reset_after=reset_after)
    ours = [getattr(grads, n) for n in GRUParams.NAMES] + [dW_hy, db_y]
    for a, g in zip(parameters(p, W_hy, b_y), ours):
        assert relative_error(g, numerical_gradient(f, a)) <= 1e-7


def test_loss_and_grads_match_nn_gru_with_linear_readout():
    # torch.nn.GRU + nn.Linear + MSELoss, differentiated by autograd, read back via from_torch.
    torch.manual_seed(0)
    gru, lin = torch.nn.GRU(3, 5, dtype=torch.float64), torch.nn.Linear(5, 2, dtype=torch.float64)
    rng = np.random.default_rng(1)
    xs, target = rng.normal(size=(6, 4, 3)), rng.normal(size=(4, 2))
    out, _ = gru(torch.from_numpy(xs))
    torch.nn.functional.mse_loss(lin(out[-1]), torch.from_numpy(target)).backward()
    p = from_torch(gru)
    W_hy, b_y = lin.weight.detach().numpy().T.copy(), lin.bias.detach().numpy().copy()
    loss, grads, dW_hy, db_y = loss_and_grads(p, W_hy, b_y, xs, target, reset_after=True)
    assert np.abs(dW_hy - lin.weight.grad.numpy().T).max() <= 1e-12
    assert np.abs(db_y - lin.bias.grad.numpy()).max() <= 1e-12
    H = 5
    assert np.abs(grads.W_hg - gru.weight_hh_l0.grad.numpy()[2 * H:].T).max() <= 1e-12
    assert np.abs(grads.b_z - gru.bias_ih_l0.grad.numpy()[H:2 * H]).max() <= 1e-12


def test_global_norm_and_clipping():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    flat = np.concatenate([g.ravel() for g in grads])
    assert global_norm(grads) == pytest.approx(np.linalg.norm(flat), rel=1e-14)
    clipped, norm = clip_by_global_norm(grads, 0.5)
    assert norm == pytest.approx(np.linalg.norm(flat), rel=1e-14)
    assert global_norm(clipped) == pytest.approx(0.5, rel=1e-14)        # the requested norm
    flat_c = np.concatenate([g.ravel() for g in clipped])
    assert flat_c @ flat / (np.linalg.norm(flat_c) * np.linalg.norm(flat)) == pytest.approx(1)
    same, _ = clip_by_global_norm(grads, 100.0)                          # below: untouched
    for a, b in zip(same, grads):
        np.testing.assert_array_equal(a, b)
    # torch's clip_grad_norm_ agrees (it adds 1e-6 to the norm, hence the tolerance)
    ts = [torch.tensor(g, requires_grad=True) for g in grads]
    for t, g in zip(ts, grads):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(ts, 0.5)
    for t, c in zip(ts, clipped):
        np.testing.assert_allclose(t.grad.numpy(), c, rtol=1e-5)


def test_adam_first_step_is_lr_times_sign():
    g = np.array([[3.0, -0.02], [1e-3, -50.0]])
    a = np.zeros_like(g)
    lr, eps = 0.1, 1e-8
    Adam([a], lr=lr, eps=eps).step([g])
    # m̂ = g and v̂ = g² after one step, so the move is lr · g / (|g| + eps) exactly ...
    np.testing.assert_allclose(-a, lr * g / (np.abs(g) + eps), rtol=1e-15, atol=0)
    # ... which is lr · sign(g) up to lr · eps / |g|, whatever the scale of g (1e-16 allows
    # for the rounding of the subtraction near lr = 0.1).
    assert np.all(np.abs(-a - lr * np.sign(g)) <= lr * eps / np.abs(g) + 1e-16)


def _against_torch_optim(ours_cls, torch_cls, **kw):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [[rng.normal(size=a.shape) for a in start] for _ in range(6)]
    mine = [a.copy() for a in start]
    opt = ours_cls(mine, **kw)
    ts = [torch.tensor(a, requires_grad=True) for a in start]
    topt = torch_cls(ts, **kw)
    for gs in grads:
        opt.step(gs)
        for t, g in zip(ts, gs):
            t.grad = torch.tensor(g)
        topt.step()
    for a, t in zip(mine, ts):
        assert np.abs(a - t.detach().numpy()).max() <= 1e-12


def test_adam_matches_torch_optim_adam():
    _against_torch_optim(Adam, torch.optim.Adam, lr=0.05, betas=(0.8, 0.99), eps=1e-6)


def test_sgd_momentum_matches_torch_optim_sgd():
    _against_torch_optim(SGD, torch.optim.SGD, lr=0.05, momentum=0.9)


@pytest.mark.parametrize("reset_after", [False, True])
def test_training_beats_the_mean_baseline(reset_after):
    xs, ys = adding_problem(1000, 10, seed=0)
    xt, yt = adding_problem(500, 10, seed=1)             # held-out sequences
    p = init_params(2, 8, seed=0)
    W_hy, b_y = init_readout(8, 1, seed=0)
    W_before = p.W_hz.copy()
    hist = train(p, W_hy, b_y, xs, ys, steps=300, batch_size=64, lr=0.02,
                 reset_after=reset_after, seed=0)
    assert hist["loss"].shape == hist["grad_norm"].shape == (300,)
    assert hist["loss"][:10].mean() > ADDING_BASELINE_MSE     # it starts worse than the mean ...
    test_loss = loss_and_grads(p, W_hy, b_y, xt, yt, reset_after=reset_after)[0]
    assert test_loss < ADDING_BASELINE_MSE / 20               # ... and ends far below it
    assert not np.array_equal(p.W_hz, W_before)               # updated in place


def test_train_records_the_norm_before_clipping():
    xs, ys = adding_problem(64, 6, seed=0)
    p = init_params(2, 4, seed=0)
    W_hy, b_y = init_readout(4, 1, seed=0)
    _, grads, dW, db = loss_and_grads(p, W_hy, b_y, xs, ys)   # step 0 sees the whole set
    hist = train(p, W_hy, b_y, xs, ys, steps=1, batch_size=64, max_norm=1e-3)
    expected = global_norm([getattr(grads, n) for n in GRUParams.NAMES] + [dW, db])
    assert hist["grad_norm"][0] == pytest.approx(expected, rel=1e-12)


def test_bad_arguments_raise():
    xs, ys = adding_problem(8, 4, seed=0)
    p = init_params(2, 3, seed=0)
    W_hy, b_y = init_readout(3, 1, seed=0)
    with pytest.raises(ValueError, match="batch_size must be at most"):
        train(p, W_hy, b_y, xs, ys, batch_size=9)
    with pytest.raises(TypeError, match="steps must be an int"):
        train(p, W_hy, b_y, xs, ys, steps=1.5)
    with pytest.raises(TypeError, match="reset_after must be a bool"):
        train(p, W_hy, b_y, xs, ys, reset_after=1)
    with pytest.raises(ValueError, match="target must have shape"):
        train(p, W_hy, b_y, xs, ys[:4])
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_by_global_norm([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match="lr must be positive"):
        Adam([np.ones(2)], lr=-1.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        SGD([np.ones(2)], momentum=1.0)
    with pytest.raises(TypeError, match="momentum must be a number"):
        SGD([np.ones(2)], momentum="0.9")
    with pytest.raises(ValueError, match=r"betas\[1\] must be in"):
        Adam([np.ones(2)], betas=(0.9, 1.5))
    with pytest.raises(TypeError, match="betas must be a pair"):
        Adam([np.ones(2)], betas=0.9)
    with pytest.raises(TypeError, match="lr must be a number"):
        Adam([np.ones(2)], lr=True)
    with pytest.raises(ValueError, match=r"expected 1 gradient"):
        Adam([np.ones(2)]).step([np.ones(2), np.ones(2)])
    with pytest.raises(ValueError, match=r"gradient 0 must have shape"):
        Adam([np.ones(2)]).step([np.ones(3)])
    with pytest.raises(ValueError, match="target must have shape"):
        mse_loss(np.ones((2, 1)), np.ones((3, 1)))
    with pytest.raises(ValueError, match="W_hy must have shape"):
        loss_and_grads(p, np.ones((4, 1)), b_y, xs, ys)
