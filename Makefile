# sparsefirst — the two entry points of the README:
#   make demo   install what is missing, build, run the demo tour
#   make test   install what is missing, build normal + sanitizer, run every test
# Other targets: build, bench, fuzz, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?= -Dwerror=true

.PHONY: all deps build build-asan demo test test-normal test-asan bench fuzz clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dc_args=-fno-sanitize-recover=all -Dbench=false $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

demo: build
	./$(BUILD)/examples/tour

test-normal: build
	sh tools/run-tests.sh $(BUILD) tests

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    sh tools/run-tests.sh $(ASAN_BUILD) sanitizer-tests

test: test-normal test-asan

bench: build
	sh bench/run_all.sh $(BUILD)

build-fuzz/build.ninja:
	CC=clang meson setup build-fuzz -Dfuzz=true -Dbench=false --buildtype=debug

fuzz:
	@sh tools/install-deps.sh clang libclang-rt-14-dev
	$(MAKE) build-fuzz/build.ninja
	ninja -C build-fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
