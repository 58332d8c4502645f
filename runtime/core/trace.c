/* trace.c - --gil-trace: record who held the GIL when; write it as a Chrome
 * Trace Event file or draw it as a text timeline (see trace.h).
 *
 * Invariants:
 *   - A TraceThread buffer is written only by its own thread (reached through
 *     the thread-local trace_self) until the thread ends; then `finished` is
 *     set under trace.mutex and the buffer belongs to the trace. So recording
 *     takes no lock, and the writer at exit reads only finished buffers.
 *   - Every buffer is on trace.head's list (append order = track order), so
 *     a forked child can release them all.
 *   - Events of one kind on one track never overlap: a thread holds the lock
 *     (or waits for it) at most once at a time.
 *   - Nothing here touches a Toy object: the hooks run while the lock is
 *     being taken or dropped, and the writer runs at exit.
 *   - The file at the --gil-trace path is always a complete trace or left as
 *     it was: the JSON goes to a temporary file next to it, renamed over it
 *     only once fully written. A run that never reaches trace_finish (killed,
 *     os._exit, stopped by the race detector) leaves no file behind. Only a
 *     path that is not a regular file (a FIFO, /dev/stdout, a symlink) is
 *     opened and written directly.
 */
#include "core/trace.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/threadstate.h"

typedef enum {
    EV_HOLD,          /* held the GIL (GIL off: was running) from start to end */
    EV_WAIT,          /* waited for the GIL from start to end */
    EV_DROP_REQUEST,  /* instant: asked the holder to drop the lock */
    EV_FORCED_SWITCH, /* instant: dropped on request, waits for the handover */
} EventKind;

typedef struct {
    uint64_t start, end; /* CLOCK_MONOTONIC ns; end == start for instants */
    uint64_t cpu;        /* EV_HOLD: the thread's CPU time in it, ns */
    EventKind kind;
} TraceEvent;

#define NAME_SIZE sizeof(((ThreadState *)0)->name)

/* A run with a tiny switch interval can switch millions of times; past this
   many events a thread stops recording and the file says how many it lost. */
#define MAX_EVENTS_PER_THREAD ((size_t)1 << 20)

/* The waiting track of the thread with track id N has id N + this. */
#define WAIT_TRACK_OFFSET 100000

/* The text timeline: columns of time, and the width of the name column.
   Name, bars and the share column fit in about 100 characters. */
#define TIMELINE_COLUMNS 72
#define TIMELINE_NAME_WIDTH 18

typedef struct TraceThread {
    char name[NAME_SIZE];      /* the thread's name when it last took the lock */
    int track;                 /* 1 for the main thread, then in order of first use */
    bool holding;              /* inside a hold since hold_start */
    uint64_t hold_start;
    uint64_t hold_cpu_start;   /* the thread's CPU clock at hold_start */
    uint64_t wait_start;       /* after a forced switch: waiting since; 0 = not */
    TraceEvent *events;
    size_t len, cap;
    uint64_t lost;             /* events not recorded (buffer full or no memory) */
    bool finished;             /* guarded by trace.mutex */
    struct TraceThread *next;  /* guarded by trace.mutex */
} TraceThread;

bool trace_enabled;

/* The trace being recorded. Set up by trace_start before other threads exist;
   the list and the track counter are guarded by the mutex. */
static struct {
    const char *path;        /* the --gil-trace argument; "-": the text timeline */
    FILE *out;               /* a path written directly (not a regular file) */
    char tmp_path[4096];     /* otherwise: the temporary file next to path */
    pid_t pid;               /* the traced process (not a forked child) */
    uint64_t t0;             /* trace_start: time 0 of the trace */
    atomic_bool done;        /* trace_finish has run: no new buffers */
    pthread_mutex_t mutex;
    TraceThread *head, **tail;
    int next_track;
} trace = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .tail = &trace.head,
};

/* The calling thread's buffer, or NULL before its first event. */
static _Thread_local TraceThread *trace_self;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The calling thread's CPU time: how long the OS actually ran it. A thread
   that holds the GIL (or, with the lock off, is not blocked) may still be
   waiting for a core; only this clock tells the two apart. */
static uint64_t thread_cpu_ns(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void report_open_error(const char *path) {
    int err = errno;
    fprintf(stderr, "toy: can't open --gil-trace file '%s': [Errno %d] %s\n", path, err,
            strerror(err));
}

/* Set up where the JSON goes. A regular file (or a new one) is written at
   exit into a temporary file next to it: it must be possible to create that
   file now, so that a bad path is reported before the program runs. */
static int open_destination(const char *dest) {
    struct stat st;
    if (lstat(dest, &st) == 0 && !S_ISREG(st.st_mode)) {
        trace.out = fopen(dest, "w");
        if (!trace.out) report_open_error(dest);
        return trace.out ? 0 : -1;
    }
    int n = snprintf(trace.tmp_path, sizeof(trace.tmp_path), "%s.%d.tmp", dest, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof(trace.tmp_path)) {
        errno = ENAMETOOLONG;
        report_open_error(dest);
        return -1;
    }
    FILE *probe = fopen(trace.tmp_path, "w");
    if (!probe) {
        report_open_error(dest);
        return -1;
    }
    fclose(probe);
    unlink(trace.tmp_path);
    return 0;
}

int trace_start(const char *dest) {
    trace.path = dest;
    if (strcmp(dest, "-") != 0 && open_destination(dest) < 0) return -1;
    trace.pid = getpid();
    trace.t0 = now_ns();
    trace_enabled = true;
    return 0;
}

/* ---- Recording ------------------------------------------------------------- */

/* The calling thread's buffer, created (and listed) on its first event.
   NULL once the trace is written, or when memory runs out. */
static TraceThread *self_buffer(ThreadState *ts) {
    if (trace_self) return trace_self;
    if (atomic_load(&trace.done)) return NULL;
    TraceThread *t = mem_alloc(sizeof(TraceThread));
    if (!t) return NULL;
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", ts ? ts->name : "?");
    pthread_mutex_lock(&trace.mutex);
    t->track = ++trace.next_track;
    *trace.tail = t;
    trace.tail = &t->next;
    pthread_mutex_unlock(&trace.mutex);
    trace_self = t;
    return t;
}

static void record(TraceThread *t, EventKind kind, uint64_t start, uint64_t end, uint64_t cpu) {
    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        TraceEvent *grown = cap <= MAX_EVENTS_PER_THREAD
            ? mem_realloc(t->events, t->cap * sizeof(TraceEvent), cap * sizeof(TraceEvent))
            : NULL;
        if (!grown) {
            t->lost++;
            return;
        }
        t->events = grown;
        t->cap = cap;
    }
    t->events[t->len++] = (TraceEvent){start, end, cpu, kind};
}

static void end_hold(TraceThread *t, uint64_t now) {
    if (!t->holding) return;
    uint64_t cpu = thread_cpu_ns() - t->hold_cpu_start;
    record(t, EV_HOLD, t->hold_start, now, cpu < now - t->hold_start ? cpu : now - t->hold_start);
    t->holding = false;
}

void trace_gil_taken(ThreadState *ts, uint64_t asked, uint64_t now, bool waited) {
    TraceThread *t = self_buffer(ts);
    if (!t) return;
    /* The name may have changed since (only this thread writes it). */
    memcpy(t->name, ts->name, sizeof(t->name));
    t->name[sizeof(t->name) - 1] = '\0';
    if (t->wait_start) { /* the wait began at the forced switch */
        asked = t->wait_start;
        waited = true;
        t->wait_start = 0;
    }
    if (waited) record(t, EV_WAIT, asked, now, 0);
    end_hold(t, now);
    t->holding = true;
    t->hold_start = now;
    t->hold_cpu_start = thread_cpu_ns();
}

void trace_gil_dropped(uint64_t now) {
    if (trace_self) end_hold(trace_self, now);
}

void trace_gil_drop_request(ThreadState *ts, uint64_t now) {
    TraceThread *t = self_buffer(ts);
    if (t) record(t, EV_DROP_REQUEST, now, now, 0);
}

void trace_gil_forced_switch(uint64_t now) {
    TraceThread *t = trace_self;
    if (!t) return;
    record(t, EV_FORCED_SWITCH, now, now, 0);
    t->wait_start = now;
}

/* Hand the calling thread's buffer over to the trace. */
static void hand_over(uint64_t now) {
    TraceThread *t = trace_self;
    if (!t) return;
    end_hold(t, now);
    pthread_mutex_lock(&trace.mutex);
    t->finished = true;
    pthread_mutex_unlock(&trace.mutex);
    trace_self = NULL;
}

void trace_thread_exit(uint64_t now) { hand_over(now); }

static void free_buffer(TraceThread *t) {
    mem_free(t->events, t->cap * sizeof(TraceEvent));
    mem_free(t, sizeof(TraceThread));
}

void trace_after_fork_child(void) {
    /* Only this thread exists now; the other buffers belong to threads that
       are not here. The parent writes the file: drop everything. */
    trace_enabled = false;
    pthread_mutex_init(&trace.mutex, NULL);
    while (trace.head) {
        TraceThread *t = trace.head;
        trace.head = t->next;
        free_buffer(t);
    }
    trace.tail = &trace.head;
    trace_self = NULL;
    if (trace.out) fclose(trace.out); /* nothing buffered: no double write */
    trace.out = NULL;
}

/* ---- Writing: the Chrome Trace Event format ------------------------------------ */

static double us_since_start(uint64_t t) {
    return t > trace.t0 ? (double)(t - trace.t0) / 1e3 : 0.0;
}

/* The length of the valid UTF-8 sequence at s, or 0 if it is not one (a
   thread name cut short in the middle of a character, for instance). */
static int utf8_length(const unsigned char *s) {
    int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4) return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return n;
}

/* s as a JSON string: escaped, and valid UTF-8 ('?' for stray bytes). */
static void json_string(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else if (*p < 0x80) fputc(*p, f);
        else {
            int n = utf8_length(p);
            if (n == 0) fputc('?', f);
            else fwrite(p, 1, (size_t)n, f);
            p += n ? n : 1;
            continue;
        }
        p++;
    }
    fputc('"', f);
}

/* A metadata event naming or ordering track tid. */
static void json_thread_meta(FILE *f, int tid, const char *name, const char *suffix,
                             int sort_index) {
    fprintf(f, ",\n{\"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"name\": \"thread_name\", "
               "\"args\": {\"name\": ", (int)trace.pid, tid);
    char full[NAME_SIZE + 16];
    snprintf(full, sizeof(full), "%s%s", name, suffix);
    json_string(f, full);
    fprintf(f, "}},\n{\"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"name\": \"thread_sort_index\", "
               "\"args\": {\"sort_index\": %d}}", (int)trace.pid, tid, sort_index);
}

static void json_event(FILE *f, const TraceThread *t, const TraceEvent *e, bool gil_on) {
    int tid = t->track, wait_tid = t->track + WAIT_TRACK_OFFSET;
    double ts = us_since_start(e->start);
    switch (e->kind) {
    case EV_HOLD:
    case EV_WAIT: {
        bool hold = e->kind == EV_HOLD;
        const char *name = hold ? (gil_on ? "holding the GIL" : "running (no GIL)")
                                : "waiting for the GIL";
        fprintf(f, ",\n{\"ph\": \"X\", \"pid\": %d, \"tid\": %d, \"name\": \"%s\", "
                   "\"cat\": \"gil\", \"ts\": %.3f, \"dur\": %.3f",
                (int)trace.pid, hold ? tid : wait_tid, name, ts,
                us_since_start(e->end) - ts);
        if (hold) { /* how much of it the OS actually ran the thread */
            uint64_t span = e->end - e->start;
            fprintf(f, ", \"args\": {\"on_cpu_ms\": %.3f, \"on_cpu_share\": %.2f}",
                    (double)e->cpu / 1e6, span ? (double)e->cpu / (double)span : 0.0);
        }
        fputc('}', f);
        break;
    }
    case EV_DROP_REQUEST:
    case EV_FORCED_SWITCH: {
        bool request = e->kind == EV_DROP_REQUEST;
        fprintf(f, ",\n{\"ph\": \"i\", \"s\": \"t\", \"pid\": %d, \"tid\": %d, "
                   "\"name\": \"%s\", \"cat\": \"gil\", \"ts\": %.3f}",
                (int)trace.pid, request ? wait_tid : tid,
                request ? "drop request" : "forced switch", ts);
        break;
    }
    }
}

static void write_json(FILE *f, TraceThread *list, int not_shown, uint64_t lost, uint64_t end) {
    bool gil_on = gil_enabled();
    fprintf(f, "{\"traceEvents\": [\n{\"ph\": \"M\", \"pid\": %d, \"tid\": 0, "
               "\"name\": \"process_name\", \"args\": {\"name\": \"toy (pid %d)\"}}",
            (int)trace.pid, (int)trace.pid);
    for (TraceThread *t = list; t; t = t->next) {
        json_thread_meta(f, t->track, t->name, "", 2 * t->track);
        json_thread_meta(f, t->track + WAIT_TRACK_OFFSET, t->name, " (waiting)",
                         2 * t->track + 1);
    }
    if (!gil_on)
        fprintf(f, ",\n{\"ph\": \"i\", \"s\": \"g\", \"pid\": %d, \"tid\": 1, \"ts\": 0.000, "
                   "\"name\": \"--no-gil: there is no lock; tracks show when each thread "
                   "was running\"}",
                (int)trace.pid);
    for (TraceThread *t = list; t; t = t->next)
        for (size_t i = 0; i < t->len; i++) json_event(f, t, &t->events[i], gil_on);
    fprintf(f, "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"gil\": \"%s\", "
               "\"gil_policy\": \"%s\", \"switch_interval_ms\": %.3f, \"check_interval\": %lld, "
               "\"duration_ms\": %.3f, \"threads_not_shown\": %d, \"events_lost\": %llu}}\n",
            gil_on ? "on" : "off (--no-gil)", gil_on ? gil_policy_name(gil_policy()) : "none",
            gil_get_interval() * 1e3, (long long)gil_get_check_interval(),
            us_since_start(end) / 1e3, not_shown, (unsigned long long)lost);
}

/* ---- Writing: the text timeline ------------------------------------------------- */

/* Add the part of [start, end) that falls in each column to acc, times
   weight (the share of the stretch spent on a CPU, or 1). */
static void spread(double *acc, double slice, double start, double end, double weight) {
    if (end <= start) return;
    int c = (int)(start / slice);
    for (; c < TIMELINE_COLUMNS && c * slice < end; c++) {
        if (c < 0) continue;
        double lo = fmax(start, c * slice), hi = fmin(end, (c + 1) * slice);
        if (hi > lo) acc[c] += (hi - lo) * weight;
    }
}

static void format_ms(char *buf, size_t size, double ms) {
    if (ms == 0) snprintf(buf, size, "0 ms");
    else if (ms >= 100) snprintf(buf, size, "%.0f ms", ms);
    else if (ms >= 10) snprintf(buf, size, "%.1f ms", ms);
    else snprintf(buf, size, "%.2f ms", ms);
}

/* The time axis: labels at 0, 1/4, 1/2, 3/4 and the end of the run. */
static void draw_axis(FILE *f, double total_ms) {
    char line[TIMELINE_COLUMNS + 24];
    memset(line, ' ', sizeof(line));
    int last = 0; /* first free position */
    for (int q = 0; q <= 4; q++) {
        char label[32];
        format_ms(label, sizeof(label), total_ms * q / 4);
        int len = (int)strlen(label);
        int pos = q == 4 ? TIMELINE_COLUMNS + 1 - len : q * TIMELINE_COLUMNS / 4 + 1;
        if (pos < last) continue; /* would overlap its left neighbour */
        memcpy(line + pos, label, (size_t)len);
        last = pos + len + 1;
    }
    line[TIMELINE_COLUMNS + 1] = '\0';
    fprintf(f, "%-*s%s\n", TIMELINE_NAME_WIDTH, "", line);
}

/* One thread's row. A column is full ('#', or '=' with the lock off) only
   where the thread was on a CPU for most of it: holding the GIL, or not
   being blocked, does not mean the OS ran the thread. The CPU time of a
   stretch is spread evenly over it. Returns the thread's CPU time, ns. */
static double draw_row(FILE *f, const TraceThread *t, double slice, double total, bool gil_on) {
    double held[TIMELINE_COLUMNS] = {0}, on_cpu[TIMELINE_COLUMNS] = {0};
    double waited[TIMELINE_COLUMNS] = {0};
    double cpu_total = 0;
    for (size_t i = 0; i < t->len; i++) {
        const TraceEvent *e = &t->events[i];
        if (e->kind != EV_HOLD && e->kind != EV_WAIT) continue;
        double s = (double)(e->start - trace.t0), en = (double)(e->end - trace.t0);
        if (e->kind == EV_WAIT) {
            spread(waited, slice, s, en, 1.0);
            continue;
        }
        spread(held, slice, s, en, 1.0);
        if (en > s) spread(on_cpu, slice, s, en, (double)e->cpu / (en - s));
        cpu_total += (double)e->cpu;
    }
    char bar[TIMELINE_COLUMNS + 1];
    for (int c = 0; c < TIMELINE_COLUMNS; c++) {
        char mark = ' ';
        if (on_cpu[c] * 2 >= slice) mark = gil_on ? '#' : '=';
        else if (held[c] > 0) mark = gil_on ? '+' : '-';
        else if (waited[c] > 0) mark = '.';
        bar[c] = mark;
    }
    bar[TIMELINE_COLUMNS] = '\0';
    fprintf(f, "%-*.*s |%s| %3.0f%%\n", TIMELINE_NAME_WIDTH - 1, TIMELINE_NAME_WIDTH - 1,
            t->name, bar, total > 0 ? 100 * cpu_total / total : 0.0);
    return cpu_total;
}

static void draw_timeline(FILE *f, TraceThread *list, int not_shown, uint64_t lost, uint64_t end) {
    bool gil_on = gil_enabled();
    int n = 0;
    for (TraceThread *t = list; t; t = t->next) n++;
    double total = end > trace.t0 ? (double)(end - trace.t0) : 1.0;
    double slice = total / TIMELINE_COLUMNS;
    char run[32], col[32];
    format_ms(run, sizeof(run), total / 1e6);
    format_ms(col, sizeof(col), slice / 1e6);
    fflush(stdout);
    if (gil_on)
        fprintf(f, "--- GIL timeline: %d thread%s, %s, one column = %s, policy %s ---\n", n,
                n == 1 ? "" : "s", run, col, gil_policy_name(gil_policy()));
    else
        fprintf(f, "--- thread timeline (--no-gil: there is no lock): %d thread%s, %s, "
                   "one column = %s ---\n", n, n == 1 ? "" : "s", run, col);
    draw_axis(f, total / 1e6);
    double cpu = 0;
    for (TraceThread *t = list; t; t = t->next) cpu += draw_row(f, t, slice, total, gil_on);
    if (gil_on)
        fprintf(f, "%-*s# held the GIL and ran on a CPU most of the column  + held it part "
                   "of it  . waited for it\n", TIMELINE_NAME_WIDTH, "");
    else
        fprintf(f, "%-*s= ran on a CPU most of the column  - was not blocked for part of "
                   "it\n", TIMELINE_NAME_WIDTH, "");
    char cpu_ms[32];
    format_ms(cpu_ms, sizeof(cpu_ms), cpu / 1e6);
    fprintf(f, "%-*s%% = share of the run on a CPU; all threads together: %s of CPU time, "
               "%.2f cores busy on average\n", TIMELINE_NAME_WIDTH, "", cpu_ms, cpu / total);
    if (not_shown)
        fprintf(f, "%-*s(%d thread%s still running at exit not shown)\n", TIMELINE_NAME_WIDTH,
                "", not_shown, not_shown == 1 ? "" : "s");
    if (lost)
        fprintf(f, "%-*s(%llu events not recorded: buffer full)\n", TIMELINE_NAME_WIDTH, "",
                (unsigned long long)lost);
}

/* ---- Finishing ------------------------------------------------------------------- */

/* Write the JSON trace and close it; a temporary file is renamed over the
   path only when every byte of it was written, and removed otherwise. */
static int write_file(TraceThread *list, int not_shown, uint64_t lost, uint64_t end) {
    const char *target = trace.out ? trace.path : trace.tmp_path;
    FILE *f = trace.out ? trace.out : fopen(trace.tmp_path, "w");
    trace.out = NULL;
    bool ok = f != NULL;
    if (f) {
        write_json(f, list, not_shown, lost, end);
        ok = ferror(f) == 0;
        ok = fclose(f) == 0 && ok;
    }
    if (ok && target == trace.tmp_path) ok = rename(trace.tmp_path, trace.path) == 0;
    if (ok) return 0;
    fprintf(stderr, "toy: error writing --gil-trace file '%s': %s\n", trace.path,
            strerror(errno));
    if (target == trace.tmp_path) unlink(trace.tmp_path); /* never leave half a trace */
    return -1;
}

int trace_finish(void) {
    if (!trace_enabled || getpid() != trace.pid || atomic_load(&trace.done)) return 0;
    uint64_t end = now_ns();
    hand_over(end);
    atomic_store(&trace.done, true);

    /* Take the finished buffers off the list; running threads keep theirs. */
    TraceThread *list = NULL, **list_tail = &list;
    int not_shown = 0;
    uint64_t lost = 0;
    pthread_mutex_lock(&trace.mutex);
    TraceThread **p = &trace.head;
    trace.tail = &trace.head;
    while (*p) {
        TraceThread *t = *p;
        if (t->finished) {
            *p = t->next;
            t->next = NULL;
            *list_tail = t;
            list_tail = &t->next;
            lost += t->lost;
        } else {
            not_shown++;
            trace.tail = &t->next;
            p = &t->next;
        }
    }
    pthread_mutex_unlock(&trace.mutex);

    int status = 0;
    if (strcmp(trace.path, "-") == 0)
        draw_timeline(stderr, list, not_shown, lost, end);
    else
        status = write_file(list, not_shown, lost, end);
    while (list) {
        TraceThread *t = list;
        list = t->next;
        free_buffer(t);
    }
    return status;
}
