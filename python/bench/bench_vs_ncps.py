"""Side-by-side speed of liquid_edge and ncps in one run (not a test: prints a table).

Models: LTC with AutoNCP(19, 4) and a dense CfC(32), 8 inputs (the ncps speed anchors'
ltc_ncp19 and cfc32). Measured, all on one thread:
  stream  - one step from Python at batch 1: liquid_edge model.step(x, dt, state) vs
            ncps model.rnn_cell(x, h, 1.0) under torch.no_grad().
  batch   - a (64, 100, 8) batch: liquid_edge model(x) (numpy in and out) vs the C API
            (lln_sequence on the same model, loaded from the same file, called once through
            ctypes on build/liblln.so) vs the ncps wrapper.
Each figure is the fastest of several blocks, the sides' blocks interleaved.
Usage: python3 bench/bench_vs_ncps.py [--lib build/liblln.so] [--quick]
Timings are wall-clock and noisy on a shared machine; the ratios within one run count.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import liquid_edge as le

REPO = Path(__file__).resolve().parents[2]


def block_time(fn: Callable[[], Any], inner: int) -> float:
    """Mean time of one call over a block of `inner` calls (seconds)."""
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


def best_times(fns: list[Callable[[], Any]], repeats: int, inner: int) -> list[float]:
    """The fastest block of each function, the blocks of all functions interleaved
    (A B A B ...) so that a burst of load from other processes hits every side alike; the
    minimum is the least disturbed estimate of each."""
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], block_time(fn, inner))
    return best


class CApi:
    """lln_model_load / lln_state_create / lln_sequence from the shared library."""

    def __init__(self, lib_path: str, model_path: str, batch: int) -> None:
        self.lib = ctypes.CDLL(lib_path)
        vp = ctypes.c_void_p
        self.lib.lln_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp), vp]
        self.lib.lln_state_create.argtypes = [vp, ctypes.c_int, ctypes.c_int, ctypes.POINTER(vp)]
        self.lib.lln_state_reset.argtypes = [vp]
        self.lib.lln_sequence.argtypes = [vp, vp, ctypes.c_int, vp, vp, vp, vp]
        self.m = vp()
        if self.lib.lln_model_load(model_path.encode(), ctypes.byref(self.m), None) != 0:
            raise RuntimeError(f"lln_model_load failed on {model_path}")
        self.s = vp()
        if self.lib.lln_state_create(self.m, 0, batch, ctypes.byref(self.s)) != 0:
            raise RuntimeError("lln_state_create failed")

    def run(self, x: Any, y: Any) -> None:
        self.lib.lln_state_reset(self.s)
        st = self.lib.lln_sequence(
            self.m, self.s, x.shape[1], x.ctypes.data, None, y.ctypes.data, None
        )
        if st != 0:
            raise RuntimeError(f"lln_sequence: status {st}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default=str(REPO / "build" / "liblln.so"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    reps, inner, binner = (3, 500, 2) if args.quick else (8, 2000, 3)

    ncps_dir = Path(os.environ.get("LLN_NCPS_DIR", REPO.parent / "shared" / "anchors" / "ncps"))
    try:
        import torch

        sys.path.insert(0, str(ncps_dir))
        from ncps.torch import CfC as TCfC
        from ncps.torch import LTC as TLTC
        from ncps.wirings import AutoNCP as TAutoNCP

        torch.set_num_threads(1)
        have_ncps = True
    except ImportError as exc:
        print(f"*** ncps or torch not importable ({exc}): liquid_edge columns only ***")
        have_ncps = False
    if not os.path.isfile(args.lib):
        print(f"*** {args.lib} missing (make build): no C API column ***")

    rng = np.random.default_rng(0)
    xb = rng.normal(size=(64, 100, 8)).astype(np.float32)
    rows = []
    for name in ("ltc_ncp19", "cfc32"):
        if have_ncps:
            torch.manual_seed(0)
            ref = TLTC(8, TAutoNCP(19, 4)) if name == "ltc_ncp19" else TCfC(8, 32)
            ref.eval()
            model = le.from_ncps(ref)
        else:
            model = le.LTC(8, le.AutoNCP(19, 4)) if name == "ltc_ncp19" else le.CfC(8, 32)
        x1 = rng.normal(size=8).astype(np.float32)
        _, state = model.step(x1, 1.0)
        step = model.step
        t_step = best_times([lambda: step(x1, 1.0, state)], reps, inner)[0]
        t_batch, t_capi = best_times([lambda: model(xb)], reps, binner)[0], float("nan")
        if os.path.isfile(args.lib):
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "m.lln")
                model.save(path)
                capi = CApi(args.lib, path, 64)
            yb = np.empty((64, 100, model.output_size), np.float32)
            t_batch, t_capi = best_times(
                [lambda: model(xb), lambda: capi.run(xb, yb)], reps * 2, binner
            )
            np.testing.assert_array_equal(yb, model(xb)[0])  # the same work, the same bits
        t_ref_step = t_ref_batch = float("nan")
        if have_ncps:
            xt = torch.from_numpy(x1[None])
            h = torch.zeros(1, model.state_size)
            xbt = torch.from_numpy(xb)
            with torch.no_grad():
                t_ref_step = best_times([lambda: ref.rnn_cell(xt, h, 1.0)], reps, inner // 10)[0]
                t_ref_batch = best_times([lambda: ref(xbt)], reps, binner)[0]
        rows.append((name, t_step, t_ref_step, t_batch, t_capi, t_ref_batch))

    print(f"liquid_edge {le.__version__}, numpy {np.__version__}; one thread; wall clock")
    print(
        "| model | step µs (liquid_edge) | step µs (ncps) | speed-up | batch 64×100 ms "
        "(liquid_edge) | batch ms (C API) | Python/C | batch ms (ncps) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, s, rs, b, c, rb in rows:
        print(
            f"| {name} | {s * 1e6:.2f} | {rs * 1e6:.0f} | {rs / s:.0f}× | {b * 1e3:.2f} | "
            f"{c * 1e3:.2f} | {b / c:.3f} | {rb * 1e3:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
