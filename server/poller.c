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
 * latency. A finished body is parsed on the loop thread, and the items go
 * to the writer as one job that also writes the source's new state
 * (poller_items.c).
 *
 * Server-side request forgery: every address curl is about to connect to
 * passes through srv__poller_opensocket (poller_net.c), which refuses
 * loopback, private, link-local, unspecified and multicast addresses unless
 * the operator allowed them.
 */
#include "poller_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/error.h"

#define MAX_ACTIVE   8      /* transfers at once */
#define MAX_PER_HOST 2      /* of them to one host */
#define CONNECT_MS   10000  /* connect timeout */
#define TOTAL_MS     60000  /* whole-transfer timeout */
#define MAX_REDIRS   5      /* redirects followed */
#define RESCAN_MS    5000   /* longest sleep: other processes may schedule */
#define BACKOFF_BASE 60     /* seconds, or the interval when shorter */
#define BACKOFF_MAX  86400  /* the doubling stops at a day */
#define RETRY_MAX    604800 /* a Retry-After beyond a week is cut */
#define USER_AGENT   "Chorus/0.1 (+https://chorus.dev/sources)"

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
    struct srv__poller_fetch *f = ctx;

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
    struct srv__poller_fetch *f = ctx;
    struct buf b;

    buf_init(&b, 8192);
    if (buf_printf(&b, "%s: %s", name, value) == 0)
        f->headers = curl_slist_append(f->headers, b.data);
    buf_cleanup(&b);
}

void srv__poller_fetch_free(struct srv__poller_fetch *f)
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

void srv__poller_fetch_unlink(struct srv_poller *p, struct srv__poller_fetch *f)
{
    for (struct srv__poller_fetch **pp = &p->active; *pp; pp = &(*pp)->next) {
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

    for (struct srv__poller_fetch *f = p->active; f; f = f->next)
        n += strcmp(f->host, host) == 0;
    return n;
}

static bool in_flight(struct srv_poller *p, uint64_t id)
{
    for (struct srv__poller_fetch *f = p->active; f; f = f->next)
        if (f->id == id)
            return true;
    return false;
}

static int start(struct srv_poller *p, const struct store_source *src)
{
    struct srv__poller_fetch *f = calloc(1, sizeof(*f));
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
        srv__poller_fetch_free(f);
        return CHORUS_ENOMEM;
    }
    curl_easy_setopt(f->easy, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(f->easy, CURLOPT_OPENSOCKETFUNCTION, srv__poller_opensocket);
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
        srv__poller_fetch_free(f);
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
    char host[SRV__POLLER_MAX_HOST];

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
static void fail_poll(struct srv__poller_fetch *f, int64_t now, int64_t wait)
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
    struct srv__poller_fetch *f = NULL;
    long code = 0;
    int64_t now = chorus_now();

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&f);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    f->n_reasons = 0;
    if (f->refused && result != CURLE_OK) {
        /* Only when nothing else worked: a name with a public address as
         * well may have been fetched from that one. The host named is the
         * hop that was refused, a redirect's target included. */
        char *where = NULL, host[SRV__POLLER_MAX_HOST];

        curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &where);
        host_of(where ? where : f->cfg->url, host, sizeof(host));
        chorus_fmt(f->status_line, sizeof(f->status_line),
                   "error: refused: %s resolves to %s, a private, loopback, link-local or "
                   "reserved address (set allow_private_sources to allow it)",
                   host, f->refused_addr);
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
        struct parse_error perr;
        int rc = srv__poller_parse(f, &perr);

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
    srv__poller_job_submit(f);
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
    /* Checked when the config was read. */
    if (srv__net_parse(s->cfg.allow_source_networks, p->allowed, SRV__MAX_NETS, &p->n_allowed))
        p->n_allowed = 0;
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
        struct srv__poller_fetch *f = p->active;

        p->active = f->next;
        if (f->easy) {
            srv__poller_fetch_free(f);
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
               "# TYPE chorus_source_items_merged_total counter\n"
               "chorus_source_items_merged_total %llu\n"
               "# TYPE chorus_source_items_rejected_total counter\n"
               "chorus_source_items_rejected_total %llu\n"
               "# TYPE chorus_source_fetches_active gauge\nchorus_source_fetches_active %zu\n",
               (unsigned long long)p->polls, (unsigned long long)p->failures,
               (unsigned long long)p->not_modified, (unsigned long long)p->items_added,
               (unsigned long long)p->items_updated, (unsigned long long)p->items_merged,
               (unsigned long long)p->items_rejected, p->n_active);
}
