"""The LTC's dense readout from Python: LTC(..., readout="dense") reads all units through
fc (y = W v + b), with as many outputs as asked whatever the wiring's motor count; it trains,
survives a file round trip, quantizes, and bad values raise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import liquid_edge as le


def test_dense_readout(tmp_path: Path) -> None:
    m = le.LTC(3, le.AutoNCP(10, 2), readout="dense", proj_size=4, seed=5)
    assert m.output_size == 4 and m.state_size == 10
    assert m.config["readout"] == "dense" and m.config["output_mapping"] == "none"
    sd = m.state_dict()
    assert sd["fc.weight"].shape == (4, 10) and sd["fc.bias"].shape == (4,)
    assert "rnn_cell.output_w" not in sd

    # the outputs are W v + b of every recorded state (identity normalisation by default)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 8, 3))
    ts = rng.uniform(0.2, 1.5, size=(5, 8))
    y, _, _, states = m.sequence(x, ts, return_states=True)
    ref = states @ sd["fc.weight"].T + sd["fc.bias"]
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)

    # without proj_size: one output per motor neuron
    assert le.LTC(3, le.AutoNCP(10, 2), readout="dense", seed=5).output_size == 2

    # it trains: three targets from an AutoNCP with two motor neurons
    xt = rng.normal(size=(32, 10, 3)).astype(np.float32)
    yt = np.tanh(np.cumsum(xt, axis=1) * 0.3).astype(np.float32)
    mt = le.LTC(3, le.AutoNCP(10, 2), readout="dense", proj_size=3, seed=1)

    def mse() -> float:
        return float(np.mean((mt(xt)[0] - yt) ** 2))

    before = mse()
    le.train(mt, xt, yt, epochs=6, batch_size=8, lr=0.02, threads=1)
    assert mse() < before

    path = tmp_path / "dense.lln"
    mt.save(path)
    back = le.Model.load(path)
    assert back.config == mt.config
    np.testing.assert_array_equal(back.parameters(), mt.parameters())

    q = le.quantize(mt, xt)
    scale = float(np.max(np.abs(mt(xt.astype(np.float64))[0])))
    assert q.max_abs_error < 0.05 * max(scale, 1e-3), (q.max_abs_error, scale)

    with pytest.raises(le.Error, match="not one of: motor, dense"):
        le.LTC(3, 8, readout="wide")
    with pytest.raises(le.Error, match="needs readout = dense"):
        le.LTC(3, 8, proj_size=2)
