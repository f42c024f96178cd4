"""Fixtures that run one test on every backend: NumPy, torch on the CPU, torch on CUDA.

A test that takes ``backend`` runs three times. ``backend.lib`` is ``gru_lib.numpy`` or
``gru_lib.torch`` (the same equation functions), ``backend.array`` / ``backend.params``
move NumPy inputs there, ``backend.numpy`` brings results back for the assertions. The
torch cases are skipped, with the reason, where torch is not installed; the CUDA case
where no GPU is visible. ``torch_device`` does the same for torch-only tests.
"""

from __future__ import annotations

import numpy as np
import pytest


class Backend:
    """One place to run gru_lib's equations: its module and how arrays get in and out."""

    def __init__(self, name: str, lib, device=None) -> None:
        self.name, self.lib, self.device = name, lib, device

    def array(self, a, dtype=np.float64):
        a = np.asarray(a, dtype=dtype)
        if self.device is None:
            return a
        import torch

        return torch.tensor(a, device=self.device)

    def params(self, p):
        return p if self.device is None else self.lib.as_tensors(p, device=self.device)

    def numpy(self, a) -> np.ndarray:
        return a if isinstance(a, np.ndarray) else a.detach().cpu().numpy()

    def __repr__(self) -> str:
        return self.name


def _torch_or_skip(device: str):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device visible to torch")
    return torch


@pytest.fixture(params=["numpy", "torch-cpu", "torch-cuda"])
def backend(request) -> Backend:
    if request.param == "numpy":
        import gru_lib.numpy as lib

        return Backend("numpy", lib)
    device = request.param.split("-")[1]
    _torch_or_skip(device)
    import gru_lib.torch as lib

    return Backend(request.param, lib, device)


@pytest.fixture(params=["cpu", "cuda"])
def torch_device(request) -> str:
    _torch_or_skip(request.param)
    return request.param
