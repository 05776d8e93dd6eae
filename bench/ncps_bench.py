#!/usr/bin/env python3
"""ncps_bench: the reference library's speed on this machine, for same-run ratios.

    ncps_bench.py --ncps DIR --threads N --out FILE [--quick]

Runs the unmodified ncps (the PyTorch package found under DIR, imported from there at run
time; nothing of it is copied) on the five benchmark models of `make bench` (8 inputs each):

    ltc_ncp19   LTC(8, AutoNCP(19, 4))
    ltc_fc32    LTC(8, 32)                    (fully connected wiring)
    cfc32       CfC(8, 32)                    (default: backbone 1 x 128, lecun_tanh)
    cfc64       CfC(8, 64)
    wcfc_ncp19  CfC(8, AutoNCP(19, 4))        (wired CfC)

and three modes, the same work as bench/bench_speed.c and bench/bench_train.c:

    stream   one cell step at batch 1, dt = 1, under no_grad: warm-up, then timed blocks;
             the median block mean in microseconds per step
    batch    the model on a 64 x 100 x 8 batch, no_grad: median of several calls, ms
    train    one epoch of 1024 sequences x 64 steps, batch 32, Adam lr 5e-3, MSE of the first
             two outputs against (sin, cos) of the input phase, backpropagation through the
             whole sequence: median epoch time in seconds

with torch.set_num_threads(N) for batch and train and 1 thread for stream (a single stream
at batch 1 has no batch to split; liquid-edge streams on one thread too). FILE receives one line per model and mode,
"ncps<TAB>model<TAB>mode<TAB>value", after "#" comment lines naming the versions; it is
written to FILE.tmp and renamed, so a failed run leaves no partial file.

Exit status: 0 after a run; 3 when torch or ncps cannot be imported (the caller then says
that no comparison was made); 1 on any other error.
"""
import argparse
import math
import os
import statistics
import sys
import time

MODELS = ["ltc_ncp19", "ltc_fc32", "cfc32", "cfc64", "wcfc_ncp19"]
N_IN = 8


def build(torch_ncps, name):
    """The ncps model of one benchmark id (seeded, so every run builds the same one)."""
    torch, LTC, CfC, AutoNCP = torch_ncps
    torch.manual_seed(1234)
    if name == "ltc_ncp19":
        return LTC(N_IN, AutoNCP(19, 4), batch_first=True)
    if name == "ltc_fc32":
        return LTC(N_IN, 32, batch_first=True)
    if name == "cfc32":
        return CfC(N_IN, 32, batch_first=True)
    if name == "cfc64":
        return CfC(N_IN, 64, batch_first=True)
    return CfC(N_IN, AutoNCP(19, 4), batch_first=True)


def task(torch, seqs, steps, gen):
    """Inputs (seqs, steps, 8): channel 0 = sin(w t + phase) + noise, the rest noise (sd
    0.3); targets (seqs, steps, 2) = (sin, cos) of the phase."""
    w = 0.05 + 0.25 * torch.rand(seqs, 1, generator=gen)
    ph = 2 * math.pi * torch.rand(seqs, 1, generator=gen)
    arg = w * torch.arange(steps, dtype=torch.float32).unsqueeze(0) + ph
    x = 0.3 * torch.randn(seqs, steps, N_IN, generator=gen)
    x[:, :, 0] += torch.sin(arg)
    y = torch.stack([torch.sin(arg), torch.cos(arg)], dim=2)
    return x, y


def bench_stream(torch, model, quick):
    cell = model.rnn_cell
    warm, blocks, per = (100, 3, 500) if quick else (200, 5, 2000)
    gen = torch.Generator().manual_seed(7)
    xs, _ = task(torch, 1, 4096, gen)
    xs = xs[0]
    h = torch.zeros(1, model.state_size)
    times, k = [], 0
    with torch.no_grad():
        for _ in range(warm):
            _, h = cell(xs[k : k + 1], h, 1.0)
            k = (k + 1) % xs.shape[0]
        for _ in range(blocks):
            t0 = time.perf_counter()
            for _ in range(per):
                _, h = cell(xs[k : k + 1], h, 1.0)
                k = (k + 1) % xs.shape[0]
            times.append((time.perf_counter() - t0) * 1e6 / per)
    if not torch.isfinite(h).all():
        raise RuntimeError("streaming produced a non-finite state")
    return statistics.median(times)


def bench_batch(torch, model, quick):
    runs = 3 if quick else 5
    gen = torch.Generator().manual_seed(8)
    x, _ = task(torch, 64, 100, gen)
    times = []
    with torch.no_grad():
        model(x)  # warm-up
        for _ in range(runs):
            t0 = time.perf_counter()
            y, _ = model(x)
            times.append((time.perf_counter() - t0) * 1e3)
    if not torch.isfinite(y).all():
        raise RuntimeError("the batch produced non-finite outputs")
    return statistics.median(times)


def bench_train(torch, model, quick):
    seqs, steps, batch = 1024, 64, 32
    epochs = 1 if quick else 3
    gen = torch.Generator().manual_seed(9)
    x, y = task(torch, seqs, steps, gen)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = torch.nn.MSELoss()

    def run_epoch():
        last = None
        for b in range(0, seqs, batch):
            opt.zero_grad()
            out, _ = model(x[b : b + batch])
            loss = loss_fn(out[:, :, :2], y[b : b + batch])
            loss.backward()
            opt.step()
            last = loss.item()
        return last

    times, loss = [], None
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss = run_epoch()
        times.append(time.perf_counter() - t0)
    if loss is None or not math.isfinite(loss):
        raise RuntimeError("training produced a non-finite loss")
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ncps", required=True, help="directory holding the ncps package")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (>= 1)")
    ap.add_argument("--out", required=True, help="results file (TSV)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--model", choices=MODELS, help="only this model")
    a = ap.parse_args()
    if a.threads < 1:
        print(f"ncps_bench: --threads {a.threads}: must be >= 1", file=sys.stderr)
        return 1
    if not os.path.isfile(os.path.join(a.ncps, "ncps", "torch", "__init__.py")):
        print(f"ncps_bench: {a.ncps}: no ncps/torch package there", file=sys.stderr)
        return 3
    sys.path.insert(0, a.ncps)
    try:
        import torch
        from ncps.torch import CfC, LTC
        from ncps.wirings import AutoNCP
    except ImportError as e:
        print(
            f"ncps_bench: cannot import torch / ncps with {sys.executable}: {e}",
            file=sys.stderr,
        )
        return 3
    torch.set_num_threads(a.threads)
    tn = (torch, LTC, CfC, AutoNCP)
    lines = [
        f"# ncps from {a.ncps}; torch {torch.__version__}; python {sys.version.split()[0]}",
        f"# torch threads {torch.get_num_threads()}; quick {int(a.quick)}",
        "# stream threads 1",
    ]
    for name in [a.model] if a.model else MODELS:
        for mode, fn, unit in (
            ("stream_us", bench_stream, "us/step"),
            ("batch_ms", bench_batch, "ms"),
            ("train_s", bench_train, "s/epoch"),
        ):
            torch.set_num_threads(1 if mode == "stream_us" else a.threads)
            model = build(tn, name)
            v = fn(torch, model, a.quick)
            print(f"ncps {name:<11} {mode:<9} {v:10.3f} {unit}", flush=True)
            lines.append(f"ncps\t{name}\t{mode}\t{v:.6g}")
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
