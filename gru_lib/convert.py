"""Move GRU weights between the book's notation and the layouts of PyTorch and Keras.

PyTorch (``torch.nn.GRU`` / ``GRUCell``) stores, per layer, column-vector weights applied
as ``x Wᵀ``, with the gates stacked in the order **r, z, n**::

    weight_ih = [W_ir; W_iz; W_in]  (3H, I)      bias_ih = [b_ir; b_iz; b_in]  (3H,)
    weight_hh = [W_hr; W_hz; W_hn]  (3H, H)      bias_hh = [b_hr; b_hz; b_hn]  (3H,)

and computes the reset-after candidate ``n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))``.
So W_xz = W_izᵀ, W_hz = W_hzᵀ (PyTorch's), b_z = b_iz + b_hz (the two always act as one
bias), likewise for r; b_g = b_in and b_hg = b_hn.

Keras (``keras.layers.GRU``) stores row-vector weights in the order **z, r, h**:
``kernel`` (I, 3H), ``recurrent_kernel`` (H, 3H), and ``bias`` of shape (3H,) for
``reset_after=False`` or (2, 3H) — [input bias; recurrent bias] — for ``reset_after=True``.

torch is imported only inside the functions that need it.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_dims, check_flag, is_float_dtype
from .numpy import GRUParams

__all__ = ["from_torch", "to_torch", "from_keras", "to_keras"]


def _torch_names(module, layer):
    """(weight_ih, weight_hh, bias_ih, bias_hh) attribute names and (I, H) for ``layer``."""
    import torch

    if isinstance(layer, bool) or not isinstance(layer, int):
        raise TypeError(f"layer must be an int, got {type(layer).__name__} {layer!r}")
    if isinstance(module, torch.nn.GRUCell):
        if layer != 0:
            raise ValueError(f"a GRUCell has only layer 0, got layer={layer}")
        suffix, I = "", module.input_size
    elif isinstance(module, torch.nn.GRU):
        if module.bidirectional:
            raise ValueError("bidirectional nn.GRU is not supported: convert each direction's "
                             "module separately")
        if not 0 <= layer < module.num_layers:
            raise ValueError(f"layer must be in [0, {module.num_layers}) for this nn.GRU, got {layer}")
        suffix = f"_l{layer}"
        I = module.input_size if layer == 0 else module.hidden_size
    else:
        raise TypeError(f"module must be a torch.nn.GRU or torch.nn.GRUCell, got {type(module).__name__}")
    names = tuple(f"{n}{suffix}" for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    return names, I, module.hidden_size


def from_torch(module, layer: int = 0) -> GRUParams:
    """The GRUParams of one layer of a ``torch.nn.GRU`` or of a ``torch.nn.GRUCell``.

    The result is NumPy, in the module's dtype; with ``reset_after=True`` it computes what
    the module computes. A module built with ``bias=False`` gives zero biases.
    """
    (w_ih, w_hh, b_ih, b_hh), I, H = _torch_names(module, layer)

    def get(name, shape):
        t = getattr(module, name, None)
        if t is None:                                  # bias=False: the biases are zero
            return np.zeros(shape, dtype=W_ih.dtype)
        a = t.detach().cpu().numpy()
        assert a.shape == shape, f"{name}: expected shape {shape}, got {a.shape}"
        return a

    W_ih = get(w_ih, (3 * H, I))
    W_hh, bi, bh = get(w_hh, (3 * H, H)), get(b_ih, (3 * H,)), get(b_hh, (3 * H,))
    r, z, n = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)   # PyTorch's gate order
    return GRUParams(
        W_xz=W_ih[z].T.copy(), W_xr=W_ih[r].T.copy(), W_xg=W_ih[n].T.copy(),
        W_hz=W_hh[z].T.copy(), W_hr=W_hh[r].T.copy(), W_hg=W_hh[n].T.copy(),
        b_z=bi[z] + bh[z], b_r=bi[r] + bh[r], b_g=bi[n].copy(), b_hg=bh[n].copy(),
    )


def to_torch(params: GRUParams, module, layer: int = 0):
    """Copy ``params`` into one layer of a ``torch.nn.GRU`` / ``GRUCell``; returns the module.

    The summed gate biases go to ``bias_ih`` (``bias_hh``'s r and z parts become 0), so the
    module then computes the reset-after GRU of ``params``. Values are cast to the module's
    dtype and device.
    """
    import torch

    if not isinstance(params, GRUParams):
        raise TypeError(f"params must be a GRUParams, got {type(params).__name__}")
    (w_ih, w_hh, b_ih, b_hh), I, H = _torch_names(module, layer)
    if (params.input_size, params.hidden_size) != (I, H):
        raise ValueError(
            f"params have (input_size, hidden_size) = ({params.input_size}, {params.hidden_size}) "
            f"but layer {layer} of the module needs ({I}, {H})"
        )
    p = params.map(lambda a: np.asarray(a.detach().cpu() if hasattr(a, "detach") else a))
    zeros = np.zeros(H, dtype=p.dtype)
    values = {
        w_ih: np.concatenate([p.W_xr.T, p.W_xz.T, p.W_xg.T]),      # r, z, n
        w_hh: np.concatenate([p.W_hr.T, p.W_hz.T, p.W_hg.T]),
        b_ih: np.concatenate([p.b_r, p.b_z, p.b_g]),
        b_hh: np.concatenate([zeros, zeros, p.b_hg]),
    }
    if getattr(module, b_ih, None) is None:
        if any(np.any(getattr(p, n) != 0) for n in ("b_z", "b_r", "b_g", "b_hg")):
            raise ValueError("the module was built with bias=False but params have nonzero biases")
        del values[b_ih], values[b_hh]
    with torch.no_grad():
        for name, value in values.items():
            target = getattr(module, name)
            target.copy_(torch.as_tensor(value).to(dtype=target.dtype, device=target.device))
    return module


def _keras_array(name, a):
    a = np.asarray(a)
    if not is_float_dtype(a.dtype):
        raise TypeError(f"{name} must have a floating dtype, got {a.dtype}")
    return a


def from_keras(kernel, recurrent_kernel, bias) -> GRUParams:
    """GRUParams from Keras's arrays (column order z, r, h).

    kernel (I, 3H), recurrent_kernel (H, 3H), bias (3H,) [reset_after=False] or (2, 3H)
    [reset_after=True: input bias row, recurrent bias row]. With a (2, 3H) bias the gate
    biases add (b_z = b_in,z + b_rec,z) and the recurrent candidate bias becomes b_hg.
    """
    kernel = _keras_array("kernel", kernel)
    recurrent_kernel = _keras_array("recurrent_kernel", recurrent_kernel)
    bias = _keras_array("bias", bias)
    if kernel.ndim != 2 or kernel.shape[1] % 3 or kernel.shape[1] == 0:
        raise ValueError(f"kernel must have shape (I, 3H), got {kernel.shape}")
    H = kernel.shape[1] // 3
    check_dims("recurrent_kernel", recurrent_kernel, (H, 3 * H), "(H, 3H)")
    if bias.shape == (3 * H,):
        b_in, b_rec = bias, np.zeros(3 * H, dtype=bias.dtype)
    elif bias.shape == (2, 3 * H):
        b_in, b_rec = bias[0], bias[1]
    else:
        raise ValueError(f"bias must have shape (3H,) = ({3 * H},) or (2, 3H) = (2, {3 * H}), got {bias.shape}")
    z, r, h = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)   # Keras's gate order
    return GRUParams(
        W_xz=kernel[:, z].copy(), W_xr=kernel[:, r].copy(), W_xg=kernel[:, h].copy(),
        W_hz=recurrent_kernel[:, z].copy(), W_hr=recurrent_kernel[:, r].copy(),
        W_hg=recurrent_kernel[:, h].copy(),
        b_z=b_in[z] + b_rec[z], b_r=b_in[r] + b_rec[r], b_g=b_in[h].copy(), b_hg=b_rec[h].copy(),
    )


def to_keras(params: GRUParams, *, reset_after: bool = True):
    """(kernel, recurrent_kernel, bias) in Keras's layout for ``params``.

    reset_after=True (Keras's default) gives bias (2, 3H) = [[b_z, b_r, b_g], [0, 0, b_hg]];
    reset_after=False gives bias (3H,) = [b_z, b_r, b_g] (the reset-before form has no
    b_hg, so it is left out).
    """
    if not isinstance(params, GRUParams):
        raise TypeError(f"params must be a GRUParams, got {type(params).__name__}")
    p = params.map(np.asarray)
    kernel = np.concatenate([p.W_xz, p.W_xr, p.W_xg], axis=1)
    recurrent_kernel = np.concatenate([p.W_hz, p.W_hr, p.W_hg], axis=1)
    b = np.concatenate([p.b_z, p.b_r, p.b_g])
    if check_flag("reset_after", reset_after):
        zeros = np.zeros(p.hidden_size, dtype=p.dtype)
        b = np.stack([b, np.concatenate([zeros, zeros, p.b_hg])])
    return kernel, recurrent_kernel, b
