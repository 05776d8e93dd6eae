# Thin wrapper over CMake: the short commands of the README.
BUILD ?= build
BENCH_BUILD ?= build-bench
JOBS ?= 2
CMAKE_FLAGS ?=
SHARED ?= $(abspath ../shared)
DIR ?= $(SHARED)/golden

.PHONY: all deps build test demo bench golden install clean

all: build

deps:
	@sh scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -DLLN_SHARED_DIR=$(SHARED) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@sh scripts/deps.sh sim || echo "(the firmware part of the demo needs them; it will say so)"
	@sh scripts/demo.sh $(BUILD)

golden: build
	$(BUILD)/lln_golden $(DIR)

# ncps (the unmodified reference library from $(SHARED)/anchors/ncps, when python3 has torch)
# and then our kernels, batched and training at BENCH_THREADS threads (0, the default: every
# online CPU; streaming always one), the same on both sides; ratios come from this run only.
# BENCH_QUICK=--quick: fewer repetitions. BENCH_RUNS=N (N > 1): the whole comparison N times,
# each run's output in $(BENCH_BUILD)/run-K.log, then the median and range of every figure over
# the runs (scripts/bench_median.py; each ratio is still measured within one run).
BENCH_THREADS ?= 0
BENCH_QUICK ?=
BENCH_RUNS ?= 1
bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DLLN_NATIVE=ON >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS)
	@case "$(BENCH_RUNS)" in ''|*[!0-9]*|0) echo "BENCH_RUNS '$(BENCH_RUNS)': a whole number >= 1" >&2; exit 2;; esac
	@if [ "$(BENCH_RUNS)" -eq 1 ]; then \
	    sh scripts/bench.sh $(BENCH_BUILD) $(SHARED)/anchors/ncps $(BENCH_THREADS) $(BENCH_QUICK); \
	else \
	    rm -f $(BENCH_BUILD)/run-*.log; logs=; \
	    for k in $$(seq $(BENCH_RUNS)); do \
	        echo "== run $$k of $(BENCH_RUNS)"; \
	        sh scripts/bench.sh $(BENCH_BUILD) $(SHARED)/anchors/ncps $(BENCH_THREADS) \
	            $(BENCH_QUICK) >$(BENCH_BUILD)/run-$$k.log 2>&1 || \
	            { tail -20 $(BENCH_BUILD)/run-$$k.log; exit 1; }; \
	        logs="$$logs $(BENCH_BUILD)/run-$$k.log"; \
	    done; \
	    python3 scripts/bench_median.py $$logs; \
	fi

# DESTDIR=DIR stages the installation under DIR (packaging); PREFIX=P installs into P.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(BENCH_BUILD)

# The whole CI pipeline with its quality-gate table (.ci/run; stages in .ci/stages/).
.PHONY: ci
ci:
	bash .ci/run

# CI metrics: the run records (build-ci/metrics/run-*.json) in the Prometheus text format.
# METRICS_ARGS: e.g. --latest, --no-timestamps, "--format openmetrics", --selftest.
.PHONY: ci-metrics
ci-metrics:
	@python3 scripts/ci_metrics.py $(METRICS_ARGS)

# Our int8 dense layer against CMSIS-NN's kernels (built from $(SHARED)/anchors/cmsis-nn, never
# copied) under the QEMU instruction counter on Cortex-M4, M7, M33 and M55: a Markdown table.
.PHONY: bench-cmsis
bench-cmsis:
	@sh scripts/deps.sh sim || echo "(bench-cmsis needs the Arm cross compiler and QEMU; it will say so)"
	bash bench/mcu/cmsis_compare.sh $(SHARED)/anchors/cmsis-nn

# The energy model against MLPerf Tiny's measured autoencoder energy ($(SHARED)/anchors/mlperf-tiny-ad):
# our int8 dense path under QEMU on the matching cores, then lln_profile_compute.
.PHONY: bench-energy
bench-energy: build
	@sh scripts/deps.sh sim || echo "(bench-energy needs the Arm cross compiler and QEMU; it will say so)"
	bash bench/mcu/mlperf_energy.sh $(BUILD) $(SHARED)/anchors/mlperf-tiny-ad

# Release artifacts in $(DIST)/: liquid-edge-X.Y.Z.tar.gz (git archive),
# liquid-edge-X.Y.Z-linux-ARCH.tar.gz (a Release build installed under PREFIX=/usr/local),
# the CycloneDX SBOM liquid-edge-X.Y.Z.cdx.json (checked) and SHA256SUMS (verified).
DIST ?= dist
DIST_BUILD ?= build-dist
.PHONY: dist
dist:
	rm -rf $(DIST_BUILD)/stage
	$(MAKE) --no-print-directory install BUILD=$(DIST_BUILD) DESTDIR=$(abspath $(DIST_BUILD))/stage \
	    PREFIX=/usr/local CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=Release >/dev/null
	sh scripts/dist.sh $(abspath $(DIST_BUILD))/stage /usr/local $(DIST)

# Re-records bench/perf-baseline.json: callgrind instruction counts of the host kernels
# (tools/lln_perfcount.c) that the CI perf stage (.ci/stages/perf.sh) compares against.
.PHONY: perf-baseline
perf-baseline:
	@CI_PERF_RECORD=1 bash .ci/stages/perf.sh

# The hardware compatibility matrix from lln verify on every emulated target.
.PHONY: hardware-doc
hardware-doc: build
	bash scripts/hardware_doc.sh $(BUILD)/lln docs/HARDWARE.md

# Closed-loop speed of lln sim (x real time): host runtimes and firmware in the loop under QEMU.
.PHONY: sim-bench
sim-bench: build
	bash scripts/sim_bench.sh $(BUILD)

# The robot tasks end to end (1-2 hours on 2 busy cores): demonstrations, LTC training, DAgger,
# quantization and the success table (expert / policy / int8 host / int8 and float32 firmware).
.PHONY: robots
robots: build
	bash scripts/robots_train.sh $(BUILD) $(BUILD)/robots

# The timing study (docs/RESULTS.md): six cells of matched size x 5 seeds on the four robot
# tasks, closed-loop success at nine deployed sensor timings (about an hour on 2 busy cores);
# resumable: a rerun skips the finished runs. TIMING_OUT: its folder; the environment of
# scripts/timing_study.sh (TASKS, CELLS, SEEDS, EPOCHS, EPISODES, JOBS) chooses a smaller one.
TIMING_OUT ?= $(BUILD)/timing
.PHONY: timing-study
timing-study: build
	bash scripts/timing_study.sh $(BUILD) $(TIMING_OUT)

# The Python package (python/, docs/PYTHON.md): sdist + wheel in python/dist/ (offline,
# Debian's build tools; after the CMake build, whose lln verify/profile use); its tests on the in-place build; the same under ASan + UBSan; the
# side-by-side benchmark with ncps (needs torch and ../shared/anchors/ncps) and the batch's
# instruction counts against the C API (callgrind).
PYTHON ?= /usr/bin/python3
.PHONY: python python-test python-asan python-bench python-gesture
python: build
	cd python && $(PYTHON) -m build --no-isolation
python-test:
	cd python && $(PYTHON) setup.py -q build_ext --inplace && $(PYTHON) -m pytest -q -rs tests
python-asan:
	bash scripts/python_asan.sh
python-bench: build
	cd python && $(PYTHON) setup.py -q build_ext --inplace && PYTHONPATH=. $(PYTHON) bench/bench_vs_ncps.py
	cd python && LLN_PYTHON=$(PYTHON) bash bench/batch_instructions.sh ../$(BUILD)/liblln.so
# ncps trained under our gesture protocol (docs/RESULTS.md): 10-30 min per seed (200 epochs)
# with torch on one thread, so niced; GESTURE_ARGS e.g. "--cell cfc --seeds 1,2 --epochs 200".
GESTURE_ARGS ?=
python-gesture:
	nice -n 19 $(PYTHON) python/bench/gesture_ncps.py --shared $(SHARED) $(GESTURE_ARGS)
# The ROS 2 node's 1 kHz soak over Cyclone DDS on loopback (tests/ros2/run.sh soak): reliable
# QoS, zero lost outputs, p50/p99/max step, overhead and end-to-end latency, then the DDS floor
# (the same traffic through a relay without the node, a one-way ping, raw UDP). SOAK_SECONDS=600.
# ros2-bench: the node's sustained step rate: 3 runs of BENCH_COUNT Imu at BENCH_HZ (or burst).
# Both on a Release build of their own (SOAK_BUILD), as docs/ROS2.md's figures.
SOAK_SECONDS ?= 600
SOAK_BUILD ?= build-soak
BENCH_COUNT ?= 60000
BENCH_HZ ?= 12000
.PHONY: soak ros2-bench soak-build
soak-build: deps
	@cmake -S . -B $(SOAK_BUILD) -DCMAKE_BUILD_TYPE=Release -DLLN_SHARED_DIR=$(SHARED) \
		$(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SOAK_BUILD) -j $(JOBS) --target lln lln_ros2 ros2_test_talker \
		ros2_test_listener ros2_test_overflow_model ros2_test_dds_ping
soak: soak-build
	bash tests/ros2/run.sh $(SOAK_BUILD) soak $(SOAK_SECONDS)
ros2-bench: soak-build
	bash tests/ros2/run.sh $(SOAK_BUILD) bench $(BENCH_COUNT) 3 $(BENCH_HZ)
