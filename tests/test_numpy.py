"""gru_lib.numpy: each equation against values worked out by hand, then the whole cell.

The hand example (H = 2, I = 2, B = 1) is chosen so every pre-activation is a round
number; the working is written out beside each expected value, and only the final
σ(·) / tanh(·) of those numbers is left to ``math``.

The tests that take the ``backend`` fixture (tests/conftest.py) run the same equations
on every backend: gru_lib.numpy, and gru_lib.torch on the CPU and on CUDA.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

from gru_lib.numpy import (
    GRUParams, candidate, first_quantity, gru_cell, gru_forward, init_params, second_quantity,
)


def sig(a):
    return 1.0 / (1.0 + math.exp(-a))


X = np.array([[1.0, 2.0]])
H_PREV = np.array([[0.5, -1.0]])


def hand_params(dtype=np.float64):
    a = lambda v: np.array(v, dtype=dtype)  # noqa: E731
    return GRUParams(
        W_xz=a([[0.1, 0.2], [0.3, 0.4]]), W_hz=a([[1.0, 0.0], [0.5, -0.5]]), b_z=a([0.3, -1.5]),
        W_xr=a([[0.0, 1.0], [0.5, 0.0]]), W_hr=a([[2.0, 0.0], [0.0, 1.0]]), b_r=a([-2.0, 0.0]),
        W_xg=a([[0.5, 0.0], [0.0, 0.25]]), W_hg=a([[2.0, 1.0], [1.0, 0.0]]), b_g=a([0.0, -0.75]),
        b_hg=a([1.0, 0.5]),
    )


# Working, row-vector convention (x W: x's entries weight W's rows):
#   x W_xz = [1*.1 + 2*.3, 1*.2 + 2*.4] = [.7, 1.0];  h W_hz = [.5*1 - 1*.5, .5*0 - 1*-.5] = [0, .5]
#   a_z = [.7, 1.0] + [0, .5] + [.3, -1.5] = [1, 0]            -> z = [σ(1), σ(0)] = [σ(1), .5]
#   x W_xr = [1*0 + 2*.5, 1*1 + 2*0] = [1, 1];  h W_hr = [.5*2, -1*1] = [1, -1]
#   a_r = [1, 1] + [1, -1] + [-2, 0] = [0, 0]                  -> r = [.5, .5]
#   reset-before: r ⊙ h = [.25, -.5];  (r ⊙ h) W_hg = [.25*2 - .5*1, .25*1 - .5*0] = [0, .25]
#   x W_xg = [1*.5, 2*.25] = [.5, .5];  a_g = [.5, .5] + [0, .25] + [0, -.75] = [.5, 0]
#   reset-after: h W_hg + b_hg = [.5*2 - 1*1, .5*1 - 1*0] + [1, .5] = [1, 1];  r ⊙ (…) = [.5, .5]
#   a_g = [.5, .5] + [0, -.75] + [.5, .5] = [1, .25]
Z = [sig(1.0), 0.5]
R = [0.5, 0.5]
G_BEFORE = [math.tanh(0.5), 0.0]
G_AFTER = [math.tanh(1.0), math.tanh(0.25)]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-15), (np.float32, 1e-7)])
def test_gates_by_hand(backend, dtype, tol):
    lib, p = backend.lib, backend.params(hand_params(dtype))
    x, h = backend.array(X, dtype), backend.array(H_PREV, dtype)
    z, r = backend.numpy(lib.update_gate(x, h, p)), backend.numpy(lib.reset_gate(x, h, p))
    assert z.dtype == dtype and r.dtype == dtype and z.shape == (1, 2)
    np.testing.assert_allclose(z, [Z], rtol=0, atol=tol)
    np.testing.assert_allclose(r, [R], rtol=0, atol=tol)


@pytest.mark.parametrize("reset_after, expected", [(False, G_BEFORE), (True, G_AFTER)])
def test_candidate_by_hand(backend, reset_after, expected):
    p, a = backend.params(hand_params()), backend.array
    g = backend.lib.candidate(a(X), a(H_PREV), a([R]), p, reset_after=reset_after)
    np.testing.assert_allclose(backend.numpy(g), [expected], rtol=0, atol=1e-15)


def test_quantities_and_cell_by_hand(backend):
    lib, a, n = backend.lib, backend.array, backend.numpy
    z, g = a([Z]), a([G_BEFORE])
    # first = z ⊙ h(t-1) = [σ(1) * .5, .5 * -1];  second = (1 - z) ⊙ g = [(1 - σ(1)) tanh(.5), .5 * 0]
    first = [Z[0] * 0.5, -0.5]
    second = [(1 - Z[0]) * math.tanh(0.5), 0.0]
    np.testing.assert_allclose(n(lib.first_quantity(z, a(H_PREV))), [first], rtol=0, atol=1e-15)
    np.testing.assert_allclose(n(lib.second_quantity(z, g)), [second], rtol=0, atol=1e-15)
    h = n(lib.gru_cell(a(X), a(H_PREV), backend.params(hand_params())))
    np.testing.assert_allclose(h, [[first[0] + second[0], first[1] + second[1]]], rtol=0, atol=1e-15)
    # reset-after: same z, candidate G_AFTER
    h_after = n(lib.gru_cell(a(X), a(H_PREV), backend.params(hand_params()), reset_after=True))
    expected = [Z[i] * H_PREV[0, i] + (1 - Z[i]) * G_AFTER[i] for i in range(2)]
    np.testing.assert_allclose(h_after, [expected], rtol=0, atol=1e-15)


def test_b_hg_only_matters_after_reset(backend):
    p, q = hand_params(), hand_params()
    q.b_hg = q.b_hg + 10.0
    p, q = backend.params(p), backend.params(q)
    cell, x, h, n = backend.lib.gru_cell, backend.array(X), backend.array(H_PREV), backend.numpy
    np.testing.assert_array_equal(n(cell(x, h, p)), n(cell(x, h, q)))
    assert not np.allclose(n(cell(x, h, p, reset_after=True)), n(cell(x, h, q, reset_after=True)))


def test_reset_variants_differ_on_random_weights(backend):
    # DESIGN.md: "about 0.1 apart on random weights" -- measured here, not assumed.
    p = backend.params(init_params(8, 16, seed=0))
    xs = backend.array(np.random.default_rng(1).normal(size=(20, 4, 8)))
    fwd = backend.lib.gru_forward
    d = np.abs(backend.numpy(fwd(xs, p)[0] - fwd(xs, p, reset_after=True)[0])).max()
    assert 0.01 < d < 1.0


def test_sigmoid_is_stable_and_exact(backend):
    a = np.array([-1e4, -800.0, -50.0, -1.0, 0.0, 1.0, 50.0, 800.0, 1e4])
    sigmoid, n = backend.lib.sigmoid, backend.numpy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = n(sigmoid(backend.array(a)))
        s32 = n(sigmoid(backend.array(a, np.float32)))
        s_neg = n(sigmoid(backend.array(-a)))
    assert s32.dtype == np.float32
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    np.testing.assert_allclose(s[2:7], [sig(v) for v in a[2:7]], rtol=1e-15, atol=0)
    np.testing.assert_allclose(s + s_neg, 1.0, rtol=0, atol=1e-15)  # σ(a) + σ(−a) = 1


def test_extremes_of_the_update_gate(backend):
    """z → 1 copies the old state; z → 0 replaces it with the candidate."""
    lib, a, n = backend.lib, backend.array, backend.numpy
    h, g = a([[0.3, -0.7]]), a([[0.9, 0.1]])
    ones, zeros = a(np.ones((1, 2))), a(np.zeros((1, 2)))
    np.testing.assert_array_equal(n(lib.first_quantity(ones, h) + lib.second_quantity(ones, g)), n(h))
    np.testing.assert_array_equal(n(lib.first_quantity(zeros, h) + lib.second_quantity(zeros, g)), n(g))


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("T, B, I, H", [(1, 1, 1, 1), (5, 3, 4, 6), (7, 1, 2, 3)])
def test_forward_is_a_loop_of_cells(backend, reset_after, T, B, I, H):
    lib, a, n = backend.lib, backend.array, backend.numpy
    p = backend.params(init_params(I, H, seed=T + B))
    rng = np.random.default_rng(0)
    xs, h0 = a(rng.normal(size=(T, B, I))), a(rng.uniform(-1, 1, size=(B, H)))
    hs, cache = lib.gru_forward(xs, p, h0, reset_after=reset_after)
    h = h0
    for t in range(T):
        h = lib.gru_cell(xs[t], h, p, reset_after=reset_after)
        np.testing.assert_allclose(n(hs[t]), n(h), rtol=0, atol=1e-14)
    assert hs.shape == (T, B, H) and cache.reset_after is reset_after
    assert np.all(np.abs(n(hs)) < 1)  # h0 in (−1, 1): each h(t) is a convex mix of values in (−1, 1)


def test_forward_float32_follows_params():
    p = init_params(3, 4, seed=0, dtype=np.float32)
    xs = np.ones((2, 1, 3), dtype=np.float32)
    hs, _ = gru_forward(xs, p)
    assert hs.dtype == np.float32
    np.testing.assert_allclose(hs, gru_forward(xs.astype(np.float64), p.astype(np.float64))[0],
                               rtol=0, atol=1e-6)


def test_init_params():
    p = init_params(3, 5, seed=0)
    assert (p.input_size, p.hidden_size, p.dtype) == (3, 5, np.float64)
    assert p.W_xz.shape == (3, 5) and p.W_hg.shape == (5, 5) and p.b_hg.shape == (5,)
    k = 1 / math.sqrt(5)
    assert all(np.all(np.abs(getattr(p, n)) <= k) for n in GRUParams.NAMES)
    np.testing.assert_array_equal(init_params(3, 5, seed=0).W_hr, p.W_hr)
    assert init_params(3, 5, seed=0, dtype=np.float32).dtype == np.float32


# ------------------------------------------------------------------------ bad input

P = init_params(3, 4, seed=0)
x, h = np.zeros((2, 3)), np.zeros((2, 4))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: gru_cell(np.zeros(3), h, P), ValueError, "2-D"),
    (lambda: gru_cell(np.zeros((2, 5)), h, P), ValueError, "(B, I)"),
    (lambda: gru_cell(x, np.zeros((2, 5)), P), ValueError, "h_prev"),
    (lambda: gru_cell(x, np.zeros((3, 4)), P), ValueError, "h_prev"),
    (lambda: gru_cell(np.zeros((2, 3), dtype=int), h, P), TypeError, "floating"),
    (lambda: gru_cell(np.array([["a"] * 3] * 2), h, P), TypeError, "floating"),
    (lambda: gru_cell(x.astype(np.float32), h, P), ValueError, "float32"),
    (lambda: gru_cell([[0.0] * 3] * 2, h, P), TypeError, "numpy.ndarray"),
    (lambda: gru_cell(x, h, "params"), TypeError, "GRUParams"),
    (lambda: gru_cell(x, h, P, reset_after=1), TypeError, "bool"),
    (lambda: gru_cell(np.zeros((0, 3)), np.zeros((0, 4)), P), ValueError, "B = 0"),
    (lambda: candidate(x, h, np.zeros((2, 3)), P), ValueError, "r"),
    (lambda: first_quantity(np.zeros((2, 4)), np.zeros((2, 3))), ValueError, "h_prev"),
    (lambda: second_quantity(np.zeros((2, 4)), np.zeros((1, 4))), ValueError, "g"),
    (lambda: gru_forward(np.zeros((0, 2, 3)), P), ValueError, "T = 0"),
    (lambda: gru_forward(x, P), ValueError, "3-D"),
    (lambda: gru_forward(np.zeros((4, 2, 5)), P), ValueError, "(T, B, I)"),
    (lambda: gru_forward(np.zeros((4, 2, 3)), P, np.zeros((1, 2, 4))), ValueError, "h0"),
    (lambda: gru_forward(np.zeros((4, 2, 3)), P, np.zeros((3, 4))), ValueError, "h0"),
    (lambda: gru_forward(np.zeros((4, 2, 3)), P, np.zeros((2, 4), dtype=np.float32)), ValueError, "h0"),
    (lambda: init_params(3.0, 4), TypeError, "input_size"),
    (lambda: init_params("3", 4), TypeError, "input_size"),
    (lambda: init_params(3, 0), ValueError, "hidden_size"),
    (lambda: init_params(3, -2), ValueError, "hidden_size"),
    (lambda: init_params(True, 2), TypeError, "input_size"),
    (lambda: init_params(3, 4, dtype=np.int32), TypeError, "dtype"),
    (lambda: GRUParams(**{**{n: getattr(P, n) for n in P.NAMES}, "W_hz": np.zeros((4, 3))}),
     ValueError, "W_hz"),
    (lambda: GRUParams(**{**{n: getattr(P, n) for n in P.NAMES}, "b_r": np.zeros(4, np.float32)}),
     ValueError, "b_r"),
])
def test_bad_input_is_refused(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


def test_import_does_not_import_torch():
    code = "import sys, gru_lib, gru_lib.numpy, gru_lib.convert, gru_lib.gradcheck; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
