/* Internals of the chorus command line (tool_ prefix). */
#ifndef CHORUS_TOOLS_H
#define CHORUS_TOOLS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>

int tool_import(int argc, char **argv);
int tool_export(int argc, char **argv);
int tool_check(int argc, char **argv);
int tool_demo(int argc, char **argv);
int tool_tokens(int argc, char **argv);
int tool_retag(int argc, char **argv);
int tool_sources(int argc, char **argv);
int tool_backup(int argc, char **argv);

/* A progress line on stderr, drawn only when stderr is a terminal. */
struct tool_progress {
    bool tty;
    double start;
    double last_draw;
    uint64_t total; /* bytes or items expected; 0 = unknown */
    const char *what;
};

/* tool_now returns a monotonic clock in seconds. */
double tool_now(void);
void tool_progress_init(struct tool_progress *p, const char *what, uint64_t total);
/* tool_progress_update redraws at most ten times a second. */
void tool_progress_update(struct tool_progress *p, uint64_t done, uint64_t items);
/* tool_progress_end clears the line. */
void tool_progress_end(struct tool_progress *p);

struct store;
struct text_taxonomy;

/* tool_tagger makes the store tag reviews with the taxonomy in file (NULL:
 * the built-in one) and score their sentiment, as chorusd does. Returns the taxonomy, which must
 * outlive the store's writes (free with text_taxonomy_free), or NULL with a
 * message on stderr. */
struct text_taxonomy *tool_tagger(struct store *s, const char *file);

/* tool_demo_issues records the demo's two fixed known issues, one whose
 * complaints stopped and one whose did not, found in the reviews st holds
 * (tools/demo_issues.c); tax is the taxonomy that tagged them. Returns 0
 * or a store error; finding nothing to record is not one. */
int tool_demo_issues(struct store *st, const struct text_taxonomy *tax);

/* tool_opt returns true and sets *val when argv[*i] is --name VALUE. */
bool tool_opt(int argc, char **argv, int *i, const char *name, const char **val);

#endif
