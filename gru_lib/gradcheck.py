"""Finite-difference gradient checks that a reader can point at any function.

Central differences, (f(x + ε) − f(x − ε)) / 2ε, have error O(ε²) from the Taylor series
plus O(u/ε) from rounding (u ≈ 1e-16 in float64); ε = 1e-6 balances the two, which is why
checks must run in float64.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

import numpy as np

from .numpy import GRUParams, gru_backward, gru_forward

__all__ = ["numerical_gradient", "relative_error", "check_gru_gradients"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by central differences, where ``f()`` reads ``x`` (perturbed in place).

    x: a float64 array of any shape; returns an array of the same shape. ``x`` is restored.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 numpy.ndarray (finite differences need float64), "
                        f"got {type(x).__name__} {getattr(x, 'dtype', '')}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views: writes reach x
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are 0: scale-free, and safe for tiny entries."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_gru_gradients(p: GRUParams, xs: np.ndarray, h0: Optional[np.ndarray] = None, *,
                        reset_after: bool = False, seed: int = 0,
                        eps: float = 1e-6) -> Dict[str, float]:
    """Relative error of :func:`gru_backward` against finite differences, per array.

    The loss is L = Σ_t Σ_b ⟨w(t, b), h(t, b)⟩ with fixed random weights w, so every
    h(t) receives a gradient. Returns {name: relative error} for the ten parameters,
    ``xs`` and ``h0``; all should be ≲ 1e-7 in float64.
    """
    p = p.copy()
    xs = np.array(xs, dtype=np.float64)
    T, B, _ = xs.shape
    h0 = np.zeros((B, p.hidden_size)) if h0 is None else np.array(h0, dtype=np.float64)
    w = np.random.default_rng(seed).normal(size=(T, B, p.hidden_size))

    def loss() -> float:
        hs, _ = gru_forward(xs, p, h0, reset_after=reset_after)
        return float(np.sum(w * hs))

    _, cache = gru_forward(xs, p, h0, reset_after=reset_after)
    grads, dxs, dh0 = gru_backward(w, cache)
    errors = {n: relative_error(getattr(grads, n), numerical_gradient(loss, getattr(p, n), eps))
              for n in GRUParams.NAMES}
    errors["xs"] = relative_error(dxs, numerical_gradient(loss, xs, eps))
    errors["h0"] = relative_error(dh0, numerical_gradient(loss, h0, eps))
    return errors
