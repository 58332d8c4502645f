/* typestats.c - per-type object counts for --stats=types (typestats.h). */
#include "core/typestats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objhooks.h"

#define NAME_MAX_LEN 48

typedef struct {
    char name[NAME_MAX_LEN];
    const Type *last;   /* the type last seen with this name (a fast check) */
    int64_t live, peak;
} Entry;

bool typestats_on;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Entry *entries;
static size_t count, cap;

void typestats_enable(void) {
    typestats_on = true;
    object_hooks_set(OBJHOOK_TYPESTATS);
}

static Entry *entry_for(Type *type) {
    const char *name = type->name ? type->name : "?";
    for (size_t i = 0; i < count; i++)
        if (entries[i].last == type && strncmp(entries[i].name, name, NAME_MAX_LEN - 1) == 0)
            return &entries[i];
    for (size_t i = 0; i < count; i++)
        if (strncmp(entries[i].name, name, NAME_MAX_LEN - 1) == 0) {
            entries[i].last = type;
            return &entries[i];
        }
    if (!mem_grow(&entries, count, &cap, sizeof *entries, 64)) return NULL;
    Entry *e = &entries[count++];
    memset(e, 0, sizeof(*e));
    strncpy(e->name, name, NAME_MAX_LEN - 1);
    e->last = type;
    return e;
}

void typestats_alloc(Type *type) {
    pthread_mutex_lock(&lock);
    Entry *e = entry_for(type);
    if (e && ++e->live > e->peak) e->peak = e->live;
    pthread_mutex_unlock(&lock);
}

void typestats_free(Type *type) {
    pthread_mutex_lock(&lock);
    Entry *e = entry_for(type);
    if (e) e->live--;
    pthread_mutex_unlock(&lock);
}

static int by_peak(const void *a, const void *b) {
    const Entry *x = a, *y = b;
    if (x->peak != y->peak) return x->peak < y->peak ? 1 : -1;
    return strcmp(x->name, y->name);
}

void typestats_print(FILE *out) {
    pthread_mutex_lock(&lock);
    if (count) qsort(entries, count, sizeof(Entry), by_peak);
    fprintf(out, "types: %-30s %10s %10s\n", "name", "live", "peak");
    for (size_t i = 0; i < count; i++)
        fprintf(out, "       %-30s %10lld %10lld\n", entries[i].name, (long long)entries[i].live,
                (long long)entries[i].peak);
    pthread_mutex_unlock(&lock);
}
