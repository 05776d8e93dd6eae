"""From numpy data to verified firmware with liquid_edge (docs/PYTHON.md walks through it).

A toy control task: 5 noisy sensor channels sampled at irregular times; the target is a
smoothed version of the difference of the first two channels. Trains an LTC with an AutoNCP
wiring, streams it step by step, quantizes it to int8/int16, writes Cortex-M4 firmware C, and
- when the `lln` CLI, arm-none-eabi-gcc and QEMU are installed - verifies it bit for bit
under QEMU and profiles its energy per step. Runs in well under a minute.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import numpy as np
import numpy.typing as npt

import liquid_edge as le


Array = npt.NDArray[np.float32]


def make_data(n: int, steps: int, seed: int) -> tuple[Array, Array, Array]:
    rng = np.random.default_rng(seed)
    dt = rng.uniform(0.02, 0.08, size=(n, steps))  # irregular sampling, seconds
    x = rng.normal(scale=0.3, size=(n, steps, 5))
    x[:, :, 0] += np.sin(np.cumsum(dt, axis=1) * 3)
    y = np.zeros((n, steps, 1))
    acc = np.zeros(n)
    for t in range(steps):
        a = 1 - np.exp(-dt[:, t] / 0.2)  # a 0.2 s low-pass: the answer depends on Δt
        acc = acc + a * (x[:, t, 0] - x[:, t, 1] - acc)
        y[:, t, 0] = acc
    return x.astype(np.float32), y.astype(np.float32), dt.astype(np.float32)


def main() -> int:
    x, y, dt = make_data(256, 40, seed=1)
    model = le.LTC(5, le.AutoNCP(12, 1), seed=1)  # ncps's signature
    result = le.train(model, x, y, dt, epochs=15, batch_size=16, lr=0.02, seed=1)
    print(
        f"trained {result.epochs_run} epochs in {result.seconds:.1f} s, "
        f"best validation loss (normalized targets) {min(h['valid_loss'] for h in result.history):.4f}"
    )

    xt, yt, dtt = make_data(32, 40, seed=2)  # unseen data
    pred, _ = model(xt, timespans=dtt)
    print(
        f"test MSE {float(np.mean((pred - yt) ** 2)):.4f} "
        f"(predicting zero: {float(np.mean(yt ** 2)):.4f})"
    )

    state = None  # streaming, as on the device: one step per sensor reading
    for t in range(40):
        out, state = model.step(xt[0, t], float(dtt[0, t]), state)
    assert np.allclose(out, pred[0, -1], atol=1e-6)

    q = le.quantize(model, x[:64], dt[:64])
    print(f"quantized: fixed-point vs float max |error| {q.max_abs_error:.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        fw = le.export(q.model, os.path.join(tmp, "firmware"), "cortex-m4")
        print(
            f"firmware: {len(fw.files)} files, {fw.weight_bytes} B tables, "
            f"{fw.state_bytes + fw.scratch_bytes} B RAM"
        )
        q.model.save(os.path.join(tmp, "policy.lln"))
    repo_cli = os.path.join(os.path.dirname(__file__), "..", "..", "build", "lln")
    if not os.environ.get("LLN_CLI") and not shutil.which("lln") and os.path.isfile(repo_cli):
        os.environ["LLN_CLI"] = os.path.abspath(repo_cli)  # the checkout's `make` build
    if (os.environ.get("LLN_CLI") or shutil.which("lln")) and shutil.which("qemu-system-arm"):
        v = le.verify(q.model, "cortex-m4")
        print(
            f"verify on cortex-m4 under QEMU: {'PASS' if v.passed else 'FAIL'}, "
            f"{v.instructions_per_step} instructions/step, {v.flash_bytes} B flash"
        )
        p = le.profile(q.model, "stm32l4r5", rate_hz=100)["profiles"][0]
        print(
            f"STM32L4R5 at 100 steps/s: {p['energy_per_step_uj']:.3g} µJ/step, "
            f"{p['avg_power_mw']:.3g} mW average"
        )
        return 0 if v.passed else 1
    print("(verify/profile skipped: they need the lln CLI (make; on PATH or LLN_CLI) and QEMU")
    print(" with the cross compilers: sh scripts/deps.sh sim)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
