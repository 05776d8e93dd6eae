"""The liquid_edge.Error hierarchy: one class per status code of the C library.

Every exception raised from the C library carries the library's message (what is wrong and
where: file, field, line) and its status code in ``.code``.
"""

from __future__ import annotations


class Error(Exception):
    """Base class of every error the C library reports; ``code`` is its lln_status_t."""

    code: int = -1


class ArgumentError(Error, ValueError):
    """An argument the library rejected (LLN_E_ARG)."""


class IOFailure(Error, OSError):
    """A file could not be read or written (LLN_E_IO)."""


class FormatError(Error, ValueError):
    """A malformed file: not a model, a damaged checkpoint, bad CSV (LLN_E_FORMAT)."""


class VersionError(FormatError):
    """A model file of an unsupported major version (LLN_E_VERSION)."""


class ChecksumError(FormatError):
    """A file whose checksum does not match its bytes (LLN_E_CHECKSUM)."""


class ConfigError(Error, ValueError):
    """An invalid model or training configuration (LLN_E_CONFIG)."""


class ShapeError(Error, ValueError):
    """Tensor or data shapes that do not fit the model (LLN_E_SHAPE)."""


class TimeStepError(Error, ValueError):
    """An elapsed time that is not finite or below 1e-20 (LLN_E_DT)."""


class NotFoundError(Error, LookupError):
    """A named item (column, tensor, device) does not exist (LLN_E_NOTFOUND)."""


class UnsupportedError(Error):
    """A feature the library does not support for this model (LLN_E_UNSUPPORTED)."""


class RangeError(Error, ValueError):
    """A value out of range, e.g. NaN or infinite data (LLN_E_RANGE)."""


class ToolError(Error):
    """The `lln` command-line tool failed or is missing (verify, profile, compare)."""


BY_CODE: dict[int, type[Error]] = {
    1: ArgumentError,
    2: Error,  # LLN_E_NOMEM: MemoryError is raised by the binding itself where it allocates
    3: IOFailure,
    4: FormatError,
    5: VersionError,
    6: ChecksumError,
    7: ConfigError,
    8: ShapeError,
    9: TimeStepError,
    10: NotFoundError,
    11: UnsupportedError,
    12: RangeError,
}
