"""gru_lib.data: the adding problem's shapes, markers, targets, seeds and bad arguments."""

import numpy as np
import pytest

from gru_lib.data import ADDING_BASELINE_MSE, adding_problem


def test_shapes_and_dtype():
    xs, ys = adding_problem(7, 12, seed=0)
    assert xs.shape == (12, 7, 2) and ys.shape == (7, 1)          # time-major (T, B, 2)
    assert xs.dtype == ys.dtype == np.float64
    xs32, ys32 = adding_problem(7, 12, seed=0, dtype=np.float32)
    assert xs32.dtype == ys32.dtype == np.float32
    np.testing.assert_allclose(xs32, xs, rtol=1e-7, atol=0)


def test_two_markers_one_in_each_half_and_target_is_their_sum():
    T, B = 9, 200
    xs, ys = adding_problem(B, T, seed=3)
    values, markers = xs[..., 0], xs[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(axis=0), 2)          # exactly two per sequence
    np.testing.assert_array_equal(markers[: T // 2].sum(axis=0), 1)  # one in the first half
    assert np.all((values >= 0) & (values < 1))
    for b in range(B):  # the target, recomputed with a plain loop over the marked steps
        marked = [values[t, b] for t in range(T) if markers[t, b] == 1]
        assert ys[b, 0] == marked[0] + marked[1]


def test_shortest_sequence_puts_markers_at_both_steps():
    xs, _ = adding_problem(5, 2, seed=0)
    np.testing.assert_array_equal(xs[..., 1], 1)


def test_seed_reproduces_and_differs():
    a, b, c = adding_problem(4, 6, seed=1), adding_problem(4, 6, seed=1), adding_problem(4, 6, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_baseline_is_the_target_variance():
    # The sum of two independent U(0, 1) values has variance 2/12; a large sample agrees.
    _, ys = adding_problem(200_000, 4, seed=0)
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    assert abs(ys.var() - ADDING_BASELINE_MSE) < 0.003
    assert abs(ys.mean() - 1.0) < 0.005


def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="batch_size must be an int"):
        adding_problem(2.0, 5)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        adding_problem(0, 5)
    with pytest.raises(TypeError, match="seq_len must be an int"):
        adding_problem(3, "5")
    with pytest.raises(ValueError, match="seq_len must be at least 2"):
        adding_problem(3, 1)
    with pytest.raises(TypeError, match="seed must be an int"):
        adding_problem(3, 5, seed=1.5)
    with pytest.raises(TypeError, match="float dtype"):
        adding_problem(3, 5, dtype=np.int32)
