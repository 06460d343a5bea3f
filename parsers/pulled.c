/* parse_feed: pulled feeds (RSS, Atom, Google Product Reviews, mapped JSON
 * and NDJSON) into feed items.
 *
 * Each format only finds values (pulled_rss.c, pulled_atom.c, pulled_google.c,
 * pulled_json.c); pulled_item.c holds the rules every item meets, and
 * pulled_xml.c the hardening every XML document goes through. This file
 * dispatches and owns the per-call state.
 */
#include "chorus/parse.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

int parse_feed(const char *data, size_t len, enum source_kind kind,
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
    case SOURCE_RSS:
        rc = parse__feed_rss(f, data ? data : "", len, err);
        break;
    case SOURCE_ATOM:
        rc = parse__feed_atom(f, data ? data : "", len, err);
        break;
    case SOURCE_GOOGLE:
        rc = parse__feed_google(f, data ? data : "", len, err);
        break;
    case SOURCE_JSON:
    case SOURCE_NDJSON:
        rc = parse__feed_json(f, data ? data : "", len, kind == SOURCE_NDJSON, err);
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
