/* lineedit.h - a small line editor for the REPL, on termios alone.
 *
 * On a terminal (stdin and stderr both terminals, TERM not "dumb") lines are
 * edited in raw mode: cursor keys, Home/End, Backspace/Delete, Ctrl-A/E/K/U/W/L,
 * history with Up/Down, Tab = four spaces. Otherwise lines are read plainly,
 * with the prompt printed and nothing else written. The terminal is in raw
 * mode only while lineedit_read is running.
 *
 * Setting TOY_LINEEDIT_TEST=COLUMNS runs the editor on stdin even when it is a
 * pipe (no termios calls, a screen COLUMNS wide), so tests can feed it keys.
 */
#ifndef TOY_LINEEDIT_H
#define TOY_LINEEDIT_H

#include <stddef.h>

/* History keeps at most this many lines, in memory and in its file. */
#define LINEEDIT_HISTORY_MAX 1000

typedef enum {
    LINEEDIT_LINE,      /* a line was accepted with Enter (or ended by EOF in plain mode) */
    LINEEDIT_EOF,       /* end of input: Ctrl-D on an empty line, or stdin closed */
    LINEEDIT_INTERRUPT  /* Ctrl-C: the line was abandoned */
} LineEditResult;

/* Decides between editing and plain reading. Call once before reading. */
void lineedit_init(void);

/* 1 if lines are edited (terminal or test mode), 0 if read plainly. */
int lineedit_is_editing(void);

/* 1 if TOY_LINEEDIT_TEST asks for the editor on piped stdin. */
int lineedit_test_mode(void);

/* Shows prompt and reads one line. On LINEEDIT_LINE, *line and *len give the
   text without its newline; the buffer belongs to the editor and stays valid
   until the next call. Writes nothing to stdout. */
LineEditResult lineedit_read(const char *prompt, const char **line, size_t *len);

/* Records a line, unless it is blank or repeats the newest entry; the oldest
   entry goes when there are LINEEDIT_HISTORY_MAX. */
void lineedit_history_add(const char *line, size_t len);

/* One line per entry. load: a missing file is not an error. save: rewrites
   the file (mode 0600). Both return 0, or -1 if the file cannot be used. */
int lineedit_history_load(const char *path);
int lineedit_history_save(const char *path);

/* Restores the terminal and frees the history and buffers. */
void lineedit_fini(void);

#endif
