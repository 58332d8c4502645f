/* types.c - every static type, in the order they are readied: a base type
 * always before the types that derive from it. A new built-in type must be
 * listed here, or its methods will not be found and its dict not freed. */
#include "types.h"

#include "../interp/code.h"
#include "bytes.h"
#include "class.h"
#include "dict.h"
#include "exceptions.h"
#include "fileobject.h"
#include "float.h"
#include "function.h"
#include "int.h"
#include "iter.h"
#include "list.h"
#include "module.h"
#include "process.h"
#include "range.h"
#include "str.h"
#include "thread.h"
#include "tuple.h"

#define LIST_EXC_TYPE(name, base) &exc_##name,

Type *const static_types[] = {
    &object_type, &type_type, &none_type, &notimplemented_type, &ellipsis_type,
    &int_type, &bool_type, &float_type,
    &str_type, &str_iter_type, &str_ascii_iter_type, &bytes_type, &bytes_iterator_type,
    &tuple_type, &tuple_iterator_type,
    &list_type, &list_iterator_type, &list_reverseiterator_type,
    &dict_type, &dict_keys_type, &dict_values_type, &dict_items_type,
    &dict_keyiterator_type, &dict_valueiterator_type, &dict_itemiterator_type,
    &dict_reversekeyiterator_type, &dict_reversevalueiterator_type,
    &dict_reverseitemiterator_type,
    &range_type, &range_iterator_type, &slice_type, &seq_iter_type,
    &enumerate_type, &zip_type, &reversed_type, &map_type, &filter_type,
    &function_type, &cell_type, &method_type, &builtin_type, &method_descr_type,
    &code_type, &module_type, &super_type, &traceback_type,
    &lock_type,
    &mp_child_type, &mp_connection_type, &mp_channel_type, &mp_semlock_type,
    &file_text_type, &file_reader_type, &file_writer_type, &file_random_type,
    EXCEPTION_TYPES(LIST_EXC_TYPE)
    NULL,
};
