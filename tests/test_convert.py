"""gru_lib.convert, and through it gru_lib.numpy against the oracle torch.nn.GRU / GRUCell.

Tolerances: float64 agreement ≤ 1e-12 (both sides run the same float64 arithmetic in a
different order, so the difference is a few ulps times the sequence length); float32
≤ 1e-5.
"""

import numpy as np
import pytest
import torch

from gru_lib.convert import from_keras, from_torch, to_keras, to_torch
from gru_lib.numpy import GRUParams, gru_cell, gru_forward, init_params

SHAPES = [  # (T, B, I, H), including B = 1, T = 1, I = 1
    (1, 1, 1, 1), (1, 3, 2, 4), (6, 1, 1, 5), (9, 4, 7, 3), (20, 2, 16, 32),
]


def torch_gru(cls, I, H, dtype=torch.float64, seed=0, **kw):
    torch.manual_seed(seed)
    return cls(I, H, dtype=dtype, **kw)


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("T, B, I, H", SHAPES)
def test_gru_cell_matches_nn_grucell(T, B, I, H, with_h0):
    m = torch_gru(torch.nn.GRUCell, I, H)
    p = from_torch(m)
    rng = np.random.default_rng(T * 100 + B)
    x = rng.normal(size=(B, I))
    h = rng.uniform(-1, 1, size=(B, H)) if with_h0 else np.zeros((B, H))
    expected = m(torch.from_numpy(x), torch.from_numpy(h) if with_h0 else None).detach().numpy()
    assert np.abs(gru_cell(x, h, p, reset_after=True) - expected).max() <= 1e-12


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("T, B, I, H", SHAPES)
def test_gru_forward_matches_nn_gru(T, B, I, H, with_h0):
    m = torch_gru(torch.nn.GRU, I, H)
    p = from_torch(m)
    rng = np.random.default_rng(T * 100 + B)
    xs = rng.normal(size=(T, B, I))
    h0 = rng.uniform(-1, 1, size=(B, H)) if with_h0 else None
    out, h_n = m(torch.from_numpy(xs), torch.from_numpy(h0[None]) if with_h0 else None)
    hs, _ = gru_forward(xs, p, h0, reset_after=True)
    assert np.abs(hs - out.detach().numpy()).max() <= 1e-12
    assert np.abs(hs[-1] - h_n[0].detach().numpy()).max() <= 1e-12


@pytest.mark.parametrize("T, B, I, H", SHAPES)
def test_float32_agreement(T, B, I, H):
    m = torch_gru(torch.nn.GRU, I, H, dtype=torch.float32)
    p = from_torch(m)
    assert p.dtype == np.float32
    xs = np.random.default_rng(0).normal(size=(T, B, I)).astype(np.float32)
    hs, _ = gru_forward(xs, p, reset_after=True)
    assert hs.dtype == np.float32
    assert np.abs(hs - m(torch.from_numpy(xs))[0].detach().numpy()).max() <= 1e-5


def test_book_form_differs_from_nn_gru():
    """The reset-before form is a different function: it must not pass the oracle test."""
    m = torch_gru(torch.nn.GRU, 4, 8)
    xs = np.random.default_rng(0).normal(size=(10, 2, 4))
    hs, _ = gru_forward(xs, from_torch(m), reset_after=False)
    assert np.abs(hs - m(torch.from_numpy(xs))[0].detach().numpy()).max() > 1e-3


def test_multilayer_and_bias_free_layers():
    m = torch_gru(torch.nn.GRU, 3, 5, num_layers=2)
    xs = np.random.default_rng(0).normal(size=(4, 2, 3))
    hs0, _ = gru_forward(xs, from_torch(m, 0), reset_after=True)
    hs1, _ = gru_forward(hs0, from_torch(m, layer=1), reset_after=True)
    out, h_n = m(torch.from_numpy(xs))
    assert np.abs(hs1 - out.detach().numpy()).max() <= 1e-12
    assert np.abs(hs0[-1] - h_n[0].detach().numpy()).max() <= 1e-12
    nb = torch_gru(torch.nn.GRU, 3, 5, bias=False)
    p = from_torch(nb)
    assert all(np.all(getattr(p, n) == 0) for n in ("b_z", "b_r", "b_g", "b_hg"))
    assert np.abs(gru_forward(xs, p, reset_after=True)[0]
                  - nb(torch.from_numpy(xs))[0].detach().numpy()).max() <= 1e-12


def test_bias_sums():
    """b_z = b_iz + b_hz, b_r = b_ir + b_hr, b_g = b_in, b_hg = b_hn (PyTorch order r, z, n)."""
    m = torch_gru(torch.nn.GRUCell, 2, 3)
    bi, bh = m.bias_ih.detach().numpy(), m.bias_hh.detach().numpy()
    p = from_torch(m)
    np.testing.assert_array_equal(p.b_r, bi[0:3] + bh[0:3])
    np.testing.assert_array_equal(p.b_z, bi[3:6] + bh[3:6])
    np.testing.assert_array_equal(p.b_g, bi[6:9])
    np.testing.assert_array_equal(p.b_hg, bh[6:9])
    np.testing.assert_array_equal(p.W_xz, m.weight_ih.detach().numpy()[3:6].T)


@pytest.mark.parametrize("cls", [torch.nn.GRU, torch.nn.GRUCell])
def test_to_torch_round_trip(cls):
    p = init_params(3, 4, seed=1)
    m = to_torch(p, cls(3, 4, dtype=torch.float64))
    q = from_torch(m)
    for n in GRUParams.NAMES:
        np.testing.assert_allclose(getattr(q, n), getattr(p, n), rtol=0, atol=1e-15)
    xs = np.random.default_rng(0).normal(size=(5, 2, 3))
    if cls is torch.nn.GRU:
        out = m(torch.from_numpy(xs))[0].detach().numpy()
        assert np.abs(out - gru_forward(xs, p, reset_after=True)[0]).max() <= 1e-12
    else:
        out = m(torch.from_numpy(xs[0])).detach().numpy()
        assert np.abs(out - gru_cell(xs[0], np.zeros((2, 4)), p, reset_after=True)).max() <= 1e-12


def test_to_torch_casts_to_module_dtype():
    m = to_torch(init_params(2, 3, seed=0), torch.nn.GRU(2, 3))  # float32 module
    assert m.weight_ih_l0.dtype == torch.float32
    np.testing.assert_allclose(from_torch(m).W_hg, init_params(2, 3, seed=0).W_hg, atol=1e-7)


@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_round_trip_and_layout(reset_after):
    p = init_params(3, 4, seed=2)
    kernel, rec, bias = to_keras(p, reset_after=reset_after)
    assert kernel.shape == (3, 12) and rec.shape == (4, 12)
    assert bias.shape == ((2, 12) if reset_after else (12,))
    # Keras's column order is z, r, h
    np.testing.assert_array_equal(kernel[:, :4], p.W_xz)
    np.testing.assert_array_equal(kernel[:, 4:8], p.W_xr)
    np.testing.assert_array_equal(rec[:, 8:], p.W_hg)
    q = from_keras(kernel, rec, bias)
    names = GRUParams.NAMES if reset_after else GRUParams.NAMES[:-1]
    for n in names:
        np.testing.assert_array_equal(getattr(q, n), getattr(p, n))
    xs = np.random.default_rng(0).normal(size=(3, 2, 3))
    np.testing.assert_array_equal(gru_forward(xs, q, reset_after=reset_after)[0],
                                  gru_forward(xs, p, reset_after=reset_after)[0])


def test_keras_two_row_bias_adds_gate_biases():
    rng = np.random.default_rng(0)
    kernel, rec, bias = rng.normal(size=(2, 6)), rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    p = from_keras(kernel, rec, bias)
    np.testing.assert_array_equal(p.b_z, bias[0, :2] + bias[1, :2])
    np.testing.assert_array_equal(p.b_r, bias[0, 2:4] + bias[1, 2:4])
    np.testing.assert_array_equal(p.b_g, bias[0, 4:])
    np.testing.assert_array_equal(p.b_hg, bias[1, 4:])


@pytest.mark.parametrize("I, H", [(1, 1), (3, 4), (10, 20), (128, 256)])
def test_parameter_counts_pinned_against_torch(I, H):
    """GRU 3(HI + HH + 2H), LSTM 4(…), RNN 1(…): a GRU is 3/4 of an LSTM."""
    count = lambda m: sum(t.numel() for t in m.parameters())  # noqa: E731
    base = H * I + H * H + 2 * H
    assert count(torch.nn.GRU(I, H)) == 3 * base
    assert count(torch.nn.LSTM(I, H)) == 4 * base
    assert count(torch.nn.RNN(I, H)) == base
    # the book's GRUParams hold the same numbers: 6 matrices + 4 bias vectors = 3(HI+HH) + 4H
    # (PyTorch's 6 bias vectors collapse to 4 because b_ir + b_hr and b_iz + b_hz act as one)
    p = init_params(I, H, seed=0)
    assert sum(getattr(p, n).size for n in GRUParams.NAMES) == 3 * base - 2 * H


@pytest.mark.parametrize("call, exc, words", [
    (lambda: from_torch(torch.nn.LSTM(2, 3)), TypeError, "nn.GRU"),
    (lambda: from_torch(torch.nn.GRU(2, 3), layer=1), ValueError, "layer"),
    (lambda: from_torch(torch.nn.GRU(2, 3), layer=0.0), TypeError, "layer"),
    (lambda: from_torch(torch.nn.GRUCell(2, 3), layer=1), ValueError, "layer"),
    (lambda: from_torch(torch.nn.GRU(2, 3, bidirectional=True)), ValueError, "bidirectional"),
    (lambda: to_torch(init_params(2, 4), torch.nn.GRU(2, 3)), ValueError, "hidden_size"),
    (lambda: to_torch(init_params(2, 3), torch.nn.GRU(2, 3, bias=False)), ValueError, "bias=False"),
    (lambda: to_torch({}, torch.nn.GRU(2, 3)), TypeError, "GRUParams"),
    (lambda: from_keras(np.zeros((2, 7)), np.zeros((2, 6)), np.zeros(6)), ValueError, "kernel"),
    (lambda: from_keras(np.zeros((2, 6)), np.zeros((3, 6)), np.zeros(6)), ValueError, "recurrent_kernel"),
    (lambda: from_keras(np.zeros((2, 6)), np.zeros((2, 6)), np.zeros((3, 6))), ValueError, "bias"),
    (lambda: from_keras(np.zeros((2, 6), int), np.zeros((2, 6)), np.zeros(6)), TypeError, "kernel"),
    (lambda: to_keras(init_params(2, 3), reset_after="yes"), TypeError, "bool"),
])
def test_bad_input_is_refused(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
