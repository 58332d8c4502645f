/* lineedit.c - the REPL's line editor: raw terminal mode through termios,
 * keys decoded from the bytes a terminal sends, one-line redraw.
 *
 * Invariants:
 *   - The line buffer always holds well-formed UTF-8: a multi-byte character
 *     is read whole before it is inserted, and stray or truncated bytes are
 *     dropped. The cursor (a byte offset) is always on a character boundary,
 *     so moving and deleting work by character and never split a sequence.
 *   - Each character counts as one column (wide characters are not measured).
 *   - The terminal is in raw mode only inside lineedit_read; every way out of
 *     it (Enter, Ctrl-C, Ctrl-D, end of input, a read error) restores the mode
 *     first, and an atexit handler covers exit() from anywhere else.
 *   - Keys are read one byte at a time with read(), never through stdio, so
 *     bytes typed ahead stay in the terminal for input() to read.
 *   - Input typed in cooked mode while a statement ran is read in cooked
 *     mode before raw mode starts (see drain_cooked), then edited as if
 *     typed at the prompt.
 *   - Drawing goes to stderr, where the plain prompts go; stdout stays the
 *     program's own.
 */
#include "interp/lineedit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/sigint.h"

/* ---- Growable byte strings ---------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
} Text;

static int text_reserve(Text *t, size_t extra) {
    if (t->len + extra <= t->cap) return 0;
    size_t ncap = t->cap ? t->cap : 64;
    while (ncap < t->len + extra) ncap *= 2;
    char *nd = mem_realloc(t->data, t->cap, ncap);
    if (!nd) return -1;
    t->data = nd;
    t->cap = ncap;
    return 0;
}

static int text_append(Text *t, const char *s, size_t n) {
    if (n == 0) return 0; /* s may be NULL then */
    if (text_reserve(t, n) < 0) return -1;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    return 0;
}

static int text_set(Text *t, const char *s, size_t n) {
    t->len = 0;
    return text_append(t, s, n);
}

static void text_free(Text *t) {
    mem_free(t->data, t->cap);
    t->data = NULL;
    t->len = t->cap = 0;
}

/* ---- State -------------------------------------------------------------------------- */

enum { MODE_PLAIN, MODE_TERMINAL, MODE_TEST };

static struct {
    int mode;
    int raw;               /* the terminal is in raw mode now */
    int atexit_done;
    struct termios saved;  /* the mode to restore */
    int test_cols;
    Text line;             /* the line being edited */
    Text stash;            /* the new line, while Up/Down show history */
    Text out;              /* one redraw, written at once */
    size_t pos;            /* cursor: byte offset into line */
    size_t scroll;         /* first character shown when the line is wider than the screen */
    size_t hist_at;        /* history entry shown; hist_count = the new line */
    const char *prompt;
    Text ahead;            /* bytes read ahead, edited before new input */
    size_t ahead_pos;
    int eof_pending;       /* end of input follows the bytes read ahead */
} ed;

static Text hist[LINEEDIT_HISTORY_MAX]; /* oldest first */
static size_t hist_count;

/* ---- Terminal mode ------------------------------------------------------------- */

static void term_restore(void) {
    if (!ed.raw) return;
    tcsetattr(STDIN_FILENO, TCSADRAIN, &ed.saved);
    ed.raw = 0;
}

/* TCSADRAIN, not TCSAFLUSH: keys typed ahead while a statement ran must
   survive the switch. */
static int term_raw(void) {
    if (ed.mode != MODE_TERMINAL) return 0;
    if (tcgetattr(STDIN_FILENO, &ed.saved) < 0) return -1;
    struct termios raw = ed.saved;
    raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_cflag |= CS8;
    /* ISIG off: Ctrl-C and Ctrl-Z arrive as bytes, not signals. */
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0) return -1;
    ed.raw = 1;
    if (!ed.atexit_done) {
        atexit(term_restore);
        ed.atexit_done = 1;
    }
    return 0;
}

static int term_cols(void) {
    if (ed.mode == MODE_TEST) return ed.test_cols;
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

static void term_write(const char *s, size_t n) {
    fflush(stderr);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

void lineedit_init(void) {
    const char *test = getenv("TOY_LINEEDIT_TEST");
    const char *term = getenv("TERM");
    if (test && atoi(test) > 0) {
        ed.mode = MODE_TEST;
        ed.test_cols = atoi(test);
    } else if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
               !(term && strcmp(term, "dumb") == 0)) {
        ed.mode = MODE_TERMINAL;
    } else {
        ed.mode = MODE_PLAIN;
    }
}

int lineedit_is_editing(void) { return ed.mode != MODE_PLAIN; }

int lineedit_test_mode(void) {
    const char *test = getenv("TOY_LINEEDIT_TEST");
    return test && atoi(test) > 0;
}

/* ---- Reading keys -------------------------------------------------------------- */

enum {
    KEY_EOF = -1,
    KEY_TEXT = 0x100, /* printable text, in the caller's buffer */
    KEY_IGNORED,
    KEY_LEFT,
    KEY_RIGHT,
    KEY_UP,
    KEY_DOWN,
    KEY_HOME,
    KEY_END,
    KEY_DELETE,
    KEY_WORD_LEFT,
    KEY_WORD_RIGHT,
};

#define KEY_CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27
#define KEY_BACKSPACE 127

/* One byte from the terminal, or -1 at end of input. Unbuffered, so that
   bytes the editor has not asked for stay in the terminal for input(). */
static int read_byte(void) {
    if (ed.ahead_pos < ed.ahead.len) return (unsigned char)ed.ahead.data[ed.ahead_pos++];
    if (ed.eof_pending) {
        ed.eof_pending = 0;
        return -1;
    }
    for (;;) {
        unsigned char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 1) return c;
        if (n < 0 && errno == EINTR) continue;
        return -1;
    }
}

static void unread_byte(int b) {
    if (ed.ahead_pos > 0) {
        ed.ahead.data[--ed.ahead_pos] = (char)b;
    } else {
        char c = (char)b;
        ed.ahead.len = ed.ahead_pos = 0;
        text_append(&ed.ahead, &c, 1);
    }
}

/* After ESC: CSI (ESC [ params final), SS3 (ESC O final), or Alt+key. */
static int key_escape(void) {
    int c = read_byte();
    if (c < 0) return KEY_EOF;
    if (c == 'b') return KEY_WORD_LEFT;
    if (c == 'f') return KEY_WORD_RIGHT;
    if (c != '[' && c != 'O') return KEY_IGNORED;
    int first = 0, params = 0, modified = 0, final;
    for (;;) {
        final = read_byte();
        if (final < 0) return KEY_EOF;
        if (final >= '0' && final <= '9' && !modified) {
            first = first * 10 + (final - '0');
            if (first > 1000) first = 1000;
            params = 1;
        } else if (final == ';') {
            modified = 1; /* ESC[1;5C: Ctrl/Alt with an arrow */
        } else if (final >= 0x40 && final <= 0x7e) {
            break;
        } else if (!(final >= '0' && final <= '9')) {
            return KEY_IGNORED;
        }
    }
    switch (final) {
    case 'A': return KEY_UP;
    case 'B': return KEY_DOWN;
    case 'C': return modified ? KEY_WORD_RIGHT : KEY_RIGHT;
    case 'D': return modified ? KEY_WORD_LEFT : KEY_LEFT;
    case 'H': return KEY_HOME;
    case 'F': return KEY_END;
    case '~':
        if (!params) return KEY_IGNORED;
        if (first == 1 || first == 7) return KEY_HOME;
        if (first == 4 || first == 8) return KEY_END;
        if (first == 3) return KEY_DELETE;
        return KEY_IGNORED;
    default: return KEY_IGNORED;
    }
}

/* One key. Printable characters (one whole UTF-8 sequence) go to text. */
static int key_read(char text[4], size_t *text_len) {
    int c = read_byte();
    if (c < 0) return KEY_EOF;
    if (c == KEY_ESC) return key_escape();
    if (c < 0x20 || c == KEY_BACKSPACE) return c;
    text[0] = (char)c;
    *text_len = 1;
    if (c < 0x80) return KEY_TEXT;
    int need = c >= 0xf5 ? -1 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1;
    if (need < 0) return KEY_IGNORED; /* stray continuation byte or invalid lead */
    for (int i = 1; i <= need; i++) {
        int b = read_byte();
        if (b < 0) return KEY_EOF;
        if ((b & 0xc0) != 0x80) {
            unread_byte(b); /* the truncated character is dropped, b is a new key */
            return KEY_IGNORED;
        }
        text[i] = (char)b;
    }
    *text_len = (size_t)need + 1;
    return KEY_TEXT;
}

/* ---- Drawing --------------------------------------------------------------------- */

static int is_continuation(char c) { return ((unsigned char)c & 0xc0) == 0x80; }

static size_t count_chars(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_continuation(s[i])) k++;
    return k;
}

/* Byte offset of the character numbered index (or len past the end). */
static size_t char_offset(const Text *t, size_t index) {
    size_t i = 0;
    for (; i < t->len; i++) {
        if (is_continuation(t->data[i])) continue;
        if (index == 0) return i;
        index--;
    }
    return t->len;
}

static void out_number(Text *o, size_t n) {
    char num[24];
    int k = snprintf(num, sizeof(num), "%zu", n);
    text_append(o, num, (size_t)k);
}

/* Redraws prompt and line on the cursor's row. A line wider than the screen
   scrolls sideways so that the cursor stays visible; the last column stays
   empty so that the terminal never wraps. */
static void redraw(void) {
    size_t cols = (size_t)term_cols();
    size_t prompt_cols = count_chars(ed.prompt, strlen(ed.prompt));
    size_t avail = cols > prompt_cols + 1 ? cols - prompt_cols - 1 : 1;
    size_t at = count_chars(ed.line.data, ed.pos);
    size_t total = count_chars(ed.line.data, ed.line.len);
    /* Keep the window full when text before it could fill it, and the
       cursor inside it. */
    if (ed.scroll > 0 && total + 1 - ed.scroll < avail)
        ed.scroll = total + 1 > avail ? total + 1 - avail : 0;
    if (at < ed.scroll) ed.scroll = at;
    if (at >= ed.scroll + avail) ed.scroll = at - avail + 1;
    size_t from = char_offset(&ed.line, ed.scroll);
    size_t to = char_offset(&ed.line, ed.scroll + avail);

    Text *o = &ed.out;
    o->len = 0;
    text_append(o, "\r", 1);
    text_append(o, ed.prompt, strlen(ed.prompt));
    text_append(o, ed.line.data + from, to - from);
    text_append(o, "\x1b[K\r", 4);
    size_t col = prompt_cols + at - ed.scroll;
    if (col > 0) {
        text_append(o, "\x1b[", 2);
        out_number(o, col);
        text_append(o, "C", 1);
    }
    term_write(o->data, o->len);
}

/* ---- Editing ------------------------------------------------------------------------ */

static size_t prev_char(size_t pos) {
    if (pos == 0) return 0;
    pos--;
    while (pos > 0 && is_continuation(ed.line.data[pos])) pos--;
    return pos;
}

static size_t next_char(size_t pos) {
    if (pos >= ed.line.len) return ed.line.len;
    pos++;
    while (pos < ed.line.len && is_continuation(ed.line.data[pos])) pos++;
    return pos;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Start of the word before pos: back over spaces, then over non-spaces. */
static size_t word_start(size_t pos) {
    while (pos > 0 && is_space(ed.line.data[pos - 1])) pos--;
    while (pos > 0 && !is_space(ed.line.data[pos - 1])) pos--;
    return pos;
}

static size_t word_end(size_t pos) {
    while (pos < ed.line.len && is_space(ed.line.data[pos])) pos++;
    while (pos < ed.line.len && !is_space(ed.line.data[pos])) pos++;
    return pos;
}

static void edit_insert(const char *s, size_t n) {
    if (text_reserve(&ed.line, n) < 0) return;
    memmove(ed.line.data + ed.pos + n, ed.line.data + ed.pos, ed.line.len - ed.pos);
    memcpy(ed.line.data + ed.pos, s, n);
    ed.line.len += n;
    ed.pos += n;
}

static void edit_delete(size_t from, size_t to) {
    memmove(ed.line.data + from, ed.line.data + to, ed.line.len - to);
    ed.line.len -= to - from;
    ed.pos = from;
}

/* Up/Down: dir -1 = older, +1 = newer. The new line is stashed on the way
   up and comes back at the bottom. */
static void edit_history(int dir) {
    if (dir < 0 && ed.hist_at == 0) return;
    if (dir > 0 && ed.hist_at >= hist_count) return;
    if (ed.hist_at == hist_count) text_set(&ed.stash, ed.line.data, ed.line.len);
    ed.hist_at = dir < 0 ? ed.hist_at - 1 : ed.hist_at + 1;
    const Text *src = ed.hist_at == hist_count ? &ed.stash : &hist[ed.hist_at];
    text_set(&ed.line, src->data, src->len);
    ed.pos = ed.line.len;
}

/* Applies one key. Returns -1 to go on editing, else the read's result. */
static int edit_key(int key, const char *text, size_t text_len) {
    switch (key) {
    case KEY_TEXT: edit_insert(text, text_len); break;
    case '\t': edit_insert("    ", 4); break;
    case '\r':
    case '\n': return LINEEDIT_LINE;
    case KEY_CTRL('c'): return LINEEDIT_INTERRUPT;
    case KEY_EOF: return ed.line.len ? LINEEDIT_LINE : LINEEDIT_EOF; /* input ended mid-line: take it */
    case KEY_CTRL('d'):
        if (ed.line.len == 0) return LINEEDIT_EOF;
        if (ed.pos < ed.line.len) edit_delete(ed.pos, next_char(ed.pos));
        break;
    case KEY_DELETE:
        if (ed.pos < ed.line.len) edit_delete(ed.pos, next_char(ed.pos));
        break;
    case KEY_BACKSPACE:
    case KEY_CTRL('h'):
        if (ed.pos > 0) edit_delete(prev_char(ed.pos), ed.pos);
        break;
    case KEY_LEFT:
    case KEY_CTRL('b'): ed.pos = prev_char(ed.pos); break;
    case KEY_RIGHT:
    case KEY_CTRL('f'): ed.pos = next_char(ed.pos); break;
    case KEY_HOME:
    case KEY_CTRL('a'): ed.pos = 0; break;
    case KEY_END:
    case KEY_CTRL('e'): ed.pos = ed.line.len; break;
    case KEY_WORD_LEFT: ed.pos = word_start(ed.pos); break;
    case KEY_WORD_RIGHT: ed.pos = word_end(ed.pos); break;
    case KEY_CTRL('k'): ed.line.len = ed.pos; break;
    case KEY_CTRL('u'): edit_delete(0, ed.pos); break;
    case KEY_CTRL('w'): edit_delete(word_start(ed.pos), ed.pos); break;
    case KEY_CTRL('l'): term_write("\x1b[H\x1b[2J", 7); break;
    case KEY_UP:
    case KEY_CTRL('p'): edit_history(-1); break;
    case KEY_DOWN:
    case KEY_CTRL('n'): edit_history(+1); break;
    default: break; /* other control keys and unknown sequences do nothing */
    }
    return -1;
}

static LineEditResult edit_line(const char *prompt) {
    ed.prompt = prompt;
    ed.line.len = 0;
    if (text_reserve(&ed.line, 1) < 0) return LINEEDIT_EOF; /* data is never NULL below */
    ed.stash.len = 0;
    ed.pos = 0;
    ed.scroll = 0;
    ed.hist_at = hist_count;
    redraw();
    for (;;) {
        char text[4];
        size_t text_len = 0;
        int key = key_read(text, &text_len);
        int result = edit_key(key, text, text_len);
        if (result == LINEEDIT_EOF) return LINEEDIT_EOF;
        if (result >= 0) {
            /* leave the whole line on screen, cursor on the next row */
            ed.pos = ed.line.len;
            redraw();
            term_write("\r\n", 2);
            return (LineEditResult)result;
        }
        redraw();
    }
}

/* As the REPL always read: prompt on stderr, a line from stdin. */
static LineEditResult plain_line(const char *prompt) {
    fputs(prompt, stderr);
    fflush(stderr);
    ed.line.len = 0;
    LineEditResult r;
    sigint_interrupt_reads(true); /* a Ctrl-C makes getc fail with EINTR */
    for (;;) {
        int c = getc(stdin);
        if (c == EOF && ferror(stdin) && errno == EINTR) {
            clearerr(stdin);
            if (!sigint_take()) continue;
            fputc('\n', stderr); /* the terminal echoed ^C on the prompt's line */
            r = LINEEDIT_INTERRUPT;
            break;
        }
        if (c == EOF) {
            r = ed.line.len ? LINEEDIT_LINE : LINEEDIT_EOF;
            break;
        }
        if (c == '\n') {
            r = LINEEDIT_LINE;
            break;
        }
        char b = (char)c;
        if (text_append(&ed.line, &b, 1) < 0) {
            r = LINEEDIT_EOF;
            break;
        }
    }
    sigint_interrupt_reads(false);
    return r;
}

/* Input typed while a statement ran waits in the terminal's line buffer,
   in cooked mode: whole lines, and perhaps a Ctrl-D, which switching to raw
   mode would turn into a NUL byte. So what is there is read in cooked mode
   first and queued; the end of input is noted and reported once the queue
   has been edited. In cooked mode one read() returns at most one line, and
   0 bytes means Ctrl-D on an empty line. */
static void drain_cooked(void) {
    if (ed.mode != MODE_TERMINAL || ed.ahead_pos < ed.ahead.len || ed.eof_pending) return;
    ed.ahead.len = ed.ahead_pos = 0;
    for (;;) {
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return;
        char chunk[256];
        ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ed.eof_pending = 1;
            return;
        }
        text_append(&ed.ahead, chunk, (size_t)n);
    }
}

LineEditResult lineedit_read(const char *prompt, const char **line, size_t *len) {
    LineEditResult r;
    drain_cooked();
    if (sigint_take()) {
        /* a Ctrl-C that came as the last statement ended: report it here,
           as CPython does, rather than in the next statement */
        r = LINEEDIT_INTERRUPT;
        ed.line.len = 0;
    } else if (ed.mode == MODE_PLAIN || term_raw() < 0) {
        r = plain_line(prompt);
    } else {
        r = edit_line(prompt);
        term_restore();
    }
    *line = ed.line.data ? ed.line.data : "";
    *len = ed.line.len;
    return r;
}

/* ---- History --------------------------------------------------------------------- */

static int is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i])) return 0;
    return 1;
}

void lineedit_history_add(const char *line, size_t len) {
    if (is_blank(line, len) || memchr(line, '\n', len)) return;
    if (hist_count > 0) {
        const Text *last = &hist[hist_count - 1];
        if (last->len == len && memcmp(last->data, line, len) == 0) return;
    }
    if (hist_count == LINEEDIT_HISTORY_MAX) {
        text_free(&hist[0]);
        memmove(&hist[0], &hist[1], (LINEEDIT_HISTORY_MAX - 1) * sizeof(Text));
        hist_count--;
        hist[hist_count] = (Text){0};
    }
    Text entry = {0};
    if (text_append(&entry, line, len) < 0) return;
    hist[hist_count++] = entry;
}

int lineedit_history_load(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -1;
    Text t = {0};
    int c;
    do {
        c = getc(f);
        if (c == '\n' || c == EOF) {
            lineedit_history_add(t.data ? t.data : "", t.len);
            t.len = 0;
        } else {
            char b = (char)c;
            text_append(&t, &b, 1);
        }
    } while (c != EOF);
    text_free(&t);
    fclose(f);
    return 0;
}

/* Mode 0600: history may hold anything that was typed. */
int lineedit_history_save(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    for (size_t i = 0; i < hist_count; i++) {
        fwrite(hist[i].data, 1, hist[i].len, f);
        putc('\n', f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

void lineedit_fini(void) {
    term_restore();
    for (size_t i = 0; i < hist_count; i++) text_free(&hist[i]);
    hist_count = 0;
    text_free(&ed.line);
    text_free(&ed.stash);
    text_free(&ed.out);
    text_free(&ed.ahead);
    ed.ahead_pos = 0;
}
