/* /healthz and /metrics (Prometheus text format). */
#include "internal.h"

#include "chorus/base.h"

/* Healthy is: the store can be read (a read transaction and its counts),
 * not only that the loop answers; 503 from srv__read_begin or here when not. */
void srv__health(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    uint64_t reviews = 0, products = 0;
    struct store_txn *txn;
    struct buf b;
    int rc;

    if (!srv__query_check(r, allowed))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    rc = store_counts(txn, &reviews, &products);
    srv__read_end(r);
    if (rc) {
        srv__problem(r, 503, "The review store cannot be read: %s.", chorus_strerror(rc));
        return;
    }
    buf_init(&b, 0);
    buf_puts(&b, "{\"status\":\"ok\",\"store\":\"readable\"}");
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    srv__reply(r, 200, "application/json", &b);
    buf_cleanup(&b);
}

void srv__metrics(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    uint64_t batches, jobs, reviews = 0, products = 0, requests = 0, refused_total, refused_client;
    size_t open, pending = 0;
    uint64_t map_bytes = 0, used_bytes = 0;
    struct store_txn *txn;
    struct buf b;

    /* Counts of pending and rejected reviews are the moderators' business:
     * metrics_access = public opens them to a scraper without a key. */
    if ((!r->srv->cfg.metrics_public && !srv__require_key(r)) || !srv__query_check(r, allowed))
        return;
    store_writer_stats(r->srv->writer, &batches, &jobs, &pending);
    store_map_use(r->srv->store, &map_bytes, &used_bytes);
    txn = srv__read_begin(r);
    if (!txn)
        return;
    store_counts(txn, &reviews, &products);
    srv__read_end(r);
    /* Each serving thread counts its own requests; summed here, so no
     * request writes a shared counter. */
    for (size_t i = 0; i < r->srv->n_threads; i++)
        requests += r->srv->threads[i].requests;
    buf_init(&b, 0);
    buf_printf(&b,
               "# TYPE chorus_http_requests_total counter\nchorus_http_requests_total %llu\n"
               "# TYPE chorus_write_batches_total counter\nchorus_write_batches_total %llu\n"
               "# TYPE chorus_write_jobs_total counter\nchorus_write_jobs_total %llu\n"
               "# TYPE chorus_reviews gauge\nchorus_reviews %llu\n"
               "# TYPE chorus_products gauge\nchorus_products %llu\n",
               (unsigned long long)requests, (unsigned long long)batches, (unsigned long long)jobs,
               (unsigned long long)reviews, (unsigned long long)products);
    buf_puts(&b, "# TYPE chorus_thread_requests_total counter\n");
    for (size_t i = 0; i < r->srv->n_threads; i++)
        buf_printf(&b, "chorus_thread_requests_total{thread=\"%zu\"} %llu\n", i,
                   (unsigned long long)r->srv->threads[i].requests);
    buf_printf(&b,
               "# TYPE chorus_store_map_bytes gauge\nchorus_store_map_bytes %llu\n"
               "# TYPE chorus_store_used_bytes gauge\nchorus_store_used_bytes %llu\n"
               "# TYPE chorus_writer_queue gauge\nchorus_writer_queue %zu\n",
               (unsigned long long)map_bytes, (unsigned long long)used_bytes, pending);
    buf_printf(&b,
               "# TYPE chorus_product_listings_built_total counter\n"
               "chorus_product_listings_built_total %llu\n",
               (unsigned long long)store_plist_built(r->srv->store));
    srv__conns_metrics(r->srv, &open, &refused_total, &refused_client);
    buf_printf(&b,
               "# TYPE chorus_connections_open gauge\nchorus_connections_open %zu\n"
               "# TYPE chorus_connections_refused_total counter\n"
               "chorus_connections_refused_total{reason=\"max_connections\"} %llu\n"
               "chorus_connections_refused_total{reason=\"max_connections_per_client\"} %llu\n",
               open, (unsigned long long)refused_total, (unsigned long long)refused_client);
    if (r->srv->websub)
        pull_websub_metrics(r->srv->websub, &b);
    srv__cache_metrics(r->srv->cache, &b);
    srv__stats_metrics(r->srv, &b);
    pull_poller_metrics(r->srv->poller, &b);
    srv__gfeed_metrics(r->srv, &b);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    srv__reply(r, 200, "text/plain; version=0.0.4", &b);
    buf_cleanup(&b);
}
