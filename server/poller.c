/* The source poller: fetches every source when it is due, on the loop.
 *
 * Scheduling lives in the store, not in memory: each source's next_poll_at
 * is a field of its record, so a restart, `chorus sources poll` from
 * another process, and the API all schedule the same way. A wake reads the
 * sources (they are few: a scan per wake is cheap), starts the due ones
 * within the concurrency limits, and arms the timer for the earliest next
 * one, or at most RESCAN_MS ahead so that changes made by another process
 * are seen.
 *
 * Transfers are libcurl multi handles driven by the loop (curl_loop.c): a
 * slow or dead source costs a socket and a timer, never a request's
 * latency. A finished body is parsed here, on the loop thread, and the
 * items go to the writer as one job, which also writes the source's new
 * state and next_poll_at in the same transaction. Parsing on the loop is a
 * measured choice for moderate feeds (the streaming parser reads tens of
 * MB/s); source_max_bytes bounds the worst case.
 *
 * Server-side request forgery: every address curl is about to connect to
 * (first hop, each redirect, each DNS answer) passes through on_opensocket,
 * which refuses loopback, private, link-local, unspecified and multicast
 * addresses unless the operator allowed them.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chorus/error.h"
#include "chorus/parse.h"
#include "chorus/source.h"

#define MAX_ACTIVE   8      /* transfers at once */
#define MAX_PER_HOST 2      /* of them to one host */
#define CONNECT_MS   10000  /* connect timeout */
#define TOTAL_MS     60000  /* whole-transfer timeout */
#define MAX_REDIRS   5      /* redirects followed */
#define RESCAN_MS    5000   /* longest sleep: other processes may schedule */
#define MAX_ITEMS    10000  /* items taken from one document */
#define BACKOFF_BASE 60     /* seconds, or the interval when shorter */
#define BACKOFF_MAX  86400  /* the doubling stops at a day */
#define RETRY_MAX    604800 /* a Retry-After beyond a week is cut */
#define USER_AGENT   "Chorus/0.1 (+https://chorus.dev/sources)"
#define MAX_HOST     256

struct fetch;

struct srv_poller {
    struct srv *srv;
    struct srv_curl *curl;
    struct event *timer;
    struct fetch *active; /* transfers in flight, and jobs not yet committed */
    size_t n_active;
    bool allow_private;
    uint64_t rng;
    /* /metrics */
    uint64_t polls, failures, not_modified, items_added, items_updated, items_rejected;
};

/* One poll of one source: a transfer, then a writer job. */
struct fetch {
    struct srv_job job; /* first: the writer hands the job back */
    struct srv_poller *p;
    struct fetch *next;
    uint64_t id;
    struct source_config *cfg; /* owned copy */
    struct source_state st;    /* the state before, then the state written */
    char host[MAX_HOST];
    CURL *easy;
    struct curl_slist *headers;
    struct buf body;
    bool too_big;
    bool refused; /* on_opensocket refused an address */
    char refused_addr[64];
    char err[CURL_ERROR_SIZE];
    /* the items, for the job */
    struct item *items;
    size_t n, alloc;
    size_t n_seen;
    size_t doc_rejected; /* rejected before the job: no product, parse errors */
    char reasons[SOURCE_MAX_REASONS][SOURCE_REASON_LEN];
    uint32_t n_reasons;
    uint32_t n_parse_reasons; /* of them, from parsing (job_apply adds after) */
    char status_line[SOURCE_STATUS_LEN];
    bool ok; /* the poll succeeded: reset the backoff */
    /* results of the job's run (overwritten by every run) */
    uint64_t added, updated, rejected;
};

struct item {
    struct review *review;   /* owned; product_id NULL for the default Google mapping */
    struct product *product; /* what the feed said about the product, or NULL */
    char *asin;
    bool create_product; /* Google default mapping: match or create */
};

static void schedule(struct srv_poller *p, uint64_t delay_ms);

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t next_random(struct srv_poller *p)
{
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return p->rng;
}

uint32_t srv__poller_min_interval(void)
{
    const char *v = getenv("CHORUS_SOURCE_MIN_INTERVAL");
    long n = v ? strtol(v, NULL, 10) : 0;

    return n >= 1 && n < SOURCE_INTERVAL_MIN ? (uint32_t)n : SOURCE_INTERVAL_MIN;
}

static void add_reason(struct fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_reason(struct fetch *f, const char *fmt, ...)
{
    va_list ap;

    if (f->n_reasons >= SOURCE_MAX_REASONS)
        return;
    va_start(ap, fmt);
    chorus_vfmt(f->reasons[f->n_reasons++], SOURCE_REASON_LEN, fmt, ap);
    va_end(ap);
}

/* host_of copies url's host into out (lowercase), "" when there is none. */
static void host_of(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    size_t n;

    out[0] = '\0';
    if (!h)
        return;
    h += 3;
    n = strcspn(h, "/?#");
    if (memchr(h, '@', n))
        h = (const char *)memchr(h, '@', n) + 1, n = strcspn(h, "/?#");
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
    out[n] = '\0';
}

/* ---- the address check (server-side request forgery) --------------------------- */

static bool v4_private(uint32_t a)
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
           (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) ||
           (a >> 28) == 0xe || (a >> 28) == 0xf;
}

static bool addr_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        return v4_private(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const uint8_t zero[10];

        if (memcmp(b, zero, 10) == 0 &&
            ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
            uint32_t a =
                (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

            /* ::, ::1, and IPv4-mapped or -compatible addresses. */
            return (b[10] == 0 && a <= 1) || v4_private(a) || b[10] == 0;
        }
        return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* fec0::/10 site-local */
               b[0] == 0xff ||                            /* multicast */
               (b[0] == 0x20 && b[1] == 0x02) ||          /* 6to4 may wrap anything */
               (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b); /* NAT64 */
    }
    return true; /* unix sockets and the rest: never */
}

static curl_socket_t on_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct fetch *f = clientp;

    (void)purpose;
    if (!f->p->allow_private && addr_private(&a->addr)) {
        char txt[INET6_ADDRSTRLEN] = "?";

        if (a->family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, txt, sizeof(txt));
        else if (a->family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, txt, sizeof(txt));
        f->refused = true;
        snprintf(f->refused_addr, sizeof(f->refused_addr), "%s", txt);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- the transfer ---------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct fetch *f = ctx;

    /* A body past the cap ends the transfer here, however it was encoded:
     * this counts decoded bytes. */
    if (buf_append(&f->body, data, size * n) != 0) {
        f->too_big = true;
        return 0;
    }
    return size * n;
}

static void add_header(void *ctx, const char *name, const char *value)
{
    struct fetch *f = ctx;
    struct buf b;

    buf_init(&b, 8192);
    if (buf_printf(&b, "%s: %s", name, value) == 0)
        f->headers = curl_slist_append(f->headers, b.data);
    buf_cleanup(&b);
}

static void fetch_free(struct fetch *f)
{
    if (!f)
        return;
    if (f->easy)
        curl_easy_cleanup(f->easy);
    curl_slist_free_all(f->headers);
    buf_cleanup(&f->body);
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].review);
        free(f->items[i].product);
        free(f->items[i].asin);
    }
    free(f->items);
    free(f->cfg);
    free(f);
}

static void unlink_fetch(struct srv_poller *p, struct fetch *f)
{
    for (struct fetch **pp = &p->active; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            p->n_active--;
            return;
        }
    }
}

static size_t host_count(struct srv_poller *p, const char *host)
{
    size_t n = 0;

    for (struct fetch *f = p->active; f; f = f->next)
        n += strcmp(f->host, host) == 0;
    return n;
}

static bool in_flight(struct srv_poller *p, uint64_t id)
{
    for (struct fetch *f = p->active; f; f = f->next)
        if (f->id == id)
            return true;
    return false;
}

static int start(struct srv_poller *p, const struct store_source *src)
{
    struct fetch *f = calloc(1, sizeof(*f));
    char h[SOURCE_ETAG_LEN + 32];

    if (!f)
        abort();
    f->p = p;
    f->id = src->id;
    f->cfg = source_config_dup(&src->cfg);
    f->st = src->st;
    host_of(f->cfg->url, f->host, sizeof(f->host));
    buf_init(&f->body, p->srv->cfg.source_max_bytes);
    f->easy = srv__curl_easy_new(f->cfg->url, f, f->err, CONNECT_MS, TOTAL_MS, MAX_REDIRS);
    if (!f->easy) {
        fetch_free(f);
        return CHORUS_ENOMEM;
    }
    curl_easy_setopt(f->easy, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
    curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETDATA, f);
    /* A server that says the size up front is refused before a byte. */
    curl_easy_setopt(f->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)p->srv->cfg.source_max_bytes);
    source_headers_each(f->cfg->headers, add_header, f);
    if (f->st.etag[0]) {
        snprintf(h, sizeof(h), "If-None-Match: %s", f->st.etag);
        f->headers = curl_slist_append(f->headers, h);
    }
    if (f->st.last_modified[0]) {
        snprintf(h, sizeof(h), "If-Modified-Since: %s", f->st.last_modified);
        f->headers = curl_slist_append(f->headers, h);
    }
    curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers);
    if (srv__curl_add(p->curl, f->easy) != 0) {
        fetch_free(f);
        return CHORUS_EINVAL;
    }
    f->next = p->active;
    p->active = f;
    p->n_active++;
    p->polls++;
    return 0;
}

/* ---- the scan ------------------------------------------------------------------------ */

struct scan {
    struct srv_poller *p;
    int64_t now;
    int64_t earliest; /* next_poll_at of the soonest source not started; 0 = none */
};

static int scan_one(void *ctx, const struct store_source *src)
{
    struct scan *sc = ctx;
    struct srv_poller *p = sc->p;
    char host[MAX_HOST];

    if (in_flight(p, src->id))
        return 0;
    if (src->st.next_poll_at <= sc->now) {
        host_of(src->cfg.url, host, sizeof(host));
        if (p->n_active < MAX_ACTIVE && host_count(p, host) < MAX_PER_HOST && start(p, src) == 0)
            return 0;
        /* Busy: try again when a transfer ends (finish kicks) or soon. */
        if (!sc->earliest || sc->now + 1 < sc->earliest)
            sc->earliest = sc->now + 1;
        return 0;
    }
    if (!sc->earliest || src->st.next_poll_at < sc->earliest)
        sc->earliest = src->st.next_poll_at;
    return 0;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct srv_poller *p = arg;
    struct scan sc = {p, chorus_now(), 0};
    uint64_t delay = RESCAN_MS, now = wall_ms();
    int rc;

    (void)fd;
    (void)what;
    /* Draining: nothing new could be stored, so nothing new is fetched. */
    if (!p->srv->writer.started)
        return;
    rc = store_read_begin(p->srv->store, &p->srv->rtxn);
    if (rc == 0) {
        rc = store_sources_each(p->srv->rtxn, scan_one, &sc);
        store_read_end(p->srv->rtxn);
    }
    if (rc)
        fprintf(stderr, "chorusd: sources: cannot read the sources: %s\n", chorus_strerror(rc));
    if (sc.earliest && (uint64_t)sc.earliest * 1000u < now + delay)
        delay = (uint64_t)sc.earliest * 1000u > now ? (uint64_t)sc.earliest * 1000u - now : 0;
    schedule(p, delay);
}

static void schedule(struct srv_poller *p, uint64_t delay_ms)
{
    struct timeval tv;

    tv.tv_sec = (time_t)(delay_ms / 1000);
    tv.tv_usec = (suseconds_t)(delay_ms % 1000 * 1000);
    evtimer_add(p->timer, &tv);
}

void srv__poller_kick(struct srv_poller *p)
{
    if (p)
        schedule(p, 0);
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
    struct fetch *f;
    struct source_map *map;
    char source[32];
};

/* fallback_id gives items without an id of their own (an RSS item with
 * neither guid nor link) a stable one, so a re-poll updates instead of
 * adding: a hash of what the item says. */
static void fallback_id(const struct review *r, char *out, size_t cap)
{
    const char *parts[3] = {r->title, r->body, r->author};
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < 3; i++) {
        for (const char *s = parts[i] ? parts[i] : ""; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    snprintf(out, cap, "hash-%016llx", (unsigned long long)h);
}

static int on_item(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct collect *c = ctx;
    struct fetch *f = c->f;
    struct review own;
    struct source_item_ref ref;
    char pid[CHORUS_MAX_PRODUCT_ID + 1], sid[40];
    const char *product = NULL;
    struct item *slot;
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

/* ---- the writer job -------------------------------------------------------------------- */

/* Google default mapping, on the writer thread: GTIN, then SKU, then MPN
 * with brand, then ASIN; an unknown product is created from the feed's
 * fields. The catalogue is scanned once per job for GTIN and MPN (products
 * have no index on them; see docs/sources.md). */
struct codes {
    char **gtin_id; /* pairs: code, id */
    size_t n_gtin, a_gtin;
    char **mpn_id; /* pairs: brand \x1f mpn, id */
    size_t n_mpn, a_mpn;
};

static void push_pair(char ***v, size_t *n, size_t *a, const char *k, const char *id)
{
    if (*n + 2 > *a) {
        *a = *a ? *a * 2 : 64;
        *v = realloc(*v, *a * sizeof(**v));
        if (!*v)
            abort();
    }
    (*v)[(*n)++] = strdup(k);
    (*v)[(*n)++] = strdup(id);
    if (!(*v)[*n - 1] || !(*v)[*n - 2])
        abort();
}

static void codes_free(struct codes *c)
{
    for (size_t i = 0; i < c->n_gtin; i++)
        free(c->gtin_id[i]);
    for (size_t i = 0; i < c->n_mpn; i++)
        free(c->mpn_id[i]);
    free(c->gtin_id);
    free(c->mpn_id);
    memset(c, 0, sizeof(*c));
}

static int codes_add(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct codes *c = ctx;
    char k[2 * CHORUS_MAX_CODE + 2];

    (void)st;
    if (p->gtin && p->gtin[0])
        push_pair(&c->gtin_id, &c->n_gtin, &c->a_gtin, p->gtin, p->id);
    if (p->mpn && p->mpn[0]) {
        snprintf(k, sizeof(k), "%s\x1f%s", p->brand ? p->brand : "", p->mpn);
        push_pair(&c->mpn_id, &c->n_mpn, &c->a_mpn, k, p->id);
    }
    return 0;
}

static const char *codes_find(char **v, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i += 2)
        if (strcmp(v[i], k) == 0)
            return v[i + 1];
    return NULL;
}

static bool product_exists(struct store_txn *txn, const char *id)
{
    return id && id[0] && store_product_get(txn, id, NULL, NULL) == 0;
}

/* resolve finds or makes the product of a Google item; the id goes into
 * out. false when the item names no product at all. */
static bool resolve(struct store_txn *txn, struct codes *c, bool *loaded, struct item *it,
                    char *out, size_t cap)
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
        id = codes_find(c->gtin_id, c->n_gtin, pr->gtin);
    if (!id && product_exists(txn, pr->id))
        id = pr->id;
    if (!id && pr->mpn && pr->mpn[0] && pr->brand && pr->brand[0]) {
        snprintf(k, sizeof(k), "%s\x1f%s", pr->brand, pr->mpn);
        id = codes_find(c->mpn_id, c->n_mpn, k);
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
            push_pair(&c->gtin_id, &c->n_gtin, &c->a_gtin, pr->gtin, id);
    }
    snprintf(out, cap, "%s", id);
    return true;
}

static int job_apply(struct store_txn *txn, struct srv_job *job)
{
    struct fetch *f = (struct fetch *)job;
    struct codes codes = {0};
    struct source_state st;
    bool loaded = false;
    int rc = 0;

    /* A rerun starts again from what parsing left: its reasons are kept,
     * the store's are not. */
    f->added = f->updated = f->rejected = 0;
    f->n_reasons = f->n_parse_reasons;
    for (size_t i = 0; i < f->n && rc == 0; i++) {
        struct item *it = &f->items[i];
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
        prc = store_review_put(txn, &r, NULL, &res);
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
        else
            f->updated++;
    }
    codes_free(&codes);
    if (rc)
        return rc;
    st = f->st;
    st.last_poll_at = chorus_now();
    st.items_seen = f->n_seen;
    st.items_added = f->added;
    st.items_updated = f->updated;
    st.items_rejected = f->rejected + f->doc_rejected;
    st.n_reasons = f->n_reasons;
    memcpy(st.reasons, f->reasons, sizeof(st.reasons));
    if (f->n_seen)
        chorus_fmt(st.last_status, sizeof(st.last_status),
                   "%s, %zu items: %llu added, %llu updated, %llu rejected", f->status_line,
                   f->n_seen, (unsigned long long)f->added, (unsigned long long)f->updated,
                   (unsigned long long)st.items_rejected);
    else
        snprintf(st.last_status, sizeof(st.last_status), "%s", f->status_line);
    rc = store_source_state_put(txn, f->id, &st);
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

static void job_done(struct srv_job *job, int commit_rc)
{
    struct fetch *f = (struct fetch *)job;
    struct srv_poller *p = f->p;

    if (commit_rc && commit_rc != CHORUS_EBUSY) /* EBUSY: the server is stopping */
        fprintf(stderr, "chorusd: sources: source %llu: the poll was not stored: %s\n",
                (unsigned long long)f->id, chorus_strerror(commit_rc));
    p->items_added += f->added;
    p->items_updated += f->updated;
    p->items_rejected += f->rejected + f->doc_rejected;
    if (f->added || f->updated)
        for (size_t i = 0; i < f->n; i++)
            if (f->items[i].review->product_id[0] &&
                (i == 0 ||
                 strcmp(f->items[i].review->product_id, f->items[i - 1].review->product_id) != 0))
                srv__feeds_changed(p->srv, f->items[i].review->product_id);
    unlink_fetch(p, f);
    fetch_free(f);
    srv__poller_kick(p);
}

/* ---- a finished transfer ------------------------------------------------------------------ */

/* retry_after reads a Retry-After header: seconds or an HTTP date; 0 = none. */
static int64_t retry_after(CURL *e, int64_t now)
{
    struct curl_header *h = NULL;
    const char *v;
    char *end;
    long long n;
    time_t t;

    if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return 0;
    v = h->value;
    n = strtoll(v, &end, 10);
    if (end != v && *end == '\0' && n >= 0)
        return n > RETRY_MAX ? RETRY_MAX : n;
    t = curl_getdate(v, NULL);
    if (t <= 0 || t <= now)
        return 0;
    return t - now > RETRY_MAX ? RETRY_MAX : t - now;
}

static void keep_validator(CURL *e, const char *name, char *out, size_t cap)
{
    struct curl_header *h = NULL;

    out[0] = '\0';
    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && strlen(h->value) < cap &&
        !strpbrk(h->value, "\r\n"))
        snprintf(out, cap, "%s", h->value);
}

/* fail_poll writes an error state (without items) through the writer. */
static void fail_poll(struct fetch *f, int64_t now, int64_t wait)
{
    struct srv_poller *p = f->p;
    uint32_t base = f->cfg->interval < BACKOFF_BASE ? f->cfg->interval : BACKOFF_BASE;
    uint64_t delay = base;
    uint32_t errors = f->st.errors + 1;

    for (uint32_t i = 1; i < errors && delay < BACKOFF_MAX; i++)
        delay *= 2;
    if (delay > BACKOFF_MAX)
        delay = BACKOFF_MAX;
    /* Jitter: up to a quarter more, so that sources failing together do
     * not come back together. */
    delay += next_random(p) % (delay / 4 + 1);
    if (wait > (int64_t)delay)
        delay = (uint64_t)wait;
    f->st.errors = errors;
    f->st.failures++;
    f->st.polls++;
    f->st.backoff = (uint32_t)delay;
    f->st.next_poll_at = now + (int64_t)delay;
    p->failures++;
}

static void on_done(void *ctx, CURL *easy, CURLcode result)
{
    struct srv_poller *p = ctx;
    struct fetch *f = NULL;
    long code = 0;
    int64_t now = chorus_now();

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&f);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    f->n_reasons = 0;
    if (f->refused) {
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: refused: %s resolves to %s, a private, loopback or link-local address "
                   "(set allow_private_sources to allow it)",
                   f->host, f->refused_addr);
        fail_poll(f, now, 0);
    } else if (f->too_big || result == CURLE_FILESIZE_EXCEEDED) {
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: the document is larger than source_max_bytes (%zu bytes)",
                   p->srv->cfg.source_max_bytes);
        fail_poll(f, now, 0);
    } else if (result != CURLE_OK) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: %s",
                   f->err[0] ? f->err : curl_easy_strerror(result));
        fail_poll(f, now, 0);
    } else if (code == 304) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "304 Not Modified");
        p->not_modified++;
        f->ok = true;
    } else if (code < 200 || code > 299) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: HTTP %ld", code);
        fail_poll(f, now, code == 429 || code == 503 ? retry_after(easy, now) : 0);
    } else {
        struct collect c;
        struct parse_error perr;
        struct parse_feed_options opt = {f->cfg->json_map, MAX_ITEMS + 1};
        int rc = 0;

        memset(&c, 0, sizeof(c));
        memset(&perr, 0, sizeof(perr));
        c.f = f;
        snprintf(c.source, sizeof(c.source), "src-%llu", (unsigned long long)f->id);
        if (f->cfg->product_map && source_map_new(f->cfg->product_map, &c.map) != 0)
            rc = CHORUS_EINVAL;
        if (rc == 0)
            rc = parse_feed(f->body.data ? f->body.data : "", f->body.len, feed_kind(f->cfg->kind),
                            &opt, on_item, &c, &perr);
        source_map_free(c.map);
        if (rc && rc != CHORUS_ESTOP) {
            chorus_fmt(f->status_line, sizeof(f->status_line), "error: %ld but unreadable: %s",
                       code, perr.message[0] ? perr.message : chorus_strerror(rc));
            fail_poll(f, now, 0);
        } else {
            chorus_fmt(f->status_line, sizeof(f->status_line), "%ld OK", code);
            keep_validator(easy, "ETag", f->st.etag, sizeof(f->st.etag));
            keep_validator(easy, "Last-Modified", f->st.last_modified, sizeof(f->st.last_modified));
            f->ok = true;
        }
    }
    if (f->ok) {
        f->st.errors = 0;
        f->st.backoff = 0;
        f->st.polls++;
        f->st.next_poll_at = now + f->cfg->interval;
    }
    /* The transfer is over; the handle and the body go now, the items stay
     * for the job, which writes the state. */
    curl_easy_cleanup(f->easy);
    f->easy = NULL;
    buf_cleanup(&f->body);
    f->n_parse_reasons = f->n_reasons;
    f->job.apply = job_apply;
    f->job.done = job_done;
    f->job.srv = p->srv;
    f->job.req = NULL;
    f->job.weight = f->n ? f->n : 1;
    srv__writer_submit(p->srv, &f->job);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

int srv__poller_new(struct srv *s)
{
    struct srv_poller *p = calloc(1, sizeof(*p));
    const char *env = getenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    int rc;

    if (!p)
        abort();
    p->srv = s;
    p->allow_private = s->cfg.allow_private_sources || (env && strcmp(env, "1") == 0);
    p->rng = wall_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
    rc = srv__curl_new(&p->curl, s->base, on_done, p);
    if (rc == 0) {
        srv__curl_host_limit(p->curl, MAX_PER_HOST);
        p->timer = evtimer_new(s->base, on_timer, p);
        if (!p->timer)
            rc = CHORUS_ENOMEM;
    }
    if (rc) {
        srv__poller_free(p);
        return rc;
    }
    s->poller = p;
    schedule(p, 0);
    return 0;
}

void srv__poller_free(struct srv_poller *p)
{
    if (!p)
        return;
    /* Transfers in flight are abandoned (no done calls); jobs already with
     * the writer were answered by srv__writer_stop before this. */
    srv__curl_free(p->curl);
    while (p->active) {
        struct fetch *f = p->active;

        p->active = f->next;
        if (f->easy) {
            fetch_free(f);
        } else {
            /* Its job is with the writer, which owns it now. */
        }
    }
    if (p->timer)
        event_free(p->timer);
    free(p);
}

void srv__poller_metrics(const struct srv_poller *p, struct buf *b)
{
    if (!p)
        return;
    buf_printf(b,
               "# TYPE chorus_source_polls_total counter\nchorus_source_polls_total %llu\n"
               "# TYPE chorus_source_poll_failures_total counter\n"
               "chorus_source_poll_failures_total %llu\n"
               "# TYPE chorus_source_not_modified_total counter\n"
               "chorus_source_not_modified_total %llu\n"
               "# TYPE chorus_source_items_added_total counter\n"
               "chorus_source_items_added_total %llu\n"
               "# TYPE chorus_source_items_updated_total counter\n"
               "chorus_source_items_updated_total %llu\n"
               "# TYPE chorus_source_items_rejected_total counter\n"
               "chorus_source_items_rejected_total %llu\n"
               "# TYPE chorus_source_fetches_active gauge\nchorus_source_fetches_active %zu\n",
               (unsigned long long)p->polls, (unsigned long long)p->failures,
               (unsigned long long)p->not_modified, (unsigned long long)p->items_added,
               (unsigned long long)p->items_updated, (unsigned long long)p->items_rejected,
               p->n_active);
}
