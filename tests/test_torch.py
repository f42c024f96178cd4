"""gru_lib.torch against independent oracles.

* torch.nn.GRU / torch.nn.GRUCell (reset-after form): outputs ≤ 1e-12 and gradients of
  every parameter, the input and h0 ≤ 1e-11 in float64. Both sides run float64 arithmetic
  in a different order, so they differ by a few ulps times the sequence length.
* gru_lib.numpy (the book's reset-before form and its hand-derived BPTT): ≤ 1e-12.
* finite differences: torch.autograd.gradcheck in float64 on the custom backward pass.

The hand-worked equation values (H = 2) run on this backend through the ``backend``
fixture in tests/test_numpy.py.
"""

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch

import gru_lib.torch as gt
from gru_lib import numpy as gn
from gru_lib.convert import from_torch
from gru_lib.numpy import GRUParams, init_params
from gru_lib.torch import GRU, GRUCell, as_tensors

F64 = torch.float64


def rand(*shape, seed=0, device="cpu", dtype=F64, low=None):
    """Normal (or uniform(−1, 1) with low=-1) test data from a fixed NumPy generator."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, size=shape) if low == -1 else rng.normal(size=shape)
    return torch.tensor(a, dtype=dtype, device=device)


def nn_grads(m, layer=0) -> GRUParams:
    """∂L/∂(book parameters) read from a torch.nn module's .grad, via convert.from_torch.

    b_iz and b_hz always act as one bias b_z, so ∂L/∂b_z equals the gradient of either
    one (not their sum): bias_hh's r and z parts are zeroed before the conversion adds.
    """
    g = copy.deepcopy(m)
    H = m.hidden_size
    sfx = "" if isinstance(m, torch.nn.GRUCell) else f"_l{layer}"
    with torch.no_grad():
        for name, param in g.named_parameters():
            param.copy_(getattr(m, name).grad)
        if m.bias:
            getattr(g, "bias_hh" + sfx)[:2 * H] = 0
    return from_torch(g, layer)


def our_grads(cell: GRUCell) -> GRUParams:
    """The gradients of a GRUCell in book names, from the documented layout (columns z, r, g)."""
    H = cell.hidden_size
    gx, gh, gb = cell.W_x.grad.cpu().numpy(), cell.W_h.grad.cpu().numpy(), cell.b.grad.cpu().numpy()
    z, r, g = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    return GRUParams(W_xz=gx[:, z], W_xr=gx[:, r], W_xg=gx[:, g], W_hz=gh[:, z], W_hr=gh[:, r],
                     W_hg=gh[:, g], b_z=gb[z], b_r=gb[r], b_g=gb[g],
                     b_hg=cell.b_hg.grad.cpu().numpy())


def max_diff(a, b) -> float:
    a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a
    b = b.detach().cpu().numpy() if isinstance(b, torch.Tensor) else b
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max())


def assert_grads_close(ours: GRUParams, theirs: GRUParams, tol=1e-11):
    for n in GRUParams.NAMES:
        assert max_diff(getattr(ours, n), getattr(theirs, n)) <= tol, n


# --------------------------------------------------------------- the oracle nn.GRU


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_gru_matches_nn_gru(torch_device, num_layers, batch_first, with_h0):
    T, B, I, H = 7, 3, 4, 5
    torch.manual_seed(num_layers)
    ref = torch.nn.GRU(I, H, num_layers, batch_first=batch_first, dtype=F64, device=torch_device)
    ours = GRU.from_torch(ref)
    assert ours.reset_after and ours.batch_first == batch_first
    shape = (B, T, I) if batch_first else (T, B, I)
    x_ref = rand(*shape, device=torch_device).requires_grad_()
    x_ours = x_ref.detach().clone().requires_grad_()
    h0_ref = rand(num_layers, B, H, seed=1, low=-1, device=torch_device).requires_grad_() if with_h0 else None
    h0_ours = h0_ref.detach().clone().requires_grad_() if with_h0 else None
    out_ref, hn_ref = ref(x_ref, h0_ref)
    out, hn = ours(x_ours, h0_ours)
    assert out.shape == out_ref.shape and hn.shape == hn_ref.shape == (num_layers, B, H)
    assert max_diff(out, out_ref) <= 1e-12 and max_diff(hn, hn_ref) <= 1e-12
    # a loss that reads both outputs, so gradients reach h_n's path too
    w_out, w_hn = rand(*out.shape, seed=2, device=torch_device), rand(*hn.shape, seed=3, device=torch_device)
    ((out_ref * w_out).sum() + (hn_ref * w_hn).sum()).backward()
    ((out * w_out).sum() + (hn * w_hn).sum()).backward()
    for l in range(num_layers):
        assert_grads_close(our_grads(ours.layers[l]), nn_grads(ref, l))
    assert max_diff(x_ours.grad, x_ref.grad) <= 1e-11
    if with_h0:
        assert max_diff(h0_ours.grad, h0_ref.grad) <= 1e-11


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_unbatched_gru_matches_nn_gru(num_layers, with_h0):
    T, I, H = 6, 3, 4
    torch.manual_seed(0)
    ref = torch.nn.GRU(I, H, num_layers, dtype=F64)
    ours = GRU.from_torch(ref)
    x = rand(T, I)
    h0 = rand(num_layers, H, seed=1, low=-1) if with_h0 else None
    out_ref, hn_ref = ref(x, h0)
    out, hn = ours(x, h0)
    assert out.shape == (T, H) and hn.shape == (num_layers, H)
    assert max_diff(out, out_ref) <= 1e-12 and max_diff(hn, hn_ref) <= 1e-12


@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("with_h0", [False, True])
def test_cell_matches_nn_grucell(torch_device, with_h0, unbatched):
    B, I, H = 4, 3, 5
    torch.manual_seed(0)
    ref = torch.nn.GRUCell(I, H, dtype=F64, device=torch_device)
    ours = GRUCell.from_torch(ref)
    lead = () if unbatched else (B,)
    x_ref = rand(*lead, I, device=torch_device).requires_grad_()
    x = x_ref.detach().clone().requires_grad_()
    h_ref = rand(*lead, H, seed=1, low=-1, device=torch_device).requires_grad_() if with_h0 else None
    h = h_ref.detach().clone().requires_grad_() if with_h0 else None
    y_ref, y = ref(x_ref, h_ref), ours(x, h)
    assert y.shape == y_ref.shape == (*lead, H)
    assert max_diff(y, y_ref) <= 1e-12
    w = rand(*lead, H, seed=2, device=torch_device)
    (y_ref * w).sum().backward()
    (y * w).sum().backward()
    assert_grads_close(our_grads(ours), nn_grads(ref))
    assert max_diff(x.grad, x_ref.grad) <= 1e-11
    if with_h0:
        assert max_diff(h.grad, h_ref.grad) <= 1e-11


def test_book_form_differs_from_nn_gru():
    """The same weights in the reset-before form give another function (the oracle notices)."""
    torch.manual_seed(0)
    ref = torch.nn.GRU(4, 8, dtype=F64)
    ours = GRU.from_params([from_torch(ref)], reset_after=False)
    x = rand(10, 2, 4)
    assert max_diff(ours(x)[0], ref(x)[0]) > 1e-3


def test_bias_free_gru_matches_nn_gru():
    torch.manual_seed(0)
    ref = torch.nn.GRU(3, 4, num_layers=2, bias=False, dtype=F64)
    ours = GRU.from_torch(ref)
    names = {n for n, _ in ours.named_parameters()}
    assert names == {f"layers.{l}.{w}" for l in (0, 1) for w in ("W_x", "W_h")}
    x = rand(5, 2, 3)
    x2 = x.clone().requires_grad_()
    x = x.requires_grad_()
    out_ref, _ = ref(x)
    out, _ = ours(x2)
    assert max_diff(out, out_ref) <= 1e-12
    out_ref.sum().backward()
    out.sum().backward()
    assert max_diff(x2.grad, x.grad) <= 1e-11
    H = 4
    for l in (0, 1):  # W_x columns z, r, g; weight_ih rows r, z, n
        gi = getattr(ref, f"weight_ih_l{l}").grad
        expected = torch.cat([gi[H:2 * H].T, gi[:H].T, gi[2 * H:].T], dim=1)
        assert max_diff(ours.layers[l].W_x.grad, expected) <= 1e-11
    back = ours.to_torch()
    assert not back.bias and max_diff(back(x)[0], out_ref) <= 1e-12


# ------------------------------------------------------- the book's form, gru_lib.numpy


@pytest.mark.parametrize("reset_after", [False, True])
def test_modules_equal_numpy(reset_after):
    p0, p1 = init_params(3, 5, seed=0), init_params(5, 5, seed=1)
    xs = np.random.default_rng(0).normal(size=(6, 2, 3))
    h0 = np.random.default_rng(1).uniform(-1, 1, size=(2, 2, 5))
    gru = GRU.from_params([p0, p1], reset_after=reset_after)
    out, hn = gru(torch.from_numpy(xs), torch.from_numpy(h0))
    hs0, _ = gn.gru_forward(xs, p0, h0[0], reset_after=reset_after)
    hs1, _ = gn.gru_forward(hs0, p1, h0[1], reset_after=reset_after)
    assert max_diff(out, hs1) <= 1e-12
    assert max_diff(hn, np.stack([hs0[-1], hs1[-1]])) <= 1e-12
    cell = GRUCell.from_params(p0, reset_after=reset_after)
    h = cell(torch.from_numpy(xs[0]), torch.from_numpy(h0[0]))
    assert max_diff(h, gn.gru_cell(xs[0], h0[0], p0, reset_after=reset_after)) <= 1e-12


@pytest.mark.parametrize("reset_after", [False, True])
def test_module_gradients_equal_numpy_bptt(reset_after):
    p = init_params(3, 4, seed=2)
    rng = np.random.default_rng(3)
    xs, h0, dhs = rng.normal(size=(8, 2, 3)), rng.uniform(-1, 1, size=(2, 4)), rng.normal(size=(8, 2, 4))
    gru = GRU.from_params([p], reset_after=reset_after)
    x, h = torch.tensor(xs, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    out, _ = gru(x, h)
    (out * torch.from_numpy(dhs)).sum().backward()
    grads, dxs, dh0 = gn.gru_backward(dhs, gn.gru_forward(xs, p, h0, reset_after=reset_after)[1])
    assert_grads_close(our_grads(gru.layers[0]), grads, tol=1e-12)
    assert max_diff(x.grad, dxs) <= 1e-12 and max_diff(h.grad[0], dh0) <= 1e-12


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("T", [1, 9])
def test_functional_forward_backward_equal_numpy(reset_after, T):
    p = init_params(4, 3, seed=T)
    rng = np.random.default_rng(T)
    xs, h0, dhs = rng.normal(size=(T, 2, 4)), rng.uniform(-1, 1, size=(2, 3)), rng.normal(size=(T, 2, 3))
    hs, cache = gn.gru_forward(xs, p, h0, reset_after=reset_after)
    grads, dxs, dh0 = gn.gru_backward(dhs, cache)
    hs_t, cache_t = gt.gru_forward(torch.from_numpy(xs), as_tensors(p), torch.from_numpy(h0),
                                   reset_after=reset_after)
    grads_t, dxs_t, dh0_t = gt.gru_backward(torch.from_numpy(dhs), cache_t)
    assert max_diff(hs_t, hs) <= 1e-12
    for name in ("z", "r", "g", "hn", "rh"):  # the caches hold the same quantities
        a, b = getattr(cache_t, name), getattr(cache, name)
        assert (a is None) == (b is None) and (a is None or max_diff(a, b) <= 1e-12), name
    assert_grads_close(grads_t.map(lambda t: t.numpy()), grads, tol=1e-12)
    assert max_diff(dxs_t, dxs) <= 1e-12 and max_diff(dh0_t, dh0) <= 1e-12


@pytest.mark.parametrize("reset_after", [False, True])
def test_autograd_through_functional_forward(reset_after):
    """hs from gru_forward is differentiable: autograd's result equals gru_backward's."""
    pt = as_tensors(init_params(3, 4, seed=0)).map(lambda t: t.requires_grad_())
    xs, h0, dhs = rand(5, 2, 3), rand(2, 4, seed=1, low=-1), rand(5, 2, 4, seed=2)
    hs, cache = gt.gru_forward(xs, pt, h0, reset_after=reset_after)
    (hs * dhs).sum().backward()
    grads, _, _ = gt.gru_backward(dhs, cache)
    for n in GRUParams.NAMES:
        assert max_diff(getattr(pt, n).grad, getattr(grads, n)) <= 1e-14, n


# ---------------------------------------------------------- finite differences


@pytest.mark.parametrize("reset_after", [False, True])
def test_gradcheck_functional(reset_after):
    fields = [getattr(as_tensors(init_params(2, 3, seed=0)), n).requires_grad_() for n in GRUParams.NAMES]
    xs = rand(4, 2, 2).requires_grad_()
    h0 = rand(2, 3, seed=1, low=-1).requires_grad_()

    def f(xs, h0, *fields):
        return gt.gru_forward(xs, GRUParams(*fields), h0, reset_after=reset_after)[0]

    assert torch.autograd.gradcheck(f, (xs, h0, *fields), eps=1e-6, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("reset_after", [False, True])
def test_gradcheck_module(reset_after, bias):
    gru = GRU(2, 3, num_layers=2, bias=bias, reset_after=reset_after, dtype=F64)
    names = [n for n, _ in gru.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in gru.parameters()]
    x = rand(3, 2, 2).requires_grad_()
    h0 = rand(2, 2, 3, seed=1, low=-1).requires_grad_()

    def f(x, h0, *params):
        out, hn = torch.func.functional_call(gru, dict(zip(names, params)), (x, h0))
        return out, hn

    assert torch.autograd.gradcheck(f, (x, h0, *params), eps=1e-6, atol=1e-8, rtol=1e-6)


# --------------------------------------------------------------- conversions


@pytest.mark.parametrize("reset_after", [False, True])
def test_from_params_to_params_round_trip(reset_after):
    p = init_params(3, 4, seed=0)
    q = GRUCell.from_params(p, reset_after=reset_after).to_params()
    for n in GRUParams.NAMES:
        np.testing.assert_array_equal(getattr(q, n), getattr(p, n))
    ps = [init_params(3, 4, seed=1, dtype=np.float32), init_params(4, 4, seed=2, dtype=np.float32)]
    gru = GRU.from_params(ps, reset_after=reset_after, batch_first=True)
    assert gru.batch_first and gru.num_layers == 2 and gru.layers[0].W_x.dtype == torch.float32
    for p, q in zip(ps, gru.to_params()):
        assert q.dtype == np.float32
        for n in GRUParams.NAMES:
            np.testing.assert_array_equal(getattr(q, n), getattr(p, n))
    # tensor GRUParams are accepted too
    t = as_tensors(p)
    assert np.array_equal(GRUCell.from_params(t).to_params().W_hr, p.W_hr)


@pytest.mark.parametrize("cls", [GRU, GRUCell])
def test_from_torch_to_torch_round_trip(cls):
    torch.manual_seed(0)
    if cls is GRU:
        ref = torch.nn.GRU(3, 4, num_layers=2, batch_first=True, dtype=F64)
        x = rand(2, 5, 3)
    else:
        ref = torch.nn.GRUCell(3, 4, dtype=F64)
        x = rand(2, 3)
    back = cls.from_torch(ref).to_torch()
    assert type(back) is type(ref) and next(back.parameters()).dtype == F64
    if cls is GRU:
        assert back.batch_first and back.num_layers == 2
        for l in (0, 1):  # same parameters once b_ir + b_hr are read as one bias b_r
            p, q = from_torch(ref, l), from_torch(back, l)
            for n in GRUParams.NAMES:
                assert max_diff(getattr(q, n), getattr(p, n)) <= 1e-15
        assert max_diff(back(x)[0], ref(x)[0]) <= 1e-12
    else:
        assert max_diff(back(x), ref(x)) <= 1e-12


def test_to_torch_needs_reset_after():
    for module in (GRU(2, 3), GRUCell(2, 3)):
        with pytest.raises(ValueError, match="reset-after"):
            module.to_torch()


def test_as_tensors_dtype_device_and_copy():
    p = init_params(2, 3, seed=0)
    t = as_tensors(p)
    assert isinstance(t.W_xz, torch.Tensor) and t.dtype == F64 and t.W_xz.device.type == "cpu"
    t.W_xz.add_(1.0)  # a copy: the NumPy arrays do not move
    np.testing.assert_array_equal(p.W_xz, init_params(2, 3, seed=0).W_xz)
    assert as_tensors(p, dtype=torch.float32).dtype == torch.float32
    assert as_tensors(p, dtype=np.float32).dtype == torch.float32
    assert as_tensors(t, dtype=torch.bfloat16).W_hg.dtype == torch.bfloat16
    assert as_tensors(p, device="meta").W_hz.device.type == "meta"
    with pytest.raises(TypeError, match="floating"):
        as_tensors(p, dtype=torch.int32)
    with pytest.raises(TypeError, match="GRUParams"):
        as_tensors({"W_xz": p.W_xz})


def test_parameter_count_and_init():
    """3(IH + HH) + 4H numbers, the count of the book's GRUParams; uniform in ±1/√H."""
    I, H = 3, 16
    gru = GRU(I, H, reset_after=True)
    assert sum(p.numel() for p in gru.parameters()) == 3 * (I * H + H * H) + 4 * H
    assert all(p.abs().max() <= 1 / H ** 0.5 for p in gru.parameters())
    assert "reset_after=True" in repr(gru)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_low_precision(torch_device, dtype):
    """The same code in float32/float16/bfloat16 stays near the float64 result."""
    if torch_device == "cpu" and dtype is torch.float16:
        pytest.skip("float16 is a GPU format; the CPU case is covered by bfloat16")
    torch.manual_seed(0)
    ref = GRU(8, 16, reset_after=True, dtype=F64, device=torch_device)
    low = GRU.from_params(ref.to_params(), reset_after=True).to(device=torch_device, dtype=dtype)
    x = rand(20, 4, 8, device=torch_device)
    out, hn = low(x.to(dtype))
    assert out.dtype == hn.dtype == dtype and out.device.type == torch_device
    tol = 1e-5 if dtype is torch.float32 else 5e-2
    assert max_diff(out.double(), ref(x)[0]) <= tol
    out.float().sum().backward()
    assert low.layers[0].W_h.grad.dtype == dtype and torch.isfinite(low.layers[0].W_h.grad).all()


def test_autocast_leaves_the_kernel_in_the_parameters_dtype(torch_device):
    """Under torch.autocast the GRU still computes (and differentiates) in its own dtype;
    half precision is chosen by casting the module, not by autocast."""
    torch.manual_seed(0)
    gru = GRU(4, 8, reset_after=True, device=torch_device)
    x = rand(6, 2, 4, device=torch_device, dtype=torch.float32)
    expected = gru(x)[0]
    low = torch.bfloat16 if torch_device == "cpu" else torch.float16
    with torch.autocast(torch_device, dtype=low):
        out = gru(x)[0]
        out.sum().backward()
    assert out.dtype == torch.float32 and torch.equal(out, expected)
    assert gru.layers[0].W_h.grad.dtype == torch.float32


# ----------------------------------------------------------------- bad input

M = GRU(3, 4, num_layers=2, dtype=F64)
C = GRUCell(3, 4, dtype=F64)
P = as_tensors(init_params(3, 4, seed=0))
X3, X2 = torch.zeros(5, 2, 3, dtype=F64), torch.zeros(2, 3, dtype=F64)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: GRU(3.0, 4), TypeError, "input_size"),
    (lambda: GRU("3", 4), TypeError, "input_size"),
    (lambda: GRU(3, 0), ValueError, "hidden_size"),
    (lambda: GRU(3, -4), ValueError, "hidden_size"),
    (lambda: GRU(3, 4, num_layers=0), ValueError, "num_layers"),
    (lambda: GRU(3, 4, num_layers=1.0), TypeError, "num_layers"),
    (lambda: GRU(3, 4, bias=1), TypeError, "bias"),
    (lambda: GRU(3, 4, batch_first=1), TypeError, "batch_first"),
    (lambda: GRU(3, 4, reset_after="yes"), TypeError, "reset_after"),
    (lambda: GRU(3, 4, dtype=torch.int64), TypeError, "dtype"),
    (lambda: GRUCell(True, 4), TypeError, "input_size"),
    (lambda: GRUCell(3, 0), ValueError, "hidden_size"),
    (lambda: GRUCell(3, 4, reset_after=0), TypeError, "reset_after"),
    (lambda: GRU.from_params(init_params(3, 4)), TypeError, "list"),
    (lambda: GRU.from_params([init_params(3, 4), init_params(3, 4)]), ValueError, "input_size"),
    (lambda: GRU.from_torch(torch.nn.GRU(3, 4, bidirectional=True)), ValueError, "bidirectional"),
    (lambda: GRU.from_torch(torch.nn.GRU(3, 4, num_layers=2, dropout=0.5)), ValueError, "dropout"),
    (lambda: GRU.from_torch(torch.nn.GRUCell(3, 4)), TypeError, "torch.nn.GRU"),
    (lambda: GRUCell.from_torch(torch.nn.GRU(3, 4)), TypeError, "GRUCell"),
    (lambda: GRUCell.from_params("p"), TypeError, "GRUParams"),
    (lambda: GRUCell(3, 4, bias=False)._load(init_params(3, 4)), ValueError, "bias=False"),
])
def test_bad_constructor_arguments(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: M(torch.zeros(3, dtype=F64)), ValueError, "2-D or 3-D"),
    (lambda: M(torch.zeros(5, 2, 3, 1, dtype=F64)), ValueError, "2-D or 3-D"),
    (lambda: M(torch.zeros(5, 2, 7, dtype=F64)), ValueError, "I = 3"),
    (lambda: M(torch.zeros(5, 2, 3, dtype=torch.int64)), TypeError, "floating"),
    (lambda: M(torch.zeros(5, 2, 3)), ValueError, "float32"),
    (lambda: M(np.zeros((5, 2, 3))), TypeError, "torch.Tensor"),
    (lambda: M(torch.zeros(0, 2, 3, dtype=F64)), ValueError, "T = 0"),
    (lambda: M(torch.zeros(5, 0, 3, dtype=F64)), ValueError, "B = 0"),
    (lambda: M(X3, torch.zeros(1, 2, 4, dtype=F64)), ValueError, "hx"),
    (lambda: M(X3, torch.zeros(2, 3, 4, dtype=F64)), ValueError, "hx"),
    (lambda: M(X3, torch.zeros(2, 4, dtype=F64)), ValueError, "hx"),
    (lambda: M(X3, torch.zeros(2, 2, 4)), ValueError, "hx"),
    (lambda: M(X3.to("meta")), ValueError, "device"),
    (lambda: GRU(3, 4, device="meta")(X3.float()), ValueError, "device"),
    (lambda: M(X3, torch.zeros(2, 2, 4, dtype=F64, device="meta")), ValueError, "device"),
    (lambda: C(X3), ValueError, "1-D or 2-D"),
    (lambda: C(torch.zeros(2, 5, dtype=F64)), ValueError, "(B, I)"),
    (lambda: C(X2, torch.zeros(3, 4, dtype=F64)), ValueError, "hx"),
    (lambda: C(X2, torch.zeros(4, dtype=F64)), ValueError, "hx"),
    (lambda: C(X2.float()), ValueError, "float32"),
    (lambda: C(X2.to("meta")), ValueError, "device"),
    (lambda: C(torch.zeros(0, 3, dtype=F64)), ValueError, "B = 0"),
])
def test_bad_module_input(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: gt.gru_cell(X2, torch.zeros(2, 4, dtype=F64), init_params(3, 4)), TypeError, "as_tensors"),
    (lambda: gt.gru_cell(X2, torch.zeros(2, 4, dtype=F64), "p"), TypeError, "GRUParams"),
    (lambda: gt.gru_cell(X3, torch.zeros(2, 4, dtype=F64), P), ValueError, "2-D"),
    (lambda: gt.gru_cell(np.zeros((2, 3)), torch.zeros(2, 4, dtype=F64), P), TypeError, "torch.Tensor"),
    (lambda: gt.gru_cell(X2, torch.zeros(3, 4, dtype=F64), P), ValueError, "h_prev"),
    (lambda: gt.gru_cell(X2.float(), torch.zeros(2, 4), P), ValueError, "float32"),
    (lambda: gt.gru_cell(X2, torch.zeros(2, 4, dtype=F64), P, reset_after=1), TypeError, "bool"),
    (lambda: gt.gru_cell(X2, torch.zeros(2, 4, dtype=F64), as_tensors(P, device="meta")),
     ValueError, "device"),
    (lambda: gt.update_gate(X2.to("meta"), torch.zeros(2, 4, dtype=F64), P), ValueError, "device"),
    (lambda: gt.candidate(X2, torch.zeros(2, 4, dtype=F64), torch.zeros(2, 3, dtype=F64), P),
     ValueError, "r"),
    (lambda: gt.first_quantity(torch.zeros(2, 4), torch.zeros(2, 3)), ValueError, "h_prev"),
    (lambda: gt.second_quantity(torch.zeros(2, 4), torch.zeros(2, 4, dtype=F64)), ValueError, "g"),
    (lambda: gt.gru_forward(torch.zeros(0, 2, 3, dtype=F64), P), ValueError, "T = 0"),
    (lambda: gt.gru_forward(X2, P), ValueError, "3-D"),
    (lambda: gt.gru_forward(X3, P, torch.zeros(3, 4, dtype=F64)), ValueError, "h0"),
    (lambda: gt.gru_forward(X3, P, torch.zeros(2, 4, dtype=F64, device="meta")), ValueError, "device"),
    (lambda: GRUParams(**{**{n: getattr(P, n) for n in P.NAMES}, "b_z": P.b_z.to("meta")}),
     ValueError, "device"),
])
def test_bad_functional_input(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


def test_bad_backward_input():
    hs, cache = gt.gru_forward(X3, P)
    with pytest.raises(ValueError, match="dhs must have shape"):
        gt.gru_backward(torch.zeros(4, 2, 4, dtype=F64), cache)
    with pytest.raises(ValueError, match="float32"):
        gt.gru_backward(torch.zeros(5, 2, 4), cache)
    with pytest.raises(TypeError, match="GRUCache"):
        gt.gru_backward(hs, gn.gru_forward(X3.numpy(), init_params(3, 4))[1])
    cache.reset_after = True  # a cache that claims the other variant
    with pytest.raises(ValueError, match="reset_after=True"):
        gt.gru_backward(torch.zeros_like(hs), cache)


def test_imports():
    """gru_lib.torch imports the real torch; plain ``import gru_lib`` still does not."""
    assert gt.torch is torch
    code = "import sys, gru_lib; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
