# Toy - build, test, benchmark.
#   make            build ./toy (optimised, warnings are errors)
#   make test       run the test suite (ends with "N passed, N failed")
#   make asan       build ./toy-asan with Address/UndefinedBehaviour sanitizers and run the suite
#   make bench      time scripts/bench/ under toy, python3 and lua5.4
#   make install    install toy and its man page under PREFIX (default /usr/local)

CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra -Werror
STD     := -std=c11 -D_GNU_SOURCE
DEPS    := -MMD -MP
LDLIBS  := -pthread -lm
PREFIX  ?= /usr/local

SRCS    := $(wildcard interp/*.c runtime/*.c)
LIBS    := $(wildcard lib/*.toy)
GEN     := build/gen/frozen_modules.c
OBJS    := $(SRCS:%.c=build/%.o) build/gen/frozen_modules.o
ASAN_OBJS := $(SRCS:%.c=build-asan/%.o) build-asan/gen/frozen_modules.o
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all test asan bench bench-deps install clean

all: toy

toy: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDLIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CFLAGS) -pthread $(DEPS) -c $< -o $@

# Modules written in Toy (lib/*.toy) are compiled into the binary.
$(GEN): $(LIBS) tools/embed.sh
	@mkdir -p $(dir $@)
	tools/embed.sh $@ $(LIBS)

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

test: toy
	@tests/run.sh --toy ./toy

asan: toy-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh --toy ./toy-asan --timeout 60

bench: toy
	@scripts/bench/run.sh --toy ./toy

bench-deps:
	@scripts/bench/install-tools.sh

install: toy
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 toy $(DESTDIR)$(PREFIX)/bin/toy

clean:
	rm -rf build build-asan toy toy-asan

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)
