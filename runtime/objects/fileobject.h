/* fileobject.h - file objects: open(), and sys.stdin / sys.stdout / sys.stderr.
 *
 * A file object is what Python's open() returns: text files
 * (_io.TextIOWrapper: read and write str, UTF-8 by default) and binary files
 * (_io.BufferedReader / BufferedWriter / BufferedRandom: read and write
 * bytes). Files opened by open() do their own buffering on top of the file
 * descriptor (8 KiB read and write buffers; large writes bypass the write
 * buffer). The standard streams instead go through C stdio's stdin / stdout /
 * stderr, which print(), input() and tracebacks use too, so everything a
 * program writes comes out in the order it was written, and sys.stdin shares
 * input()'s buffer.
 *
 * A file closes its descriptor when it is closed or when its last reference
 * goes (flushing first), so files are never leaked.
 */
#ifndef TOY_FILEOBJECT_H
#define TOY_FILEOBJECT_H

#include <stdio.h>

#include "core/object.h"

/* The four file types (all share one layout and one method table). */
extern Type file_text_type;    /* "_io.TextIOWrapper" */
extern Type file_reader_type;  /* "_io.BufferedReader": "rb" */
extern Type file_writer_type;  /* "_io.BufferedWriter": "wb", "ab", "xb" */
extern Type file_random_type;  /* "_io.BufferedRandom": "rb+", "wb+", ... */

bool is_file(Object *o);

/* open(file, mode='r', buffering=-1, encoding=None, errors=None,
   newline=None, closefd=True, opener=None): the built-in function. */
Object *file_open_builtin(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* A new text file object over standard stream fd (0, 1 or 2), reading or
   writing through stdio's stdin / stdout / stderr. Closing it does not close
   the descriptor. ValueError for another fd. */
Object *file_std_stream(int fd);
/* At exit, after the teardown: write out the buffered data of every file
   from open() still open (never closed, or kept by a cycle the collector
   did not free). */
void file_flush_at_exit(void);
/* In a forked child: the locks of files that the parent's other threads
   held read as free, and so does the list of open files. */
void file_after_fork_child(void);

/* print()'s output path: file.write(s) for any object, done directly for
   file objects. 0 / -1. */
int file_write_str(Object *file, Object *s);
/* file.flush() for any object, done directly for file objects. 0 / -1. */
int file_flush(Object *file);

/* getc(s) with the GIL released, for reads a Ctrl-C must interrupt
   (input(), sys.stdin): EOF also when a Ctrl-C is pending for the main
   thread, and then *interrupted is set (the caller raises with
   error_check_interrupt once it holds the GIL again). Other EINTRs are
   retried. Call between sigint_interrupt_reads(true) and (false). */
int file_stdio_getc(FILE *s, bool *interrupted);

/* A path argument as a C string: a str or bytes without NUL bytes. The
   pointer is borrowed from o. TypeError "FNAME: path should be string, bytes
   or os.PathLike, not int"; ValueError "embedded null byte". 0 / -1. */
int fspath_arg(const char *fname, Object *o, const char **out);

#endif
