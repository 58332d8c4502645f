/* race_ft.c - the race detector's entry points in the free-threaded build
 * (toy-ft), where nothing is left for it to catch: reference counts are
 * biased (core/biased.h), containers lock (core/objlock.h). main.c and
 * object.c call the same functions in every build; here they do nothing,
 * and race_detector_on stays false. The GIL build uses race.c.
 */
#ifdef TOY_FREE_THREADED
#include "core/race.h"

#include <stdlib.h>

bool race_detector_on;

void race_enable(void (*on_stop)(void), bool detector) { (void)on_stop; (void)detector; }
void race_dealloc(Object *o) { o->type->dealloc(o); }
void race_quarantine(Object *o, size_t size, size_t prefix) {
    (void)o; (void)size; (void)prefix;
    abort();
}
uint64_t race_anomalies(void) { return 0; }
void race_thread_release(void) {}
void race_check_all(void) {}
void race_fini(void) {}

_Noreturn void race_report(RaceKind kind, Object *o, const char *type_name,
                           const char *detail, ...) {
    (void)kind; (void)o; (void)type_name; (void)detail;
    abort();
}

_Noreturn void race_used_after_free(Object *o, const char *what) {
    (void)o; (void)what;
    abort();
}

#else
typedef int race_ft_unused_in_the_gil_build;
#endif
