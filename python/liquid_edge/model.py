"""Models: LTC and CfC with ncps's signatures, load/save, streaming steps and batches."""

from __future__ import annotations

import os
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _core
from .wirings import FullyConnected, Wiring

Array = npt.NDArray[Any]
PathLike = Union[str, "os.PathLike[str]"]
State = _core.State


class Model:
    """A liquid-edge model: configuration, float64 master parameters and prepared kernels.

    Runs in float32 or float64, chosen by the dtype of the input arrays. Build one with
    :class:`LTC`, :class:`CfC`, :meth:`Model.load` or :func:`liquid_edge.from_ncps`.
    """

    return_sequences: bool = True
    batch_first: bool = True

    def __init__(self, core: _core.Model) -> None:
        self._m = core
        # The streaming step is the C method itself: no Python frame in the per-step path.
        self.step = core.step  # type: ignore[assignment]

    # ---- files -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: PathLike) -> Model:
        """Loads a `.lln` model file; FormatError (or a subclass) names what is wrong."""
        return Model(_core.Model.load(os.fspath(path)))

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "<bytes>") -> Model:
        """Loads a model from the bytes of a `.lln` file."""
        return Model(_core.Model.from_bytes(data, name))

    def save(self, path: PathLike) -> None:
        """Writes the model to path atomically (temporary file, fsync, rename)."""
        self._m.save(os.fspath(path))

    def to_bytes(self) -> bytes:
        """The bytes :meth:`save` writes."""
        return self._m.to_bytes()

    def copy(self) -> Model:
        """An independent copy (same parameters, metadata, configuration and call options)."""
        twin = Model.from_bytes(self.to_bytes())
        twin.return_sequences = self.return_sequences
        twin.batch_first = self.batch_first
        return twin

    # ---- structure -----------------------------------------------------------------------
    @property
    def input_size(self) -> int:
        """I: values per input row."""
        return self._m.sizes()[0]

    @property
    def output_size(self) -> int:
        """O: values per output row."""
        return self._m.sizes()[1]

    @property
    def state_size(self) -> int:
        """N: size of the hidden state."""
        return self._m.sizes()[2]

    @property
    def memory_size(self) -> int:
        """Size of the LSTM memory (mixed memory), else 0."""
        return self._m.sizes()[3]

    @property
    def config(self) -> dict[str, str]:
        """The configuration as the key/value pairs of the model file."""
        return self._m.config()

    @property
    def metadata(self) -> dict[str, str]:
        """Free-form metadata stored in the model file."""
        return self._m.meta()

    def set_metadata(self, key: str, value: str) -> None:
        """Sets one metadata entry."""
        self._m.set_meta(key, value)

    def stats(self) -> dict[str, int]:
        """Structural counts: params, synapses, macs, transcendentals, weight bytes."""
        return self._m.stats()

    def state_dict(self) -> dict[str, Array]:
        """Every parameter tensor (ncps's state_dict keys, plus norm.*) as float64 copies."""
        return {name: self._m.get_tensor(name) for name, _, _ in self._m.tensors()}

    def load_state_dict(self, tensors: dict[str, Any]) -> None:
        """Copies tensors in by name (every name must exist; shapes must match)."""
        for name, value in tensors.items():
            self._m.set_tensor(name, np.asarray(value, dtype=np.float64))

    def parameters(self) -> Array:
        """The float64 master parameter vector (a copy)."""
        return self._m.get_params()

    def set_parameters(self, values: Array) -> None:
        """Replaces the parameter vector; a rejected vector leaves the model unchanged."""
        self._m.set_params(values)

    # ---- running -------------------------------------------------------------------------
    def new_state(self, batch: int = 1, dtype: Any = np.float32) -> State:
        """A zero state for `batch` streams in dtype (float32 or float64)."""
        x = np.zeros((batch, self.input_size), dtype=dtype)
        state: State = self._m.step(x, 1.0, None)[1]
        state.reset()
        return state

    def step(self, x: Array, dt: Any = 1.0, state: Any = None) -> tuple[Array, State]:
        """One streaming step: x (I,) or (batch, I), float32 or float64, C-contiguous; dt a
        number or one per stream. state: None (zeros), a State (updated in place and
        returned) or an ncps-style hidden state array. Returns (y, state)."""
        return self._m.step(x, dt, state)

    def __call__(
        self,
        x: Array,
        hx: Any = None,
        timespans: Array | None = None,
        *,
        h0: Any = None,
    ) -> tuple[Array, Any]:
        """Runs sequences like ncps's wrappers: x (B, T, F) when batch_first (else (T, B, F)),
        or (T, F) without a batch; timespans (B, T) elapsed times (None: 1.0). hx / h0: the
        initial state (B, N), or (h, c) with mixed memory. Returns (readout, final state)."""
        if h0 is not None:
            hx = h0
        x = np.asarray(x)
        batchless = x.ndim == 2
        if batchless:
            x = x[None]
            if timespans is not None:
                timespans = np.asarray(timespans)[None]
        elif not self.batch_first:
            x = np.ascontiguousarray(x.transpose(1, 0, 2))
            if timespans is not None:
                timespans = np.ascontiguousarray(np.asarray(timespans).T)
        if x.ndim != 3:
            raise ValueError(f"x must have 2 or 3 dimensions, it has {x.ndim}")
        h, c = (hx if isinstance(hx, tuple) else (hx, None)) if hx is not None else (None, None)
        if h is not None and batchless and np.ndim(h) == 1:
            h = np.asarray(h)[None]
        if c is not None and batchless and np.ndim(c) == 1:
            c = np.asarray(c)[None]
        y, h_t, c_t, _ = self._m.sequence(x, timespans, h, c)
        if not self.return_sequences:
            y = y[:, -1]
        elif not batchless and not self.batch_first:
            y = y.transpose(1, 0, 2)
        if batchless:
            y, h_t = y[0], h_t[0]
            c_t = c_t[0] if c_t is not None else None
        return y, ((h_t, c_t) if c_t is not None else h_t)

    def sequence(
        self,
        x: Array,
        timespans: Array | None = None,
        h0: Array | None = None,
        c0: Array | None = None,
        return_states: bool = False,
        threads: int = 1,
    ) -> tuple[Array, Array, Array | None, Array | None]:
        """The C API's lln_sequence on (B, T, I): returns (y (B,T,O), h_T, c_T or None,
        every hidden state (B,T,N) when return_states else None). The GIL is released.
        threads > 1 splits the batch across that many threads (lln_sequence_mt; 0: one per
        online CPU); the results are the same bits for any thread count."""
        return self._m.sequence(x, timespans, h0, c0, return_states, threads)

    def __repr__(self) -> str:
        cfg = self.config
        return (
            f"<liquid_edge.Model {cfg.get('cell', '?')} inputs={self.input_size} "
            f"units={self.state_size} outputs={self.output_size}>"
        )


def _create(cell: str, items: list[tuple[str, str]], seed: int) -> _core.Model:
    return _core.Model.create(cell, items, int(seed))


class LTC(Model):
    """ncps.torch.LTC(input_size, units, return_sequences=True, batch_first=True,
    mixed_memory=False, input_mapping="affine", output_mapping="affine", ode_unfolds=6,
    epsilon=1e-8, implicit_param_constraints=True). units: a number (a FullyConnected wiring,
    as ncps) or a Wiring. seed: the parameter initialisation (ncps's distributions).
    readout: "motor" (ncps: the output map of the wiring's motor neurons) or "dense" (a
    layer y = W v + b over all units, as the LTC paper's TensorFlow code; it has proj_size
    outputs, by default the wiring's motor count)."""

    def __init__(
        self,
        input_size: int,
        units: int | Wiring,
        return_sequences: bool = True,
        batch_first: bool = True,
        mixed_memory: bool = False,
        input_mapping: str = "affine",
        output_mapping: str = "affine",
        ode_unfolds: int = 6,
        epsilon: float = 1e-8,
        implicit_param_constraints: bool = True,
        *,
        readout: str = "motor",
        proj_size: int | None = None,
        seed: int = 0,
    ) -> None:
        wiring = FullyConnected(units) if isinstance(units, int) else units
        items = [("input_size", str(int(input_size)))] + wiring._items()
        items += [
            ("mixed_memory", "1" if mixed_memory else "0"),
            ("input_mapping", input_mapping),
            ("output_mapping", output_mapping),
            ("ode_unfolds", str(int(ode_unfolds))),
            ("epsilon", repr(float(epsilon))),
            ("positivity", "softplus" if implicit_param_constraints else "identity"),
            ("readout", readout),
            ("proj_size", str(0 if proj_size is None else int(proj_size))),
        ]
        super().__init__(_create("ltc", items, seed))
        self.return_sequences = return_sequences
        self.batch_first = batch_first
        self.wiring = wiring


class CfC(Model):
    """ncps.torch.CfC(input_size, units, proj_size=None, return_sequences=True,
    batch_first=True, mixed_memory=False, mode="default", activation="lecun_tanh",
    backbone_units=None, backbone_layers=None, backbone_dropout=None). units: a number (a
    dense CfC with a backbone) or a Wiring (ncps's WiredCfCCell, which has no backbone)."""

    def __init__(
        self,
        input_size: int,
        units: int | Wiring,
        proj_size: int | None = None,
        return_sequences: bool = True,
        batch_first: bool = True,
        mixed_memory: bool = False,
        mode: str = "default",
        activation: str = "lecun_tanh",
        backbone_units: int | None = None,
        backbone_layers: int | None = None,
        backbone_dropout: float | None = None,
        *,
        seed: int = 0,
    ) -> None:
        items = [("input_size", str(int(input_size)))]
        items += [("mixed_memory", "1" if mixed_memory else "0"), ("mode", mode)]
        if isinstance(units, Wiring):
            cell = "wired_cfc"
            items += units._items()
            self.wiring: Wiring | None = units
        else:
            cell = "cfc"
            self.wiring = None
            items += [
                ("units", str(int(units))),
                ("activation", activation),
                ("backbone_units", str(128 if backbone_units is None else int(backbone_units))),
                ("backbone_layers", str(1 if backbone_layers is None else int(backbone_layers))),
                ("backbone_dropout", repr(0.0 if backbone_dropout is None else backbone_dropout)),
            ]
        items.append(("proj_size", str(0 if proj_size is None else int(proj_size))))
        super().__init__(_create(cell, items, seed))
        self.return_sequences = return_sequences
        self.batch_first = batch_first
