"""The parity figures of docs/PYTHON.md: the worst output difference against ncps over the
random configurations of tests/test_parity.py, and the training-trajectory losses.
Usage (from python/, after `make python-test` or with the package installed):
    python3 bench/parity_figures.py"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import conftest  # noqa: E402
import test_parity as tp  # noqa: E402

import liquid_edge as le  # noqa: E402


def main() -> int:
    d = conftest.ncps_dir()
    try:
        import torch
    except ImportError:
        print("torch is not importable: no parity figures")
        return 1
    if d is None:
        print("ncps source not found (LLN_NCPS_DIR or ../shared/anchors/ncps)")
        return 1
    sys.path.insert(0, str(d))
    import ncps.torch as nt
    import ncps.wirings as wir

    torch.set_num_threads(1)
    worst = 0.0
    for i in range(tp.N_CONFIGS):
        mod, _ = tp.random_case(i, torch, nt, wir)
        ours = le.from_ncps(mod)
        rng = np.random.default_rng(i)
        x = rng.normal(size=(3, 7, ours.input_size)).astype(np.float32)
        ts = rng.uniform(0.05, 2.0, size=(3, 7)).astype(np.float32)
        with torch.no_grad():
            y_ref, _ = tp.ncps_forward(torch, mod, x, ts)
        y, _ = ours(x, timespans=ts)
        ref = y_ref.numpy()
        worst = max(worst, float(np.max(np.abs(y - ref) / np.maximum(1, np.abs(ref)))))
    print(
        f"outputs: {tp.N_CONFIGS} configurations, worst max|ours - ncps| / max(1, |ncps|) "
        f"= {worst:.3g}"
    )
    for cell in ("ltc", "cfc"):
        torch.manual_seed(3)
        if cell == "ltc":
            mod = nt.LTC(3, wir.AutoNCP(12, 2))
        else:
            mod = nt.CfC(3, 10, backbone_units=16, backbone_layers=1, proj_size=2)
        ours_l, ref_l = tp._trajectory((torch, nt, wir), mod, 0.01)
        worst_rel = max(abs(a - b) / abs(b) for a, b in zip(ours_l, ref_l))
        print(
            f"trajectory {cell}: loss after 50 Adam steps: liquid_edge {ours_l[50]:.8f}, "
            f"ncps {ref_l[50]:.8f} (relative difference "
            f"{abs(ours_l[50] - ref_l[50]) / abs(ref_l[50]):.2e}; worst over all 51 "
            f"losses {worst_rel:.2e})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
