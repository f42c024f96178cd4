"""Input checks shared by the NumPy and PyTorch code.

They work on anything with ``.shape``/``.ndim``/``.dtype`` (NumPy arrays and torch
tensors alike), so both backends raise the same errors with the same messages:
``TypeError`` for a wrong type, ``ValueError`` for a wrong value, each naming what was
expected and what came.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_size(name: str, value) -> int:
    """A positive int (not a bool, float or string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def check_flag(name: str, value) -> bool:
    """A bool (an int such as 1 is refused, as torch.nn.GRU refuses it)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def check_seed(seed):
    """None or an int (not a bool): what np.random.default_rng takes as a seed here."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    return seed


def check_numpy_float_dtype(dtype) -> np.dtype:
    """A NumPy floating dtype (np.float32, "float64", ...), returned as np.dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"dtype must be a NumPy float dtype, got {dtype!r}") from e
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"dtype must be a NumPy float dtype such as np.float64, got {dt}")
    return dt


def is_float_dtype(dtype) -> bool:
    """True for a floating dtype of NumPy or torch."""
    is_fp = getattr(dtype, "is_floating_point", None)  # torch.dtype
    if isinstance(is_fp, bool):
        return is_fp
    try:
        return np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        return False


def check_array(name: str, a, array_type: type, ndim: int, shape_doc: str):
    """``a`` is an ``array_type`` with a floating dtype and ``ndim`` dimensions."""
    if not isinstance(a, array_type):
        raise TypeError(
            f"{name} must be a {array_type.__module__}.{array_type.__name__} of shape "
            f"{shape_doc}, got {type(a).__name__}"
        )
    if not is_float_dtype(a.dtype):
        raise TypeError(f"{name} must have a floating dtype, got {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D with shape {shape_doc}, got {a.ndim}-D shape {tuple(a.shape)}"
        )
    return a


def check_dims(name: str, a, expected: tuple, shape_doc: str) -> None:
    """``a.shape`` equals ``expected`` (entries of ``None`` match any size)."""
    got = tuple(a.shape)
    if len(got) != len(expected) or any(e is not None and e != s for e, s in zip(expected, got)):
        want = tuple("?" if e is None else e for e in expected)
        raise ValueError(f"{name} must have shape {shape_doc} = {want}, got {got}")


def check_same_dtype(name: str, a, dtype, owner: str = "the parameters") -> None:
    if a.dtype != dtype:
        raise ValueError(
            f"{name} has dtype {a.dtype} but {owner} have dtype {dtype}; convert one of them "
            f"(e.g. .astype / .to) so both match"
        )


def check_same_device(name: str, a, device, owner: str = "the parameters") -> None:
    got = getattr(a, "device", None)
    if got is not None and device is not None and got != device:
        raise ValueError(f"{name} is on device {got} but {owner} are on device {device}")


def check_tensor(name: str, a, array_type: type, expected: tuple, shape_doc: str, dtype,
                 device=None, owner: str = "the parameters") -> None:
    """``a`` is an ``array_type`` of shape ``expected`` (None: any size), ``dtype``, ``device``."""
    check_array(name, a, array_type, len(expected), shape_doc)
    check_dims(name, a, expected, shape_doc)
    check_same_dtype(name, a, dtype, owner)
    check_same_device(name, a, device, owner)


def check_x_h(x, h_prev, p, array_type: type) -> int:
    """x (B, I) and h_prev (B, H) fit the GRUParams ``p``; returns B."""
    device = getattr(p.W_xz, "device", None)
    check_tensor("x", x, array_type, (None, p.input_size), "(B, I)", p.dtype, device)
    B = x.shape[0]
    if B == 0:
        raise ValueError("x must hold at least one example, got batch size B = 0")
    check_tensor("h_prev", h_prev, array_type, (B, p.hidden_size), "(B, H)", p.dtype, device)
    return B


def check_like(name: str, a, like, array_type: type) -> None:
    """``a`` has the shape (B, H), dtype and device of ``like``."""
    check_tensor(name, a, array_type, tuple(like.shape), "(B, H)", like.dtype,
                 getattr(like, "device", None), "the other inputs")
