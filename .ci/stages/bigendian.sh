#!/bin/bash
# Big-endian Linux (s390x): cross build (Debian gcc-s390x-linux-gnu) whose unit tests (the
# .lln format, the .pt importer, data, model, training checkpoints) and golden parity run
# under qemu-s390x, proving the readers and writers byte-order independent. A planted
# host-order reader fails this stage: scripts/endian_demo.sh shows it.
# shellcheck source=.ci/cross.sh
. "$(dirname "$0")/../cross.sh"
ci_begin bigendian
ci_need s390x-linux-gnu-gcc gcc-s390x-linux-gnu
ci_need qemu-s390x qemu-user
ci_cross bigendian s390x-linux-gnu s390x
