"""Types of the C extension liquid_edge._core (the binding of include/lln/)."""

from typing import Any, Callable

import numpy as np
import numpy.typing as npt

_Array = npt.NDArray[Any]

class State:
    """The state of one or more streams of a model, in one precision."""

    @property
    def h(self) -> _Array: ...
    @property
    def c(self) -> _Array | None: ...
    @property
    def dtype(self) -> str: ...
    @property
    def batch(self) -> int: ...
    def reset(self) -> None: ...
    def set(self, h: _Array | None = ..., c: _Array | None = ...) -> None: ...

class Model:
    @classmethod
    def create(cls, cell: str, items: list[tuple[str, str]], seed: int) -> Model: ...
    @classmethod
    def load(cls, path: str) -> Model: ...
    @classmethod
    def from_bytes(cls, data: bytes, name: str = ...) -> Model: ...
    @classmethod
    def import_ncps(
        cls,
        path: str,
        cell: str | None,
        implicit_param_constraints: bool,
        ode_unfolds: int,
        epsilon: float,
        output_size: int,
        mode: str | None,
        activation: str | None,
        backbone_dropout: float,
    ) -> Model: ...
    def save(self, path: str) -> None: ...
    def to_bytes(self) -> bytes: ...
    def config(self) -> dict[str, str]: ...
    def tensors(self) -> list[tuple[str, tuple[int, ...], int]]: ...
    def get_tensor(self, name: str) -> _Array: ...
    def set_tensor(self, name: str, values: Any) -> None: ...
    def get_params(self) -> _Array: ...
    def set_params(self, values: Any) -> None: ...
    def meta(self) -> dict[str, str]: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def stats(self) -> dict[str, int]: ...
    def sizes(self) -> tuple[int, int, int, int]: ...
    def step(self, x: _Array, dt: Any = ..., state: Any = ...) -> tuple[_Array, State]: ...
    def sequence(
        self,
        x: _Array,
        timespans: _Array | None = ...,
        h0: _Array | None = ...,
        c0: _Array | None = ...,
        return_states: bool = ...,
        threads: int = ...,
    ) -> tuple[_Array, _Array, _Array | None, _Array | None]: ...
    def calibrate(self, x: _Array, timespans: _Array | None = ...) -> None: ...
    def is_quantized(self) -> bool: ...
    def quant_run(self, x: _Array, timespans: _Array | None = ...) -> tuple[_Array, _Array]: ...
    def export(
        self,
        out_dir: str,
        target: str,
        prefix: str,
        memory_limit_kb: int,
        float_path: bool,
        write: bool,
    ) -> dict[str, int]: ...

class Optimizer:
    def __init__(
        self,
        model: Model,
        optim: dict[str, float],
        loss: int,
        which: int,
        dtype: int,
        threads: int,
    ) -> None: ...
    def run(
        self,
        x: _Array,
        target: _Array,
        timespans: _Array | None = ...,
        mask: _Array | None = ...,
        update: bool = ...,
    ) -> dict[str, float]: ...

def version() -> str: ...
def export_targets() -> list[str]: ...
def train(
    model: Model,
    csv: bytes,
    name: str,
    features: list[str],
    targets: list[str],
    sequence: str | None,
    split: str | None,
    dt: str | None,
    labels: int,
    window: int,
    stride: int,
    valid: float,
    seed: int,
    normalize: bool,
    optim: dict[str, float],
    epochs: int,
    batch_size: int,
    threads: int,
    patience: int,
    loss: int,
    which: int,
    dtype: int,
    checkpoint: str | None,
    resume: bool,
    callback: Callable[[dict[str, Any]], Any] | None,
) -> dict[str, Any]: ...
def _set_error_classes(base: type, classes: dict[int, type]) -> None: ...
