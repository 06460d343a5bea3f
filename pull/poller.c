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
 * latency. A finished body is parsed on the loop thread, each item is put
 * under its source's rules (parsers/source_item.c), and the items go to the
 * writer as one job that stores them through the store's ingest path and
 * writes the source's new state in the same transaction. Parsing on the
 * loop is a measured choice for moderate feeds (the streaming parser reads
 * tens of MB/s); source_max_bytes bounds the worst case.
 *
 * Server-side request forgery: every address curl is about to connect to
 * passes through pull__opensocket (address.c), which refuses loopback,
 * private, link-local, reserved and wrapped addresses unless the operator
 * allowed them.
 *
 * Redirects are followed here, not by libcurl (follow): libcurl drops
 * Authorization and Cookie when a redirect leaves the host, but sends a
 * source's other headers (a partner's X-Api-Key) wherever the remote
 * server points it. Each hop is a transfer of its own on the same handle,
 * whose headers set_request picks by the hop's origin.
 */
#include "pull_int.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ACTIVE   8      /* transfers at once */
#define MAX_PER_HOST 2      /* of them to one host */
#define CONNECT_MS   10000  /* connect timeout */
#define TOTAL_MS     60000  /* whole-transfer timeout, every redirect included */
#define MAX_REDIRS   5      /* redirects followed */
#define RESCAN_MS    5000   /* longest sleep: other processes may schedule */
#define BACKOFF_BASE 60     /* seconds, or the interval when shorter */
#define BACKOFF_MAX  86400  /* the doubling stops at a day */
#define RETRY_MAX    604800 /* a Retry-After beyond a week is cut */
#define USER_AGENT   "Chorus/0.1 (+https://chorus.dev/sources)"
#define MAX_ITEMS    10000 /* items taken from one document */

/* How a poll ended, per source kind in /metrics: an operator tells a feed
 * that moved (http_error) from a network that broke (network_error). */
enum poll_outcome {
    OUT_OK,            /* 2xx, read */
    OUT_NOT_MODIFIED,  /* 304 */
    OUT_HTTP_ERROR,    /* any other status */
    OUT_NETWORK_ERROR, /* no answer: DNS, connect, TLS, timeout */
    OUT_REFUSED,       /* a private address, allow_private_sources off */
    OUT_TOO_BIG,       /* over source_max_bytes */
    OUT_UNREADABLE,    /* 2xx that does not parse as its kind */
    OUT_REDIRECT,      /* a redirect that could not be followed */
    N_OUTCOMES
};
static const char *const outcome_names[N_OUTCOMES] = {
    "ok",      "not_modified", "http_error", "network_error",
    "refused", "too_big",      "unreadable", "redirect_error"};
enum { ITEM_ADDED, ITEM_UPDATED, ITEM_MERGED, ITEM_REJECTED, N_ITEM_RESULTS };
static const char *const item_names[N_ITEM_RESULTS] = {"added", "updated", "merged", "rejected"};
#define N_KINDS      (SOURCE_GOOGLE + 1)
#define KIND_SLOT(f) ((unsigned)(f)->cfg->kind < N_KINDS ? (unsigned)(f)->cfg->kind : 0)

struct pull_poller {
    struct pull_poller_config cfg; /* allow_networks: NULL, read into reach */
    struct pull__curl *curl;
    struct event *timer;
    struct store_txn *rtxn;     /* the scans' read transaction, renewed per scan */
    struct pull__fetch *active; /* transfers in flight, and jobs not yet committed */
    _Atomic size_t n_active;    /* atomics: /metrics and kicks read them from any thread */
    struct pull__reach reach;
    atomic_bool stopping;
    uint64_t rng;
    /* /metrics */
    _Atomic uint64_t polls, failures, not_modified, items_added, items_updated, items_merged,
        items_rejected;
    _Atomic uint64_t outcomes[N_KINDS][N_OUTCOMES];
    _Atomic uint64_t items[N_KINDS][N_ITEM_RESULTS];
};

static void schedule(struct pull_poller *p, uint64_t delay_ms);

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t next_random(struct pull_poller *p)
{
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return p->rng;
}

uint32_t pull_min_interval(void)
{
    const char *v = getenv("CHORUS_SOURCE_MIN_INTERVAL");
    long n = v ? strtol(v, NULL, 10) : 0;

    return n >= 1 && n < SOURCE_INTERVAL_MIN ? (uint32_t)n : SOURCE_INTERVAL_MIN;
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

/* ---- the transfer ---------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct pull__fetch *f = ctx;

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
    struct pull__fetch *f = ctx;
    struct buf b;

    buf_init(&b, 8192);
    if (buf_printf(&b, "%s: %s", name, value) == 0)
        f->headers = curl_slist_append(f->headers, b.data);
    buf_cleanup(&b);
}

static void fetch_free(struct pull__fetch *f)
{
    if (!f)
        return;
    if (f->easy)
        curl_easy_cleanup(f->easy);
    curl_slist_free_all(f->headers);
    buf_cleanup(&f->body);
    for (size_t i = 0; i < f->n; i++) {
        free((void *)f->items[i].review);
        free((void *)f->items[i].product);
        free((void *)f->items[i].asin);
    }
    free(f->items);
    free(f->cfg);
    free(f);
}

static void fetch_unlink(struct pull_poller *p, struct pull__fetch *f)
{
    for (struct pull__fetch **pp = &p->active; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            p->n_active--;
            return;
        }
    }
}

static size_t host_count(struct pull_poller *p, const char *host)
{
    size_t n = 0;

    for (struct pull__fetch *f = p->active; f; f = f->next)
        n += strcmp(f->host, host) == 0;
    return n;
}

static bool in_flight(struct pull_poller *p, uint64_t id)
{
    for (struct pull__fetch *f = p->active; f; f = f->next)
        if (f->id == id)
            return true;
    return false;
}

/* same_origin says whether the URLs a and b have the same scheme, host and
 * port (a port left out is the scheme's), as libcurl reads them. A URL
 * libcurl cannot read has no origin, so it matches nothing. */
static bool same_origin(const char *a, const char *b)
{
    static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
    CURLU *ua = curl_url(), *ub = curl_url();
    bool same = ua && ub && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
                curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK;

    for (size_t i = 0; same && i < sizeof(parts) / sizeof(parts[0]); i++) {
        unsigned flags = parts[i] == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0;
        char *x = NULL, *y = NULL;

        same = curl_url_get(ua, parts[i], &x, flags) == CURLUE_OK &&
               curl_url_get(ub, parts[i], &y, flags) == CURLUE_OK && strcasecmp(x, y) == 0;
        curl_free(x);
        curl_free(y);
    }
    curl_url_cleanup(ua);
    curl_url_cleanup(ub);
    return same;
}

/* set_request points f's handle at url with the headers of that hop. The
 * source's own headers go only to the origin the source was configured
 * with: they are credentials for that server, and a redirect elsewhere
 * (or back to plain http) must not carry them. The validators go to every
 * hop, as before: a feed that moved answers them at its new address. */
static void set_request(struct pull__fetch *f, const char *url)
{
    char h[SOURCE_ETAG_LEN + 32];

    curl_slist_free_all(f->headers);
    f->headers = NULL;
    if (same_origin(url, f->cfg->url))
        parse_source_headers(f->cfg->headers, add_header, f);
    if (f->st.etag[0]) {
        snprintf(h, sizeof(h), "If-None-Match: %s", f->st.etag);
        f->headers = curl_slist_append(f->headers, h);
    }
    if (f->st.last_modified[0]) {
        snprintf(h, sizeof(h), "If-Modified-Since: %s", f->st.last_modified);
        f->headers = curl_slist_append(f->headers, h);
    }
    curl_easy_setopt(f->easy, CURLOPT_URL, url);
    curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->headers);
}

static int start(struct pull_poller *p, const struct store_source *src)
{
    struct pull__fetch *f = calloc(1, sizeof(*f));

    if (!f)
        abort();
    f->p = p;
    f->reach = &p->reach;
    f->id = src->id;
    f->cfg = source_config_dup(&src->cfg);
    f->st = src->st;
    f->deadline_ms = mono_ms() + TOTAL_MS;
    host_of(f->cfg->url, f->host, sizeof(f->host));
    buf_init(&f->body, p->cfg.max_bytes);
    /* No redirects in libcurl: follow takes them, hop by hop. */
    f->easy = pull__curl_easy_new(f->cfg->url, f, f->err, CONNECT_MS, TOTAL_MS, 0);
    if (!f->easy) {
        fetch_free(f);
        return CHORUS_ENOMEM;
    }
    curl_easy_setopt(f->easy, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETFUNCTION, pull__opensocket);
    curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETDATA, f);
    /* A server that says the size up front is refused before a byte. */
    curl_easy_setopt(f->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)p->cfg.max_bytes);
    set_request(f, f->cfg->url);
    if (pull__curl_add(p->curl, f->easy) != 0) {
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
    struct pull_poller *p;
    int64_t now;
    int64_t earliest; /* next_poll_at of the soonest source not started; 0 = none */
};

static int scan_one(void *ctx, const struct store_source *src)
{
    struct scan *sc = ctx;
    struct pull_poller *p = sc->p;
    char host[PULL__MAX_HOST];

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
    struct pull_poller *p = arg;
    struct scan sc = {p, chorus_now(), 0};
    uint64_t delay = RESCAN_MS, now = wall_ms();
    int rc;

    (void)fd;
    (void)what;
    /* Draining: nothing new could be stored, so nothing new is fetched. */
    if (p->stopping)
        return;
    rc = store_read_begin(p->cfg.store, &p->rtxn);
    if (rc == 0) {
        rc = store_sources_each(p->rtxn, scan_one, &sc);
        store_read_end(p->rtxn);
    }
    if (rc)
        fprintf(stderr, "chorusd: sources: cannot read the sources: %s\n", chorus_strerror(rc));
    if (sc.earliest && (uint64_t)sc.earliest * 1000u < now + delay)
        delay = (uint64_t)sc.earliest * 1000u > now ? (uint64_t)sc.earliest * 1000u - now : 0;
    schedule(p, delay);
}

static void schedule(struct pull_poller *p, uint64_t delay_ms)
{
    struct timeval tv;

    tv.tv_sec = (time_t)(delay_ms / 1000);
    tv.tv_usec = (suseconds_t)(delay_ms % 1000 * 1000);
    evtimer_add(p->timer, &tv);
}

void pull_poller_kick(struct pull_poller *p)
{
    if (p && !p->stopping)
        schedule(p, 0);
}

/* ---- the items: parsed on the loop, stored by the writer ------------------------------------ */

static void add_reason(struct pull__fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_reason(struct pull__fetch *f, const char *fmt, ...)
{
    va_list ap;

    if (f->n_reasons >= SOURCE_MAX_REASONS)
        return;
    va_start(ap, fmt);
    chorus_vfmt(f->reasons[f->n_reasons++], SOURCE_REASON_LEN, fmt, ap);
    va_end(ap);
}

struct collect {
    struct pull__fetch *f;
    struct parse_source_rules *rules;
};

static int on_item(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct collect *c = ctx;
    struct pull__fetch *f = c->f;
    struct parse_source_review out;
    struct store_ingest_item *slot;
    char why[SOURCE_REASON_LEN];

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
    if (parse_source_item(c->rules, it, &out, why, sizeof(why)) != 0) {
        f->doc_rejected++;
        add_reason(f, "%s", why);
        return 0;
    }
    if (it->dropped) {
        /* The review is kept without them (docs/sources.md). */
        f->dropped += it->dropped;
        add_reason(f,
                   "item %s: %u product field(s) left out (a url that is not http(s), a GTIN "
                   "that does not check)",
                   out.review.source_id, it->dropped);
    }
    if (f->n == f->alloc) {
        f->alloc = f->alloc ? f->alloc * 2 : 16;
        f->items = realloc(f->items, f->alloc * sizeof(*f->items));
        if (!f->items)
            abort();
    }
    slot = &f->items[f->n++];
    memset(slot, 0, sizeof(*slot));
    slot->review = review_dup(&out.review);
    slot->product = out.has_product ? product_dup(&out.product) : NULL;
    slot->match = out.match;
    if (out.asin) {
        slot->asin = strdup(out.asin);
        if (!slot->asin)
            abort();
    }
    return 0;
}

/* parse_items parses f's body into f's items on the loop thread. It returns
 * 0, CHORUS_ESTOP when the document held more items than one poll takes
 * (those taken are kept), or another negative code with the details in
 * *perr (cleared first) when the document cannot be read. */
static int parse_items(struct pull__fetch *f, struct parse_error *perr)
{
    struct collect c = {f, NULL};
    struct parse_feed_options opt = {f->cfg->json_map, MAX_ITEMS + 1};
    int rc;

    memset(perr, 0, sizeof(*perr));
    rc = parse_source_rules_new(&c.rules, f->cfg, f->id);
    if (rc == 0)
        rc = parse_feed(f->body.data ? f->body.data : "", f->body.len, f->cfg->kind, &opt, on_item,
                        &c, perr);
    parse_source_rules_free(c.rules);
    return rc;
}

static int job_apply(struct store_txn *txn, struct store_job *job)
{
    struct pull__fetch *f = (struct pull__fetch *)job;
    struct store_ingest_counts *n = &f->counts;
    struct source_state st;
    int rc;

    /* Pulled items are where one review arrives through several feeds:
     * copies fold into the first (docs/sources.md). Their product fields
     * replace set ones only from a source the operator marked catalogue. */
    rc = store_ingest_batch(txn, f->items, f->n,
                            STORE_PUT_MERGE | (f->cfg->catalogue ? STORE_PUT_CATALOGUE : 0), n);
    if (rc)
        return rc;
    /* A rerun starts again from what parsing left: its reasons are kept,
     * the store's are not. */
    f->n_reasons = f->n_parse_reasons;
    for (size_t i = 0; i < f->n; i++) {
        const struct store_ingest_item *it = &f->items[i];

        if (it->error == CHORUS_ENOTFOUND)
            add_reason(f, "item %s: names no product (no GTIN, SKU, MPN with brand or ASIN)",
                       it->review->source_id);
        else if (it->error)
            add_reason(f, "item %s: breaks a storage limit (too long, or no product)",
                       it->review->source_id);
    }
    st = f->st;
    st.last_poll_at = chorus_now();
    st.items_seen = f->n_seen;
    st.items_added = n->created;
    st.items_updated = n->updated;
    st.items_merged = n->merged;
    st.items_rejected = n->refused + f->doc_rejected;
    st.n_reasons = f->n_reasons;
    memcpy(st.reasons, f->reasons, sizeof(st.reasons));
    if (f->n_seen)
        chorus_fmt(st.last_status, sizeof(st.last_status),
                   "%s, %zu items: %llu added, %llu updated, %llu merged, %llu rejected",
                   f->status_line, f->n_seen, (unsigned long long)n->created,
                   (unsigned long long)n->updated, (unsigned long long)n->merged,
                   (unsigned long long)st.items_rejected);
    if (f->n_seen && f->dropped + n->dropped)
        chorus_fmt(st.last_status + strlen(st.last_status),
                   sizeof(st.last_status) - strlen(st.last_status),
                   ", %llu product fields left out", (unsigned long long)(f->dropped + n->dropped));
    if (!f->n_seen)
        snprintf(st.last_status, sizeof(st.last_status), "%s", f->status_line);
    /* Status, reasons and validators quote what servers and feeds said (an
     * error text, a redirect's host, an item id, an ETag): whatever bytes
     * those held, the state is shown as JSON, so it is made valid UTF-8
     * here, once. A validator stored by an older version is scrubbed by
     * the next poll, a 304 included. */
    chorus_utf8_scrub(st.last_status, strlen(st.last_status));
    chorus_utf8_scrub(st.etag, strlen(st.etag));
    chorus_utf8_scrub(st.last_modified, strlen(st.last_modified));
    for (uint32_t i = 0; i < st.n_reasons; i++)
        chorus_utf8_scrub(st.reasons[i], strlen(st.reasons[i]));
    rc = store_source_state_put(txn, f->id, &st);
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

/* announce tells the owner which products' public reviews the poll
 * changed: once per product of a run of items (a feed lists a product's
 * reviews together), and only for items a reader can see change. */
static void announce(struct pull__fetch *f)
{
    const char *last = NULL;

    if (!f->p->cfg.changed)
        return;
    for (size_t i = 0; i < f->n; i++) {
        const struct store_ingest_item *it = &f->items[i];
        const char *id = it->review->product_id;

        if (!it->result || it->result == STORE_UNCHANGED ||
            (it->result == STORE_CREATED && it->review->status != REVIEW_APPROVED) || !id[0] ||
            (last && strcmp(last, id) == 0))
            continue;
        f->p->cfg.changed(f->p->cfg.ctx, id);
        last = id;
    }
}

static void job_done(struct store_job *job, int commit_rc)
{
    struct pull__fetch *f = (struct pull__fetch *)job;
    struct pull_poller *p = f->p;
    const struct store_ingest_counts *n = &f->counts;

    if (commit_rc && commit_rc != CHORUS_EBUSY) /* EBUSY: the server is stopping */
        fprintf(stderr, "chorusd: sources: source %llu: the poll was not stored: %s\n",
                (unsigned long long)f->id, chorus_strerror(commit_rc));
    if (commit_rc == 0) {
        p->items_added += n->created;
        p->items_updated += n->updated;
        p->items_merged += n->merged;
        p->items_rejected += n->refused + f->doc_rejected;
        p->items[KIND_SLOT(f)][ITEM_ADDED] += n->created;
        p->items[KIND_SLOT(f)][ITEM_UPDATED] += n->updated;
        p->items[KIND_SLOT(f)][ITEM_MERGED] += n->merged;
        p->items[KIND_SLOT(f)][ITEM_REJECTED] += n->refused + f->doc_rejected;
        announce(f);
    }
    fetch_unlink(p, f);
    fetch_free(f);
    pull_poller_kick(p);
}

/* job_submit hands f to the writer, which holds it until its done frees it
 * on the loop; a writer that is draining refuses it, and the poll is
 * dropped here. */
static void job_submit(struct pull__fetch *f)
{
    struct pull_poller *p = f->p;

    f->job.apply = job_apply;
    f->job.done = job_done;
    f->job.weight = f->n ? f->n : 1;
    if (p->cfg.submit(p->cfg.ctx, &f->job) != 0)
        job_done(&f->job, CHORUS_EBUSY);
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

/* keep_validator copies the response header name into out (cap bytes)
 * when it can go back in a conditional request as it came: shorter than
 * cap, and without control characters (a CR or LF would split the request's
 * header; no server means any of them). Otherwise the source keeps none,
 * which costs the next poll a full fetch, nothing more. Bytes that are not
 * UTF-8 are job_apply's to scrub. */
static void keep_validator(CURL *e, const char *name, char *out, size_t cap)
{
    struct curl_header *h = NULL;
    size_t n;

    out[0] = '\0';
    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return;
    n = strlen(h->value);
    if (n >= cap)
        return;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)h->value[i] < 0x20 || h->value[i] == 0x7f)
            return;
    memcpy(out, h->value, n + 1);
}

/* follow starts the next hop when easy's answer (code) is a redirect to
 * follow: 0 when it did, and the transfer goes on; CHORUS_ENOTFOUND when
 * the answer is no redirect, which ends the poll as it is; another code,
 * with f->status_line written, when the poll fails here. Every hop goes
 * through pull__opensocket like the first, gets what is left of TOTAL_MS,
 * and has its own body cap; past MAX_REDIRS hops the poll fails, as
 * libcurl's own limit did. */
static int follow(struct pull__fetch *f, CURL *easy, long code)
{
    char url[SOURCE_MAX_URL + 1], *to = NULL;
    uint64_t now = mono_ms();
    size_t n;

    if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
        return CHORUS_ENOTFOUND;
    if (curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &to) != CURLE_OK || !to)
        return CHORUS_ENOTFOUND;
    n = strlen(to);
    if (f->hops == MAX_REDIRS) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: more than %d redirects followed",
                   MAX_REDIRS);
        return CHORUS_EINVAL;
    }
    if (n > SOURCE_MAX_URL) {
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: HTTP %ld redirects to a URL longer than %d bytes", code, SOURCE_MAX_URL);
        return CHORUS_EINVAL;
    }
    if (now >= f->deadline_ms) {
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: redirects took longer than %d seconds", TOTAL_MS / 1000);
        return CHORUS_EINVAL;
    }
    /* The redirect's URL belongs to the handle's last transfer: copied
     * before the handle is set up for the next. */
    memcpy(url, to, n + 1);
    f->hops++;
    buf_reset(&f->body);
    f->refused = false;
    f->err[0] = '\0';
    set_request(f, url);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(f->deadline_ms - now));
    if (pull__curl_add(f->p->curl, easy) != 0) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: cannot follow a redirect");
        return CHORUS_EINVAL;
    }
    return 0;
}

/* fail_poll writes an error state (without items) through the writer. */
static void fail_poll(struct pull__fetch *f, int64_t now, int64_t wait)
{
    struct pull_poller *p = f->p;
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
    struct pull_poller *p = ctx;
    struct pull__fetch *f = NULL;
    long code = 0;
    int64_t now = chorus_now();
    enum poll_outcome out = OUT_OK;
    int rc;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&f);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    rc = result == CURLE_OK ? follow(f, easy, code) : CHORUS_ENOTFOUND;
    if (rc == 0)
        return; /* the next hop is on its way */
    f->n_reasons = 0;
    if (rc != CHORUS_ENOTFOUND) {
        out = OUT_REDIRECT;
        fail_poll(f, now, 0);
    } else if (f->refused && result != CURLE_OK) {
        /* Only when nothing else worked: a name with a public address as
         * well may have been fetched from that one. The host named is the
         * hop that was refused, a redirect's target included. */
        char *where = NULL, host[PULL__MAX_HOST];

        curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &where);
        host_of(where ? where : f->cfg->url, host, sizeof(host));
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: refused: %s resolves to %s, a private, loopback, link-local or "
                   "reserved address (set allow_private_sources to allow it)",
                   host, f->refused_addr);
        out = OUT_REFUSED;
        fail_poll(f, now, 0);
    } else if (f->too_big || result == CURLE_FILESIZE_EXCEEDED) {
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: the document is larger than source_max_bytes (%zu bytes)",
                   p->cfg.max_bytes);
        out = OUT_TOO_BIG;
        fail_poll(f, now, 0);
    } else if (result != CURLE_OK) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: %s",
                   f->err[0] ? f->err : curl_easy_strerror(result));
        out = OUT_NETWORK_ERROR;
        fail_poll(f, now, 0);
    } else if (code == 304) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "304 Not Modified");
        p->not_modified++;
        out = OUT_NOT_MODIFIED;
        f->ok = true;
    } else if (code < 200 || code > 299) {
        chorus_fmt(f->status_line, sizeof(f->status_line), "error: HTTP %ld", code);
        out = OUT_HTTP_ERROR;
        fail_poll(f, now, code == 429 || code == 503 ? retry_after(easy, now) : 0);
    } else {
        struct parse_error perr;

        rc = parse_items(f, &perr);
        if (rc && rc != CHORUS_ESTOP) {
            chorus_fmt(f->status_line, sizeof(f->status_line), "error: %ld but unreadable: %s",
                       code, perr.message[0] ? perr.message : chorus_strerror(rc));
            out = OUT_UNREADABLE;
            fail_poll(f, now, 0);
        } else {
            chorus_fmt(f->status_line, sizeof(f->status_line), "%ld OK", code);
            keep_validator(easy, "ETag", f->st.etag, sizeof(f->st.etag));
            keep_validator(easy, "Last-Modified", f->st.last_modified, sizeof(f->st.last_modified));
            f->ok = true;
        }
    }
    p->outcomes[KIND_SLOT(f)][out]++;
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
    job_submit(f);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

int pull_poller_start(struct pull_poller **out, const struct pull_poller_config *cfg)
{
    struct pull_poller *p = calloc(1, sizeof(*p));
    const char *env = getenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    int rc;

    if (!p)
        abort();
    p->cfg = *cfg;
    p->cfg.allow_networks = NULL;
    p->reach.allow_private = cfg->allow_private || (env && strcmp(env, "1") == 0);
    /* Checked when the config was read. */
    if (pull_net_parse(cfg->allow_networks ? cfg->allow_networks : "", p->reach.allowed,
                       PULL_MAX_NETS, &p->reach.n_allowed))
        p->reach.n_allowed = 0;
    p->rng = wall_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
    rc = pull__curl_new(&p->curl, cfg->base, on_done, p);
    if (rc == 0) {
        pull__curl_host_limit(p->curl, MAX_PER_HOST);
        p->timer = evtimer_new(cfg->base, on_timer, p);
        if (!p->timer)
            rc = CHORUS_ENOMEM;
    }
    if (rc) {
        pull_poller_free(p);
        return rc;
    }
    schedule(p, 0);
    *out = p;
    return 0;
}

void pull_poller_stop(struct pull_poller *p)
{
    if (!p)
        return;
    p->stopping = true;
    evtimer_del(p->timer);
}

void pull_poller_free(struct pull_poller *p)
{
    if (!p)
        return;
    /* Transfers in flight are abandoned (no done calls); jobs already with
     * the writer were answered when it stopped, before this. */
    pull__curl_free(p->curl);
    while (p->active) {
        struct pull__fetch *f = p->active;

        p->active = f->next;
        if (f->easy) {
            fetch_free(f);
        } else {
            /* Its job is with the writer, which owns it now. */
        }
    }
    if (p->timer)
        event_free(p->timer);
    store_txn_free(p->rtxn);
    free(p);
}

void pull_poller_metrics(const struct pull_poller *p, struct buf *b)
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
               "# TYPE chorus_source_items_merged_total counter\n"
               "chorus_source_items_merged_total %llu\n"
               "# TYPE chorus_source_items_rejected_total counter\n"
               "chorus_source_items_rejected_total %llu\n"
               "# TYPE chorus_source_fetches_active gauge\nchorus_source_fetches_active %zu\n",
               (unsigned long long)p->polls, (unsigned long long)p->failures,
               (unsigned long long)p->not_modified, (unsigned long long)p->items_added,
               (unsigned long long)p->items_updated, (unsigned long long)p->items_merged,
               (unsigned long long)p->items_rejected, p->n_active);
    /* By kind: series for the kinds that were polled, so an operator sees
     * one broken kind that the totals above would hide. */
    buf_puts(b, "# TYPE chorus_source_poll_outcomes_total counter\n");
    for (int k = 0; k < N_KINDS; k++)
        for (int o = 0; o < N_OUTCOMES; o++)
            if (p->outcomes[k][o])
                buf_printf(b,
                           "chorus_source_poll_outcomes_total{kind=\"%s\",outcome=\"%s\"} %llu\n",
                           source_kind_name((enum source_kind)k), outcome_names[o],
                           (unsigned long long)p->outcomes[k][o]);
    buf_puts(b, "# TYPE chorus_source_items_total counter\n");
    for (int k = 0; k < N_KINDS; k++)
        for (int i = 0; i < N_ITEM_RESULTS; i++)
            if (p->items[k][i])
                buf_printf(b, "chorus_source_items_total{kind=\"%s\",result=\"%s\"} %llu\n",
                           source_kind_name((enum source_kind)k), item_names[i],
                           (unsigned long long)p->items[k][i]);
}
