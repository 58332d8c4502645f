/* types.c - every static type of the objects layer, in the order they are
 * readied: a base type always before the types that derive from it. A new
 * built-in type must be listed here (or, for a type that belongs to a C
 * module, in module_types[] of modules/modules.c), or its methods will not be
 * found and its dict not freed. */
#include "objects/types.h"

#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/bytesio.h"
#include "objects/class.h"
#include "objects/code.h"
#include "objects/complexobject.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/exceptions.h"
#include "objects/fileobject.h"
#include "objects/float.h"
#include "objects/function.h"
#include "objects/getset.h"
#include "objects/int.h"
#include "objects/genobject.h"
#include "objects/iter.h"
#include "objects/list.h"
#include "objects/memoryview.h"
#include "objects/module.h"
#include "objects/namespace.h"
#include "objects/range.h"
#include "objects/set.h"
#include "objects/slotwrapper.h"
#include "objects/str.h"
#include "objects/stringio.h"
#include "objects/tuple.h"

#define LIST_EXC_TYPE(name, base) &exc_##name,

Type *const object_types[] = {
    &object_type, &type_type, &none_type, &notimplemented_type, &ellipsis_type,
    &int_type, &bool_type, &float_type, &complex_type,
    &str_type, &str_iter_type, &str_ascii_iter_type, &bytes_type, &bytes_iterator_type,
    &bytearray_type, &bytearray_iterator_type, &memoryview_type, &memory_iterator_type,
    &stringio_type, &bytesio_type, &bytesio_buffer_type,
    &tuple_type, &tuple_iterator_type,
    &list_type, &list_iterator_type, &list_reverseiterator_type,
    &dict_type, &dict_keys_type, &dict_values_type, &dict_items_type,
    &dict_keyiterator_type, &dict_valueiterator_type, &dict_itemiterator_type,
    &dict_reversekeyiterator_type, &dict_reversevalueiterator_type,
    &dict_reverseitemiterator_type,
    &set_type, &frozenset_type, &set_iterator_type,
    &range_type, &range_iterator_type, &longrange_iterator_type, &slice_type, &seq_iter_type,
    &enumerate_type, &zip_type, &reversed_type, &map_type, &filter_type,
    &function_type, &cell_type, &method_type, &builtin_type, &method_descr_type,
    &slotwrapper_type, &methodwrapper_type, &getset_descr_type,
    &property_type, &staticmethod_type, &classmethod_type, &member_descr_type,
    &namespace_type,
    &code_type, &module_type, &super_type, &traceback_type, &gen_type,
    &file_text_type, &file_reader_type, &file_writer_type, &file_random_type,
    EXCEPTION_TYPES(LIST_EXC_TYPE)
    NULL,
};
