/* Open connections, counted, so no client can run chorusd out of file
 * descriptors: max_connections in all, max_connections_per_client from one
 * client (a trusted proxy is many clients and is exempt). A connection past
 * either is shut down at once and counted in /metrics.
 *
 * libevent 2.1's evhttp has no connection limit and tells nobody when it
 * accepts: its only per-connection hook is the bufferevent callback, which
 * runs before the socket is attached. So each new bufferevent is kept (one
 * reference of ours) and looked at on the loop's next turn, when evhttp has
 * given it its socket and the peer can be read. A connection is let go when
 * evhttp frees it: its close callback (set on each request) says so at
 * once; one that never sent a request is found by a sweep (every
 * SWEEP_MS, and before refusing anyone) by the callbacks evhttp clears when
 * it frees a bufferevent.
 *
 * Per thread: the connections it accepted, touched only on its loop. Shared:
 * the totals and the per-client counts, under one lock, taken once per
 * connection and once per close. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>

#define SWEEP_MS 250

struct srv_conns {
    pthread_mutex_t lock;
    size_t total;
    struct chorus_map clients; /* client name -> count, as a pointer-sized integer */
    _Atomic uint64_t refused_total, refused_client;
};

struct conn {
    struct bufferevent *bev; /* our reference */
    bool trusted;            /* a trusted proxy: not counted per client */
    char client[SRV_CLIENT_MAX];
};

struct srv_conns *srv__conns_new(void)
{
    struct srv_conns *c = calloc(1, sizeof(*c));
    uint64_t seed;

    if (!c)
        abort();
    pthread_mutex_init(&c->lock, NULL);
    /* Keyed by addresses clients choose: a seed they cannot guess. */
    seed = chorus_fnv64(CHORUS_FNV64_INIT, &c, sizeof(c)) ^ (uint64_t)chorus_mono_ms();
    chorus_map_init(&c->clients, seed);
    return c;
}

void srv__conns_free(struct srv_conns *c)
{
    if (!c)
        return;
    chorus_map_cleanup(&c->clients, NULL);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

enum verdict { ADMITTED, OVER_TOTAL, OVER_CLIENT };

/* count moves one client's count (and the total) by delta under the lock.
 * With delta +1 it refuses when a cap is reached, and says which. */
static enum verdict count(struct srv *s, const struct conn *k, int delta)
{
    struct srv_conns *c = s->conns;
    enum verdict v = ADMITTED;
    uintptr_t n = 0;
    void **slot = NULL;

    pthread_mutex_lock(&c->lock);
    if (!k->trusted) {
        slot = chorus_map_slot(&c->clients, k->client, strlen(k->client), NULL);
        n = (uintptr_t)*slot;
    }
    if (delta > 0 && c->total >= s->cfg.max_connections) {
        v = OVER_TOTAL;
    } else if (delta > 0 && !k->trusted && n >= s->cfg.max_connections_per_client) {
        v = OVER_CLIENT;
    } else if (delta > 0) {
        c->total++;
        n++;
    } else {
        c->total--;
        n--;
    }
    if (slot && n)
        *slot = (void *)n;
    else if (slot)
        chorus_map_remove(&c->clients, k->client, strlen(k->client));
    pthread_mutex_unlock(&c->lock);
    return v;
}

/* release lets a connection go: its counts and our reference. */
static void release(struct srv_thread *t, struct conn *k)
{
    chorus_map_remove(&t->conns, (const char *)&k->bev, sizeof(k->bev));
    count(t->srv, k, -1);
    bufferevent_decref(k->bev);
    free(k);
}

static int sweep_one(void *ctx, const char *key, size_t klen, void *val)
{
    struct conn *k = val, ***gone = ctx;
    bufferevent_data_cb rcb = NULL;
    bufferevent_event_cb ecb = NULL;

    (void)key;
    (void)klen;
    bufferevent_getcb(k->bev, &rcb, NULL, &ecb, NULL);
    if (!rcb && !ecb) /* evhttp freed it */
        *(*gone)++ = k;
    return 0;
}

/* sweep releases the connections evhttp has freed without a close
 * callback (those that never sent a request). */
static void sweep(struct srv_thread *t)
{
    struct conn **gone, **end;

    if (t->conns.n == 0)
        return;
    gone = malloc(t->conns.n * sizeof(*gone));
    if (!gone)
        abort();
    end = gone;
    chorus_map_each(&t->conns, sweep_one, &end);
    for (struct conn **p = gone; p < end; p++)
        release(t, *p);
    free(gone);
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sweep(arg);
}

/* admit_one decides about one new connection, now that it has its socket. */
static void admit_one(struct srv_thread *t, struct bufferevent *bev)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    evutil_socket_t fd = bufferevent_getfd(bev);
    struct conn *k;

    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
        bufferevent_decref(bev); /* gone already */
        return;
    }
    k = calloc(1, sizeof(*k));
    if (!k)
        abort();
    k->bev = bev;
    k->trusted = srv__peer_trusted(t->srv, (struct sockaddr *)&ss);
    srv__client_name((struct sockaddr *)&ss, k->client);
    if (count(t->srv, k, +1) != ADMITTED) {
        enum verdict v;

        /* The counts may be stale by a sweep's worth of closed
         * connections of this thread: look again before refusing. */
        sweep(t);
        v = count(t->srv, k, +1);
        if (v != ADMITTED) {
            atomic_fetch_add(v == OVER_TOTAL ? &t->srv->conns->refused_total
                                             : &t->srv->conns->refused_client,
                             1);
            /* evhttp reads the end of the stream and frees the connection. */
            shutdown(fd, SHUT_RDWR);
            bufferevent_decref(bev);
            free(k);
            return;
        }
    }
    chorus_map_add(&t->conns, (const char *)&k->bev, sizeof(k->bev), k);
}

static void on_admit(evutil_socket_t fd, short what, void *arg)
{
    struct srv_thread *t = arg;

    (void)fd;
    (void)what;
    for (size_t i = 0; i < t->n_fresh; i++)
        admit_one(t, t->fresh[i]);
    t->n_fresh = 0;
}

int srv__conns_thread_init(struct srv_thread *t)
{
    struct timeval every = {0, SWEEP_MS * 1000};

    chorus_map_init(&t->conns, 0);
    t->admit_ev = event_new(t->base, -1, 0, on_admit, t);
    t->sweep_ev = event_new(t->base, -1, EV_PERSIST, on_sweep, t);
    if (!t->admit_ev || !t->sweep_ev || event_add(t->sweep_ev, &every) != 0)
        return CHORUS_ENOMEM;
    return 0;
}

void srv__conns_accepted(struct srv_thread *t, struct bufferevent *bev)
{
    if (t->n_fresh == t->cap_fresh) {
        size_t cap = t->cap_fresh ? t->cap_fresh * 2 : 64;
        struct bufferevent **p = realloc(t->fresh, cap * sizeof(*p));

        if (!p)
            abort();
        t->fresh = p;
        t->cap_fresh = cap;
    }
    bufferevent_incref(bev);
    t->fresh[t->n_fresh++] = bev;
    event_active(t->admit_ev, 0, 0);
}

static void on_close(struct evhttp_connection *con, void *arg)
{
    struct srv_thread *t = arg;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(con);
    struct conn *k = chorus_map_get(&t->conns, (const char *)&bev, sizeof(bev));

    if (k)
        release(t, k);
}

void srv__conns_request(struct srv_thread *t, struct evhttp_request *req)
{
    struct evhttp_connection *con = evhttp_request_get_connection(req);

    if (con)
        evhttp_connection_set_closecb(con, on_close, t);
}

static int drop_one(void *ctx, const char *key, size_t klen, void *val)
{
    struct srv_thread *t = ctx;
    struct conn *k = val;

    (void)key;
    (void)klen;
    count(t->srv, k, -1);
    bufferevent_decref(k->bev);
    free(k);
    return 0;
}

void srv__conns_thread_free(struct srv_thread *t)
{
    for (size_t i = 0; i < t->n_fresh; i++)
        bufferevent_decref(t->fresh[i]);
    t->n_fresh = 0;
    chorus_map_each(&t->conns, drop_one, t);
    chorus_map_cleanup(&t->conns, NULL);
    free(t->fresh);
    if (t->admit_ev)
        event_free(t->admit_ev);
    if (t->sweep_ev)
        event_free(t->sweep_ev);
}

void srv__conns_metrics(const struct srv *s, size_t *open, uint64_t *refused_total,
                        uint64_t *refused_client)
{
    struct srv_conns *c = s->conns;

    pthread_mutex_lock(&c->lock);
    *open = c->total;
    pthread_mutex_unlock(&c->lock);
    *refused_total = atomic_load(&c->refused_total);
    *refused_client = atomic_load(&c->refused_client);
}
