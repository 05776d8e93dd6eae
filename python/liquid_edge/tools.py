"""Training, evaluation, quantization, export, verification, profiling and comparison.

train / evaluate / quantize / export run in-process on the C API (lln/train.h, lln/quant.h,
lln/export.h) with the GIL released. verify, profile and compare need a cross compiler and
QEMU and exist only as `lln` commands: they run the `lln` CLI as a subprocess (found on
PATH or through the LLN_CLI environment variable) and read its structured output (profile
--json, compare --json; verify's report lines).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess  # nosec B404 - runs only the lln CLI with an argument list, no shell
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import _core
from ._errors import ToolError
from .model import Array, Model, PathLike

_OPTIMIZERS = {"adam": 0, "adamw": 1, "sgd": 2}
_LOSSES = {"mse": 0, "cross_entropy": 1}
_STEPS = {"every": 0, "last": 1}


def _choice(table: dict[str, int], value: str, what: str) -> int:
    if value not in table:
        raise ValueError(f"{what} must be one of {sorted(table)}, not {value!r}")
    return table[value]


def _dtype_code(dtype: Any) -> int:
    dt = np.dtype(dtype)
    if dt == np.float32:
        return 0
    if dt == np.float64:
        return 1
    raise TypeError(f"dtype must be float32 or float64, not {dt}")


class Optimizer:
    """Exact BPTT gradients and an optimizer step on batches of arrays, on the C threads.

    optimizer 'adam' (torch.optim.Adam's update), 'adamw' or 'sgd'; loss 'mse' (targets
    (B,T,O)) or 'cross_entropy' (class ids (B,T)); loss_steps 'every' or 'last' step.
    """

    def __init__(
        self,
        model: Model,
        lr: float = 1e-3,
        *,
        optimizer: str = "adam",
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        clip_norm: float = 0.0,
        loss: str = "mse",
        loss_steps: str = "every",
        dtype: Any = np.float32,
        threads: int = 1,
    ) -> None:
        settings = {
            "kind": float(_choice(_OPTIMIZERS, optimizer, "optimizer")),
            "lr": lr,
            "beta1": betas[0],
            "beta2": betas[1],
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "clip_norm": clip_norm,
        }
        self.dtype = np.dtype(dtype)
        self._o = _core.Optimizer(
            model._m,
            settings,
            _choice(_LOSSES, loss, "loss"),
            _choice(_STEPS, loss_steps, "loss_steps"),
            _dtype_code(dtype),
            int(threads),
        )

    def step(
        self, x: Array, target: Array, timespans: Array | None = None, mask: Array | None = None
    ) -> dict[str, float]:
        """Loss and gradient of one batch, then one update. Returns loss (before the update),
        accuracy (cross-entropy), grad_norm, lr and the step count."""
        return self._o.run(x, target, timespans, mask, True)

    def loss(
        self, x: Array, target: Array, timespans: Array | None = None, mask: Array | None = None
    ) -> dict[str, float]:
        """The loss (and accuracy) of one batch, without an update."""
        return self._o.run(x, target, timespans, mask, False)


def evaluate(
    model: Model,
    x: Array,
    target: Array,
    timespans: Array | None = None,
    *,
    loss: str = "mse",
    loss_steps: str = "every",
    threads: int = 1,
) -> dict[str, float]:
    """Scores model on (B,T,I) sequences: {'loss', 'accuracy' (cross-entropy, else NaN)}."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    opt = Optimizer(
        model, loss=loss, loss_steps=loss_steps, dtype=dtype, threads=threads, optimizer="sgd"
    )
    return opt.loss(x, target, timespans)


@dataclass
class TrainResult:
    """What a training run ended with (the model holds the best epoch's parameters)."""

    epochs_run: int
    steps: int
    loss: float
    valid_loss: float
    valid_accuracy: float
    best_epoch: int
    seconds: float
    stopped: bool
    history: list[dict[str, Any]] = field(default_factory=list)


def _csv_bytes(x: Array, y: Array, timespans: Array | None, classify: bool) -> bytes:
    """The arrays as the CSV text lln's data reader takes (17 significant digits: exact)."""
    b, t, i = x.shape
    cols = [f"x{k}" for k in range(i)]
    ycols = ["label"] if classify else [f"y{k}" for k in range(y.shape[2])]
    out = io.StringIO()
    out.write(",".join(["seq", "dt"] + cols + ycols) + "\n")
    dt = np.ones((b, t)) if timespans is None else np.asarray(timespans, dtype=np.float64)
    seq = np.repeat(np.arange(b), t)[:, None]
    yv = y.reshape(b * t, -1)
    rows = np.hstack([dt.reshape(-1, 1), x.reshape(b * t, i).astype(np.float64)])
    for s, r, yy in zip(seq[:, 0], rows, yv):
        parts = [str(int(s))] + [f"{v:.17g}" for v in r]
        parts += [str(int(v)) for v in yy] if classify else [f"{v:.17g}" for v in yy]
        out.write(",".join(parts) + "\n")
    return out.getvalue().encode()


def train(
    model: Model,
    x: Array,
    y: Array,
    timespans: Array | None = None,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 1e-3,
    optimizer: str = "adam",
    weight_decay: float = 0.0,
    clip_norm: float = 0.0,
    loss: str = "mse",
    loss_steps: str = "every",
    valid: float = 0.1,
    seed: int = 1,
    patience: int = 0,
    normalize: bool = True,
    dtype: Any = np.float32,
    threads: int = 0,
    checkpoint: PathLike | None = None,
    resume: bool = False,
    callback: Callable[[dict[str, Any]], Any] | None = None,
) -> TrainResult:
    """Trains model in place on sequences x (B,T,I) with targets y (B,T,O), or class ids
    (B,T) for loss='cross_entropy', with lln's trainer: shuffled mini-batches, a seeded
    validation split of `valid` of the sequences, early stopping after `patience` bad
    epochs, the best epoch kept, optional normalization fitted on the training split.

    callback(progress) is called every 10 batches and after every epoch; returning False
    stops training. Ctrl-C (KeyboardInterrupt) stops it too: the checkpoint (if any) is
    written first and the exception propagates; the model holds the best parameters.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    classify = loss == "cross_entropy"
    if x.ndim != 3 or y.ndim != (2 if classify else 3) or y.shape[:2] != x.shape[:2]:
        raise ValueError(
            f"x must be (B, T, I) and y (B, T{'' if classify else ', O'}); got {x.shape}, "
            f"{y.shape}"
        )
    data = _csv_bytes(x, y, timespans, classify)
    features = [f"x{k}" for k in range(x.shape[2])]
    targets = ["label"] if classify else [f"y{k}" for k in range(y.shape[2])]
    history: list[dict[str, Any]] = []

    def progress(p: dict[str, Any]) -> Any:
        if p["event"] == "epoch":
            history.append(p)
        return callback(p) if callback is not None else None

    optim = {
        "kind": float(_choice(_OPTIMIZERS, optimizer, "optimizer")),
        "lr": lr,
        "weight_decay": weight_decay,
        "clip_norm": clip_norm,
    }
    r = _core.train(
        model._m,
        data,
        "<arrays>",
        features,
        targets,
        "seq",
        None,
        "dt",
        1 if classify else 0,
        x.shape[1],
        x.shape[1],
        float(valid),
        int(seed),
        bool(normalize),
        optim,
        int(epochs),
        int(batch_size),
        int(threads),
        int(patience),
        _choice(_LOSSES, loss, "loss"),
        _choice(_STEPS, loss_steps, "loss_steps"),
        _dtype_code(dtype),
        None if checkpoint is None else os.fspath(checkpoint),
        bool(resume),
        progress,
    )
    return TrainResult(
        epochs_run=r["epoch"],
        steps=r["step"],
        loss=r["loss"],
        valid_loss=r["valid_loss"],
        valid_accuracy=r["valid_accuracy"],
        best_epoch=r["best_epoch"],
        seconds=r["seconds"],
        stopped=bool(r["stopped"]),
        history=history,
    )


@dataclass
class QuantizeResult:
    """A calibrated copy of a model and how far its fixed-point outputs are from float."""

    model: Model
    max_abs_error: float
    rms_error: float


def quantize(model: Model, x: Array, timespans: Array | None = None) -> QuantizeResult:
    """Calibrates a copy of model for the int8/int16 firmware runtime on representative
    sequences x (B,T,I) (raw inputs) and measures the fixed-point outputs against float64
    on the same data."""
    xq = np.ascontiguousarray(x, dtype=np.float64)
    ts = None if timespans is None else np.ascontiguousarray(timespans, dtype=np.float64)
    q = model.copy()
    q._m.calibrate(xq, ts)
    y_fixed, _ = q._m.quant_run(xq, ts)
    y_float = q.sequence(xq, ts)[0]
    err = np.asarray(y_fixed) - np.asarray(y_float)
    return QuantizeResult(q, float(np.max(np.abs(err))), float(np.sqrt(np.mean(err * err))))


@dataclass
class ExportResult:
    """Sizes (bytes) and files of a firmware export."""

    directory: str
    weight_bytes: int
    state_bytes: int
    scratch_bytes: int
    files: list[str]


def export_targets() -> list[str]:
    """The target names export() accepts."""
    return _core.export_targets()


def export(
    model: Model,
    out_dir: PathLike,
    target: str = "generic",
    *,
    prefix: str = "lln",
    memory_limit_kb: int = 0,
    float_path: bool | None = None,
) -> ExportResult:
    """Writes firmware C (model tables + runtime + build glue) into out_dir. float_path
    None: fixed point for a quantized model, float32 otherwise."""
    fp = not model._m.is_quantized() if float_path is None else float_path
    d = os.fspath(out_dir)
    s = model._m.export(d, target, prefix, int(memory_limit_kb), fp, True)
    return ExportResult(
        d, s["weight_bytes"], s["state_bytes"], s["scratch_bytes"], sorted(os.listdir(d))
    )


def _lln_cli() -> str:
    exe = os.environ.get("LLN_CLI") or shutil.which("lln")
    if not exe:
        raise ToolError(
            "the `lln` command is needed for verify/profile/compare: build it (make) and put "
            "it on PATH or set LLN_CLI"
        )
    return exe


def _run_cli(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(  # nosec B603 - fixed executable, argument list, no shell
            [_lln_cli()] + args, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"lln {args[0]} did not finish within {timeout} s") from exc


@dataclass
class VerifyResult:
    """`lln verify`: bit-exactness under QEMU, flash, RAM and instructions per step."""

    passed: bool
    target: str
    flash_bytes: int | None
    ram_bytes: int | None
    instructions_per_step: int | None
    report: str


def _with_model_file(model: Model | PathLike, tmp: str) -> str:
    if isinstance(model, Model):
        path = os.path.join(tmp, "model.lln")
        model.save(path)
        return path
    return os.fspath(model)


def verify(
    model: Model | PathLike,
    target: str = "cortex-m4f",
    *,
    steps: int = 0,
    float_path: bool = False,
    timeout: float = 600.0,
) -> VerifyResult:
    """Exports, cross-compiles and runs the model under QEMU and compares every output and
    state bit for bit with the host (the `lln verify` command). A mismatch gives
    passed=False; a missing tool or a build failure raises ToolError with lln's message."""
    with tempfile.TemporaryDirectory(prefix="liquid_edge-") as tmp:
        args = ["verify", _with_model_file(model, tmp), "--target", target]
        args += ["--steps", str(steps)] if steps else []
        args += ["--float"] if float_path else []
        r = _run_cli(args, timeout)
    text = r.stdout + r.stderr

    def num(pattern: str) -> int | None:
        m = re.search(pattern, text)
        return int(m.group(1)) if m else None

    passed = r.returncode == 0 and bool(re.search(r"^PASS$", r.stdout, re.M))
    if r.returncode != 0 and "compared" not in text:
        raise ToolError(f"lln verify failed (exit {r.returncode}): {text.strip()[-2000:]}")
    return VerifyResult(
        passed=passed,
        target=target,
        flash_bytes=num(r"flash\s+(\d+) B"),
        ram_bytes=num(r"RAM\s+.*=\s*(\d+) B"),
        instructions_per_step=num(r"instructions\s+(\d+) per step"),
        report=r.stdout,
    )


def profile(
    model: Model | PathLike,
    device: str | list[str] = "stm32l4r5",
    *,
    rate_hz: float | None = None,
    sleep: str | None = None,
    float_path: bool = False,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Energy profile on one or more devices of the database (`lln profile --json`):
    instructions under QEMU, cycles, latency, energy per step, average power, with every
    figure's source. Returns the parsed JSON."""
    devices = device if isinstance(device, str) else ",".join(device)
    with tempfile.TemporaryDirectory(prefix="liquid_edge-") as tmp:
        args = ["profile", _with_model_file(model, tmp), "--device", devices, "--json"]
        args += ["--rate", repr(rate_hz)] if rate_hz is not None else []
        args += ["--sleep", sleep] if sleep else []
        args += ["--float"] if float_path else []
        r = _run_cli(args, timeout)
    if r.returncode != 0:
        raise ToolError(f"lln profile failed (exit {r.returncode}): {r.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(r.stdout)
    return result


def compare(
    data: PathLike,
    device: str,
    out_dir: PathLike,
    *options: str,
    timeout: float = 3600.0,
) -> dict[str, Any]:
    """Liquid networks against GRU/LSTM/MLP baselines on a CSV dataset (`lln compare`);
    options are further `lln compare` flags (e.g. "--epochs", "5"). Returns compare.json."""
    out = os.fspath(out_dir)
    json_path = os.path.join(out, "compare.json")
    args = ["compare", "--data", os.fspath(data), "--device", device, "-o", out]
    args += ["--json", json_path, *options]
    r = _run_cli(args, timeout)
    if r.returncode != 0:
        raise ToolError(f"lln compare failed (exit {r.returncode}): {r.stderr.strip()[-2000:]}")
    with open(json_path, encoding="utf-8") as f:
        result: dict[str, Any] = json.load(f)
    return result
