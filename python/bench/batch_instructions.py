"""Runs one (64, 100, 8) batch of a model through liquid_edge's model(x) or through the C
API (lln_sequence via ctypes on build/liblln.so), for an instruction count under callgrind
(bench/batch_instructions.sh): a deterministic figure next to the noisy wall clock of
bench_vs_ncps.py. Usage: batch_instructions.py ltc_ncp19|cfc32 python|capi LIB"""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

import liquid_edge as le
from bench_vs_ncps import CApi


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("ltc_ncp19", "cfc32"):
        print(__doc__)
        return 2
    name, side, lib = sys.argv[1:]
    model = le.LTC(8, le.AutoNCP(19, 4), seed=1) if name == "ltc_ncp19" else le.CfC(8, 32, seed=1)
    xb = np.random.default_rng(0).normal(size=(64, 100, 8)).astype(np.float32)
    if side == "python":
        model(xb)
    elif side == "capi":
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.lln")
            model.save(path)
            capi = CApi(lib, path, 64)
        capi.run(xb, np.empty((64, 100, model.output_size), np.float32))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
