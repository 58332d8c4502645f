# Toy - build, test, benchmark.
#   make            build ./toy (optimised, warnings are errors)
#   make demo       threads, processes and the GIL measured on this machine (scripts/demo/)
#   make test       run the test suite (ends with "N passed, N failed")
#   make asan       build ./toy-asan with Address/UndefinedBehaviour sanitizers and run the suite
#   make tsan       build ./toy-tsan with ThreadSanitizer; run the threaded tests under the GIL
#                   (TSan must stay silent) and check it sees the --no-gil refcount race
#   make bench      time scripts/bench/ under toy, python3 and lua5.4
#   make install    install toy and its man page under PREFIX (default /usr/local)

CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_GNU_SOURCE -I. -Iruntime
DEPS    := -MMD -MP
LDLIBS  := -pthread -lm
PREFIX  ?= /usr/local

SRCS    := $(wildcard interp/*.c runtime/core/*.c runtime/objects/*.c runtime/modules/*.c)
LIBS    := $(wildcard runtime/lib/*.toy)
GEN     := build/gen/frozen_modules.c
OBJS    := $(SRCS:%.c=build/%.o) build/gen/frozen_modules.o
ASAN_OBJS := $(SRCS:%.c=build-asan/%.o) build-asan/gen/frozen_modules.o
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_OBJS := $(SRCS:%.c=build-tsan/%.o) build-tsan/gen/frozen_modules.o
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
# Any TSan report fails the test that caused it (exit status 66).
TSAN_OPTIONS_CI := halt_on_error=1 exitcode=66 second_deadlock_stack=1 die_after_fork=0

.PHONY: all test asan tsan bench bench-deps install clean

all: toy

toy: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) -pthread $(DEPS) -c $< -o $@

# Modules written in Toy (runtime/lib/*.toy) are compiled into the binary.
$(GEN): $(LIBS) scripts/build/embed.sh
	@mkdir -p $(dir $@)
	scripts/build/embed.sh $@ $(LIBS)

build/gen/frozen_modules.o: $(GEN)
	$(CC) $(STD) $(WARN) $(CFLAGS) -c $< -o $@

build-asan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -c $< -o $@

toy-asan: $(ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)

build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(ASAN_FLAGS) -pthread $(DEPS) -c $< -o $@

toy-tsan: $(TSAN_OBJS)
	$(CC) $(TSAN_FLAGS) -o $@ $(TSAN_OBJS) $(LDLIBS)

build-tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -pthread $(DEPS) -c $< -o $@

build-tsan/gen/frozen_modules.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(TSAN_FLAGS) -c $< -o $@

test: toy
	@tests/run.sh --toy ./toy

asan: toy-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh --toy ./toy-asan --timeout 60

# Under the GIL the threaded tests must make TSan report nothing;
# tests/race/tsan_nogil.sh checks that --no-gil makes it report the refcount race.
tsan: toy-tsan
	@TSAN_OPTIONS="$(TSAN_OPTIONS_CI)" tests/run.sh --toy ./toy-tsan --timeout 120 \
		tests/threads/ tests/native/ tests/race/ tests/processes/ tests/imports/ tests/signals/

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
	@scripts/demo/run.sh ./toy

install: toy
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 toy $(DESTDIR)$(PREFIX)/bin/toy
	install -m 644 toy.1 $(DESTDIR)$(PREFIX)/share/man/man1/toy.1

clean:
	rm -rf build build-asan build-tsan toy toy-asan toy-tsan

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(TSAN_OBJS:.o=.d)
