# Quick start: `make demo`, then `make test`.  CMake does the real work in $(BUILD).
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo test bench install clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/cli/racedemo next

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps
	@bash scripts/install-deps.sh --bench
	@bash bench/run.sh

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD)
