/* What every command of chorus shares: its options, the progress line of
 * long runs, and the store's tagger and scorer set up the way chorusd sets
 * them. */
#include "tools.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/store.h"
#include "chorus/text.h"

struct text_taxonomy *tool_tagger(struct store *s, const char *file)
{
    struct text_taxonomy *t = NULL;
    char err[512];
    int rc = file ? text_taxonomy_load(&t, file, err, sizeof(err)) : text_taxonomy_default(&t);

    if (rc) {
        fprintf(stderr, "chorus: %s\n", file ? err : "cannot build the default taxonomy");
        return NULL;
    }
    store_set_tagger(s, text_review_tags, t);
    store_set_versioner(s, text_review_versions, NULL);
    store_set_scorer(s, text_review_sentiment, NULL);
    return t;
}

double tool_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tool_progress_init(struct tool_progress *p, const char *what, uint64_t total)
{
    p->tty = isatty(STDERR_FILENO);
    p->start = tool_now();
    p->last_draw = 0;
    p->total = total;
    p->what = what;
}

void tool_progress_update(struct tool_progress *p, uint64_t done, uint64_t items)
{
    double now, rate;
    char bar[31];

    if (!p->tty)
        return;
    now = tool_now();
    if (now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    rate = now > p->start ? (double)items / (now - p->start) : 0;
    if (p->total) {
        size_t fill = (size_t)((double)done / (double)p->total * 30);

        if (fill > 30)
            fill = 30;
        memset(bar, '=', fill);
        memset(bar + fill, ' ', 30 - fill);
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %3.0f%%  %llu reviews  %.0f/s ", p->what, bar,
                (double)done * 100.0 / (double)p->total, (unsigned long long)items, rate);
    } else {
        fprintf(stderr, "\r%s %llu reviews  %.0f/s ", p->what, (unsigned long long)items, rate);
    }
}

void tool_progress_end(struct tool_progress *p)
{
    if (p->tty)
        fprintf(stderr, "\r\033[K");
}

bool tool_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return false;
    *val = argv[++*i];
    return true;
}
