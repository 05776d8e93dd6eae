"""The package's API: construction, streaming vs batches, files, bad input, training with a
callback and Ctrl-C, quantization, export, and verify/profile through the lln CLI."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import liquid_edge as le
from conftest import lln_cli, loud_skip


def small_ltc() -> le.Model:
    return le.LTC(3, le.AutoNCP(10, 2), seed=5)


def test_version_is_the_projects() -> None:
    text = Path(__file__).resolve().parents[1] / "csrc" / "CMakeLists.txt"
    src = text if text.is_file() else Path(__file__).resolve().parents[2] / "CMakeLists.txt"
    if not src.is_file():
        loud_skip("no CMakeLists.txt next to the tests: cannot read the project's version")
    assert f"VERSION {le.__version__}" in src.read_text()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_equals_sequence(dtype: Any) -> None:
    m = small_ltc()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 6, 3)).astype(dtype)
    ts = rng.uniform(0.1, 1.0, size=(1, 6)).astype(dtype)
    y_seq, h_seq = m(x, timespans=ts)
    state = None
    for t in range(6):
        y, state = m.step(x[0, t], float(ts[0, t]), state)
        assert y.dtype == dtype
        np.testing.assert_array_equal(y, y_seq[0, t])
    assert state is not None
    np.testing.assert_array_equal(state.h, h_seq)


def test_batch_step_with_per_stream_dt() -> None:
    m = le.CfC(2, 5, seed=1)
    x = np.arange(6, dtype=np.float32).reshape(3, 2) / 10
    dt = np.array([0.5, 1.0, 2.0], np.float32)
    y, s = m.step(x, dt)
    assert y.shape == (3, 5) and s.batch == 3
    for b in range(3):
        yb, _ = m.step(x[b], float(dt[b]))
        np.testing.assert_array_equal(y[b], yb)


def test_ncps_style_call_options() -> None:
    m = le.LTC(3, 8, return_sequences=False, seed=2)
    x = np.ones((2, 4, 3), np.float32)
    y, h = m(x)
    assert y.shape == (2, 8) and h.shape == (2, 8)
    y2, _ = m(x[0])  # batchless (T, F)
    np.testing.assert_array_equal(y2, y[0])
    tm = le.LTC(3, 8, batch_first=False, seed=2)
    yt, _ = tm(np.ascontiguousarray(x.transpose(1, 0, 2)))
    assert yt.shape == (4, 2, 8)
    y3, h3 = m(x, h0=h)  # continue from a state
    assert not np.array_equal(y3, y)


def test_save_load_roundtrip(tmp_path: Path) -> None:
    m = le.CfC(4, le.NCP(3, 3, 2, 2, 2, 1, 2), mode="no_gate", seed=3)
    m.set_metadata("note", "hello")
    path = tmp_path / "m.lln"
    m.save(path)
    m2 = le.Model.load(path)
    np.testing.assert_array_equal(m.parameters(), m2.parameters())
    assert m2.metadata["note"] == "hello" and m2.config == m.config
    assert le.Model.from_bytes(m.to_bytes()).config == m.config


def test_state_dict_roundtrip() -> None:
    m = small_ltc()
    sd = m.state_dict()
    assert "rnn_cell.w" in sd and sd["rnn_cell.w"].shape == (10, 10)
    sd["rnn_cell.gleak"] = sd["rnn_cell.gleak"] + 0.5
    m.load_state_dict({"rnn_cell.gleak": sd["rnn_cell.gleak"]})
    np.testing.assert_array_equal(m.state_dict()["rnn_cell.gleak"], sd["rnn_cell.gleak"])


def test_bad_input_raises_clear_errors(tmp_path: Path) -> None:
    m = small_ltc()
    x = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="dtype int64"):
        m.step(np.zeros(3, np.int64))
    with pytest.raises(TypeError, match="numpy.ndarray"):
        m.step([0.0, 0.0, 0.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):
        m.step(np.zeros(4, np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        m.step(np.zeros((3, 2), np.float32)[:, 0])
    with pytest.raises(le.TimeStepError, match="finite"):
        m.step(x, float("nan"))
    with pytest.raises(le.TimeStepError):
        m.step(x, -1.0)
    with pytest.raises(le.RangeError):
        m.step(np.array([np.nan, 0, 0], np.float32))
    _, s32 = m.step(x)
    with pytest.raises(ValueError, match="float32"):
        m.step(x.astype(np.float64), 1.0, s32)
    with pytest.raises(ValueError, match="another model"):
        small_ltc().step(x, 1.0, s32)
    bad_ts = np.ones((2, 3), np.float32)
    bad_ts[1, 2] = np.nan
    with pytest.raises(le.TimeStepError):
        m(np.zeros((2, 3, 3), np.float32), timespans=bad_ts)
    with pytest.raises(le.RangeError):
        m(np.full((2, 3, 3), np.inf))
    with pytest.raises(le.Error):
        le.train(m, np.zeros((4, 3, 3)), np.zeros((4, 3, 2)), bad_ts.repeat(2, axis=0), epochs=1)
    with pytest.raises(ValueError, match="timespans"):
        m(np.zeros((2, 3, 3), np.float32), timespans=np.ones((2, 4), np.float32))
    with pytest.raises(TypeError, match="float64"):
        m(np.zeros((2, 3, 3), np.float32), timespans=np.ones((2, 3)))
    bogus = tmp_path / "not_a_model.lln"
    bogus.write_bytes(b"hello, this is not a model" * 10)
    with pytest.raises(le.FormatError, match="not_a_model.lln"):
        le.Model.load(bogus)
    with pytest.raises(le.IOFailure):
        le.Model.load(tmp_path / "missing.lln")
    with pytest.raises(le.Error):
        le.from_ncps(bogus)
    with pytest.raises(le.ConfigError):
        le.LTC(3, le.AutoNCP(4, 3))
    with pytest.raises(le.Error, match="mode"):
        le.CfC(3, 4, mode="warp")
    with pytest.raises(KeyError, match="no tensor"):
        m.load_state_dict({"nope": np.zeros(1)})
    with pytest.raises(ValueError, match="values"):
        m.load_state_dict({"rnn_cell.gleak": np.zeros(3)})
    before = m.parameters()
    p = before.copy()
    p[0] = np.inf
    with pytest.raises(le.Error):
        m.set_parameters(p)
    np.testing.assert_array_equal(m.parameters(), before)


def test_sequences_release_the_gil() -> None:
    """Two threads run long sequences at once; both give the single-thread result."""
    m = le.CfC(8, 64, seed=4)
    x = np.random.default_rng(2).normal(size=(16, 400, 8)).astype(np.float32)
    ref = m(x)[0]
    out: list[Any] = [None, None]

    def run(i: int) -> None:
        out[i] = m(x)[0]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in out:
        np.testing.assert_array_equal(o, ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sequence_threads_same_bits(dtype: Any) -> None:
    """sequence(threads=N) splits the batch across threads (lln_sequence_mt): the same bits
    as one thread for every N, including 0 (every online CPU); bad counts are refused."""
    m = small_ltc()
    rng = np.random.default_rng(6)
    x = rng.normal(size=(37, 5, 3)).astype(dtype)
    ts = rng.uniform(0.2, 1.5, size=(37, 5)).astype(dtype)
    ry, rh, rc, rs = m.sequence(x, ts, return_states=True)
    assert rc is None and rs is not None
    for n in (2, 3, 0):
        y, h, c, st = m.sequence(x, ts, return_states=True, threads=n)
        assert c is None and st is not None
        np.testing.assert_array_equal(y, ry)
        np.testing.assert_array_equal(h, rh)
        np.testing.assert_array_equal(st, rs)
    for bad in (-1, 65):
        with pytest.raises(ValueError, match="threads must be 0"):
            m.sequence(x, ts, threads=bad)


def _toy_data(n: int = 48) -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 10, 3)).astype(np.float32)
    y = np.tanh(np.cumsum(x[:, :, :2], axis=1) * 0.3).astype(np.float32)
    ts = rng.uniform(0.5, 1.5, size=(n, 10))
    return x, y, ts


def test_train_improves_and_reports_progress(tmp_path: Path) -> None:
    x, y, ts = _toy_data()
    m = small_ltc()

    def mse() -> float:  # in the data's units (evaluate() scores normalized targets)
        return float(np.mean((m(x, timespans=ts.astype(np.float32))[0] - y) ** 2))

    before = mse()
    seen: list[dict[str, Any]] = []
    r = le.train(
        m,
        x,
        y,
        ts,
        epochs=6,
        batch_size=8,
        lr=0.02,
        threads=1,
        callback=seen.append,
        checkpoint=tmp_path / "ckpt.lln",
    )
    after = mse()
    assert r.epochs_run == 6 and len(r.history) == 6 and not r.stopped
    assert any(p["event"] == "batch" for p in seen)
    assert after < before, f"training did not reduce the loss: {before} -> {after}"
    assert (tmp_path / "ckpt.lln").is_file()


def test_callback_false_stops_and_ctrl_c_keeps_checkpoint(tmp_path: Path) -> None:
    x, y, ts = _toy_data()
    m = small_ltc()
    r = le.train(
        m, x, y, epochs=50, batch_size=8, threads=1, callback=lambda p: p["event"] != "epoch"
    )
    assert r.stopped and r.epochs_run == 1
    ckpt = tmp_path / "ckpt.lln"

    def interrupt(p: dict[str, Any]) -> None:
        if p["event"] == "epoch" and p["epoch"] == 2:
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C does

    m2 = small_ltc()
    # Python's own Ctrl-C handler, as in an interactive session: a process started in the
    # background by a non-interactive shell (a CI runner) inherits SIGINT ignored, and Python
    # then leaves it ignored, so raise_signal alone would do nothing there.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            le.train(
                m2, x, y, epochs=50, batch_size=8, threads=1, callback=interrupt, checkpoint=ckpt
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert ckpt.is_file()
    kept = le.Model.load(ckpt)
    assert any(k.startswith("train.") for k in kept.metadata)
    m2.step(np.zeros(3, np.float32))  # the model is intact and usable


def test_classification_training() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 6, 2)).astype(np.float32)
    labels = np.repeat((x[:, :, 0].sum(axis=1) > 0).astype(np.int64)[:, None], 6, axis=1)
    m = le.CfC(2, 8, proj_size=2, backbone_units=8, seed=1)
    r = le.train(
        m,
        x,
        labels,
        loss="cross_entropy",
        loss_steps="last",
        epochs=8,
        batch_size=8,
        lr=0.02,
        threads=1,
        valid=0.25,
    )
    assert 0.0 <= r.valid_accuracy <= 1.0
    ev = le.evaluate(m, x, labels.astype(np.float32), loss="cross_entropy", loss_steps="last")
    assert ev["accuracy"] > 0.6, ev


def test_quantize_and_export(tmp_path: Path) -> None:
    x, _, ts = _toy_data(16)
    m = small_ltc()
    q = le.quantize(m, x, ts)
    assert q.model._m.is_quantized() and not m._m.is_quantized()
    scale = float(np.max(np.abs(m(x.astype(np.float64), timespans=ts)[0])))
    assert q.max_abs_error < 0.05 * max(scale, 1e-3), (q.max_abs_error, scale)
    assert "cortex-m4f" in le.export_targets()
    e = le.export(q.model, tmp_path / "fw", "cortex-m4f")
    assert e.weight_bytes > 0 and e.state_bytes > 0
    assert any(f.endswith(".c") for f in e.files) and any(f.endswith(".h") for f in e.files)
    with pytest.raises(le.Error):
        le.export(m, tmp_path / "fw2", "no-such-target")


def test_from_ncps_checkpoint_without_torch_object(tmp_path: Path) -> None:
    """A .pt state_dict goes through the C importer (no torch needed to read it)."""
    try:
        import torch
    except ImportError:
        loud_skip("torch not importable: cannot write a .pt file to import")
    m = le.CfC(3, 6, backbone_units=8, seed=2)
    sd = {
        k: torch.tensor(v, dtype=torch.float32)
        for k, v in m.state_dict().items()
        if not k.startswith("norm.")
    }
    pt = tmp_path / "cfc.pt"
    torch.save(sd, pt)
    m2 = le.from_ncps(pt)
    x = np.ones((1, 4, 3), np.float32)
    np.testing.assert_allclose(m2(x)[0], m(x)[0], rtol=1e-6, atol=1e-6)


def _need_cli_and_sim() -> str:
    cli = lln_cli()
    if cli is None:
        loud_skip("the lln CLI is not built (make): verify/profile untested")
    assert cli is not None
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm"):
        if shutil.which(tool) is None:
            loud_skip(f"{tool} missing (sh scripts/deps.sh sim): verify/profile untested")
    os.environ["LLN_CLI"] = cli
    return cli


def test_verify_and_profile_through_the_cli() -> None:
    _need_cli_and_sim()
    m = small_ltc()
    v = le.verify(m, "cortex-m4f", float_path=True)
    assert v.passed, v.report
    assert v.instructions_per_step and v.flash_bytes and v.ram_bytes
    p = le.profile(m, "stm32l4r5", float_path=True)
    prof = p["profiles"][0]
    assert prof["device"] == "stm32l4r5" and prof["energy_per_step_uj"] > 0
