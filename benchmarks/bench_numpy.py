"""NumPy gru_forward + gru_backward against torch.nn.GRU forward + backward, side by side.

    python benchmarks/bench_numpy.py [--repeats 15] [--threads N]

Both sides do the same work: a float32 forward pass over a (T, B, I) sequence and the
backward pass of L = Σ ⟨dhs, hs⟩ (gradients of all weights and of the input). The two
are interleaved, repeat by repeat, so a slowdown of the machine hits both alike, and we
report medians and the ratio numpy / torch (below 1: NumPy is faster). torch uses the
same number of threads as NumPy's BLAS: NumPy's own count by default; --threads N sets
both (NumPy's through threadpoolctl).
The main shape is B=32, T=100, I=H=128 (the project's target: ratio ≤ 3).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from gru_lib.numpy import gru_backward, gru_forward, init_params

SHAPES = [  # (B, T, I, H); the first is the main shape
    (32, 100, 128, 128),
    (1, 100, 128, 128),
    (32, 100, 32, 32),
    (32, 100, 256, 256),
    (128, 50, 64, 64),
]


def blas_info() -> tuple[str, int]:
    """Which BLAS kernel NumPy runs, and with how many threads (via threadpoolctl if present)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see it)", 0
    for lib in threadpool_info():
        if lib["user_api"] == "blas" and "numpy" in lib["filepath"]:
            return f"{lib['internal_api']} {lib.get('version')} kernel {lib.get('architecture')}", lib["num_threads"]
    return "not found", 0


def bench_shape(B: int, T: int, I: int, H: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    p = init_params(I, H, seed=0, dtype=np.float32)
    xs = rng.normal(size=(T, B, I)).astype(np.float32)
    dhs = rng.normal(size=(T, B, H)).astype(np.float32)
    m = torch.nn.GRU(I, H)  # float32, CPU
    X, dH = torch.from_numpy(xs).requires_grad_(True), torch.from_numpy(dhs)

    def run_numpy() -> None:
        _, cache = gru_forward(xs, p, reset_after=True)
        gru_backward(dhs, cache)

    def run_torch() -> None:
        m.zero_grad(set_to_none=True)
        X.grad = None
        out, _ = m(X)
        out.backward(dH)

    times = {run_numpy: [], run_torch: []}
    for f in (run_numpy, run_torch):  # warm-up
        f()
    for _ in range(repeats):
        for f in (run_numpy, run_torch):
            t0 = time.perf_counter()
            f()
            times[f].append(time.perf_counter() - t0)
    return statistics.median(times[run_numpy]), statistics.median(times[run_torch])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for both NumPy's BLAS and torch (default: NumPy's BLAS count)")
    args = ap.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=args.threads, user_api="blas")
    blas, np_threads = blas_info()
    threads = args.threads or np_threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    print(f"NumPy {np.__version__} BLAS: {blas}, {np_threads or '?'} threads; "
          f"torch {torch.__version__} CPU, torch.set_num_threads({threads})")
    print(f"float32, forward + backward, medians of {args.repeats} interleaved repeats\n")
    print(f"{'B':>4} {'T':>4} {'I':>4} {'H':>4} | {'numpy ms':>9} {'torch ms':>9} | {'numpy/torch':>11}")
    print("-" * 58)
    for B, T, I, H in SHAPES:
        t_np, t_torch = bench_shape(B, T, I, H, args.repeats)
        print(f"{B:>4} {T:>4} {I:>4} {H:>4} | {1e3 * t_np:9.2f} {1e3 * t_torch:9.2f} | {t_np / t_torch:11.2f}")


if __name__ == "__main__":
    main()
