/* unicodedb.h - Unicode character properties and case mappings for str.
 *
 * The data is Unicode 14.0, the version of CPython 3.11, generated into
 * unicodedb.c by scripts/build/gen_unicodedb.py from Python's own database,
 * so str's methods classify and convert every code point as python3 does.
 * ASCII callers keep their fast paths; these lookups are binary searches.
 */
#ifndef TOY_UNICODEDB_H
#define TOY_UNICODEDB_H

#include <stdint.h>

/* Properties of one code point; each flag is what the str method of the
   same name answers for the one-character string (ID_CONTINUE: may follow
   the first character of an identifier). UCD_CASED and UCD_CASE_IGNORABLE
   are Unicode's Cased and Case_Ignorable, used by title() and by lower()'s
   final-sigma rule. */
enum {
    UCD_ALPHA = 1 << 0,
    UCD_DECIMAL = 1 << 1,
    UCD_DIGIT = 1 << 2,
    UCD_NUMERIC = 1 << 3,
    UCD_LOWER = 1 << 4,
    UCD_UPPER = 1 << 5,
    UCD_TITLE = 1 << 6,       /* a titlecase letter (category Lt) */
    UCD_PRINTABLE = 1 << 7,
    UCD_CASED = 1 << 8,
    UCD_CASE_IGNORABLE = 1 << 9,
    UCD_ID_START = 1 << 10,
    UCD_ID_CONTINUE = 1 << 11,
    UCD_SPACE = 1 << 12,
};

unsigned ucd_flags(uint32_t c);

typedef enum { UCD_MAP_LOWER, UCD_MAP_UPPER, UCD_MAP_TITLE, UCD_MAP_FOLD } UcdMapping;

/* The full case mapping of c (1 to 3 code points, written to out); returns
   how many. Context-free: lower()'s final sigma is the caller's business. */
int ucd_case_map(uint32_t c, UcdMapping which, uint32_t out[3]);

/* The value of a decimal digit of any script (0..9), or -1. */
int ucd_decimal_value(uint32_t c);

#endif
