/* JSON and NDJSON feeds: finding the items (pulled_map.c reads each one).
 *
 * A JSON feed is streamed: a small scanner finds where each item of the
 * top-level array (or of the array an object holds under "reviews",
 * "items", ...) begins and ends, and jansson parses one item at a time. So
 * memory is one item, however long the feed, and one broken item is an
 * item error rather than the end of the feed.
 */
#include "parse_int.h"

#include <string.h>

#include "chorus/base.h"

struct jrun {
    struct parse__feed *f;
    struct parse__jmap *map;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int item(struct jrun *run, const char *data, size_t n, int depth)
{
    return parse__jmap_item(run->map, run->f, data, n, depth);
}

/* ---- the scanner ------------------------------------------------------------------------- */

/* scan finds the end of the JSON value at s[i] (no blanks before it) and
 * its nesting depth. It checks no more than it must to find the end:
 * jansson checks the item. Returns -1 when the input ends first. */
static int scan(const char *s, size_t n, size_t i, size_t *end, int *depth)
{
    int d = 0, max = 0;

    if (i >= n)
        return -1;
    if (s[i] != '"' && s[i] != '{' && s[i] != '[') {
        while (i < n && s[i] != ',' && s[i] != ']' && s[i] != '}' && !blank(s[i]))
            i++;
        *end = i;
        *depth = 0;
        return 0;
    }
    for (; i < n; i++) {
        char c = s[i];

        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            if (i >= n)
                return -1;
        } else if (c == '{' || c == '[') {
            d++;
            if (d > max)
                max = d;
        } else if (c == '}' || c == ']') {
            d--;
        }
        if (d == 0) {
            *end = i + 1;
            *depth = max;
            return 0;
        }
    }
    return -1;
}

static size_t skip_blank(const char *s, size_t n, size_t i)
{
    while (i < n && blank(s[i]))
        i++;
    return i;
}

/* array delivers the items of the array at s[i] == '['. */
static int array(struct jrun *run, const char *s, size_t n, size_t i, struct parse_error *err)
{
    size_t end;
    int depth, rc;

    i = skip_blank(s, n, i + 1);
    if (i < n && s[i] == ']')
        return 0;
    while (i < n) {
        if (scan(s, n, i, &end, &depth) != 0)
            break;
        rc = item(run, s + i, end - i, depth);
        if (rc)
            return rc;
        i = skip_blank(s, n, end);
        if (i < n && s[i] == ']')
            return 0;
        if (i >= n || s[i] != ',')
            break;
        i = skip_blank(s, n, i + 1);
    }
    parse__doc_error(err, 0, 0, NULL,
                     "The JSON breaks off or is malformed after %zu item%s (at byte %zu).",
                     run->f->index, run->f->index == 1 ? "" : "s", i + 1);
    return CHORUS_EPARSE;
}

/* holder finds, in the object at s[i] == '{', the array of items under a
 * usual name; returns its offset, or n. */
static size_t holder(const char *s, size_t n, size_t i)
{
    static const char *const names[] = {"\"reviews\"", "\"items\"",   "\"data\"",
                                        "\"results\"", "\"entries\"", "\"records\""};
    size_t end;
    int depth;

    i = skip_blank(s, n, i + 1);
    while (i < n && s[i] == '"') {
        size_t key = i;
        bool known = false;

        if (scan(s, n, i, &end, &depth) != 0)
            return n;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            known |= end - key == strlen(names[k]) && memcmp(s + key, names[k], end - key) == 0;
        i = skip_blank(s, n, end);
        if (i >= n || s[i] != ':')
            return n;
        i = skip_blank(s, n, i + 1);
        if (known && i < n && s[i] == '[')
            return i;
        if (i >= n || scan(s, n, i, &end, &depth) != 0)
            return n;
        i = skip_blank(s, n, end);
        if (i >= n || s[i] != ',')
            return n;
        i = skip_blank(s, n, i + 1);
    }
    return n;
}

static int document(struct jrun *run, const char *s, size_t n, struct parse_error *err)
{
    size_t i = skip_blank(s, n, 0), at, end;
    int depth;

    if (i < n && s[i] == '[')
        return array(run, s, n, i, err);
    if (i < n && s[i] == '{') {
        at = holder(s, n, i);
        if (at < n)
            return array(run, s, n, at, err);
        /* No array of items: the object is the one item. */
        if (scan(s, n, i, &end, &depth) == 0)
            return item(run, s + i, end - i, depth);
        parse__doc_error(err, 0, 0, NULL, "The JSON object breaks off before its end.");
        return CHORUS_EPARSE;
    }
    parse__doc_error(err, 0, 0, NULL,
                     i == n ? "The feed is empty."
                            : "The feed is not a JSON array or object; for one item per line "
                              "choose the kind ndjson.");
    return CHORUS_EPARSE;
}

static int lines(struct jrun *run, const char *s, size_t n)
{
    const char *p = s, *stop;
    size_t end;
    int depth, rc;

    while (p < s + n) {
        const char *nl = memchr(p, '\n', (size_t)(s + n - p));

        stop = nl ? nl : s + n;
        if (skip_blank(p, (size_t)(stop - p), 0) < (size_t)(stop - p)) {
            if (scan(p, (size_t)(stop - p), skip_blank(p, (size_t)(stop - p), 0), &end, &depth) !=
                0)
                depth = 0; /* broken: jansson says how */
            rc = item(run, p, (size_t)(stop - p), depth);
            if (rc)
                return rc;
        }
        p = nl ? nl + 1 : s + n;
    }
    return 0;
}

int parse__feed_json(struct parse__feed *f, const char *data, size_t len, bool ndjson,
                     struct parse_error *err)
{
    struct jrun run = {.f = f};
    int rc;

    rc = parse__jmap_new(&run.map, f->opt ? f->opt->json_map : NULL, err);
    if (rc)
        return rc;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    rc = ndjson ? lines(&run, data, len) : document(&run, data, len, err);
    parse__jmap_free(run.map);
    return rc;
}
