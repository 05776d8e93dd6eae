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
	@sh scripts/demo.sh $(BUILD)

golden: build
	$(BUILD)/lln_golden $(DIR)

bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DLLN_NATIVE=ON >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS)
	$(BENCH_BUILD)/bench_speed

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(BENCH_BUILD)

# The whole CI pipeline with its quality-gate table (.ci/run; stages in .ci/stages/).
.PHONY: ci
ci:
	bash .ci/run
