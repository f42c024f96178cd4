"""gru_lib.torch.GRU against torch.nn.GRU, side by side in one process.

    python benchmarks/bench_torch.py                 # full grid on the CPU
    python benchmarks/bench_torch.py --quick         # a small grid (a few seconds)
    python benchmarks/bench_torch.py --device cuda   # the same script on a GPU

Both modules compute the same function (gru_lib's GRU is built with ``GRU.from_torch``,
so reset_after=True and the same weights), in float32, on the same input. For every grid
point the two are timed in alternation — nn.GRU, gru_lib, nn.GRU, gru_lib, … with the
order flipped every round — so that a load spike on a shared machine hits both sides
alike; each round gives one ratio gru_lib / nn.GRU and the table reports the median ratio
over the rounds (and nn.GRU's median time, for scale). Two workloads:

* forward: ``model(x)`` under ``torch.no_grad()`` (inference);
* train:   forward, ``loss = output.square().mean()``, backward (one training step
  without the optimiser update, which costs the same for both).

Memory of a training step at T = 1000 is measured two ways:

* activation memory (any device): the bytes of the distinct storages that autograd keeps
  alive between the forward and the backward pass, found with
  ``torch.autograd.graph.saved_tensors_hooks``, leaving out the parameters and the input,
  which exist whatever the model saves. This is what a longer sequence makes grow.
  (tracemalloc does not see torch's allocator, and RSS deltas on a shared machine are
  noise, so neither is used on the CPU.)
* peak allocated (CUDA only): ``torch.cuda.max_memory_allocated`` during the step, above
  what was allocated before it; this includes the backward pass's temporaries.

Targets (CPU): median forward ratio <= 1.0, median training ratio <= 1.5, activation
memory <= nn.GRU's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gru_lib.torch import GRU  # noqa: E402


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def clock(fn, device: str) -> float:
    sync(device)
    t0 = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - t0


def forward(model, x):
    with torch.no_grad():
        model(x)


def train_step(model, x):
    output, _ = model(x)
    output.square().mean().backward()
    model.zero_grad(set_to_none=True)


def compare(fn, ref, ours, x, device, min_rounds, budget_s):
    """Median over alternating rounds of time(ours) / time(ref); also ref's median time."""
    fn(ref, x), fn(ours, x)                                     # warm up both
    ratios, ref_times = [], []
    start = time.perf_counter()
    while len(ratios) < min_rounds or (time.perf_counter() - start < budget_s and len(ratios) < 50):
        first_ref = len(ratios) % 2 == 0
        a = clock(lambda: fn(ref if first_ref else ours, x), device)
        b = clock(lambda: fn(ours if first_ref else ref, x), device)
        t_ref, t_ours = (a, b) if first_ref else (b, a)
        ratios.append(t_ours / t_ref)
        ref_times.append(t_ref)
    return statistics.median(ratios), statistics.median(ref_times)


def activation_bytes(model, x) -> int:
    """Bytes of distinct storages saved for backward, without parameters and input."""
    skip = {p.untyped_storage().data_ptr() for p in model.parameters()}
    skip.add(x.untyped_storage().data_ptr())
    seen = {}

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in skip:
            seen[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        output, _ = model(x)
    output.square().mean().backward()
    model.zero_grad(set_to_none=True)
    return sum(seen.values())


def peak_bytes(model, x, device: str) -> int:
    sync(device)
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    train_step(model, x)
    sync(device)
    return torch.cuda.max_memory_allocated() - before


def models(H: int, device: str):
    torch.manual_seed(0)
    ref = torch.nn.GRU(H, H, device=device, dtype=torch.float32)
    return ref, GRU.from_torch(ref)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default cpu)")
    ap.add_argument("--quick", action="store_true", help="a small grid, for a smoke test")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch.set_num_threads for both sides (default 1: stable on a shared machine)")
    ap.add_argument("--rounds", type=int, default=5, help="least number of timed rounds per point")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds per point to add rounds in")
    args = ap.parse_args(argv)
    device = args.device
    torch.set_num_threads(args.threads)
    if args.quick:
        Bs, Ts, Hs, T_mem, Hs_mem = (1, 32), (50,), (64,), 200, (64,)
    else:
        Bs, Ts, Hs, T_mem, Hs_mem = (1, 32, 128), (50, 200), (64, 256), 1000, (64, 256)
    name = torch.cuda.get_device_name() if device.startswith("cuda") else "CPU"
    print(f"gru_lib.torch.GRU / torch.nn.GRU, float32, reset_after=True, device={device} ({name}), "
          f"torch {torch.__version__}, threads={torch.get_num_threads()}")
    print("ratio < 1: gru_lib is faster. Times are nn.GRU's median, for scale.\n")
    print(f"{'B':>4} {'T':>4} {'I=H':>4} | {'forward ms':>10} {'ratio':>6} | {'train ms':>9} {'ratio':>6}")
    print("-" * 56)
    fwd, trn = [], []
    for H in Hs:
        ref, ours = models(H, device)
        for T in Ts:
            for B in Bs:
                x = torch.randn(T, B, H, device=device)
                rf, tf = compare(forward, ref, ours, x, device, args.rounds, args.budget)
                rt, tt = compare(train_step, ref, ours, x, device, args.rounds, args.budget)
                fwd.append(rf), trn.append(rt)
                print(f"{B:>4} {T:>4} {H:>4} | {tf * 1e3:>10.2f} {rf:>6.2f} | {tt * 1e3:>9.2f} {rt:>6.2f}",
                      flush=True)
    mf, mt = statistics.median(fwd), statistics.median(trn)
    print("-" * 56)
    print(f"median ratio over the grid: forward {mf:.2f} (target <= 1.0), "
          f"train {mt:.2f} (target <= 1.5)")

    B_mem = 32
    print(f"\nmemory of one training step, T = {T_mem}, B = {B_mem} (MiB)")
    head = f"{'I=H':>4} | {'activations nn.GRU':>18} {'gru_lib':>8} {'ratio':>6}"
    if device.startswith("cuda"):
        head += f" | {'peak nn.GRU':>11} {'gru_lib':>8} {'ratio':>6}"
    print(head)
    mem_ok = True
    for H in Hs_mem:
        ref, ours = models(H, device)
        x = torch.randn(T_mem, B_mem, H, device=device)
        a_ref, a_ours = activation_bytes(ref, x), activation_bytes(ours, x)
        mem_ok &= a_ours <= a_ref
        line = f"{H:>4} | {a_ref / 2**20:>18.1f} {a_ours / 2**20:>8.1f} {a_ours / a_ref:>6.2f}"
        if device.startswith("cuda"):
            train_step(ref, x), train_step(ours, x)             # allocator warm-up
            p_ref, p_ours = peak_bytes(ref, x, device), peak_bytes(ours, x, device)
            mem_ok &= p_ours <= p_ref
            line += f" | {p_ref / 2**20:>11.1f} {p_ours / 2**20:>8.1f} {p_ours / p_ref:>6.2f}"
        print(line)
    print(f"\ntargets met: forward {mf <= 1.0}, train {mt <= 1.5}, memory {mem_ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
