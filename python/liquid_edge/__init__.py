"""liquid_edge: liquid neural networks (LTC, CfC, NCP wirings) on the liquid-edge C engine.

ncps's model and wiring constructors, numpy in and out, C speed; training, quantization,
firmware export and verification under QEMU. See docs/PYTHON.md.
"""

from __future__ import annotations

from . import _core, _errors
from ._errors import (
    ArgumentError,
    ChecksumError,
    ConfigError,
    Error,
    FormatError,
    IOFailure,
    NotFoundError,
    RangeError,
    ShapeError,
    TimeStepError,
    ToolError,
    UnsupportedError,
    VersionError,
)
from .model import CfC, LTC, Model, State
from .ncps import from_ncps
from .tools import (
    ExportResult,
    Optimizer,
    QuantizeResult,
    TrainResult,
    VerifyResult,
    compare,
    evaluate,
    export,
    export_targets,
    profile,
    quantize,
    train,
    verify,
)
from .wirings import NCP, AutoNCP, FullyConnected, Random, Wiring

_core._set_error_classes(Error, _errors.BY_CODE)

__version__: str = _core.version()

__all__ = [
    "ArgumentError",
    "AutoNCP",
    "CfC",
    "ChecksumError",
    "ConfigError",
    "Error",
    "ExportResult",
    "FormatError",
    "FullyConnected",
    "IOFailure",
    "LTC",
    "Model",
    "NCP",
    "NotFoundError",
    "Optimizer",
    "QuantizeResult",
    "Random",
    "RangeError",
    "ShapeError",
    "State",
    "TimeStepError",
    "ToolError",
    "TrainResult",
    "UnsupportedError",
    "VerifyResult",
    "VersionError",
    "Wiring",
    "compare",
    "evaluate",
    "export",
    "export_targets",
    "from_ncps",
    "profile",
    "quantize",
    "train",
    "verify",
]
