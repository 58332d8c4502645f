/* typemethods.c - type's __subclasses__, __instancecheck__,
 * __subclasscheck__ and __prepare__ (see typemethods.h). */
#include "objects/typemethods.h"

#include <stdio.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/class.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"

/* The argument check, naming the class as CPython does ("A.__subclasses__()
   takes no arguments (1 given)"). */
static int check_args(Object *self, const char *method, size_t nargs, Object *kwnames,
                      size_t n) {
    if (kwnames == NULL && nargs == n) return 0; /* the name is for the error only */
    char qualname[160];
    snprintf(qualname, sizeof qualname, "%s.%s", type_name((Type *)self), method);
    return args_check(qualname, nargs, kwnames, n, n);
}

Object *typemethods_subclasses(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (check_args(self, "__subclasses__", nargs, kwnames, 0) < 0) return NULL;
    return class_subclasses((Type *)self);
}

Object *typemethods_instancecheck(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (check_args(self, "__instancecheck__", nargs, kwnames, 1) < 0) return NULL;
    return bool_from(is_instance_of(args[0], (Type *)self));
}

Object *typemethods_subclasscheck(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (check_args(self, "__subclasscheck__", nargs, kwnames, 1) < 0) return NULL;
    if (!is_instance_of(args[0], &type_type))
        return error_set(&exc_TypeError, "issubclass() arg 1 must be a class");
    return bool_from(type_is_subtype((Type *)args[0], (Type *)self));
}

static Object *prepare_function(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    (void)args;
    (void)nargs;
    (void)kwnames;
    return dict_new();
}

const MethodDef typemethods_prepare_def = {
    "__prepare__", prepare_function,
    "Create the namespace for the class statement"};
