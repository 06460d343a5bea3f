/* chorusd's lifecycle: open the store, bind, serve, drain, close. */
#include "internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/listener.h>
#include <event2/thread.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/text.h"

/* The poller's writes go through the server's writer, and what they change
 * is announced like any other write's. */
static int submit(void *ctx, struct store_job *job)
{
    struct srv *s = ctx;

    return s->writer ? store_writer_submit(s->writer, job) : CHORUS_EBUSY;
}

static void changed(void *ctx, const char *product_id)
{
    struct srv *s = ctx;

    srv__feeds_changed(&s->threads[0], product_id);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct srv *s = arg;

    (void)what;
    fprintf(stderr, "chorusd: signal %d, finishing writes and stopping\n", (int)sig);
    srv_stop(s);
}

/* SIGHUP: the API keys file again (a key removed stops working, a key added
 * starts) and the access log reopened (rotation), connections untouched;
 * docs/configuration.md says what else. */
static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    struct srv *s = arg;
    char err[512];

    (void)sig;
    (void)what;
    srv__access_reopen(s);
    if (srv__keys_reload(s, err, sizeof(err)) == 0)
        fprintf(stderr, "chorusd: SIGHUP: API keys reloaded\n");
    else
        fprintf(stderr, "chorusd: SIGHUP: keeping the API keys in use: %s\n", err);
}

int srv_new(struct srv **out, const struct srv_config *c, char *errbuf, size_t errlen)
{
    struct srv *s = calloc(1, sizeof(*s));
    int rc;

    if (!s)
        abort();
    s->cfg = *c;
    errbuf[0] = '\0';
    /* Other threads activate events on the loops' bases: the writer on
     * thread 0's, every thread on the others' inboxes. */
    if (evthread_use_pthreads() != 0) {
        rc = CHORUS_ENOMEM;
        goto fail;
    }
    s->base = srv__base_new(c);
    if (!s->base) {
        snprintf(errbuf, errlen, "cannot create the event loop");
        rc = CHORUS_ENOMEM;
        goto fail;
    }
    s->access_fd = -1;
    parse_json_budget_set(c->max_json_memory);
    pthread_mutex_init(&s->keys_mu, NULL);
    rc = srv__keys_load(&s->keys, c, errbuf, errlen);
    if (rc)
        goto fail;
    rc = store_open(&s->store, c->data_dir, errbuf, errlen);
    if (rc)
        goto fail;
    rc = srv__client_init(s, errbuf, errlen);
    if (rc == 0)
        rc = srv__access_open(s, errbuf, errlen);
    if (rc)
        goto fail;
    s->conns = srv__conns_new();
    s->votes = srv__ratelimit_new(c->votes_per_hour);
    snprintf(s->instance, sizeof(s->instance), "%016llx",
             (unsigned long long)store_instance(s->store));
    if (c->taxonomy_file[0])
        rc = text_taxonomy_load(&s->taxonomy, c->taxonomy_file, errbuf, errlen);
    else
        rc = text_taxonomy_default(&s->taxonomy);
    if (rc)
        goto fail;
    store_set_tagger(s->store, text_review_tags, s->taxonomy);
    store_set_versioner(s->store, text_review_versions, NULL);
    store_set_scorer(s->store, text_review_sentiment, NULL);
    if (c->cache_bytes)
        s->cache = srv__cache_new(c->cache_bytes);
    if (c->websub_hub[0]) {
        rc = pull_websub_new(&s->websub, s->base, c->websub_hub);
        if (rc) {
            snprintf(errbuf, errlen, "cannot start the WebSub notifier for %s", c->websub_hub);
            goto fail;
        }
    }
    rc = srv__threads_new(s, errbuf, errlen);
    if (rc)
        goto fail;
    if (c->public_url[0])
        snprintf(s->public_url, sizeof(s->public_url), "%s", c->public_url);
    else
        snprintf(s->public_url, sizeof(s->public_url), "http://%s:%d",
                 strchr(c->listen_host, ':') ? "[::1]" : c->listen_host, s->port);
    srv__widget_setup(s);
    rc = srv__gfeed_start(s, errbuf, errlen);
    if (rc)
        goto fail;
    s->sigint_ev = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sigterm_ev = evsignal_new(s->base, SIGTERM, on_signal, s);
    s->sighup_ev = evsignal_new(s->base, SIGHUP, on_hup, s);
    if (!s->sigint_ev || !s->sigterm_ev || !s->sighup_ev || evsignal_add(s->sigint_ev, NULL) ||
        evsignal_add(s->sigterm_ev, NULL) || evsignal_add(s->sighup_ev, NULL)) {
        rc = CHORUS_ENOMEM;
        goto fail;
    }
    signal(SIGPIPE, SIG_IGN);
    rc = srv__writer_start(s);
    if (rc) {
        snprintf(errbuf, errlen, "cannot start the writer thread");
        goto fail;
    }
    rc = pull_poller_start(&s->poller, &(struct pull_poller_config){
                                           .base = s->base,
                                           .store = s->store,
                                           .max_bytes = c->source_max_bytes,
                                           .allow_private = c->allow_private_sources,
                                           .allow_networks = c->allow_source_networks,
                                           .submit = submit,
                                           .changed = changed,
                                           .ctx = s,
                                       });
    if (rc) {
        snprintf(errbuf, errlen, "cannot start the source poller");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    if (!errbuf[0])
        snprintf(errbuf, errlen, "%s", chorus_strerror(rc));
    srv_free(s);
    return rc;
}

int srv_bound_port(const struct srv *s)
{
    return s->port;
}

int srv_run(struct srv *s)
{
    return srv__threads_run(s);
}

void srv_stop(struct srv *s)
{
    struct timeval flush = {1, 0};

    /* Start no new poll, acknowledge every queued write, then give the
     * replies a moment to leave before the loop exits. */
    pull_poller_stop(s->poller);
    srv__writer_stop(s);
    srv__threads_stop(s, &flush);
}

void srv_free(struct srv *s)
{
    if (!s)
        return;
    srv__writer_stop(s);
    srv__writer_cleanup(s);
    pull_poller_free(s->poller);
    srv__threads_free(s);
    srv__gfeed_stop(s);
    srv__conns_free(s->conns);
    if (s->sigint_ev)
        event_free(s->sigint_ev);
    if (s->sigterm_ev)
        event_free(s->sigterm_ev);
    if (s->sighup_ev)
        event_free(s->sighup_ev);
    pull_websub_free(s->websub);
    srv__cache_free(s->cache);
    store_close(s->store);
    text_taxonomy_free(s->taxonomy);
    srv__ratelimit_free(s->votes);
    srv__keys_release(s->keys);
    srv__access_close(s);
    pthread_mutex_destroy(&s->keys_mu);
    if (s->base)
        event_base_free(s->base);
    free(s);
}
