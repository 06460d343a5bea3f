/* libcurl on the event loop: one CURLM driven by a libevent event_base.
 *
 * This is the hiperfifo pattern (curl docs/examples/multi-event.c): curl
 * tells us which sockets to watch and when to wake it (on_socket,
 * on_curl_timer), libevent calls back (on_sock_event, on_curl_timeout),
 * curl_multi_socket_action does the work and curl_multi_info_read says
 * which transfers ended. Nothing here blocks the loop: a dead or silent
 * peer costs a few sockets and timers, never a request's latency.
 *
 * The easy handles are always the caller's; this file only borrows them
 * between pull__curl_add and the done callback, pull__curl_remove or
 * pull__curl_free. Everything runs on the loop thread of base: no locks.
 */
#include "pull_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "chorus/base.h"

/* A socket curl asked us to watch; listed so that shutdown frees what curl
 * did not hand back. */
struct sock {
    struct event *ev;
    struct sock *prev, *next;
};

struct pull__curl {
    struct event_base *base;
    CURLM *multi;
    struct event *timer; /* curl's single timeout */
    struct sock *socks;  /* every socket event */
    void (*done)(void *ctx, CURL *easy, CURLcode result);
    void *ctx;
    CURL **easy; /* the transfers in the multi, in no order */
    size_t n_easy;
    size_t cap_easy;
};

/* curl_global_init is not thread-safe; srv_new runs on the main thread
 * before any other thread of ours uses curl, and the flag keeps it to one
 * call per process however many servers (or loops) a test makes. */
static bool curl_ready;

static struct timeval tv_ms(long ms)
{
    struct timeval tv;

    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
    return tv;
}

/* forget takes easy off the list of transfers; false when it was not on it.
 * A linear scan: the callers keep a handful of transfers in flight (they
 * cap connections per host), and the list exists only so that
 * pull__curl_free can take back what is still in the multi. */
static bool forget(struct pull__curl *c, CURL *easy)
{
    for (size_t i = 0; i < c->n_easy; i++) {
        if (c->easy[i] == easy) {
            c->easy[i] = c->easy[--c->n_easy];
            return true;
        }
    }
    return false;
}

/* reap hands every finished transfer to done, once it is out of the multi. */
static void reap(struct pull__curl *c)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
        CURL *easy = m->easy_handle;
        CURLcode res = m->data.result;

        if (m->msg != CURLMSG_DONE)
            continue;
        /* m belongs to the handle: read it before the handle leaves. */
        curl_multi_remove_handle(c->multi, easy);
        forget(c, easy);
        c->done(c->ctx, easy, res);
    }
}

/* ---- libevent -> curl ----------------------------------------------------------- */

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
    struct pull__curl *c = arg;
    int flags = 0, running;

    if (what & EV_READ)
        flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(c->multi, fd, flags, &running);
    reap(c);
}

static void on_curl_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct pull__curl *c = arg;
    int running;

    (void)fd;
    (void)what;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(c);
}

/* ---- curl -> libevent ----------------------------------------------------------- */

static void sock_free(struct pull__curl *c, struct sock *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        c->socks = k->next;
    if (k->next)
        k->next->prev = k->prev;
    event_free(k->ev);
    free(k);
}

/* on_socket is CURLMOPT_SOCKETFUNCTION: watch fd for what curl wants, one
 * persistent event per socket, remembered with curl_multi_assign. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct pull__curl *c = userp;
    struct sock *k = socketp;
    short kind = EV_PERSIST;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (k)
            sock_free(c, k);
        return 0;
    }
    if (what & CURL_POLL_IN)
        kind |= EV_READ;
    if (what & CURL_POLL_OUT)
        kind |= EV_WRITE;
    if (!k) {
        k = calloc(1, sizeof(*k));
        if (!k)
            abort();
        k->ev = event_new(c->base, fd, kind, on_sock_event, c);
        if (!k->ev)
            abort();
        k->next = c->socks;
        if (c->socks)
            c->socks->prev = k;
        c->socks = k;
        curl_multi_assign(c->multi, fd, k);
    } else {
        /* event_assign is only allowed on an event that is not pending. */
        event_del(k->ev);
        event_assign(k->ev, c->base, fd, kind, on_sock_event, c);
    }
    event_add(k->ev, NULL);
    return 0;
}

/* on_curl_timer is CURLMOPT_TIMERFUNCTION. curl must not be re-entered from
 * here, so even a zero timeout goes through the loop. */
static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct pull__curl *c = userp;
    struct timeval tv;

    (void)m;
    if (timeout_ms < 0) {
        evtimer_del(c->timer);
        return 0;
    }
    tv = tv_ms(timeout_ms);
    evtimer_add(c->timer, &tv);
    return 0;
}

/* ---- the contract --------------------------------------------------------------- */

int pull__curl_new(struct pull__curl **out, struct event_base *base,
                   void (*done)(void *ctx, CURL *easy, CURLcode result), void *ctx)
{
    struct pull__curl *c = NULL;
    int rc = CHORUS_ENOMEM;

    *out = NULL;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            goto out;
        curl_ready = true;
    }
    c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->base = base;
    c->done = done;
    c->ctx = ctx;
    c->multi = curl_multi_init();
    c->timer = evtimer_new(base, on_curl_timeout, c);
    if (!c->multi || !c->timer)
        goto out;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    *out = c;
    c = NULL;
    rc = 0;
out:
    pull__curl_free(c);
    return rc;
}

void pull__curl_host_limit(struct pull__curl *c, unsigned n)
{
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
}

CURL *pull__curl_easy_new(const char *url, void *priv, char *err, long connect_ms, long total_ms,
                          long max_redirs)
{
    CURL *e = curl_easy_init();

    if (!e)
        return NULL;
    err[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, priv);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
    /* Signals would reach the whole server; timeouts without them need the
     * threaded resolver, which Debian's libcurl has. */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, max_redirs > 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, max_redirs);
    /* A URL or a redirect must not reach file:, gopher: or the other
     * protocols libcurl was built with. */
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    return e;
}

int pull__curl_add(struct pull__curl *c, CURL *easy)
{
    if (c->n_easy == c->cap_easy) {
        size_t cap = c->cap_easy ? c->cap_easy * 2 : 8;
        CURL **grown = realloc(c->easy, cap * sizeof(*grown));

        if (!grown)
            abort();
        c->easy = grown;
        c->cap_easy = cap;
    }
    /* The add arms a zero timeout through on_curl_timer: the transfer
     * starts on the next turn of the loop, not inside this call. */
    if (curl_multi_add_handle(c->multi, easy) != CURLM_OK)
        return CHORUS_EINVAL;
    c->easy[c->n_easy++] = easy;
    return 0;
}

void pull__curl_remove(struct pull__curl *c, CURL *easy)
{
    if (c && easy && forget(c, easy))
        curl_multi_remove_handle(c->multi, easy);
}

size_t pull__curl_running(const struct pull__curl *c)
{
    return c->n_easy;
}

void pull__curl_free(struct pull__curl *c)
{
    if (!c)
        return;
    /* Transfers still in the multi are abandoned; their handles stay the
     * caller's, who may clean them up now that curl has let go. */
    while (c->n_easy)
        curl_multi_remove_handle(c->multi, c->easy[--c->n_easy]);
    /* curl_multi_cleanup closes cached connections and may still call
     * on_socket and on_curl_timer, so the events stay until after it. */
    if (c->multi)
        curl_multi_cleanup(c->multi);
    while (c->socks)
        sock_free(c, c->socks);
    if (c->timer)
        event_free(c->timer);
    free(c->easy);
    free(c);
}
