"""Parity with the real ncps: outputs and states of random configurations of every cell,
wiring and mode, and training trajectories (same weights, batches and Adam settings)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import liquid_edge as le

N_CONFIGS = 60
TOL = 1e-5  # float32, max |ours - ncps| / max(1, |ncps|)


def random_wiring(rng: np.random.Generator, wir: Any, lew: Any, kind: str) -> tuple[Any, Any]:
    """The same wiring in ncps and in liquid_edge."""
    if kind == "fc":
        units = int(rng.integers(2, 12))
        out = int(rng.integers(1, units + 1))
        seed = int(rng.integers(0, 5000))
        selfc = bool(rng.integers(0, 2))
        return wir.FullyConnected(units, out, seed, selfc), lew.FullyConnected(
            units, out, seed, selfc
        )
    if kind == "random":
        units = int(rng.integers(2, 12))
        out = int(rng.integers(1, units + 1))
        sp = float(rng.choice([0.0, 0.3, 0.6]))
        seed = int(rng.integers(0, 5000))
        return wir.Random(units, out, sp, seed), lew.Random(units, out, sp, seed)
    if kind == "ncp":
        inter, command, motor = (int(v) for v in rng.integers(2, 6, size=3))
        sf = int(rng.integers(1, inter + 1))
        inf = int(rng.integers(1, command + 1))
        rc = int(rng.integers(0, 2 * command))
        mf = int(rng.integers(1, command + 1))
        seed = int(rng.integers(0, 5000))
        args = (inter, command, motor, sf, inf, rc, mf, seed)
        return wir.NCP(*args), lew.NCP(*args)
    units = int(rng.integers(8, 20))
    out = int(rng.integers(1, units - 3))
    sp = float(rng.choice([0.1, 0.5, 0.8]))
    seed = int(rng.integers(0, 5000))
    return wir.AutoNCP(units, out, sp, seed), lew.AutoNCP(units, out, sp, seed)


def random_case(i: int, torch: Any, nt: Any, wir: Any) -> tuple[Any, str]:
    """Configuration i: an ncps module and a description."""
    rng = np.random.default_rng(1000 + i)
    torch.manual_seed(i)
    f = int(rng.integers(1, 6))
    cell = ["ltc", "cfc", "wired_cfc"][i % 3]
    mixed = bool(rng.integers(0, 4) == 0)
    if cell == "ltc":
        kind = ["fc", "random", "ncp", "autoncp"][(i // 3) % 4]
        w, _ = random_wiring(rng, wir, le, kind)
        imap = str(rng.choice(["affine", "linear", "none"]))
        omap = str(rng.choice(["affine", "linear", "none"]))
        unf = int(rng.integers(1, 8))
        implicit = bool(rng.integers(0, 4) != 0)
        mod = nt.LTC(
            f,
            w,
            mixed_memory=mixed,
            input_mapping=imap,
            output_mapping=omap,
            ode_unfolds=unf,
            implicit_param_constraints=implicit,
        )
        desc = f"LTC({f}, {kind}, mixed={mixed}, in={imap}, out={omap}, K={unf}, soft={implicit})"
    elif cell == "cfc":
        units = int(rng.integers(1, 20))
        mode = ["default", "no_gate", "pure"][(i // 3) % 3]
        act = str(rng.choice(["lecun_tanh", "tanh", "relu", "silu", "gelu"]))
        bl = int(rng.integers(0, 3))
        bu = int(rng.integers(1, 24))
        proj = None if rng.integers(0, 3) else int(rng.integers(1, 5))
        mod = nt.CfC(
            f,
            units,
            proj_size=proj,
            mixed_memory=mixed,
            mode=mode,
            activation=act,
            backbone_units=bu,
            backbone_layers=bl,
        )
        desc = f"CfC({f}, {units}, proj={proj}, mixed={mixed}, {mode}, {act}, {bl}x{bu})"
    else:
        kind = ["fc", "random", "ncp", "autoncp"][(i // 3) % 4]
        w, _ = random_wiring(rng, wir, le, kind)
        mode = ["default", "no_gate", "pure"][(i // 12) % 3]
        mod = nt.CfC(f, w, mixed_memory=mixed, mode=mode)
        desc = f"WiredCfC({f}, {kind}, mixed={mixed}, {mode})"
    return mod.eval(), desc


@pytest.mark.parametrize("i", range(N_CONFIGS))
def test_outputs_match_ncps(i: int, ncps: Any) -> None:
    torch, nt, wir = ncps
    mod, desc = random_case(i, torch, nt, wir)
    ours = le.from_ncps(mod)
    rng = np.random.default_rng(i)
    f = ours.input_size
    x = rng.normal(size=(3, 7, f)).astype(np.float32)
    ts = rng.uniform(0.05, 2.0, size=(3, 7)).astype(np.float32)
    with torch.no_grad():
        y_ref, h_ref = ncps_forward(torch, mod, x, ts)
    y, h = ours(x, timespans=ts)
    if isinstance(h_ref, tuple):
        pairs = [("h", h[0], h_ref[0]), ("c", h[1], h_ref[1])]
    else:
        pairs = [("h", h, h_ref)]
    for name, got, ref in [("y", y, y_ref)] + pairs:
        ref = ref.numpy()
        assert got.shape == ref.shape, f"{desc}: {name} shape {got.shape} vs ncps {ref.shape}"
        err = float(np.max(np.abs(got - ref) / np.maximum(1.0, np.abs(ref))))
        assert err <= TOL, f"{desc}: {name} differs from ncps by {err:.3g} (> {TOL})"


def ncps_forward(torch: Any, mod: Any, x: Any, ts: Any) -> tuple[Any, Any]:
    """ncps's module on each sample alone: its wrappers apply per-sample timespans only for
    batch size 1 (with a batch, timespans[:, t].squeeze() does not broadcast), so the
    intended per-sample semantics are obtained one sample at a time and stacked."""
    ys, hs, cs = [], [], []
    for b in range(x.shape[0]):
        y, h = mod(torch.as_tensor(x[b : b + 1]), timespans=torch.as_tensor(ts[b : b + 1]))
        ys.append(y)
        if isinstance(h, tuple):
            hs.append(h[0])
            cs.append(h[1])
        else:
            hs.append(h)
    hh = torch.cat(hs)
    return torch.cat(ys), ((hh, torch.cat(cs)) if cs else hh)


def _batches(f: int, o: int) -> list[tuple[Any, Any, Any]]:
    """Four fixed batches of a learnable task (a leaky running mean of the first input)."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(4):
        x = rng.normal(size=(8, 12, f)).astype(np.float32)
        ts = rng.uniform(0.1, 1.5, size=(8, 12)).astype(np.float32)
        acc = np.zeros((8, 1), np.float32)
        target = np.zeros((8, 12, o), np.float32)
        for t in range(12):
            acc = 0.7 * acc + 0.3 * x[:, t, :1]
            target[:, t] = np.tanh(acc)
        out.append((x, target, ts))
    return out


def _trajectory(ncps: Any, mod: Any, lr: float) -> tuple[list[float], list[float]]:
    """Losses of 50 Adam steps (each before its update) and the loss after the 50th, for
    liquid_edge and for ncps, from the same initial weights on the same batches."""
    torch, _, _ = ncps
    ours = le.from_ncps(mod)
    opt_ref = torch.optim.Adam(mod.parameters(), lr=lr)
    opt = le.Optimizer(ours, lr=lr, optimizer="adam")
    batches = _batches(ours.input_size, ours.output_size)
    ref_losses, losses = [], []
    for k in range(51):
        x, target, ts = batches[k % len(batches)]
        opt_ref.zero_grad()
        y, _ = ncps_forward(torch, mod, x, ts)
        loss = torch.nn.functional.mse_loss(y, torch.from_numpy(target))
        ref_losses.append(float(loss))
        if k < 50:
            loss.backward()
            opt_ref.step()
            losses.append(opt.step(x, target, ts)["loss"])
        else:
            losses.append(opt.loss(x, target, ts)["loss"])
    return losses, ref_losses


@pytest.mark.parametrize("cell", ["ltc", "cfc"])
def test_training_trajectory_matches_ncps(cell: str, ncps: Any) -> None:
    torch, nt, wir = ncps
    torch.manual_seed(3)
    if cell == "ltc":
        mod = nt.LTC(3, wir.AutoNCP(12, 2))
    else:
        mod = nt.CfC(3, 10, backbone_units=16, backbone_layers=1, proj_size=2)
    losses, ref = _trajectory(ncps, mod, 0.01)
    # losses[k] is the loss before update k; losses[50] the loss after the 50th update
    for k in (0, 25, 50):
        rel = abs(losses[k] - ref[k]) / abs(ref[k])
        assert (
            rel <= 1e-4
        ), f"{cell}: loss at step {k}: ours {losses[k]:.8g} ncps {ref[k]:.8g} (rel {rel:.3g})"
    first, last = float(np.mean(ref[:4])), float(np.mean(ref[47:51]))
    assert last < 0.9 * first, f"{cell}: the reference did not learn ({first} -> {last})"
