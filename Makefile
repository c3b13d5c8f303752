# The two commands of the README are `make demo` and `make test`; every target installs missing
# Debian packages first, so a fresh Debian 12 machine needs nothing done by hand.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps configure build test demo asan valgrind clean bench bench-report fuzz-targets libfuzz

deps:
	@bash scripts/install_deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/bin/zsim

# The benchmarks of bench/: a quick report of one run (under a minute) in $(BUILD_DIR)/bench-report/.
bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# The full run (about 10 minutes) that writes the reference report, reports/ (reports/README.md).
bench-report: build
	@$(BUILD_DIR)/bin/zsim bench --out reports

# The sanitizer build of CI, in its own folder.
asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DZSIM_SANITIZE=ON -DZSIM_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@ctest --test-dir build-asan --output-on-failure -j$(JOBS)

# The scenario library and the unit test binaries under valgrind memcheck (scripts/valgrind.sh), on
# the optimised build: every memcheck error and every definite or indirect leak fails it.
valgrind: build
	@bash scripts/valgrind.sh $(BUILD_DIR)

# The libFuzzer targets of fuzz/, built by clang++ with ASan + UBSan in their own folder (the gcc
# builds above never see them). `make libfuzz FUZZ_SECONDS=300` runs each for that long.
FUZZ_SECONDS ?= 60
fuzz-targets: deps
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DZSIM_LIBFUZZER=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz --target fuzz_targets -j$(JOBS)

libfuzz: fuzz-targets
	@bash scripts/libfuzz.sh $(FUZZ_SECONDS)

clean:
	@rm -rf $(BUILD_DIR) build-asan build-fuzz
