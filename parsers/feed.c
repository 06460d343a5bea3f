/* parse_feed: pulled feeds (RSS, Atom, Google Product Reviews, mapped JSON
 * and NDJSON) into feed items, and the kind names sources use.
 *
 * Each format only finds values (feed_rss.c, feed_atom.c, feed_google.c,
 * feed_json.c); feed_item.c holds the rules every item meets, and
 * feed_xml.c the hardening every XML document goes through. This file
 * dispatches and owns the per-call state.
 */
#include "chorus/parse.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"
#include "parse_int.h"

static const struct {
    const char *name;
    enum parse_feed_kind kind;
} kinds[] = {
    {"rss", PARSE_FEED_RSS},
    {"atom", PARSE_FEED_ATOM},
    {"json", PARSE_FEED_JSON},
    {"ndjson", PARSE_FEED_NDJSON},
    {"google-reviews", PARSE_FEED_GOOGLE},
};

int parse_feed_kind_parse(const char *s, enum parse_feed_kind *out)
{
    if (!s)
        return CHORUS_EINVAL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].name, s) == 0) {
            *out = kinds[i].kind;
            return 0;
        }
    }
    return CHORUS_EINVAL;
}

const char *parse_feed_kind_name(enum parse_feed_kind kind)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return "unknown";
}

int parse_feed(const char *data, size_t len, enum parse_feed_kind kind,
               const struct parse_feed_options *opt, parse_feed_cb cb, void *ctx,
               struct parse_error *err)
{
    /* The state holds an item's scratch (several KiB): the heap, not the
     * event loop's stack. */
    struct parse__feed *f = malloc(sizeof(*f));
    int rc;

    if (!f)
        abort();
    if (err)
        memset(err, 0, sizeof(*err));
    parse__feed_init(f, opt, cb, ctx);
    if (!data)
        len = 0;
    switch (kind) {
    case PARSE_FEED_RSS:
        rc = parse__feed_rss(f, data ? data : "", len, err);
        break;
    case PARSE_FEED_ATOM:
        rc = parse__feed_atom(f, data ? data : "", len, err);
        break;
    case PARSE_FEED_GOOGLE:
        rc = parse__feed_google(f, data ? data : "", len, err);
        break;
    case PARSE_FEED_JSON:
    case PARSE_FEED_NDJSON:
        rc = parse__feed_json(f, data ? data : "", len, kind == PARSE_FEED_NDJSON, err);
        break;
    default:
        parse__doc_error(err, 0, 0, NULL, "Unknown feed kind %d.", (int)kind);
        rc = CHORUS_EINVAL;
        break;
    }
    /* Stopping at max_items is a complete read, not the callback's stop. */
    if (f->full)
        rc = 0;
    parse__feed_cleanup(f);
    free(f);
    return rc;
}
