# Toy - build, test, benchmark.
#   make            build ./toy (optimised, warnings are errors) and ./toy-ft, the
#                   free-threaded interpreter (`toy --free-threaded` runs it);
#                   with gcc both are profile-guided (PGO=0: one plain build)
#   make toy-atomic build ./toy-atomic: the GIL build with atomic INCREF/DECREF
#                   (for the comparison in make bench-ft only)
#   make bench-ft   single-thread cost and 4-thread speed-up: toy, toy-atomic, toy-ft
#   make bench-scaling  1, 2, 4, ... threads and processes, up to the core count
#   make demo       threads, processes and the GIL measured on this machine (scripts/demo/)
#   make test       run the test suite (ends with "N passed, N failed")
#   make toy-immortal  ./toy-immortal: never writes immortal counts (the demo's copy-on-write part)
#   make asan       build ./toy-asan with Address/UndefinedBehaviour sanitizers and run the suite
#   make tsan       build ./toy-tsan with ThreadSanitizer; run the threaded tests under the GIL
#                   (TSan must stay silent) and check it sees the --no-gil refcount race
#   make bench      time scripts/bench/ (micro) and scripts/bench/programs/ under toy,
#                   python3 and lua5.4: times, ratios, peak memory, start-up
#   make bench-gil  the GIL's policies (--gil=ticks|modern|priority) beside CPython 3.11
#   make install    install toy and its man page under PREFIX (default /usr/local)
#   make difftest   random programs (tests/diff/) under toy and python3: same output
#   make ft-stress  random programs whose threads share every object (tests/ft/), under toy-ft
#   make fuzz       build the libFuzzer harnesses (tests/fuzz/, clang) into build-fuzz/
#                   and run each for FUZZ_SECONDS (default 60); make fuzz-smoke: 12 s each

CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_GNU_SOURCE -I. -Iruntime
DEPS    := -MMD -MP
LDLIBS  := -pthread -lm
PREFIX  ?= /usr/local

SRCS    := $(wildcard interp/*.c runtime/core/*.c runtime/objects/*.c runtime/modules/*.c)
LIBS    := $(sort $(shell find runtime/lib -name '*.toy'))
GEN     := build/gen/frozen_modules.c
OBJS    := $(SRCS:%.c=build/%.o) build/gen/frozen_modules.o
ASAN_OBJS := $(SRCS:%.c=build-asan/%.o) build-asan/gen/frozen_modules.o
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_OBJS := $(SRCS:%.c=build-tsan/%.o) build-tsan/gen/frozen_modules.o
# The free-threaded interpreter (docs/internals.md, "The free-threaded build"):
# the same sources compiled with TOY_FREE_THREADED into build-ft/.
FT_OBJS := $(SRCS:%.c=build-ft/%.o) build-ft/gen/frozen_modules.o
# The comparison build: every INCREF/DECREF an atomic read-modify-write.
ATOMIC_OBJS := $(SRCS:%.c=build-atomic/%.o) build-atomic/gen/frozen_modules.o
FT_ASAN_OBJS := $(SRCS:%.c=build-ft-asan/%.o) build-ft-asan/gen/frozen_modules.o
FT_TSAN_OBJS := $(SRCS:%.c=build-ft-tsan/%.o) build-ft-tsan/gen/frozen_modules.o
# ./toy-immortal: the same interpreter with TOY_REFCOUNT_SKIP_IMMORTAL, whose
# INCREF/DECREF never write an immortal object's count (core/refcount.h).
# Not the default (3-12% slower); the demo's copy-on-write part uses it to
# show what immortal objects save after fork (docs/internals.md).
IMMORTAL_OBJS := $(SRCS:%.c=build-immortal/%.o) build-immortal/gen/frozen_modules.o
IMMORTAL_FLAGS := $(CFLAGS) -DTOY_REFCOUNT_SKIP_IMMORTAL
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
# Any TSan report fails the test that caused it (exit status 66).
TSAN_OPTIONS_CI := halt_on_error=1 exitcode=66 second_deadlock_stack=1 die_after_fork=0

.PHONY: all test asan tsan bench bench-deps install clean FORCE

all: toy toy-ft

# The three optimised builds: ./toy (build/), ./toy-ft (build-ft/, no GIL)
# and ./toy-atomic (build-atomic/, the comparison build).
#
# The profile-guided build (docs/internals.md, "The profile-guided build").
# With PGO=1, the default with gcc, each of them is compiled twice. First
# with counters into DIR-pgogen/ (-fprofile-generate); that binary runs the
# training programs (scripts/build/pgo-train.sh: workloads and the script
# tests, not the benchmarks), which write a .gcda file of branch counts beside each
# object; the counts are copied into DIR/ and the real build reads them back
# (-fprofile-use) to lay the eval loop out for the paths programs take.
# Editing any source retrains, so a build stays consistent with its
# profile. PGO=0 compiles each once, plainly: quicker while editing, and
# what clang gets (its profiles use another format).
PGO ?= $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),0,1)
# The counters are plain additions (-fprofile-update=single). The training
# runs one thread, but for the GIL builds' threaded run, whose threads may
# count a path near a switch once or twice more or less (toy-ft's runs in
# one thread); -fprofile-correction below takes the counts as they are.
# Atomic counters (prefer-atomic) made every counted branch a locked add:
# each training took 45-60% longer (toy's 48 s against 33 s), for
# optimised binaries whose instruction counts on every benchmark were the
# same to 0.01% (scripts/bench/cachegrind.sh).
PGO_GEN := -fprofile-generate -fprofile-update=single
# Link-time optimisation goes with the profile (LTO=0 leaves it out): gcc
# then inlines across files, e.g. the dict and set probes into the eval
# loop, where the profile says the calls are hot (docs/internals.md, "The
# profile-guided build").
LTO ?= $(PGO)
LTO_FLAGS := $(if $(filter 1,$(LTO)),-flto=auto)
PGO_USE = -fprofile-use -fprofile-partial-training -fprofile-correction -Wno-missing-profile \
           $(PGO_USE_QUIET)
# The warnings gcc derives from what it inlined, which the profile decides:
# a build must not pass or fail by its training counts. The instrumented
# compile before it checks the same sources at the same -O2 with them on.
PGO_USE_QUIET := -Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread \
                 -Wno-array-bounds -Wno-maybe-uninitialized
# The training programs are workloads and script tests (none a benchmark);
# editing a test does not retrain, editing a workload or the script does.
PGO_TRAIN := scripts/build/pgo-train.sh scripts/threads/cpu_bound.toy \
             $(wildcard scripts/build/pgo/*.toy)

# $(call optimised_build,BINARY,DIR,DEFINES): the rules of one of them.
define optimised_build
$(1): $$($(2)_OBJS)
	$$(CC) $$(CFLAGS) $$(LTO_FLAGS) -o $$@ $$($(2)_OBJS) $$(LDLIBS)

$(2)/%.o: %.c $$($(2)_PROFILE) $(2)/pgo.mode
	@mkdir -p $$(dir $$@)
	$$(CC) $$(STD) $$(WARN) $$(CFLAGS) $$(LTO_FLAGS) $$($(2)_PGO) $(3) -pthread $$(DEPS) -c $$< -o $$@

# The PGO and LTO settings the objects were compiled with: rewritten (and so
# every object rebuilt) only when they change, so that `make PGO=0` after a
# profile-guided build does not call those objects up to date.
$(2)/pgo.mode: FORCE
	@mkdir -p $(2)
	@echo "$$(PGO) $$(LTO)" | cmp -s - $$@ || echo "$$(PGO) $$(LTO)" > $$@

# The frozen modules are data: no profile.
$(2)/gen/frozen_modules.o $(2)-pgogen/$(2)/gen/frozen_modules.o: $$(GEN)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(STD) $$(WARN) $$(CFLAGS) -c $$< -o $$@

# The instrumented objects are compiled inside DIR-pgogen/, which links to
# the sources, into DIR-pgogen/DIR/: gcc names a static function's profile
# after the source path and the object path, and both must read as in the
# real build for the counts to be found.
$(2)-pgogen/$(2)/%.o: %.c | $(2)-pgogen/interp $(2)-pgogen/runtime
	@mkdir -p $$(dir $$@)
	cd $(2)-pgogen && $$(CC) $$(STD) $$(WARN) $$(CFLAGS) $$(LTO_FLAGS) $$(PGO_GEN) $(3) -pthread \
		$$(DEPS) -MT $$@ -MF $$(@:$(2)-pgogen/%.o=%.d) -c $$< -o $$(@:$(2)-pgogen/%=%)

$(2)-pgogen/interp $(2)-pgogen/runtime:
	@mkdir -p $(2)-pgogen
	ln -sfn ../$$(notdir $$@) $$@

$(2)-pgogen/$(1): $$($(2)_OBJS:%=$(2)-pgogen/%)
	$$(CC) $$(CFLAGS) $$(LTO_FLAGS) $$(PGO_GEN) -o $$@ $$^ $$(LDLIBS)

# The training run; its counts replace the last ones.
$(2)/profile.stamp: $(2)-pgogen/$(1) $$(PGO_TRAIN)
	@find $(2)-pgogen -name '*.gcda' -delete
	scripts/build/pgo-train.sh $(2)-pgogen/$(1)
	@cd $(2)-pgogen/$(2) && find . -name '*.gcda' | while read -r f; do \
		mkdir -p "../../$(2)/$$$${f%/*}" && cp "$$$$f" "../../$(2)/$$$$f"; done
	@echo "$$$${PGO_TRAIN_SET:-tests}" > $$@
endef

ifeq ($(PGO),1)
build_PROFILE := build/profile.stamp
build-ft_PROFILE := build-ft/profile.stamp
build-atomic_PROFILE := build-atomic/profile.stamp
build_PGO = $(PGO_USE)
build-ft_PGO = $(PGO_USE)
build-atomic_PGO = $(PGO_USE)
endif
build_OBJS := $(OBJS)
build-ft_OBJS := $(FT_OBJS)
build-atomic_OBJS := $(ATOMIC_OBJS)
$(eval $(call optimised_build,toy,build,))
$(eval $(call optimised_build,toy-ft,build-ft,-DTOY_FREE_THREADED))
$(eval $(call optimised_build,toy-atomic,build-atomic,-DTOY_ATOMIC_REFCOUNT))

# Sanitizer builds of the free-threaded interpreter (tests/ft/ under them:
# make asan-ft, make tsan-ft).
toy-ft-asan: $(FT_ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(FT_ASAN_OBJS) $(LDLIBS)

build-ft-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -DTOY_FREE_THREADED -pthread $(DEPS) -c $< -o $@

build-ft-asan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -c $< -o $@

toy-ft-tsan: $(FT_TSAN_OBJS)
	$(CC) $(TSAN_FLAGS) -o $@ $(FT_TSAN_OBJS) $(LDLIBS)

build-ft-tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -DTOY_FREE_THREADED -pthread $(DEPS) -c $< -o $@

build-ft-tsan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -c $< -o $@

# Modules written in Toy (runtime/lib/**/*.toy) are compiled into the binary;
# a folder with an __init__.toy is a package.
$(GEN): $(LIBS) scripts/build/embed.sh
	@mkdir -p $(dir $@)
	scripts/build/embed.sh $@ runtime/lib $(LIBS)

build-asan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -c $< -o $@

toy-asan: $(ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)

build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -pthread $(DEPS) -c $< -o $@

toy-immortal: $(IMMORTAL_OBJS)
	$(CC) $(IMMORTAL_FLAGS) -o $@ $(IMMORTAL_OBJS) $(LDLIBS)

build-immortal/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(IMMORTAL_FLAGS) -pthread $(DEPS) -c $< -o $@

build-immortal/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(IMMORTAL_FLAGS) -c $< -o $@

toy-tsan: $(TSAN_OBJS)
	$(CC) $(TSAN_FLAGS) -o $@ $(TSAN_OBJS) $(LDLIBS)

build-tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -pthread $(DEPS) -c $< -o $@

build-tsan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -c $< -o $@

test: toy toy-ft toy-atomic
	@tests/run.sh --toy ./toy --all-policies

asan: toy-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh --toy ./toy-asan --timeout 120

# Under the GIL the threaded tests must make TSan report nothing;
# tests/race/tsan_nogil.sh checks that --no-gil makes it report the refcount race.
tsan: toy-tsan toy-ft-tsan
	@TSAN_OPTIONS="$(TSAN_OPTIONS_CI)" tests/run.sh --toy ./toy-tsan --timeout 120 \
		tests/threads/ tests/native/ tests/race/ tests/processes/ tests/imports/ tests/signals/ \
		tests/sockets/
	@$(MAKE) --no-print-directory tsan-ft

bench: toy
	@scripts/bench/run.sh --toy ./toy

# Threads under the GIL, --no-gil and native code: one table (scripts/bench/threads.sh).
.PHONY: bench-threads
bench-threads: toy
	@scripts/bench/threads.sh --toy ./toy

# Processes against sequential and threads: one table (scripts/bench/procs.sh).
.PHONY: bench-procs
bench-procs: toy
	@scripts/bench/procs.sh --toy ./toy

# Free-threading costs, one table (scripts/bench/ft.sh).
.PHONY: bench-ft asan-ft tsan-ft
bench-ft: toy toy-ft toy-atomic
	@scripts/bench/ft.sh

# How each way around the GIL scales with this machine's cores (scripts/bench/scaling.sh).
.PHONY: bench-scaling
bench-scaling: toy toy-ft toy-atomic
	@scripts/bench/scaling.sh

# The script tests of tests/threads/ only: its .sh tests check the GIL
# (policies, switch interval, GIL statistics), which toy-ft has not.
asan-ft: toy-ft-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh --toy ./toy-ft-asan --timeout 300 tests/ft/ $(wildcard tests/threads/*.toy)

tsan-ft: toy-ft-tsan
	@TSAN_OPTIONS="$(TSAN_OPTIONS_CI)" tests/run.sh --toy ./toy-ft-tsan --timeout 120 tests/ft/

# The GIL's three policies and CPython 3.11: one table (scripts/bench/gil.sh).
.PHONY: bench-gil
bench-gil: toy
	@scripts/bench/gil.sh --toy ./toy

bench-deps:
	@scripts/bench/install-tools.sh

# The whole story in one report, measured here (scripts/demo/run.sh; exits 0
# even when a feature is missing: the report says what was skipped).
.PHONY: demo
# It builds quietly: the compiler's lines are shown only if the build fails.
demo:
	@echo "building ./toy..."
	@mkdir -p build
	@$(MAKE) -s toy > build/demo-build.log 2>&1 || { cat build/demo-build.log; exit 1; }
	@echo "building ./toy-immortal (for the copy-on-write part)..."
	@$(MAKE) -s toy-immortal > build/demo-build.log 2>&1 || { cat build/demo-build.log; exit 1; }
	@echo "building ./toy-ft and ./toy-atomic (for the free-threading part)..."
	@$(MAKE) -s toy-ft toy-atomic > build/demo-build.log 2>&1 || { cat build/demo-build.log; exit 1; }
	@scripts/demo/run.sh ./toy

# Fuzzing (tests/fuzz/README.md): libFuzzer harnesses built with clang under
# ASan+UBSan into build-fuzz/. fuzz_compile feeds arbitrary bytes to the
# front end; fuzz_run turns bytes into a valid, bounded Toy program and runs
# it. The harnesses include interp/main.c themselves, so main.o is left out.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?=
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_OBJS    := $(filter-out build-fuzz/interp/main.o,$(SRCS:%.c=build-fuzz/%.o)) \
                build-fuzz/gen/frozen_modules.o
FUZZ_TARGETS := build-fuzz/fuzz_compile build-fuzz/fuzz_run
# FUZZ_ARGS: more libFuzzer flags (e.g. -jobs=2 -workers=2 -dict=...).
# A crash, a leak, a sanitizer report or a slow input stops the run with a
# non-zero status and leaves the input in build-fuzz/artifacts/.
FUZZ_RUN_ARGS = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ $(FUZZ_ARGS)
FUZZ_ENV      = ASAN_OPTIONS=detect_leaks=$(1):allocator_may_return_null=1 \
                UBSAN_OPTIONS=print_stacktrace=1

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-compile fuzz-run
fuzz-build: $(FUZZ_TARGETS)
# The objects are not intermediate files: keep them between runs.
.SECONDARY: $(FUZZ_OBJS)

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -pthread $(DEPS) -c $< -o $@

build-fuzz/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) -c $< -o $@

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -pthread $(DEPS) \
		-MF build-fuzz/fuzz_$*.d -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# One harness for FUZZ_SECONDS; the corpus (build-fuzz/corpus-*) grows
# from run to run.
fuzz-compile: build-fuzz/fuzz_compile
	@tests/fuzz/make_corpus.sh build-fuzz
	@mkdir -p build-fuzz/artifacts
	$(call FUZZ_ENV,1) build-fuzz/fuzz_compile $(FUZZ_RUN_ARGS) -max_len=65536 \
		build-fuzz/corpus-compile

# Programs that make reference cycles leave them to the cycle collector,
# which the harness does not run between inputs: LeakSanitizer would flag
# nearly every input, and cost most of the time.
fuzz-run: build-fuzz/fuzz_run
	@tests/fuzz/make_corpus.sh build-fuzz
	@mkdir -p build-fuzz/artifacts
	$(call FUZZ_ENV,0) build-fuzz/fuzz_run $(FUZZ_RUN_ARGS) \
		-max_len=1024 -detect_leaks=0 \
		build-fuzz/corpus-run

fuzz: fuzz-build
	@$(MAKE) --no-print-directory fuzz-compile FUZZ_SECONDS=$(FUZZ_SECONDS)
	@$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

# For CI: each harness for a fixed 12 seconds (the whole run should stay
# under 20 minutes on a 2-core machine; .ci/run logs where it goes).
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=12

# Differential testing against python3: DIFF_COUNT random programs from
# tests/diff/gen.py, from seed DIFF_FIRST (make test runs 25 of them).
DIFF_FIRST ?= 1000
DIFF_COUNT ?= 500
.PHONY: difftest
difftest: toy
	TOY=$(CURDIR)/toy DIFF_FIRST=$(DIFF_FIRST) DIFF_COUNT=$(DIFF_COUNT) bash tests/diff/differential.sh

# Stress for the free-threaded build: STRESS_COUNT random programs from
# tests/ft/stress_gen.py, from seed STRESS_FIRST, whose threads all work on
# the same objects (make test runs 6 of them): none may crash, hang or
# lose a count.
STRESS_FIRST ?= 1000
STRESS_COUNT ?= 200
.PHONY: ft-stress
ft-stress: toy-ft
	TOY=$(CURDIR)/toy-ft STRESS_FIRST=$(STRESS_FIRST) STRESS_COUNT=$(STRESS_COUNT) bash tests/ft/stress.sh

install: toy toy-ft
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 toy $(DESTDIR)$(PREFIX)/bin/toy
	install -m 755 toy-ft $(DESTDIR)$(PREFIX)/bin/toy-ft
	install -m 644 toy.1 $(DESTDIR)$(PREFIX)/share/man/man1/toy.1

clean:
	rm -rf build build-pgogen build-ft-pgogen build-atomic-pgogen build-asan build-tsan build-immortal build-fuzz toy toy-asan toy-tsan toy-immortal \
		build-ft build-atomic build-ft-asan build-ft-tsan toy-ft toy-atomic toy-ft-asan toy-ft-tsan

-include $(OBJS:.o=.d) $(OBJS:%.o=build-pgogen/%.d) $(FT_OBJS:%.o=build-ft-pgogen/%.d) \
         $(ATOMIC_OBJS:%.o=build-atomic-pgogen/%.d) $(ASAN_OBJS:.o=.d) $(TSAN_OBJS:.o=.d) $(IMMORTAL_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) \
         $(FT_OBJS:.o=.d) $(ATOMIC_OBJS:.o=.d) $(FT_ASAN_OBJS:.o=.d) $(FT_TSAN_OBJS:.o=.d) \
         $(FUZZ_TARGETS:=.d)
