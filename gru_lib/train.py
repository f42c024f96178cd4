"""Training a GRU with NumPy alone: a readout, a loss, gradient clipping, two optimisers.

Everything here is built on :func:`gru_lib.numpy.gru_forward` and
:func:`gru_lib.numpy.gru_backward`; no autograd is involved. The model predicts one
vector per sequence from the last state:

    y = h(T) W_hy + b_y,        L = mean((y − target)²)

with ``W_hy`` of shape (H, O) and ``b_y`` of shape (O,). The optimisers update a list of
arrays in place (like ``torch.optim``), so the arrays inside a :class:`GRUParams` change
and the object stays the same.
"""

from __future__ import annotations

import numbers
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ._checks import check_array, check_dims, check_flag, check_same_dtype, check_size
from .numpy import GRUParams, gru_backward, gru_forward

__all__ = [
    "init_readout",
    "mse_loss",
    "loss_and_grads",
    "global_norm",
    "clip_by_global_norm",
    "SGD",
    "Adam",
    "parameters",
    "train",
]


def _check_number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def _check_positive(name: str, value) -> float:
    if not _check_number(name, value) > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return float(value)


def _check_fraction(name: str, value) -> float:
    """A number in [0, 1), like a momentum or an Adam beta."""
    if not 0 <= _check_number(name, value) < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return float(value)


def init_readout(hidden_size: int, output_size: int, *, seed: Optional[int] = None,
                 dtype=np.float64) -> Tuple[np.ndarray, np.ndarray]:
    """``W_hy`` (H, O) drawn from U(−1/√H, 1/√H), as ``torch.nn.Linear`` does, and ``b_y`` = 0."""
    H = check_size("hidden_size", hidden_size)
    O = check_size("output_size", output_size)
    k = 1.0 / np.sqrt(H)
    W_hy = np.random.default_rng(seed).uniform(-k, k, size=(H, O)).astype(dtype)
    return W_hy, np.zeros(O, dtype=W_hy.dtype)


def mse_loss(y: np.ndarray, target: np.ndarray) -> Tuple[float, np.ndarray]:
    """L = mean((y − target)²) over all entries, and ∂L/∂y = 2 (y − target) / y.size.

    y, target (B, O) -> (L, dy of shape (B, O)).
    """
    check_array("y", y, np.ndarray, 2, "(B, O)")
    check_array("target", target, np.ndarray, 2, "(B, O)")
    check_dims("target", target, y.shape, "(B, O) like y")
    diff = y - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def loss_and_grads(p: GRUParams, W_hy: np.ndarray, b_y: np.ndarray, xs: np.ndarray,
                   target: np.ndarray, *, reset_after: bool = False):
    """The loss of the readout model and its gradient with respect to every parameter.

    xs (T, B, I), target (B, O) -> (L, grads, dW_hy, db_y) with grads a GRUParams.
    Only h(T) feeds the loss, so ∂L/∂h(t) from the loss is zero except at t = T, where it
    is ∂L/∂y W_hyᵀ; ``gru_backward`` carries it back through time.
    """
    hs, cache = gru_forward(xs, p, reset_after=reset_after)
    check_array("W_hy", W_hy, np.ndarray, 2, "(H, O)")
    check_dims("W_hy", W_hy, (p.hidden_size, None), "(H, O)")
    check_dims("b_y", b_y, (W_hy.shape[1],), "(O,)")
    check_same_dtype("W_hy", W_hy, p.dtype)
    h_T = hs[-1]                                  # (B, H)
    loss, dy = mse_loss(h_T @ W_hy + b_y, target)  # y = h(T) W_hy + b_y, (B, O)
    dhs = np.zeros_like(hs)
    dhs[-1] = dy @ W_hy.T                         # ∂L/∂h(T)
    grads, _, _ = gru_backward(dhs, cache)
    return loss, grads, h_T.T @ dy, dy.sum(axis=0)


def global_norm(arrays: Sequence[np.ndarray]) -> float:
    """‖g‖ = sqrt(Σ over all arrays and entries of g²): the norm of all gradients as one vector."""
    return float(np.sqrt(sum(float(np.sum(a * a)) for a in arrays)))


def clip_by_global_norm(grads: Sequence[np.ndarray], max_norm: float
                        ) -> Tuple[List[np.ndarray], float]:
    """Gradient clipping (Pascanu et al. 2013): if ‖g‖ > max_norm, rescale g to norm max_norm.

    Returns (clipped copies, the norm before clipping). The direction is kept; only the
    step length shrinks, which tames the rare huge gradients of exploding recurrences.
    """
    max_norm = _check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads], norm


class SGD:
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD`` computes it.

    v ← μ v + g (v = g at the first step),  θ ← θ − lr · v.  Updates ``params`` in place.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 0.01, momentum: float = 0.9):
        self.params = list(params)
        self.lr = _check_positive("lr", lr)
        self.momentum = _check_fraction("momentum", momentum)
        self.v = [np.zeros_like(a) for a in self.params]
        self.t = 0

    def step(self, grads: Sequence[np.ndarray]) -> None:
        _check_grads(self.params, grads)
        self.t += 1
        for a, g, v in zip(self.params, grads, self.v):
            v[...] = g if self.t == 1 else self.momentum * v + g
            a -= self.lr * v


class Adam:
    """Adam (Kingma & Ba 2014), as ``torch.optim.Adam`` computes it. Updates in place.

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
    θ ← θ − lr · m̂ / (√v̂ + ε)  with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).
    At the first step m̂ = g and v̂ = g², so every entry moves by lr · g / (|g| + ε), about
    lr · sign(g): Adam's step size is set by lr, not by the scale of the gradient.
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = list(params)
        self.lr = _check_positive("lr", lr)
        self.eps = _check_positive("eps", eps)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _check_fraction("betas[0]", betas[0])
        self.beta2 = _check_fraction("betas[1]", betas[1])
        self.m = [np.zeros_like(a) for a in self.params]
        self.v = [np.zeros_like(a) for a in self.params]
        self.t = 0

    def step(self, grads: Sequence[np.ndarray]) -> None:
        _check_grads(self.params, grads)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for a, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1 ** self.t)
            v_hat = v / (1 - b2 ** self.t)
            a -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _check_grads(params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
    if len(grads) != len(params):
        raise ValueError(f"expected {len(params)} gradient arrays (one per parameter), "
                         f"got {len(grads)}")
    for i, (a, g) in enumerate(zip(params, grads)):
        got = getattr(g, "shape", type(g).__name__)
        if got != a.shape:
            raise ValueError(f"gradient {i} must have shape {a.shape}, got {got}")


def parameters(p: GRUParams, W_hy: np.ndarray, b_y: np.ndarray) -> List[np.ndarray]:
    """The model's arrays in a fixed order: the ten GRUParams fields, then W_hy and b_y."""
    return [getattr(p, n) for n in GRUParams.NAMES] + [W_hy, b_y]


def train(p: GRUParams, W_hy: np.ndarray, b_y: np.ndarray, xs: np.ndarray, target: np.ndarray,
          *, steps: int = 500, batch_size: int = 32, lr: float = 1e-2,
          max_norm: Optional[float] = 1.0, reset_after: bool = False,
          seed: int = 0) -> Dict[str, np.ndarray]:
    """Fit the readout model to (xs, target) with Adam on random minibatches, in place.

    xs (T, N, I), target (N, O). Each step draws ``batch_size`` of the N sequences, computes
    the loss and gradients with :func:`loss_and_grads`, clips them to ``max_norm`` (None:
    no clipping) and takes one Adam step. Returns {"loss": (steps,), "grad_norm": (steps,)},
    the minibatch loss and the gradient norm before clipping at every step.
    """
    steps, batch_size = check_size("steps", steps), check_size("batch_size", batch_size)
    reset_after = check_flag("reset_after", reset_after)
    check_array("xs", xs, np.ndarray, 3, "(T, N, I)")
    check_array("target", target, np.ndarray, 2, "(N, O)")
    N = xs.shape[1]
    check_dims("target", target, (N, W_hy.shape[1]), "(N, O)")
    if batch_size > N:
        raise ValueError(f"batch_size must be at most the number of sequences N = {N}, "
                         f"got {batch_size}")
    params = parameters(p, W_hy, b_y)
    opt = Adam(params, lr=lr)
    rng = np.random.default_rng(seed)
    history = {"loss": np.empty(steps), "grad_norm": np.empty(steps)}
    for step in range(steps):
        idx = rng.choice(N, size=batch_size, replace=False)
        loss, grads, dW_hy, db_y = loss_and_grads(p, W_hy, b_y, xs[:, idx], target[idx],
                                                  reset_after=reset_after)
        g = [getattr(grads, n) for n in GRUParams.NAMES] + [dW_hy, db_y]
        norm = global_norm(g)
        if max_norm is not None:
            g, norm = clip_by_global_norm(g, max_norm)
        opt.step(g)
        history["loss"][step], history["grad_norm"][step] = loss, norm
    return history
