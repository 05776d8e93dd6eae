"""Shared test helpers: where ncps (the reference) and the `lln` CLI are, loud skips."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def ncps_dir() -> Path | None:
    """The unmodified ncps source: $LLN_NCPS_DIR, else ../shared/anchors/ncps of the repo."""
    env = os.environ.get("LLN_NCPS_DIR")
    cand = Path(env) if env else REPO.parent / "shared" / "anchors" / "ncps"
    return cand if (cand / "ncps" / "torch").is_dir() else None


def loud_skip(reason: str) -> None:
    """Skips with the reason on stderr too, so a skipped parity run cannot pass unnoticed."""
    sys.stderr.write(f"\n*** SKIPPED: {reason} ***\n")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ncps() -> Any:
    """(torch, ncps.torch, ncps.wirings), or a loud skip without torch or the ncps source."""
    try:
        import torch
    except ImportError:
        loud_skip("torch is not importable (Debian: apt-get install python3-torch): no ncps parity")
    d = ncps_dir()
    if d is None:
        loud_skip("ncps source not found (set LLN_NCPS_DIR or provide ../shared/anchors/ncps)")
    sys.path.insert(0, str(d))
    import ncps.torch
    import ncps.wirings

    torch.set_num_threads(1)
    return torch, ncps.torch, ncps.wirings


def lln_cli() -> str | None:
    """The lln CLI: $LLN_CLI, PATH, or the repository's build/lln."""
    for c in (os.environ.get("LLN_CLI"), shutil.which("lln"), str(REPO / "build" / "lln")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None
