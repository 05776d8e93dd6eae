"""ncps trained under liquid-edge's gesture protocol (docs/RESULTS.md, "Gesture"), to tell
whether the gap between our gesture accuracy and the LTC paper's is our trainer or the
protocol. Not a test: prints one row per seed (test accuracy of the best validation epoch).

Protocol, as `scripts/results.sh ... gesture-ltc` runs `lln train`: the paper's 605 windows
of 32 frames (ltc_windows.csv: 455 train / 60 valid / 90 test); features = every column but
video, frame, raw_frame, timestamp_ms, dt_ms, phase and label; normalization fitted on every
step of every window (overlapping frames counted twice); LTC with a fully connected wiring of
32 units and 5 motor neurons (CfC: 32 units, backbone 1 x 128, projection to 5); per-step
softmax cross-entropy, Adam (lr 0.01 LTC, 0.001 CfC), batch 16, 200 epochs, the epoch with
the best validation accuracy kept. Differences that remain: torch's initialisation stream
and numpy's shuffle instead of ours (same distributions, other random numbers).

Usage: python3 bench/gesture_ncps.py [--cell ltc|cfc] [--epochs N] [--seeds 1,2,3]
       [--shared ../shared]      (needs torch and ../shared/anchors/ncps + data/gesture)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[2]
DROP = {"video", "frame", "raw_frame", "timestamp_ms", "dt_ms", "phase", "label"}


def load(shared: Path) -> tuple[dict[str, npt.NDArray[Any]], dict[str, npt.NDArray[Any]]]:
    """Windows x (N, 32, F) float32 and per-step labels (N, 32) per split."""
    with open(shared / "data/gesture/gesture_va3.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    feats = [c for c in rows[0] if c not in DROP]
    by_video: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_video.setdefault(r["video"], []).append(r)
    xs: dict[str, list[Any]] = {"train": [], "valid": [], "test": []}
    ys: dict[str, list[Any]] = {"train": [], "valid": [], "test": []}
    with open(shared / "data/gesture/ltc_windows.csv", newline="", encoding="utf-8") as f:
        for w in csv.DictReader(f):
            seq = by_video[w["video"]]
            s, n = int(w["start_frame"]), int(w["length"])
            part = seq[s : s + n]
            if len(part) != n:
                raise ValueError(f"window {w['window']} runs past video {w['video']}")
            xs[w["split"]].append([[float(r[c]) for c in feats] for r in part])
            ys[w["split"]].append([int(r["label"]) for r in part])
    x = {k: np.asarray(v, np.float32) for k, v in xs.items()}
    y = {k: np.asarray(v, np.int64) for k, v in ys.items()}
    allx = np.concatenate([x[k] for k in x]).reshape(-1, len(feats))  # every window's steps
    mean, std = allx.mean(axis=0), np.maximum(allx.std(axis=0), 1e-6)
    return {k: ((v - mean) / std).astype(np.float32) for k, v in x.items()}, y


def run(cell: str, seed: int, epochs: int, x: Any, y: Any, torch: Any, nt: Any, wir: Any) -> str:
    torch.manual_seed(seed)
    f = x["train"].shape[2]
    if cell == "ltc":
        model, lr = nt.LTC(f, wir.FullyConnected(32, 5)), 0.01
    else:
        model, lr = nt.CfC(f, 32, proj_size=5), 0.001
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    xt = {k: torch.from_numpy(v) for k, v in x.items()}
    yt = {k: torch.from_numpy(v) for k, v in y.items()}

    def accuracy(split: str) -> float:
        with torch.no_grad():
            out, _ = model(xt[split])
        return float((out.argmax(-1) == yt[split]).float().mean())

    best, best_test, best_epoch, t0 = -1.0, 0.0, 0, time.time()
    n = len(x["train"])
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for b in range(0, n, 16):
            idx = torch.from_numpy(order[b : b + 16])
            out, _ = model(xt["train"][idx])
            loss = torch.nn.functional.cross_entropy(
                out.reshape(-1, 5), yt["train"][idx].reshape(-1)
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
        v = accuracy("valid")
        if v > best:
            best, best_test, best_epoch = v, accuracy("test"), epoch
    return (
        f"| ncps {cell} | {seed} | {epochs} | {best_epoch} | {best * 100:.2f} | "
        f"{best_test * 100:.2f} | {time.time() - t0:.0f} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cell", choices=["ltc", "cfc"], default="ltc")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    a = ap.parse_args()
    try:
        import torch

        sys.path.insert(0, str(a.shared / "anchors" / "ncps"))
        import ncps.torch as nt
        import ncps.wirings as wir
    except ImportError as exc:
        print(f"needs torch and {a.shared}/anchors/ncps: {exc}")
        return 1
    torch.set_num_threads(1)
    x, y = load(a.shared)
    print("| model | seed | epochs | best epoch | valid % | test % | seconds |")
    print("|---|---|---|---|---|---|---|")
    for s in a.seeds.split(","):
        print(run(a.cell, int(s), a.epochs, x, y, torch, nt, wir), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
