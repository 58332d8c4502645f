/* objhooks.c - the byte of rarely-set allocation hooks (objhooks.h). */
#include "core/objhooks.h"

unsigned char object_hooks;
