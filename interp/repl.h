/* repl.h - the interactive prompt (`toy` with no program, on a terminal). */
#ifndef TOY_REPL_H
#define TOY_REPL_H

/* Read statements from stdin with ">>> " / "... " prompts, run each in
   __main__, print the repr of expression results, and print exceptions
   without leaving. Returns the exit status (0 at end of input, or the
   status of sys.exit()). */
int repl_run(void);

/* 1 if a program-less toy should start the REPL: stdin is a terminal, or
   TOY_LINEEDIT_TEST asks for the line editor on piped input (tests). */
int repl_wanted(void);

/* main.c: take the pending exception and return the exit status it means
   (SystemExit's code; otherwise print the traceback and return 1). */
int main_handle_uncaught(void);

#endif
