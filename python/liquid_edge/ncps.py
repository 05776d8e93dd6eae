"""from_ncps: models trained with ncps (PyTorch) into liquid-edge, bit-for-bit parameters.

Reads the same state_dict checkpoints `lln import-ncps` reads (a torch.save zip), through
the C importer, so a `.pt` file needs no torch at all. A live module or a state_dict needs
torch only to write that checkpoint to a temporary file.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from . import _core
from .model import Model, PathLike


def _module_options(module: Any) -> dict[str, Any]:
    """What a state_dict does not record, read from a live ncps LTC / CfC module."""
    name = type(module).__name__
    cell = getattr(module, "rnn_cell", None)
    if name == "LTC" and cell is not None:
        return {
            "cell": "ltc",
            "implicit_param_constraints": bool(getattr(cell, "_implicit_param_constraints", True)),
            "ode_unfolds": int(getattr(cell, "_ode_unfolds", 6)),
            "epsilon": float(getattr(cell, "_epsilon", 1e-8)),
            "output_size": int(getattr(cell, "motor_size", 0)),
        }
    if name == "CfC" and cell is not None:
        wired = type(cell).__name__ == "WiredCfCCell"
        mode = getattr(cell, "mode", None) or getattr(cell._layers[0], "mode", "default")
        opts: dict[str, Any] = {"cell": "wired_cfc" if wired else "cfc", "mode": mode}
        backbone = getattr(cell, "backbone", None)
        if backbone is not None:
            kinds = {type(layer).__name__ for layer in backbone}
            for cls, act in (
                ("LeCun", "lecun_tanh"),
                ("Tanh", "tanh"),
                ("ReLU", "relu"),
                ("SiLU", "silu"),
                ("GELU", "gelu"),
            ):
                if cls in kinds:
                    opts["activation"] = act
            drops = [layer.p for layer in backbone if type(layer).__name__ == "Dropout"]
            if drops:
                opts["backbone_dropout"] = float(drops[0])
        return opts
    raise TypeError(f"from_ncps takes an ncps.torch LTC or CfC module, not {name}")


def from_ncps(
    source: Any,
    *,
    cell: str | None = None,
    implicit_param_constraints: bool = True,
    ode_unfolds: int = 6,
    epsilon: float = 1e-8,
    output_size: int = 0,
    mode: str | None = None,
    activation: str | None = None,
    backbone_dropout: float = 0.0,
) -> Model:
    """Builds a liquid-edge model from an ncps LTC / CfC.

    source: a live ``ncps.torch.LTC`` / ``CfC`` module (its options are read from it), a
    state_dict (needs torch; pass the options a state_dict does not record), or the path
    of a ``.pt`` state_dict checkpoint (no torch needed). The keyword options are those of
    ``lln import-ncps``; for a module they are taken from the module. The returned model
    copies return_sequences / batch_first from a module.
    """
    opts: dict[str, Any] = {
        "cell": cell,
        "implicit_param_constraints": implicit_param_constraints,
        "ode_unfolds": ode_unfolds,
        "epsilon": epsilon,
        "output_size": output_size,
        "mode": mode,
        "activation": activation,
        "backbone_dropout": backbone_dropout,
    }
    if isinstance(source, (str, os.PathLike)):
        return _import(os.fspath(source), opts)
    module = None
    if hasattr(source, "state_dict") and callable(source.state_dict):
        module = source
        opts.update(_module_options(source))
        state = source.state_dict()
    elif isinstance(source, dict):
        state = source
    else:
        raise TypeError("from_ncps takes an ncps module, a state_dict or a .pt path")
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("from_ncps(module or state_dict) needs torch; pass a .pt path") from exc
    with tempfile.TemporaryDirectory(prefix="liquid_edge-") as tmp:
        path = os.path.join(tmp, "model.pt")
        torch.save({k: v.detach().cpu() for k, v in state.items()}, path)
        model = _import(path, opts)
    if module is not None:
        model.return_sequences = bool(getattr(module, "return_sequences", True))
        model.batch_first = bool(getattr(module, "batch_first", True))
    return model


def _import(path: PathLike, o: dict[str, Any]) -> Model:
    return Model(
        _core.Model.import_ncps(
            os.fspath(path),
            o["cell"],
            bool(o["implicit_param_constraints"]),
            int(o["ode_unfolds"]),
            float(o["epsilon"]),
            int(o["output_size"]),
            o["mode"],
            o["activation"],
            float(o["backbone_dropout"]),
        )
    )
