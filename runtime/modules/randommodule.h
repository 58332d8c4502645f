/* randommodule.h - the _random module (the Mersenne Twister generator that
 * runtime/lib/random.toy builds the random module on). */
#ifndef TOY_RANDOMMODULE_H
#define TOY_RANDOMMODULE_H

#include "core/object.h"

extern Type random_type; /* _random.Random */

Object *random_module_init(void);

#endif
