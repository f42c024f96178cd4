"""The GRU in NumPy: one function per equation of the book.

Conventions (the book's notation page states them; the tests pin them):

* row vectors: a batch ``x`` has shape (B, I) and is multiplied on the left, ``x @ W_xz``
  with ``W_xz`` of shape (I, H); recurrent weights ``W_h*`` are (H, H), biases (H,);
* sequences are time-major, ``xs`` of shape (T, B, I);
* the update rule keeps ``z`` on the old state (Cho et al. 2014, Géron 2nd/3rd ed.,
  PyTorch, Keras)::

      h(t) = z(t) ⊙ h(t-1) + (1 − z(t)) ⊙ g(t)                     (eq-state)

* ``reset_after=False`` is the book's candidate, ``g = tanh(x W_xg + (r ⊙ h) W_hg + b_g)``;
  ``reset_after=True`` is the cuDNN / ``torch.nn.GRU`` / Keras-default form,
  ``g = tanh(x W_xg + b_g + r ⊙ (h W_hg + b_hg))``, the only one that uses ``b_hg``.

The dtype of every result follows the parameters (float32 or float64).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Optional, Tuple

import numpy as np

from ._checks import (
    check_array,
    check_dims,
    check_flag,
    check_like,
    check_numpy_float_dtype,
    check_same_device,
    check_same_dtype,
    check_seed,
    check_size,
    check_x_h,
    is_float_dtype,
)

__all__ = [
    "GRUParams",
    "GRUCache",
    "init_params",
    "sigmoid",
    "update_gate",
    "reset_gate",
    "candidate",
    "first_quantity",
    "second_quantity",
    "gru_cell",
    "gru_forward",
    "gru_backward",
]


# --------------------------------------------------------------------------- parameters


@dataclass(eq=False)
class GRUParams:
    """The ten parameter arrays of one GRU layer, named as in the book (Géron's notation).

    ``W_xz, W_xr, W_xg``: (I, H) input weights of the update gate, reset gate, candidate.
    ``W_hz, W_hr, W_hg``: (H, H) recurrent weights, same order.
    ``b_z, b_r, b_g``: (H,) biases. ``b_hg``: (H,) the second candidate bias, used only by
    the reset-after form (it sits inside ``r ⊙ (h W_hg + b_hg)``); the book's reset-before
    form ignores it.

    The fields may be NumPy arrays or (through :func:`gru_lib.torch.as_tensors`) torch
    tensors; all must share one floating dtype (and device).
    """

    W_xz: Any
    W_xr: Any
    W_xg: Any
    W_hz: Any
    W_hr: Any
    W_hg: Any
    b_z: Any
    b_r: Any
    b_g: Any
    b_hg: Any

    NAMES: ClassVar[Tuple[str, ...]] = (
        "W_xz", "W_xr", "W_xg", "W_hz", "W_hr", "W_hg", "b_z", "b_r", "b_g", "b_hg",
    )

    def __post_init__(self) -> None:
        first = self.W_xz
        for name in self.NAMES:
            a = getattr(self, name)
            if not hasattr(a, "shape") or not hasattr(a, "dtype"):
                raise TypeError(f"GRUParams.{name} must be an array, got {type(a).__name__}")
            if type(a) is not type(first):
                raise TypeError(
                    f"GRUParams fields must all be of one array type; W_xz is "
                    f"{type(first).__name__} but {name} is {type(a).__name__}"
                )
            if not is_float_dtype(a.dtype):
                raise TypeError(f"GRUParams.{name} must have a floating dtype, got {a.dtype}")
            check_same_dtype(f"GRUParams.{name}", a, first.dtype, "W_xz")
            check_same_device(f"GRUParams.{name}", a, getattr(first, "device", None), "W_xz")
        if self.W_xz.ndim != 2 or self.b_z.ndim != 1:
            raise ValueError(
                f"GRUParams needs W_xz of shape (I, H) and b_z of shape (H,), got "
                f"{tuple(self.W_xz.shape)} and {tuple(self.b_z.shape)}"
            )
        I, H = self.input_size, self.hidden_size
        for name in self.NAMES:
            want = (I, H) if name.startswith("W_x") else (H, H) if name.startswith("W_h") else (H,)
            check_dims(f"GRUParams.{name}", getattr(self, name), want,
                       "(I, H)" if name.startswith("W_x") else "(H, H)" if name.startswith("W_h") else "(H,)")

    @property
    def input_size(self) -> int:
        """I, the size of x(t)."""
        return int(self.W_xz.shape[0])

    @property
    def hidden_size(self) -> int:
        """H, the size of h(t)."""
        return int(self.b_z.shape[0])

    @property
    def dtype(self):
        """The dtype shared by all fields (and so by every result)."""
        return self.W_xz.dtype

    def map(self, fn: Callable[[Any], Any]) -> "GRUParams":
        """A new GRUParams with ``fn`` applied to each field (e.g. an optimiser step)."""
        return GRUParams(**{name: fn(getattr(self, name)) for name in self.NAMES})

    def astype(self, dtype) -> "GRUParams":
        """A copy of NumPy params in another float dtype."""
        return self.map(lambda a: np.asarray(a).astype(dtype))

    def copy(self) -> "GRUParams":
        return self.map(lambda a: a.copy() if hasattr(a, "copy") else a.clone())

    def __repr__(self) -> str:
        return (f"GRUParams(input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"dtype={self.dtype})")


def init_params(input_size: int, hidden_size: int, *, seed: Optional[int] = None,
                dtype=np.float64) -> GRUParams:
    """Random parameters drawn as ``torch.nn.GRU`` draws them: U(−1/√H, 1/√H).

    ``b_hg`` is drawn too, so the same params exercise both candidate forms.
    """
    I = check_size("input_size", input_size)
    H = check_size("hidden_size", hidden_size)
    dt = check_numpy_float_dtype(dtype)
    rng = np.random.default_rng(check_seed(seed))
    k = 1.0 / np.sqrt(H)
    shapes = {n: (I, H) if n.startswith("W_x") else (H, H) if n.startswith("W_h") else (H,)
              for n in GRUParams.NAMES}
    return GRUParams(**{n: rng.uniform(-k, k, size=s).astype(dt) for n, s in shapes.items()})


# ----------------------------------------------------------------------- input checks


def _check_params(p) -> GRUParams:
    if not isinstance(p, GRUParams):
        raise TypeError(f"p must be a GRUParams, got {type(p).__name__}")
    if not isinstance(p.W_xz, np.ndarray):
        raise TypeError(
            f"gru_lib.numpy needs GRUParams of NumPy arrays, got fields of type "
            f"{type(p.W_xz).__name__} (use gru_lib.torch for tensors)"
        )
    return p


def _check_x_h(x, h_prev, p: GRUParams) -> int:
    return check_x_h(x, h_prev, p, np.ndarray)


# -------------------------------------------------------------------------- equations


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(−a)), elementwise, with no overflow for any finite a.

    ``exp`` only ever sees −|a| ≤ 0, so it cannot overflow: for a ≥ 0 we use
    1 / (1 + e^(−a)), for a < 0 the equal form e^(a) / (1 + e^(a)).
    """
    if not isinstance(a, np.ndarray) or not is_float_dtype(a.dtype):
        a = np.asarray(a, dtype=np.float64)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)


def update_gate(x: np.ndarray, h_prev: np.ndarray, p: GRUParams) -> np.ndarray:
    """Update gate (eq-update-gate): z(t) = σ(x(t) W_xz + h(t-1) W_hz + b_z).

    x (B, I), h_prev (B, H) -> z (B, H), each entry in (0, 1): the share of h(t-1) kept.
    """
    _check_x_h(x, h_prev, _check_params(p))
    return sigmoid(x @ p.W_xz + h_prev @ p.W_hz + p.b_z)


def reset_gate(x: np.ndarray, h_prev: np.ndarray, p: GRUParams) -> np.ndarray:
    """Reset gate (eq-reset-gate): r(t) = σ(x(t) W_xr + h(t-1) W_hr + b_r).

    x (B, I), h_prev (B, H) -> r (B, H): the share of h(t-1) that feeds the candidate.
    """
    _check_x_h(x, h_prev, _check_params(p))
    return sigmoid(x @ p.W_xr + h_prev @ p.W_hr + p.b_r)


def candidate(x: np.ndarray, h_prev: np.ndarray, r: np.ndarray, p: GRUParams, *,
              reset_after: bool = False) -> np.ndarray:
    """Candidate state g(t), the basic RNN block fed with the reset old state.

    reset_after=False (eq-candidate, the book's form):
        g(t) = tanh(x(t) W_xg + (r(t) ⊙ h(t-1)) W_hg + b_g)
    reset_after=True (eq-candidate-after, cuDNN / torch.nn.GRU):
        g(t) = tanh(x(t) W_xg + b_g + r(t) ⊙ (h(t-1) W_hg + b_hg))

    x (B, I), h_prev (B, H), r (B, H) -> g (B, H), each entry in (−1, 1).
    """
    _check_x_h(x, h_prev, _check_params(p))
    check_like("r", r, h_prev, np.ndarray)
    if check_flag("reset_after", reset_after):
        return np.tanh(x @ p.W_xg + p.b_g + r * (h_prev @ p.W_hg + p.b_hg))
    return np.tanh(x @ p.W_xg + (r * h_prev) @ p.W_hg + p.b_g)


def first_quantity(z: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
    """First quantity (eq-first-quantity): z(t) ⊙ h(t-1), the part of the old state kept.

    z (B, H), h_prev (B, H) -> (B, H).
    """
    check_array("z", z, np.ndarray, 2, "(B, H)")
    check_like("h_prev", h_prev, z, np.ndarray)
    return z * h_prev


def second_quantity(z: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Second quantity (eq-second-quantity): (1 − z(t)) ⊙ g(t), the new information let in.

    (1 − z) acts as the input gate. z (B, H), g (B, H) -> (B, H).
    """
    check_array("z", z, np.ndarray, 2, "(B, H)")
    check_like("g", g, z, np.ndarray)
    return (1 - z) * g


def gru_cell(x: np.ndarray, h_prev: np.ndarray, p: GRUParams, *,
             reset_after: bool = False) -> np.ndarray:
    """One GRU step (eq-state, eq-output): h(t) = z ⊙ h(t-1) + (1 − z) ⊙ g(t) = y(t).

    x (B, I), h_prev (B, H) -> h (B, H), which is also the prediction y(t).
    """
    check_flag("reset_after", reset_after)
    z = update_gate(x, h_prev, p)
    r = reset_gate(x, h_prev, p)
    g = candidate(x, h_prev, r, p, reset_after=reset_after)
    return first_quantity(z, h_prev) + second_quantity(z, g)


# ------------------------------------------------------------------- whole sequences


@dataclass(eq=False)
class GRUCache:
    """What :func:`gru_forward` keeps for :func:`gru_backward`; all (T, B, ·) time-major.

    ``hn`` is h(t-1) W_hg + b_hg (reset-after form only); ``rh`` is r ⊙ h(t-1)
    (reset-before form only).
    """

    xs: np.ndarray
    h0: np.ndarray
    hs: np.ndarray
    z: np.ndarray
    r: np.ndarray
    g: np.ndarray
    p: GRUParams
    reset_after: bool
    hn: Optional[np.ndarray] = None
    rh: Optional[np.ndarray] = None

    @property
    def h_prev(self) -> np.ndarray:
        """h(t-1) for t = 1..T, shape (T, B, H)."""
        return np.concatenate([self.h0[None], self.hs[:-1]], axis=0)


def _stacked(p: GRUParams):
    """[W_xz | W_xr | W_xg] (I, 3H), [W_hz | W_hr | W_hg] (H, 3H) and [b_z | b_r | b_g] (3H,)."""
    return (np.concatenate([p.W_xz, p.W_xr, p.W_xg], axis=1),
            np.concatenate([p.W_hz, p.W_hr, p.W_hg], axis=1),
            np.concatenate([p.b_z, p.b_r, p.b_g]))


def gru_forward(xs: np.ndarray, p: GRUParams, h0: Optional[np.ndarray] = None, *,
                reset_after: bool = False) -> Tuple[np.ndarray, GRUCache]:
    """Run the GRU over a sequence: h(t) for t = 1..T from h(0) = h0 (zeros if None).

    xs (T, B, I), h0 (B, H) -> hs (T, B, H) (hs[-1] is the final state) and a cache for
    :func:`gru_backward`. Computes exactly ``gru_cell`` at every step; the input halves of
    eq-update-gate, eq-reset-gate and eq-candidate do not depend on h, so they are formed
    for all T steps in one matrix product before the loop.
    """
    _check_params(p)
    reset_after = check_flag("reset_after", reset_after)
    check_array("xs", xs, np.ndarray, 3, "(T, B, I)")
    check_dims("xs", xs, (None, None, p.input_size), "(T, B, I)")
    check_same_dtype("xs", xs, p.dtype)
    T, B, I = xs.shape
    H = p.hidden_size
    if T == 0:
        raise ValueError("xs must hold at least one time step, got an empty sequence (T = 0)")
    if B == 0:
        raise ValueError("xs must hold at least one example, got batch size B = 0")
    if h0 is None:
        h0 = np.zeros((B, H), dtype=p.dtype)
    else:
        check_array("h0", h0, np.ndarray, 2, "(B, H)")
        check_dims("h0", h0, (B, H), "(B, H)")
        check_same_dtype("h0", h0, p.dtype)

    W_x, W_h, b = _stacked(p)
    ax = (xs.reshape(T * B, I) @ W_x + b).reshape(T, B, 3 * H)  # input parts, all t
    hs = np.empty((T, B, H), dtype=p.dtype)
    z, r, g = (np.empty((T, B, H), dtype=p.dtype) for _ in range(3))
    extra = np.empty((T, B, H), dtype=p.dtype)  # hn (reset-after) or rh (reset-before)
    h = h0
    for t in range(T):
        a_z, a_r, a_g = ax[t, :, :H], ax[t, :, H:2 * H], ax[t, :, 2 * H:]
        if reset_after:
            ah = h @ W_h                                         # (B, 3H): one product
            z[t] = sigmoid(a_z + ah[:, :H])                      # eq-update-gate
            r[t] = sigmoid(a_r + ah[:, H:2 * H])                 # eq-reset-gate
            extra[t] = ah[:, 2 * H:] + p.b_hg                    # hn = h W_hg + b_hg
            g[t] = np.tanh(a_g + r[t] * extra[t])                # eq-candidate-after
        else:
            ah = h @ W_h[:, :2 * H]                              # (B, 2H): both gates
            z[t] = sigmoid(a_z + ah[:, :H])                      # eq-update-gate
            r[t] = sigmoid(a_r + ah[:, H:])                      # eq-reset-gate
            extra[t] = r[t] * h                                  # rh = r ⊙ h(t-1)
            g[t] = np.tanh(a_g + extra[t] @ p.W_hg)              # eq-candidate
        h = hs[t] = z[t] * h + (1 - z[t]) * g[t]                 # eq-state (first + second)
    cache = GRUCache(xs=xs, h0=h0, hs=hs, z=z, r=r, g=g, p=p, reset_after=reset_after,
                     hn=extra if reset_after else None, rh=None if reset_after else extra)
    return hs, cache


def gru_backward(dhs: np.ndarray, cache: GRUCache) -> Tuple[GRUParams, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward` (the book's BPTT chapter).

    dhs (T, B, H) is ∂L/∂h(t) from the loss alone (for each t; zeros where the loss does
    not look). Returns (grads, dxs, dh0): grads a GRUParams of ∂L/∂(each parameter)
    (``b_hg`` is zero for the reset-before form, which does not use it), dxs (T, B, I) and
    dh0 (B, H).

    Walking t = T..1 with δ = ∂L/∂h(t) = dhs[t] + (what flows back from h(t+1)):
        dz = δ ⊙ (h(t-1) − g),   dg = δ ⊙ (1 − z),   dh(t-1) ← δ ⊙ z
        da_g = dg ⊙ (1 − g²),   da_z = dz ⊙ z(1 − z),   da_r = dr ⊙ r(1 − r)
    where dr and the candidate's path into h(t-1) depend on ``reset_after``. The weight
    gradients are sums over t of (input)ᵀ(pre-activation gradient); they are formed after
    the loop in one matrix product over all T·B rows.
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(f"cache must be the GRUCache returned by gru_forward, got {type(cache).__name__}")
    p, xs, hs = cache.p, cache.xs, cache.hs
    T, B, I = xs.shape
    H = p.hidden_size
    check_array("dhs", dhs, np.ndarray, 3, "(T, B, H)")
    check_dims("dhs", dhs, (T, B, H), "(T, B, H) of the forward pass")
    check_same_dtype("dhs", dhs, p.dtype, "the forward pass's parameters")
    after = cache.reset_after
    extra = cache.hn if after else cache.rh
    if extra is None or any(a.shape != (T, B, H) for a in (hs, cache.z, cache.r, cache.g, extra)):
        raise ValueError(
            f"cache is inconsistent: it says reset_after={after} but does not hold that "
            f"variant's arrays of shape {(T, B, H)}; pass the cache from the same gru_forward call"
        )

    W_x, W_h, _ = _stacked(p)
    h_prev = cache.h_prev                                        # (T, B, H)
    da = np.empty((T, B, 3 * H), dtype=p.dtype)                  # [da_z | da_r | da_g]
    dhn = np.empty((T, B, H), dtype=p.dtype) if after else None
    dh_next = np.zeros((B, H), dtype=p.dtype)
    for t in reversed(range(T)):
        z, r, g, hp = cache.z[t], cache.r[t], cache.g[t], h_prev[t]
        dh = dhs[t] + dh_next                                    # δ = ∂L/∂h(t)
        dz = dh * (hp - g)                                       # h = z hp + (1 − z) g
        dg = dh * (1 - z)
        dh_prev = dh * z                                         # the first quantity's path
        da_g = da[t, :, 2 * H:]
        da_g[...] = dg * (1 - g * g)                             # tanh' = 1 − g²
        if after:                                                # g = tanh(.. + r ⊙ hn)
            dr = da_g * extra[t]
            dhn[t] = da_g * r                                    # hn = hp W_hg + b_hg
            dh_prev += dhn[t] @ p.W_hg.T
        else:                                                    # g = tanh(.. + rh W_hg)
            drh = da_g @ p.W_hg.T
            dr = drh * hp                                        # rh = r ⊙ hp
            dh_prev += drh * r
        da[t, :, :H] = dz * z * (1 - z)                          # σ' = σ(1 − σ)
        da[t, :, H:2 * H] = dr * r * (1 - r)
        dh_prev += da[t, :, :2 * H] @ W_h[:, :2 * H].T           # through both gates
        dh_next = dh_prev

    # Σ_t (input)ᵀ (pre-activation grad), for all t in one product each.
    da2 = da.reshape(T * B, 3 * H)
    dW_x = xs.reshape(T * B, I).T @ da2                          # (I, 3H)
    dW_hzr = h_prev.reshape(T * B, H).T @ da2[:, :2 * H]         # (H, 2H)
    if after:
        dW_hg = h_prev.reshape(T * B, H).T @ dhn.reshape(T * B, H)
        db_hg = dhn.sum(axis=(0, 1))
    else:
        dW_hg = extra.reshape(T * B, H).T @ da2[:, 2 * H:]
        db_hg = np.zeros(H, dtype=p.dtype)
    db = da2.sum(axis=0)
    grads = GRUParams(
        W_xz=dW_x[:, :H], W_xr=dW_x[:, H:2 * H], W_xg=dW_x[:, 2 * H:],
        W_hz=dW_hzr[:, :H], W_hr=dW_hzr[:, H:], W_hg=dW_hg,
        b_z=db[:H], b_r=db[H:2 * H], b_g=db[2 * H:], b_hg=db_hg,
    )
    dxs = da @ W_x.T                                             # (T, B, I)
    return grads, dxs, dh_next
