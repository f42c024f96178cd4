"""The GRU in PyTorch, on any device: the book's equations on tensors, and two modules.

Three layers, from the page to the GPU:

* the equation functions (``update_gate`` … ``gru_cell``) are those of
  :mod:`gru_lib.numpy`, one per equation, on tensors instead of arrays;
* ``gru_forward`` / ``gru_backward`` run a whole sequence. The forward pass forms the input
  halves of all gates for all T steps in one matrix product before the loop; the backward
  pass is the hand-derived BPTT of :func:`gru_lib.numpy.gru_backward`, wrapped in a
  ``torch.autograd.Function`` so that training does not pay autograd's per-step overhead;
* ``GRUCell`` and ``GRU`` are ``torch.nn`` modules with the call signature of
  ``torch.nn.GRUCell`` / ``torch.nn.GRU``, so either can stand in for the other.

Conventions are the book's (row vectors, time-major, ``h = z ⊙ h(t-1) + (1 − z) ⊙ g``).
``reset_after=False`` is the book's candidate (eq-candidate), ``reset_after=True`` the one
``torch.nn.GRU`` and cuDNN compute (eq-candidate-after); only the latter can be loaded from
or exported to ``torch.nn.GRU``. Nothing here names a device: the same code runs on CPU,
CUDA or any other torch device, in float64, float32, float16 or bfloat16.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from . import convert
from ._checks import (
    check_array,
    check_dims,
    check_flag,
    check_like,
    check_same_device,
    check_same_dtype,
    check_size,
    check_tensor,
    check_x_h,
)
from .numpy import GRUParams

__all__ = [
    "as_tensors",
    "sigmoid",
    "update_gate",
    "reset_gate",
    "candidate",
    "first_quantity",
    "second_quantity",
    "gru_cell",
    "GRUCache",
    "gru_forward",
    "gru_backward",
    "GRUCell",
    "GRU",
]


# --------------------------------------------------------------------------- parameters


def _torch_dtype(dtype) -> Optional[torch.dtype]:
    """A torch float dtype from a torch or NumPy dtype (None stays None)."""
    if dtype is None:
        return None
    if not isinstance(dtype, torch.dtype):
        try:
            dtype = torch.from_numpy(np.empty(0, dtype=np.dtype(dtype))).dtype
        except TypeError as e:
            raise TypeError(f"dtype must be a torch or NumPy float dtype, got {dtype!r}") from e
    if not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating dtype such as torch.float32, got {dtype}")
    return dtype


def as_tensors(p: GRUParams, device=None, dtype=None) -> GRUParams:
    """The same parameters as torch tensors on ``device`` (default CPU) in ``dtype``.

    ``p`` may hold NumPy arrays or tensors; ``dtype`` defaults to ``p``'s. The result is
    always a copy, so training the tensors never changes the NumPy arrays behind them.
    """
    if not isinstance(p, GRUParams):
        raise TypeError(f"p must be a GRUParams, got {type(p).__name__}")
    dtype = _torch_dtype(dtype)
    return p.map(lambda a: torch.as_tensor(a).to(device=device, dtype=dtype, copy=True))


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    t = t.detach().cpu()
    if t.dtype not in (torch.float16, torch.float32, torch.float64):
        t = t.float()  # NumPy has no bfloat16
    return t.numpy().copy()


# ----------------------------------------------------------------------- input checks


def _check_params(p) -> GRUParams:
    if not isinstance(p, GRUParams):
        raise TypeError(f"p must be a GRUParams, got {type(p).__name__}")
    if not isinstance(p.W_xz, torch.Tensor):
        raise TypeError(
            f"gru_lib.torch needs GRUParams of torch tensors, got fields of type "
            f"{type(p.W_xz).__name__} (convert them with gru_lib.torch.as_tensors)"
        )
    return p


def _check_x_h(x, h_prev, p: GRUParams) -> int:
    return check_x_h(x, h_prev, p, torch.Tensor)


def _check_bh(name, a, like) -> None:
    check_like(name, a, like, torch.Tensor)


# -------------------------------------------------------------------------- equations


def sigmoid(a: torch.Tensor) -> torch.Tensor:
    """σ(a) = 1 / (1 + e^(−a)), elementwise; ``torch.sigmoid`` is already overflow-free."""
    if not isinstance(a, torch.Tensor) or not a.is_floating_point():
        a = torch.as_tensor(a, dtype=torch.float64)
    return torch.sigmoid(a)


def update_gate(x: torch.Tensor, h_prev: torch.Tensor, p: GRUParams) -> torch.Tensor:
    """Update gate (eq-update-gate): z(t) = σ(x(t) W_xz + h(t-1) W_hz + b_z).

    x (B, I), h_prev (B, H) -> z (B, H), each entry in (0, 1): the share of h(t-1) kept.
    """
    _check_x_h(x, h_prev, _check_params(p))
    return torch.sigmoid(x @ p.W_xz + h_prev @ p.W_hz + p.b_z)


def reset_gate(x: torch.Tensor, h_prev: torch.Tensor, p: GRUParams) -> torch.Tensor:
    """Reset gate (eq-reset-gate): r(t) = σ(x(t) W_xr + h(t-1) W_hr + b_r).

    x (B, I), h_prev (B, H) -> r (B, H): the share of h(t-1) that feeds the candidate.
    """
    _check_x_h(x, h_prev, _check_params(p))
    return torch.sigmoid(x @ p.W_xr + h_prev @ p.W_hr + p.b_r)


def candidate(x: torch.Tensor, h_prev: torch.Tensor, r: torch.Tensor, p: GRUParams, *,
              reset_after: bool = False) -> torch.Tensor:
    """Candidate state g(t), the basic RNN block fed with the reset old state.

    reset_after=False (eq-candidate, the book's form):
        g(t) = tanh(x(t) W_xg + (r(t) ⊙ h(t-1)) W_hg + b_g)
    reset_after=True (eq-candidate-after, cuDNN / torch.nn.GRU):
        g(t) = tanh(x(t) W_xg + b_g + r(t) ⊙ (h(t-1) W_hg + b_hg))

    x (B, I), h_prev (B, H), r (B, H) -> g (B, H), each entry in (−1, 1).
    """
    _check_x_h(x, h_prev, _check_params(p))
    _check_bh("r", r, h_prev)
    if check_flag("reset_after", reset_after):
        return torch.tanh(x @ p.W_xg + p.b_g + r * (h_prev @ p.W_hg + p.b_hg))
    return torch.tanh(x @ p.W_xg + (r * h_prev) @ p.W_hg + p.b_g)


def first_quantity(z: torch.Tensor, h_prev: torch.Tensor) -> torch.Tensor:
    """First quantity (eq-first-quantity): z(t) ⊙ h(t-1), the part of the old state kept.

    z (B, H), h_prev (B, H) -> (B, H).
    """
    check_array("z", z, torch.Tensor, 2, "(B, H)")
    _check_bh("h_prev", h_prev, z)
    return z * h_prev


def second_quantity(z: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Second quantity (eq-second-quantity): (1 − z(t)) ⊙ g(t), the new information let in.

    (1 − z) acts as the input gate. z (B, H), g (B, H) -> (B, H).
    """
    check_array("z", z, torch.Tensor, 2, "(B, H)")
    _check_bh("g", g, z)
    return (1 - z) * g


def gru_cell(x: torch.Tensor, h_prev: torch.Tensor, p: GRUParams, *,
             reset_after: bool = False) -> torch.Tensor:
    """One GRU step (eq-state, eq-output): h(t) = z ⊙ h(t-1) + (1 − z) ⊙ g(t) = y(t).

    x (B, I), h_prev (B, H) -> h (B, H), which is also the prediction y(t). Plain tensor
    operations, so autograd differentiates it like any other torch code.
    """
    check_flag("reset_after", reset_after)
    z = update_gate(x, h_prev, p)
    r = reset_gate(x, h_prev, p)
    g = candidate(x, h_prev, r, p, reset_after=reset_after)
    return first_quantity(z, h_prev) + second_quantity(z, g)


# ---------------------------------------------------- the sequence kernel (both passes)
#
# Stacked parameters, the book's gate order z, r, g along the columns:
#   W_x = [W_xz | W_xr | W_xg] (I, 3H),  W_h = [W_hz | W_hr | W_hg] (H, 3H),
#   b = [b_z | b_r | b_g] (3H,),  b_hg (H,).
# The forward pass writes every step into a buffer A that the backward pass reads:
#   reset-after:  A (T, B, 4H) = [g | z | r | hn], hn = h(t-1) W_hg + b_hg;
#   reset-before: A (T, B, 3H) = [g | z | r] and E (T, B, H) = rh = r ⊙ h(t-1).
# g comes first so that one product writes the input parts of g, z, r into A and, in
# the reset-after form, one product per step adds h(t-1) [W_hz | W_hr | W_hg] to [z | r | hn].


def _steps(A, E, reset_after: bool):
    """The views z, r, e (hn or rh), g, each (T, B, H), of the step buffers."""
    H = A.shape[-1] // (4 if reset_after else 3)
    e = A[..., 3 * H:] if reset_after else E
    return A[..., H:2 * H], A[..., 2 * H:3 * H], e, A[..., :H]


def _gzr(W: torch.Tensor) -> torch.Tensor:
    """Columns z, r, g -> g, z, r (of a weight matrix or a bias)."""
    H = W.shape[-1] // 3
    return torch.cat([W[..., 2 * H:], W[..., :2 * H]], dim=-1)


def _forward_loop(xs, h0, W_x, W_h, b, b_hg, reset_after: bool):
    """xs (T, B, I), h0 (B, H) -> hs (T, B, H) and the step buffers A, E. No autograd."""
    T, B, I = xs.shape
    H = h0.shape[1]
    A = xs.new_empty(T, B, 4 * H if reset_after else 3 * H)
    A2, xs2 = A.view(T * B, -1), xs.reshape(T * B, I)
    if b is None:                                                # input parts, all t at once
        torch.mm(xs2, _gzr(W_x), out=A2[:, :3 * H])
    else:
        torch.addmm(_gzr(b), xs2, _gzr(W_x), out=A2[:, :3 * H])  # x W_xg + b_g | x W_xz + b_z | ..
    E = xs.new_empty(0 if reset_after else (T, B, H))
    if reset_after:                                              # hn starts as b_hg
        A2[:, 3 * H:] = 0 if b_hg is None else b_hg
    hs = xs.new_empty(T, B, H)
    zr, out = A[..., H:3 * H].unbind(0), hs.unbind(0)
    z, r, e, g = (v.unbind(0) for v in _steps(A, E, reset_after))
    h = h0
    if reset_after:
        zrn = A[..., H:].unbind(0)
        for t in range(T):
            zrn[t].addmm_(h, W_h)                # [a_z | a_r | hn]: one (B, H)(H, 3H) product
            zr[t].sigmoid_()                     # z, r (eq-update-gate, eq-reset-gate)
            g[t].addcmul_(r[t], e[t]).tanh_()    # g = tanh(x W_xg + b_g + r ⊙ hn) (eq-candidate-after)
            h = torch.lerp(g[t], h, z[t], out=out[t])  # g + z (h − g) = z h + (1 − z) g (eq-state)
    else:
        W_hzr, W_hg = W_h[:, :2 * H].contiguous(), W_h[:, 2 * H:].contiguous()
        for t in range(T):
            zr[t].addmm_(h, W_hzr)               # [a_z | a_r]
            zr[t].sigmoid_()                     # z, r
            torch.mul(r[t], h, out=e[t])         # rh = r ⊙ h(t-1)
            g[t].addmm_(e[t], W_hg).tanh_()      # g = tanh(x W_xg + b_g + rh W_hg) (eq-candidate)
            h = torch.lerp(g[t], h, z[t], out=out[t])  # eq-state
    return hs, A, E


def _times_prev(h0, hs, D):
    """Σ_t h(t-1)ᵀ D[t] for D (T, B, K): h(0)ᵀ D[0] + Σ_{t≥1} h(t)ᵀ D[t+1], without a copy."""
    T, B, H = hs.shape
    out = h0.t() @ D[0]
    if T > 1:
        out.addmm_(hs[:-1].reshape((T - 1) * B, H).t(), D[1:].reshape((T - 1) * B, -1))
    return out


def _bptt(dhs, xs, h0, hs, z, r, e, g, W_x, W_h, reset_after: bool, need_dxs=True):
    """Backpropagation through time: the math of :func:`gru_lib.numpy.gru_backward`.

    Returns dW_x (I, 3H), dW_h (H, 3H), db (3H,), db_hg (H,), dxs (T, B, I) or None, dh0.

    With δ = ∂L/∂h(t), every pre-activation gradient of step t is δ times a coefficient
    that the forward pass already fixed (numpy's lines, regrouped)::

        da_z = δ ⊙ (h(t-1) − g) ⊙ z(1 − z)          = δ ⊙ c_z
        da_g = δ ⊙ (1 − z) ⊙ (1 − g²)               = δ ⊙ c_g
        reset-after:  dhn  = da_g ⊙ r               = δ ⊙ c_g ⊙ r
                      da_r = da_g ⊙ hn ⊙ r(1 − r)   = δ ⊙ c_g ⊙ hn ⊙ r(1 − r)
        reset-before: drh  = da_g W_hgᵀ,  da_r = drh ⊙ h(t-1) ⊙ r(1 − r)
        δ(t-1) = dhs[t-1] + δ ⊙ z + (the gate gradients) W_hᵀ

    So all coefficients are computed for all t at once, before the loop, and the loop
    keeps only what is truly sequential: a multiply by δ and one matrix product per step.
    The weight gradients Σ_t (input)ᵀ(pre-activation gradient) come after the loop, one
    matrix product each over all T·B rows.
    """
    T, B, I = xs.shape
    H = h0.shape[1]
    # C (T, B, 5, H): five coefficients per step, laid out so that after `C[t] *= δ` the
    # slices the matrix products need are adjacent (rows of 3H or 2H numbers).
    #   reset-after:  [c_n | c_z | c_r | c_g | z] -> [dhn | da_z | da_r | da_g | δ ⊙ z]
    #   reset-before: [z | c_g | c_z | c_r | r]   -> [δ ⊙ z | da_g | da_z | da_r | drh ⊙ r]
    C = xs.new_empty(T, B, 5, H)
    c = C.unbind(2)
    c_g, c_z = (c[3], c[1]) if reset_after else (c[1], c[2])
    torch.addcmul(xs.new_ones(()), g, g, value=-1, out=c_g)      # 1 − g²
    c_g.addcmul_(c_g, z, value=-1)                               # ⊙ (1 − z)
    torch.sub(h0, g[0], out=c_z[0])                              # h(t-1) − g
    torch.sub(hs[:-1], g[1:], out=c_z[1:])
    c_z.mul_(z).addcmul_(c_z, z, value=-1)                       # ⊙ z(1 − z)
    if reset_after:
        torch.mul(c_g, r, out=c[0])                              # c_n = c_g ⊙ r
        torch.mul(c[0], e, out=c[2]).addcmul_(c[2], r, value=-1)  # c_r = c_g ⊙ r ⊙ hn ⊙ (1 − r)
        c[4].copy_(z)
    else:
        torch.mul(h0, r[0], out=c[3][0])                         # c_r = h(t-1) ⊙ r(1 − r)
        torch.mul(hs[:-1], r[1:], out=c[3][1:])
        c[3].addcmul_(c[3], r, value=-1)
        c[0].copy_(z), c[4].copy_(r)
    Ct = C.unbind(0)
    dh = dhs[T - 1].clone()
    if reset_after:
        W_hT = _gzr(W_h).t()                                     # (3H, H), rows g, z, r
        hid = C[:, :, 0:3].view(T, B, 3 * H).unbind(0)           # [dhn | da_z | da_r]
        for t in range(T - 1, -1, -1):
            Ct[t].mul_(dh[:, None])
            dh_prev = torch.addmm(Ct[t][:, 4], hid[t], W_hT)     # δ ⊙ z + [..] W_hᵀ
            dh = dh_prev + dhs[t - 1] if t > 0 else dh_prev
    else:
        W_hgT, W_hzrT = W_h[:, 2 * H:].t().contiguous(), W_h[:, :2 * H].t().contiguous()
        gates = C[:, :, 2:4].view(T, B, 2 * H).unbind(0)         # [da_z | da_r]
        for t in range(T - 1, -1, -1):
            Ct[t][:, 0:3].mul_(dh[:, None])                      # δ ⊙ z, da_g, da_z
            drh = Ct[t][:, 1] @ W_hgT                            # (B, H)
            Ct[t][:, 3:5].mul_(drh[:, None])                     # da_r, drh ⊙ r
            dh_prev = torch.add(Ct[t][:, 0], Ct[t][:, 4]).addmm_(gates[t], W_hzrT)
            dh = dh_prev + dhs[t - 1] if t > 0 else dh_prev
    dh0 = dh

    TB = T * B
    xs2 = xs.reshape(TB, I)
    if reset_after:
        da_in = C[:, :, 1:4].reshape(TB, 3 * H)                  # [da_z | da_r | da_g]
        dW_x, db = xs2.t() @ da_in, da_in.sum(0)
        dxs = (da_in @ W_x.t()).view(T, B, I) if need_dxs else None
        dW_hx = _times_prev(h0, hs, C[:, :, 0:3].reshape(T, B, 3 * H))   # columns g, z, r
        dW_h = torch.cat([dW_hx[:, H:], dW_hx[:, :H]], dim=1)
        db_hg = C[:, :, 0].sum((0, 1))
    else:
        da_gzr = C[:, :, 1:4].reshape(TB, 3 * H)                 # [da_g | da_z | da_r]
        dW_xx, dbx = xs2.t() @ da_gzr, da_gzr.sum(0)
        dW_x = torch.cat([dW_xx[:, H:], dW_xx[:, :H]], dim=1)
        db = torch.cat([dbx[H:], dbx[:H]])
        dxs = (da_gzr @ _gzr(W_x).t()).view(T, B, I) if need_dxs else None
        dW_hzr = _times_prev(h0, hs, C[:, :, 2:4].reshape(T, B, 2 * H))
        dW_hg = e.reshape(TB, H).t() @ C[:, :, 1].reshape(TB, H)  # Σ rhᵀ da_g
        dW_h = torch.cat([dW_hzr, dW_hg], dim=1)
        db_hg = torch.zeros_like(h0[0])
    return dW_x, dW_h, db, db_hg, dxs, dh0


def _no_autocast(device):
    """Autocast off: the kernel computes in the parameters' dtype (cast the module instead)."""
    try:
        return torch.autocast(device.type, enabled=False)
    except RuntimeError:          # a device type autocast does not know (e.g. "meta")
        return contextlib.nullcontext()


class _GRUSequence(torch.autograd.Function):
    """hs = GRU(xs, h0) with the hand-derived backward pass of :func:`_bptt`.

    Returns (hs, A, E); A and E are the non-differentiable step buffers (see _steps).
    """

    @staticmethod
    def forward(ctx, xs, h0, W_x, W_h, b, b_hg, reset_after):
        with _no_autocast(xs.device):
            hs, A, E = _forward_loop(xs, h0, W_x, W_h, b, b_hg, reset_after)
        ctx.save_for_backward(xs, h0, hs, A, E, W_x, W_h)
        ctx.reset_after = reset_after
        ctx.has_bias = (b is not None, b_hg is not None)
        ctx.mark_non_differentiable(A, E)
        ctx.set_materialize_grads(False)     # no zero gradients for A and E
        return hs, A, E

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, dhs, _dA, _dE):
        xs, h0, hs, A, E, W_x, W_h = ctx.saved_tensors
        if dhs is None:
            dhs = torch.zeros_like(hs)
        z, r, e, g = _steps(A, E, ctx.reset_after)
        with _no_autocast(xs.device):
            dW_x, dW_h, db, db_hg, dxs, dh0 = _bptt(dhs, xs, h0, hs, z, r, e, g, W_x, W_h,
                                                    ctx.reset_after,
                                                    need_dxs=ctx.needs_input_grad[0])
        has_b, has_b_hg = ctx.has_bias
        return (dxs, dh0, dW_x, dW_h, db if has_b else None, db_hg if has_b_hg else None, None)


# ------------------------------------------------------------------- whole sequences


@dataclasses.dataclass(eq=False)
class GRUCache:
    """What :func:`gru_forward` keeps for :func:`gru_backward`; all (T, B, ·) time-major.

    The same fields as :class:`gru_lib.numpy.GRUCache` (here views into one step buffer):
    ``hn`` is h(t-1) W_hg + b_hg (reset-after form only), ``rh`` is r ⊙ h(t-1)
    (reset-before form only).
    """

    xs: torch.Tensor
    h0: torch.Tensor
    hs: torch.Tensor
    z: torch.Tensor
    r: torch.Tensor
    g: torch.Tensor
    p: GRUParams
    reset_after: bool
    hn: Optional[torch.Tensor] = None
    rh: Optional[torch.Tensor] = None

    @property
    def h_prev(self) -> torch.Tensor:
        """h(t-1) for t = 1..T, shape (T, B, H)."""
        return torch.cat([self.h0[None], self.hs[:-1]])


def _stacked(p: GRUParams):
    """[W_xz | W_xr | W_xg] (I, 3H), [W_hz | W_hr | W_hg] (H, 3H) and [b_z | b_r | b_g] (3H,)."""
    return (torch.cat([p.W_xz, p.W_xr, p.W_xg], dim=1),
            torch.cat([p.W_hz, p.W_hr, p.W_hg], dim=1),
            torch.cat([p.b_z, p.b_r, p.b_g]))


def _split(W_x, W_h, b, b_hg) -> GRUParams:
    """The inverse of :func:`_stacked`: ten named views (columns z, r, g)."""
    H = W_h.shape[0]
    z, r, g = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    return GRUParams(W_xz=W_x[:, z], W_xr=W_x[:, r], W_xg=W_x[:, g],
                     W_hz=W_h[:, z], W_hr=W_h[:, r], W_hg=W_h[:, g],
                     b_z=b[z], b_r=b[r], b_g=b[g], b_hg=b_hg)


def gru_forward(xs: torch.Tensor, p: GRUParams, h0: Optional[torch.Tensor] = None, *,
                reset_after: bool = False) -> Tuple[torch.Tensor, GRUCache]:
    """Run the GRU over a sequence: h(t) for t = 1..T from h(0) = h0 (zeros if None).

    xs (T, B, I), h0 (B, H) -> hs (T, B, H) and a cache for :func:`gru_backward`. The
    input halves of all gates are formed for all T steps in one matrix product before the
    loop. ``hs`` is differentiable: where ``xs``, ``h0`` or the fields of ``p`` require
    grad, autograd runs the hand-derived backward pass of :func:`gru_backward`.
    """
    _check_params(p)
    reset_after = check_flag("reset_after", reset_after)
    dev = p.W_xz.device
    check_tensor("xs", xs, torch.Tensor, (None, None, p.input_size), "(T, B, I)", p.dtype, dev)
    T, B, _ = xs.shape
    H = p.hidden_size
    if T == 0:
        raise ValueError("xs must hold at least one time step, got an empty sequence (T = 0)")
    if B == 0:
        raise ValueError("xs must hold at least one example, got batch size B = 0")
    if h0 is None:
        h0 = xs.new_zeros(B, H)
    else:
        check_tensor("h0", h0, torch.Tensor, (B, H), "(B, H)", p.dtype, dev)
    W_x, W_h, b = _stacked(p)
    hs, A, E = _GRUSequence.apply(xs, h0, W_x, W_h, b, p.b_hg, reset_after)
    z, r, e, g = _steps(A, E, reset_after)
    cache = GRUCache(xs=xs.detach(), h0=h0.detach(), hs=hs.detach(), z=z, r=r, g=g, p=p,
                     reset_after=reset_after, hn=e if reset_after else None,
                     rh=None if reset_after else e)
    return hs, cache


def gru_backward(dhs: torch.Tensor, cache: GRUCache) -> Tuple[GRUParams, torch.Tensor, torch.Tensor]:
    """Backpropagation through time for :func:`gru_forward` (the book's BPTT chapter).

    dhs (T, B, H) is ∂L/∂h(t) from the loss alone. Returns (grads, dxs, dh0): grads a
    GRUParams of tensors (``b_hg`` zero for the reset-before form), dxs (T, B, I) and
    dh0 (B, H). Same math as :func:`gru_lib.numpy.gru_backward`; see :func:`_bptt`.
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(f"cache must be the GRUCache returned by gru_lib.torch.gru_forward, "
                        f"got {type(cache).__name__}")
    p, xs = cache.p, cache.xs
    T, B, I = xs.shape
    H = p.hidden_size
    check_tensor("dhs", dhs, torch.Tensor, (T, B, H), "(T, B, H) of the forward pass", p.dtype,
                 p.W_xz.device, "the forward pass's parameters")
    e = cache.hn if cache.reset_after else cache.rh
    if e is None or any(tuple(a.shape) != (T, B, H) for a in (cache.hs, cache.z, cache.r, cache.g, e)):
        raise ValueError(
            f"cache is inconsistent: it says reset_after={cache.reset_after} but does not hold "
            f"that variant's arrays; pass the cache from the same gru_forward call"
        )
    with torch.no_grad():
        W_x, W_h, _ = _stacked(p)
        dW_x, dW_h, db, db_hg, dxs, dh0 = _bptt(dhs, xs, cache.h0, cache.hs, cache.z, cache.r,
                                                e, cache.g, W_x, W_h, cache.reset_after)
    return _split(dW_x, dW_h, db, db_hg), dxs, dh0


# ------------------------------------------------------------------------- modules


def _check_module_input(name, a, ndims, dtype, device):
    """A float tensor of one of the ranks in ``ndims`` on the module's dtype and device."""
    if not isinstance(a, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(a).__name__}")
    if not a.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got {a.dtype}")
    if a.ndim not in ndims:
        raise ValueError(f"{name} must be {' or '.join(f'{n}-D' for n in ndims)}, "
                         f"got {a.ndim}-D shape {tuple(a.shape)}")
    check_same_dtype(name, a, dtype, "the module's parameters")
    check_same_device(name, a, device, "the module's parameters")


class GRUCell(nn.Module):
    r"""One GRU step as a module, with the call signature of ``torch.nn.GRUCell``.

    ``forward(input, hx=None) -> h'``: input (B, I) or unbatched (I,); hx (B, H) or (H,),
    zeros if None; h' has hx's shape. Computes eq-update-gate, eq-reset-gate, eq-candidate
    (``reset_after=False``, the book's form) or eq-candidate-after (``reset_after=True``,
    what ``torch.nn.GRUCell`` computes) and eq-state.

    Parameters (the book's names, gates stacked in the order z, r, g):
    ``W_x`` (I, 3H) = [W_xz | W_xr | W_xg], ``W_h`` (H, 3H) = [W_hz | W_hr | W_hg],
    ``b`` (3H,) = [b_z | b_r | b_g] and ``b_hg`` (H,); with ``bias=False`` there are no
    biases (they act as zeros). All start uniform in (−1/√H, 1/√H), as in ``torch.nn``.
    The reset-before form does not use ``b_hg`` (its gradient is zero); it is kept so one
    module can hold the parameters of either form.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 reset_after: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = check_size("input_size", input_size)
        self.hidden_size = check_size("hidden_size", hidden_size)
        self.bias = check_flag("bias", bias)
        self.reset_after = check_flag("reset_after", reset_after)
        I, H = self.input_size, self.hidden_size
        kw = {"device": device, "dtype": _torch_dtype(dtype)}
        self.W_x = nn.Parameter(torch.empty(I, 3 * H, **kw))
        self.W_h = nn.Parameter(torch.empty(H, 3 * H, **kw))
        if self.bias:
            self.b = nn.Parameter(torch.empty(3 * H, **kw))
            self.b_hg = nn.Parameter(torch.empty(H, **kw))
        else:
            self.register_parameter("b", None)
            self.register_parameter("b_hg", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        k = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -k, k)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}, reset_after={self.reset_after}"
        return s if self.bias else s + ", bias=False"

    def _run(self, xs, h0):
        """xs (T, B, I), h0 (B, H) -> hs (T, B, H), through the hand-derived backward."""
        return _GRUSequence.apply(xs, h0, self.W_x, self.W_h, self.b, self.b_hg,
                                  self.reset_after)[0]

    def forward(self, input: torch.Tensor, hx: Optional[torch.Tensor] = None) -> torch.Tensor:
        W = self.W_x
        _check_module_input("input", input, (1, 2), W.dtype, W.device)
        unbatched = input.ndim == 1
        x = input[None] if unbatched else input                  # (B, I)
        check_dims("input", x, (None, self.input_size), "(B, I)")
        B, H = x.shape[0], self.hidden_size
        if B == 0:
            raise ValueError("input must hold at least one example, got batch size B = 0")
        if hx is None:
            h = x.new_zeros(B, H)
        else:
            _check_module_input("hx", hx, (input.ndim,), W.dtype, W.device)
            h = hx[None] if unbatched else hx
            check_dims("hx", h, (B, H), "(B, H)")
        h_new = self._run(x[None], h)[0]
        return h_new[0] if unbatched else h_new

    # ---- conversions
    def to_params(self) -> GRUParams:
        """The parameters as a NumPy GRUParams (biases zero when ``bias=False``)."""
        H = self.hidden_size
        b = self.b if self.b is not None else self.W_x.new_zeros(3 * H)
        b_hg = self.b_hg if self.b_hg is not None else self.W_x.new_zeros(H)
        return _split(self.W_x.detach(), self.W_h.detach(), b.detach(), b_hg.detach()).map(_to_numpy)

    def _load(self, p: GRUParams) -> None:
        if not isinstance(p, GRUParams):
            raise TypeError(f"p must be a GRUParams, got {type(p).__name__}")
        if (p.input_size, p.hidden_size) != (self.input_size, self.hidden_size):
            raise ValueError(
                f"params have (input_size, hidden_size) = ({p.input_size}, {p.hidden_size}) "
                f"but the module needs ({self.input_size}, {self.hidden_size})")
        W, dev = self.W_x, self.W_x.device
        t = p.map(lambda a: a.detach().cpu() if isinstance(a, torch.Tensor) else torch.as_tensor(a))
        W_x, W_h, b = _stacked(t)
        with torch.no_grad():
            self.W_x.copy_(W_x.to(W.dtype).to(dev))
            self.W_h.copy_(W_h.to(W.dtype).to(dev))
            if self.bias:
                self.b.copy_(b.to(W.dtype).to(dev))
                self.b_hg.copy_(t.b_hg.to(W.dtype).to(dev))
            elif bool((b != 0).any()) or bool((t.b_hg != 0).any()):
                raise ValueError("the module was built with bias=False but params have nonzero biases")

    @classmethod
    def from_params(cls, p: GRUParams, reset_after: bool = False) -> "GRUCell":
        """A cell holding ``p`` (NumPy or tensor GRUParams), in ``p``'s dtype, on the CPU."""
        if not isinstance(p, GRUParams):
            raise TypeError(f"p must be a GRUParams, got {type(p).__name__}")
        cell = cls(p.input_size, p.hidden_size, reset_after=reset_after,
                   dtype=_torch_dtype(p.dtype))
        cell._load(p)
        return cell

    @classmethod
    def from_torch(cls, module: nn.GRUCell) -> "GRUCell":
        """A reset-after cell that computes what ``module`` (a ``torch.nn.GRUCell``) computes."""
        if not isinstance(module, nn.GRUCell):
            raise TypeError(f"module must be a torch.nn.GRUCell, got {type(module).__name__}")
        w = module.weight_ih
        cell = cls(module.input_size, module.hidden_size, bias=module.bias, reset_after=True,
                   device=w.device, dtype=w.dtype)
        cell._load(convert.from_torch(module))
        return cell

    def to_torch(self) -> nn.GRUCell:
        """A ``torch.nn.GRUCell`` computing the same function (reset-after cells only)."""
        _require_reset_after(self)
        W = self.W_x
        m = nn.GRUCell(self.input_size, self.hidden_size, bias=self.bias, device=W.device,
                       dtype=W.dtype)
        return convert.to_torch(self.to_params(), m)


def _require_reset_after(module) -> None:
    if not module.reset_after:
        raise ValueError(
            "torch.nn.GRU and GRUCell compute only the reset-after candidate "
            "(eq-candidate-after); this module has reset_after=False, so no torch.nn module "
            "computes the same function")


class GRU(nn.Module):
    r"""A multi-layer GRU with the call signature and shapes of ``torch.nn.GRU``.

    ``forward(input, hx=None) -> (output, h_n)``:

    * input (T, B, I), or (B, T, I) with ``batch_first=True``, or unbatched (T, I);
    * hx (num_layers, B, H), or (num_layers, H) for unbatched input; zeros if None;
    * output: h(t) of the last layer for every t, (T, B, H) / (B, T, H) / (T, H);
    * h_n: each layer's final state, (num_layers, B, H) / (num_layers, H).

    Layer ℓ is a :class:`GRUCell` (``self.layers[ℓ]``) run over the whole sequence by the
    sequence kernel: one input product for all steps, one recurrent product per step,
    and the hand-derived backward pass. ``reset_after=True`` computes what
    ``torch.nn.GRU`` computes; ``reset_after=False`` is the book's form. No dropout and
    no bidirectional layers.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, reset_after: bool = False,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = check_size("input_size", input_size)
        self.hidden_size = check_size("hidden_size", hidden_size)
        self.num_layers = check_size("num_layers", num_layers)
        self.bias = check_flag("bias", bias)
        self.batch_first = check_flag("batch_first", batch_first)
        self.reset_after = check_flag("reset_after", reset_after)
        self.layers = nn.ModuleList(
            GRUCell(self.input_size if l == 0 else self.hidden_size, self.hidden_size,
                    bias=bias, reset_after=reset_after, device=device, dtype=dtype)
            for l in range(self.num_layers))

    def extra_repr(self) -> str:
        s = (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
             f"reset_after={self.reset_after}")
        s += ", batch_first=True" if self.batch_first else ""
        return s if self.bias else s + ", bias=False"

    def forward(self, input: torch.Tensor, hx: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        W = self.layers[0].W_x
        L, H = self.num_layers, self.hidden_size
        _check_module_input("input", input, (2, 3), W.dtype, W.device)
        unbatched = input.ndim == 2
        if unbatched:
            xs = input[:, None]                                  # (T, 1, I)
        else:
            xs = input.transpose(0, 1) if self.batch_first else input   # (T, B, I)
        doc = "(T, I)" if unbatched else "(B, T, I)" if self.batch_first else "(T, B, I)"
        T, B, I = xs.shape
        if I != self.input_size:
            raise ValueError(f"input must have shape {doc} with I = {self.input_size}, "
                             f"got shape {tuple(input.shape)}")
        if T == 0:
            raise ValueError("input must hold at least one time step, got an empty sequence (T = 0)")
        if B == 0:
            raise ValueError("input must hold at least one example, got batch size B = 0")
        if hx is None:
            h0 = xs.new_zeros(L, B, H)
        else:
            _check_module_input("hx", hx, (input.ndim,), W.dtype, W.device)
            h0 = hx[:, None] if unbatched else hx
            want = (L, H) if unbatched else (L, B, H)
            if tuple(h0.shape) != (L, B, H):
                raise ValueError(f"hx must have shape (num_layers, {'H' if unbatched else 'B, H'})"
                                 f" = {want}, got {tuple(hx.shape)}")
        h_n = []
        for l, layer in enumerate(self.layers):
            xs = layer._run(xs, h0[l])                           # (T, B, H)
            h_n.append(xs[-1])
        output, h_n = xs, torch.stack(h_n)                       # (T, B, H), (L, B, H)
        if unbatched:
            return output[:, 0], h_n[:, 0]
        return (output.transpose(0, 1) if self.batch_first else output), h_n

    # ---- conversions
    def to_params(self) -> List[GRUParams]:
        """One NumPy GRUParams per layer."""
        return [layer.to_params() for layer in self.layers]

    @classmethod
    def from_params(cls, params: Sequence[GRUParams], reset_after: bool = False,
                    batch_first: bool = False) -> "GRU":
        """A GRU whose layer ℓ holds ``params[ℓ]`` (NumPy or tensor GRUParams), on the CPU."""
        if isinstance(params, GRUParams) or not isinstance(params, (list, tuple)) or not params:
            raise TypeError(f"params must be a non-empty list of GRUParams, one per layer, "
                            f"got {type(params).__name__}")
        for l, p in enumerate(params):
            if not isinstance(p, GRUParams):
                raise TypeError(f"params[{l}] must be a GRUParams, got {type(p).__name__}")
            if l > 0 and p.input_size != params[0].hidden_size:
                raise ValueError(f"params[{l}] must have input_size = hidden_size of layer 0 "
                                 f"= {params[0].hidden_size}, got {p.input_size}")
        gru = cls(params[0].input_size, params[0].hidden_size, num_layers=len(params),
                  batch_first=batch_first, reset_after=reset_after,
                  dtype=_torch_dtype(params[0].dtype))
        for layer, p in zip(gru.layers, params):
            layer._load(p)
        return gru

    @classmethod
    def from_torch(cls, module: nn.GRU) -> "GRU":
        """A reset-after GRU that computes what ``module`` (a ``torch.nn.GRU``) computes."""
        if not isinstance(module, nn.GRU):
            raise TypeError(f"module must be a torch.nn.GRU, got {type(module).__name__}")
        if module.bidirectional or module.dropout:
            raise ValueError("gru_lib.torch.GRU has no bidirectional layers and no dropout, "
                             f"got bidirectional={module.bidirectional}, dropout={module.dropout}")
        w = module.weight_ih_l0
        gru = cls(module.input_size, module.hidden_size, num_layers=module.num_layers,
                  bias=module.bias, batch_first=module.batch_first, reset_after=True,
                  device=w.device, dtype=w.dtype)
        for l, layer in enumerate(gru.layers):
            layer._load(convert.from_torch(module, layer=l))
        return gru

    def to_torch(self) -> nn.GRU:
        """A ``torch.nn.GRU`` computing the same function (reset-after GRUs only)."""
        _require_reset_after(self)
        W = self.layers[0].W_x
        m = nn.GRU(self.input_size, self.hidden_size, num_layers=self.num_layers,
                   bias=self.bias, batch_first=self.batch_first, device=W.device, dtype=W.dtype)
        for l, layer in enumerate(self.layers):
            convert.to_torch(layer.to_params(), m, layer=l)
        return m
