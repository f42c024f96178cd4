"""gru_lib.numpy.gru_backward checked three ways: finite differences, torch autograd on
the same equations, and torch.nn.GRU's own gradients through convert.from_torch."""

import numpy as np
import pytest
import torch

from gru_lib.convert import from_torch
from gru_lib.gradcheck import check_gru_gradients, numerical_gradient, relative_error
from gru_lib.numpy import GRUParams, gru_backward, gru_forward, init_params


def problem(T=5, B=3, I=4, H=6, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = init_params(I, H, seed=seed, dtype=dtype)
    xs = rng.normal(size=(T, B, I)).astype(dtype)
    h0 = rng.uniform(-1, 1, size=(B, H)).astype(dtype)
    dhs = rng.normal(size=(T, B, H)).astype(dtype)
    return p, xs, h0, dhs


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("T, B, I, H", [(1, 1, 1, 1), (4, 2, 3, 5), (8, 3, 2, 4)])
def test_finite_differences(reset_after, T, B, I, H):
    p, xs, h0, _ = problem(T, B, I, H)
    errors = check_gru_gradients(p, xs, h0, reset_after=reset_after)
    assert set(errors) == set(GRUParams.NAMES) | {"xs", "h0"}
    assert max(errors.values()) <= 1e-7, errors


def autograd_reference(p, xs, h0, dhs, reset_after):
    """The book's equations typed out in torch; autograd differentiates them."""
    tp = {n: torch.tensor(getattr(p, n), requires_grad=True) for n in GRUParams.NAMES}
    X, h = torch.tensor(xs, requires_grad=True), torch.tensor(h0, requires_grad=True)
    H0, out = h, []
    for t in range(xs.shape[0]):
        z = torch.sigmoid(X[t] @ tp["W_xz"] + h @ tp["W_hz"] + tp["b_z"])
        r = torch.sigmoid(X[t] @ tp["W_xr"] + h @ tp["W_hr"] + tp["b_r"])
        if reset_after:
            g = torch.tanh(X[t] @ tp["W_xg"] + tp["b_g"] + r * (h @ tp["W_hg"] + tp["b_hg"]))
        else:
            g = torch.tanh(X[t] @ tp["W_xg"] + (r * h) @ tp["W_hg"] + tp["b_g"])
        h = z * h + (1 - z) * g
        out.append(h)
    (torch.stack(out) * torch.tensor(dhs)).sum().backward()
    grads = {n: (tp[n].grad if tp[n].grad is not None else torch.zeros_like(tp[n])).numpy()
             for n in GRUParams.NAMES}
    return grads, X.grad.numpy(), H0.grad.numpy()


@pytest.mark.parametrize("reset_after", [False, True])
def test_matches_torch_autograd(reset_after):
    p, xs, h0, dhs = problem(T=12, B=4, I=5, H=7)
    grads, dxs, dh0 = gru_backward(dhs, gru_forward(xs, p, h0, reset_after=reset_after)[1])
    ref, ref_dxs, ref_dh0 = autograd_reference(p, xs, h0, dhs, reset_after)
    for n in GRUParams.NAMES:
        assert np.abs(getattr(grads, n) - ref[n]).max() <= 1e-11, n
    assert np.abs(dxs - ref_dxs).max() <= 1e-11
    assert np.abs(dh0 - ref_dh0).max() <= 1e-11


def test_matches_nn_gru_gradients():
    """nn.GRU's b_ir and b_hr always get the same gradient, and both equal our ∂L/∂b_r."""
    torch.manual_seed(0)
    m = torch.nn.GRU(4, 6, dtype=torch.float64)
    p = from_torch(m)
    _, xs, h0, dhs = problem(T=9, B=3, I=4, H=6)
    out, _ = m(torch.from_numpy(xs), torch.from_numpy(h0[None]))
    (out * torch.from_numpy(dhs)).sum().backward()
    grads, _, _ = gru_backward(dhs, gru_forward(xs, p, h0, reset_after=True)[1])
    H = 6
    gi, gh = m.bias_ih_l0.grad.numpy(), m.bias_hh_l0.grad.numpy()
    Wi, Wh = m.weight_ih_l0.grad.numpy(), m.weight_hh_l0.grad.numpy()
    np.testing.assert_allclose(gi[:2 * H], gh[:2 * H], rtol=0, atol=1e-12)  # b_i(r,z) ≡ b_h(r,z)
    pairs = [  # (ours, nn.GRU's), PyTorch's gate order r, z, n and transposed weights
        (grads.b_r, gi[:H]), (grads.b_z, gi[H:2 * H]), (grads.b_g, gi[2 * H:]),
        (grads.b_hg, gh[2 * H:]), (grads.W_xr, Wi[:H].T), (grads.W_xz, Wi[H:2 * H].T),
        (grads.W_xg, Wi[2 * H:].T), (grads.W_hr, Wh[:H].T), (grads.W_hz, Wh[H:2 * H].T),
        (grads.W_hg, Wh[2 * H:].T),
    ]
    for ours, theirs in pairs:
        assert np.abs(ours - theirs).max() <= 1e-11


def test_float32_backward_follows_params():
    p, xs, h0, dhs = problem(dtype=np.float32)
    grads, dxs, dh0 = gru_backward(dhs, gru_forward(xs, p, h0, reset_after=True)[1])
    assert grads.dtype == dxs.dtype == dh0.dtype == np.float32
    ref, _, _ = gru_backward(dhs.astype(np.float64), gru_forward(
        xs.astype(np.float64), p.astype(np.float64), h0.astype(np.float64), reset_after=True)[1])
    assert relative_error(grads.W_hz, ref.W_hz) < 1e-5


def test_reset_before_gives_b_hg_no_gradient():
    p, xs, h0, dhs = problem()
    grads, _, _ = gru_backward(dhs, gru_forward(xs, p, h0)[1])
    assert np.all(grads.b_hg == 0)


def test_numerical_gradient_on_a_known_function():
    # f(x) = Σ x³ has gradient 3x²: the checker must recover it (and fail on a wrong one).
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert relative_error(g, 3 * x ** 2) < 1e-9
    assert relative_error(g, 2 * x ** 2) > 0.1
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored


def test_bad_input_is_refused():
    p, xs, h0, dhs = problem(T=5, B=3, H=6)
    _, cache = gru_forward(xs, p, h0)
    with pytest.raises(ValueError, match=r"dhs must have shape"):
        gru_backward(dhs[:4], cache)
    with pytest.raises(ValueError, match="3-D"):
        gru_backward(dhs[0], cache)
    with pytest.raises(ValueError, match="float32"):
        gru_backward(dhs.astype(np.float32), cache)
    with pytest.raises(TypeError, match="GRUCache"):
        gru_backward(dhs, {"hs": dhs})
    cache.reset_after = True  # a cache from the other variant's call
    with pytest.raises(ValueError, match="reset_after=True"):
        gru_backward(dhs, cache)
    _, other = gru_forward(xs[:, :2], p, h0[:2])  # a cache from a different call
    with pytest.raises(ValueError, match="forward pass"):
        gru_backward(dhs, other)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
