/* The poller's items: a finished body is parsed here, on the loop thread,
 * and the items go to the writer as one job, which also writes the source's
 * new state and next_poll_at in the same transaction. Parsing on the loop is
 * a measured choice for moderate feeds (the streaming parser reads tens of
 * MB/s); source_max_bytes bounds the worst case.
 */
#include "poller_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"

#define MAX_ITEMS 10000 /* items taken from one document */

static void add_reason(struct srv__poller_fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_reason(struct srv__poller_fetch *f, const char *fmt, ...)
{
    va_list ap;

    if (f->n_reasons >= SOURCE_MAX_REASONS)
        return;
    va_start(ap, fmt);
    chorus_vfmt(f->reasons[f->n_reasons++], SOURCE_REASON_LEN, fmt, ap);
    va_end(ap);
}

/* ---- items: parsed on the loop, stored by the writer ---------------------------------- */

static enum parse_feed_kind feed_kind(enum source_kind k)
{
    switch (k) {
    case SOURCE_ATOM:
        return PARSE_FEED_ATOM;
    case SOURCE_GOOGLE:
        return PARSE_FEED_GOOGLE;
    case SOURCE_JSON:
        return PARSE_FEED_JSON;
    case SOURCE_NDJSON:
        return PARSE_FEED_NDJSON;
    default:
        return PARSE_FEED_RSS;
    }
}

struct collect {
    struct srv__poller_fetch *f;
    struct source_map *map;
    char source[32];
};

/* fallback_id gives items without an id of their own (an RSS item with
 * neither guid nor link) a stable one, so a re-poll updates instead of
 * adding: a hash of what the item says. */
static void fallback_id(const struct review *r, char *out, size_t cap)
{
    const char *parts[3] = {r->title, r->body, r->author};
    /* Not the FNV offset basis (a digit short), but the ids already stored
     * were made from it, and changing it would store those items again. */
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < 3; i++) {
        const char *part = parts[i] ? parts[i] : "";

        h = chorus_fnv64(h, part, strlen(part));
        h = chorus_fnv64(h, "\xff", 1); /* a byte UTF-8 text never holds */
    }
    snprintf(out, cap, "hash-%016llx", (unsigned long long)h);
}

static int on_item(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct collect *c = ctx;
    struct srv__poller_fetch *f = c->f;
    struct review own;
    struct source_item_ref ref;
    char pid[CHORUS_MAX_PRODUCT_ID + 1], sid[40];
    const char *product = NULL;
    struct srv__poller_item *slot;
    bool google_default = false;

    (void)index;
    f->n_seen++;
    if (!it) {
        f->doc_rejected++;
        add_reason(f, "%s", error ? error : "unreadable item");
        return 0;
    }
    if (f->n == MAX_ITEMS) {
        f->doc_rejected++;
        add_reason(f, "more than %d items in one document; the rest were skipped", MAX_ITEMS);
        return CHORUS_ESTOP;
    }
    memset(&ref, 0, sizeof(ref));
    ref.product_id = it->r.product_id;
    ref.sku = it->product.id;
    ref.gtin = it->product.gtin;
    ref.mpn = it->product.mpn;
    ref.asin = it->asin;
    ref.link = it->link;
    ref.categories = it->categories;
    ref.n_categories = it->n_categories;
    if (f->cfg->product_id)
        product = f->cfg->product_id;
    else if (c->map && source_map_apply(c->map, &ref, pid, sizeof(pid)))
        product = pid;
    else if (!c->map && f->cfg->kind == SOURCE_GOOGLE)
        google_default = true;
    else if (!c->map && it->r.product_id && it->r.product_id[0])
        product = it->r.product_id;
    if (!product && !google_default) {
        f->doc_rejected++;
        add_reason(f, "item %s: no product rule matched (link %s)",
                   it->r.source_id ? it->r.source_id : "?", it->link ? it->link : "none");
        return 0;
    }
    own = it->r;
    own.product_id = product;
    own.source = c->source;
    own.status = f->cfg->status;
    own.moderation_reason = NULL;
    own.helpful = own.not_helpful = 0;
    own.ingested_at = 0;
    own.id = 0;
    if (!own.source_id || !own.source_id[0]) {
        if (it->link && it->link[0] && strlen(it->link) <= CHORUS_MAX_SOURCE_ID)
            own.source_id = it->link;
        else {
            fallback_id(&own, sid, sizeof(sid));
            own.source_id = sid;
        }
    }
    if (google_default)
        own.product_id = "";
    if (f->n == f->alloc) {
        f->alloc = f->alloc ? f->alloc * 2 : 16;
        f->items = realloc(f->items, f->alloc * sizeof(*f->items));
        if (!f->items)
            abort();
    }
    slot = &f->items[f->n++];
    memset(slot, 0, sizeof(*slot));
    slot->review = review_dup(&own);
    slot->create_product = google_default;
    if (google_default || it->product.name || it->product.url || it->product.gtin) {
        struct product pr = it->product;

        pr.id = google_default ? (pr.id ? pr.id : "") : product;
        slot->product = product_dup(&pr);
    }
    if (it->asin) {
        slot->asin = strdup(it->asin);
        if (!slot->asin)
            abort();
    }
    return 0;
}

int srv__poller_parse(struct srv__poller_fetch *f, struct parse_error *perr)
{
    struct collect c;
    struct parse_feed_options opt = {f->cfg->json_map, MAX_ITEMS + 1};
    int rc = 0;

    memset(&c, 0, sizeof(c));
    memset(perr, 0, sizeof(*perr));
    c.f = f;
    snprintf(c.source, sizeof(c.source), "src-%llu", (unsigned long long)f->id);
    if (f->cfg->product_map && source_map_new(f->cfg->product_map, &c.map) != 0)
        rc = CHORUS_EINVAL;
    if (rc == 0)
        rc = parse_feed(f->body.data ? f->body.data : "", f->body.len, feed_kind(f->cfg->kind),
                        &opt, on_item, &c, perr);
    source_map_free(c.map);
    return rc;
}

/* ---- the writer job -------------------------------------------------------------------- */

/* Google default mapping, on the writer thread: GTIN, then SKU, then MPN
 * with brand, then ASIN; an unknown product is created from the feed's
 * fields. The catalogue is scanned once per job for GTIN and MPN (products
 * have no index on them; see docs/sources.md). */
/* A catalogue index for one poll's Google items: code -> product id, open
 * addressing. A feed of m items over n products costs O(n + m), not the
 * O(n * m) of scanning the catalogue per item. */
struct codemap {
    char **slots;  /* key, id pairs; NULL key = empty */
    size_t cap, n; /* cap: pairs, a power of two */
};

struct codes {
    struct codemap gtin; /* GTIN without leading zeros */
    struct codemap mpn;  /* brand \x1f mpn */
};

/* slot_of is where k is, or the empty slot where it would go (cap > n). */
static size_t slot_of(const struct codemap *m, const char *k)
{
    size_t i = chorus_fnv64_str(k) & (m->cap - 1);

    while (m->slots[2 * i] && strcmp(m->slots[2 * i], k) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void map_grow(struct codemap *m)
{
    struct codemap old = *m;

    m->cap = old.cap ? old.cap * 2 : 256;
    m->slots = calloc(2 * m->cap, sizeof(*m->slots));
    if (!m->slots)
        abort();
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[2 * i]) {
            size_t at = slot_of(m, old.slots[2 * i]);

            m->slots[2 * at] = old.slots[2 * i];
            m->slots[2 * at + 1] = old.slots[2 * i + 1];
        }
    free(old.slots);
}

/* map_put keeps the first id given for a key, as the catalogue order gives. */
static void map_put(struct codemap *m, const char *k, const char *id)
{
    size_t i;

    if (2 * (m->n + 1) > m->cap)
        map_grow(m);
    i = slot_of(m, k);
    if (m->slots[2 * i])
        return;
    m->slots[2 * i] = strdup(k);
    m->slots[2 * i + 1] = strdup(id);
    if (!m->slots[2 * i] || !m->slots[2 * i + 1])
        abort();
    m->n++;
}

static const char *map_get(const struct codemap *m, const char *k)
{
    return m->cap ? m->slots[2 * slot_of(m, k) + 1] : NULL;
}

static void map_free(struct codemap *m)
{
    for (size_t i = 0; i < 2 * m->cap; i++)
        free(m->slots[i]);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static void codes_free(struct codes *c)
{
    map_free(&c->gtin);
    map_free(&c->mpn);
}

/* gtin_key drops leading zeros: GTIN-8, -12 (UPC), -13 (EAN) and -14 are
 * one number padded to different widths, and feeds and catalogues pick
 * different ones for the same product. */
static const char *gtin_key(const char *g)
{
    while (g[0] == '0' && g[1])
        g++;
    return g;
}

static int codes_add(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct codes *c = ctx;
    char k[2 * CHORUS_MAX_CODE + 2];

    (void)st;
    if (p->gtin && p->gtin[0])
        map_put(&c->gtin, gtin_key(p->gtin), p->id);
    if (p->mpn && p->mpn[0]) {
        snprintf(k, sizeof(k), "%s\x1f%s", p->brand ? p->brand : "", p->mpn);
        map_put(&c->mpn, k, p->id);
    }
    return 0;
}

static bool product_exists(struct store_txn *txn, const char *id)
{
    return id && id[0] && store_product_get(txn, id, NULL, NULL) == 0;
}

/* resolve finds or makes the product of a Google item; the id goes into
 * out. false when the item names no product at all. */
static bool resolve(struct store_txn *txn, struct codes *c, bool *loaded,
                    struct srv__poller_item *it, char *out, size_t cap)
{
    const struct product *pr = it->product;
    char k[2 * CHORUS_MAX_CODE + 2];
    const char *id = NULL;

    if (!pr)
        return false;
    if (!*loaded) {
        codes_free(c);
        store_category_products(txn, "", codes_add, c);
        *loaded = true;
    }
    if (pr->gtin && pr->gtin[0])
        id = map_get(&c->gtin, gtin_key(pr->gtin));
    if (!id && product_exists(txn, pr->id))
        id = pr->id;
    if (!id && pr->mpn && pr->mpn[0] && pr->brand && pr->brand[0]) {
        snprintf(k, sizeof(k), "%s\x1f%s", pr->brand, pr->mpn);
        id = map_get(&c->mpn, k);
    }
    if (!id && product_exists(txn, it->asin))
        id = it->asin;
    if (!id) {
        struct product np = *pr;

        id = pr->id && pr->id[0] ? pr->id : pr->gtin && pr->gtin[0] ? pr->gtin : it->asin;
        if (!id || !id[0] || strlen(id) > CHORUS_MAX_PRODUCT_ID)
            return false;
        np.id = id;
        if (store_product_merge(txn, &np, NULL) != 0)
            return false;
        if (pr->gtin && pr->gtin[0])
            map_put(&c->gtin, gtin_key(pr->gtin), id);
    }
    snprintf(out, cap, "%s", id);
    return true;
}

static int job_apply(struct store_txn *txn, struct srv_job *job)
{
    struct srv__poller_fetch *f = (struct srv__poller_fetch *)job;
    struct codes codes = {0};
    struct source_state st;
    bool loaded = false;
    int rc = 0;

    /* A rerun starts again from what parsing left: its reasons are kept,
     * the store's are not. */
    f->added = f->updated = f->merged = f->rejected = 0;
    f->n_reasons = f->n_parse_reasons;
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        struct srv__poller_item *it = &f->items[i];
        struct review r = *it->review;
        char pid[CHORUS_MAX_PRODUCT_ID + 1];
        enum store_put_result res = 0;
        int prc;

        if (it->create_product) {
            if (!resolve(txn, &codes, &loaded, it, pid, sizeof(pid))) {
                f->rejected++;
                add_reason(f, "item %s: names no product (no GTIN, SKU, MPN with brand or ASIN)",
                           r.source_id);
                continue;
            }
            r.product_id = pid;
        } else if (it->product) {
            prc = store_product_merge(txn, it->product, NULL);
            if (prc && prc != CHORUS_EINVAL) {
                rc = prc;
                break;
            }
        }
        /* Pulled items are where one review arrives through several
         * feeds: copies fold into the first (docs/sources.md). */
        prc = store_review_ingest(txn, &r, STORE_PUT_MERGE, NULL, &res);
        if (prc == CHORUS_EINVAL) {
            f->rejected++;
            add_reason(f, "item %s: breaks a storage limit (too long, or no product)", r.source_id);
            continue;
        }
        if (prc) {
            rc = prc;
            break;
        }
        if (res == STORE_CREATED)
            f->added++;
        else if (res == STORE_UPDATED)
            f->updated++;
        else if (res == STORE_MERGED)
            f->merged++;
    }
    codes_free(&codes);
    if (rc)
        return rc;
    st = f->st;
    st.last_poll_at = chorus_now();
    st.items_seen = f->n_seen;
    st.items_added = f->added;
    st.items_updated = f->updated;
    st.items_merged = f->merged;
    st.items_rejected = f->rejected + f->doc_rejected;
    st.n_reasons = f->n_reasons;
    memcpy(st.reasons, f->reasons, sizeof(st.reasons));
    if (f->n_seen)
        chorus_fmt(st.last_status, sizeof(st.last_status),
                   "%s, %zu items: %llu added, %llu updated, %llu merged, %llu rejected",
                   f->status_line, f->n_seen, (unsigned long long)f->added,
                   (unsigned long long)f->updated, (unsigned long long)f->merged,
                   (unsigned long long)st.items_rejected);
    else
        snprintf(st.last_status, sizeof(st.last_status), "%s", f->status_line);
    /* Status and reasons quote what servers and feeds said (an error text,
     * a redirect's host, an item id): whatever bytes those held, the state
     * is shown as JSON, so it is made valid UTF-8 here, once. */
    chorus_utf8_scrub(st.last_status, strlen(st.last_status));
    for (uint32_t i = 0; i < st.n_reasons; i++)
        chorus_utf8_scrub(st.reasons[i], strlen(st.reasons[i]));
    rc = store_source_state_put(txn, f->id, &st);
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

static void job_done(struct srv_job *job, int commit_rc)
{
    struct srv__poller_fetch *f = (struct srv__poller_fetch *)job;
    struct srv_poller *p = f->p;

    if (commit_rc && commit_rc != CHORUS_EBUSY) /* EBUSY: the server is stopping */
        fprintf(stderr, "chorusd: sources: source %llu: the poll was not stored: %s\n",
                (unsigned long long)f->id, chorus_strerror(commit_rc));
    p->items_added += f->added;
    p->items_updated += f->updated;
    p->items_merged += f->merged;
    p->items_rejected += f->rejected + f->doc_rejected;
    if (f->added || f->updated || f->merged)
        for (size_t i = 0; i < f->n; i++)
            if (f->items[i].review->product_id[0] &&
                (i == 0 ||
                 strcmp(f->items[i].review->product_id, f->items[i - 1].review->product_id) != 0))
                srv__feeds_changed(p->srv, f->items[i].review->product_id);
    srv__poller_fetch_unlink(p, f);
    srv__poller_fetch_free(f);
    srv__poller_kick(p);
}

void srv__poller_job_submit(struct srv__poller_fetch *f)
{
    struct srv_poller *p = f->p;

    f->job.apply = job_apply;
    f->job.done = job_done;
    f->job.srv = p->srv;
    f->job.req = NULL;
    f->job.weight = f->n ? f->n : 1;
    srv__writer_submit(p->srv, &f->job);
}
