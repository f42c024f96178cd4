"""Small synthetic sequence tasks, generated in code (nothing is downloaded).

Each task returns NumPy arrays in the book's time-major layout, ``xs`` of shape
(T, B, I), and is reproducible from its ``seed``.

The adding problem (Hochreiter & Schmidhuber 1997) tests memory over a known distance:
each step carries a random value and a marker, exactly two markers are set, and the
target is the sum of the two marked values. A model that forgets what it saw at the
first marker cannot do better than guessing the mean, whose mean squared error is the
variance of the target, 2 · (1/12) = 1/6 for values drawn from U(0, 1).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ._checks import check_numpy_float_dtype, check_seed, check_size

__all__ = ["adding_problem", "ADDING_BASELINE_MSE"]

# Var(u1 + u2) for two independent U(0, 1) values: the MSE of always predicting the mean 1.
ADDING_BASELINE_MSE = 2.0 / 12.0


def adding_problem(batch_size: int, seq_len: int, *, seed: Optional[int] = None,
                   dtype=np.float64) -> Tuple[np.ndarray, np.ndarray]:
    """A batch of the adding problem: (value, marker) pairs and the sum of marked values.

    Returns ``xs`` of shape (T, B, 2) and ``ys`` of shape (B, 1), with T = ``seq_len`` and
    B = ``batch_size``. ``xs[t, b, 0]`` is a value drawn from U(0, 1); ``xs[t, b, 1]`` is 1
    at exactly two steps and 0 elsewhere; ``ys[b, 0]`` is the sum of the two marked values.
    As in the common modern form of the task, the first marker falls in the first half of
    the sequence (steps 0 .. T//2 − 1) and the second in the second half, so the network
    must carry the first value across at least one step and often across many.

    ``seq_len`` must be at least 2 (two markers need two steps).
    """
    B = check_size("batch_size", batch_size)
    T = check_size("seq_len", seq_len)
    if T < 2:
        raise ValueError(f"seq_len must be at least 2 to hold two markers, got {T}")
    dt = check_numpy_float_dtype(dtype)
    rng = np.random.default_rng(check_seed(seed))

    values = rng.uniform(0.0, 1.0, size=(T, B))
    first = rng.integers(0, T // 2, size=B)        # one marker in each half, so they differ
    second = rng.integers(T // 2, T, size=B)
    markers = np.zeros((T, B))
    batch = np.arange(B)
    markers[first, batch] = 1.0
    markers[second, batch] = 1.0
    xs = np.stack([values, markers], axis=-1)      # (T, B, 2)
    ys = (values[first, batch] + values[second, batch])[:, None]  # (B, 1)
    return xs.astype(dt), ys.astype(dt)
