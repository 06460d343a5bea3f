/* JSON collections: the comma-separated lists the list routes write, and
 * the keyed GET of a whole collection (sources, reader tokens). */
#include "internal.h"

int srv__list_review(void *ctx, const struct review *rv)
{
    struct srv_list *c = ctx;

    if (c->n++)
        c->rc = buf_putc(c->b, ',');
    if (c->rc == 0)
        c->rc = feed_review_json(c->b, rv);
    return c->rc;
}

void srv__list_reply(struct srv_req *r, const char *name,
                     int (*each)(struct store_txn *txn, struct srv_list *l))
{
    static const char *const no_params[] = {NULL};
    struct store_txn *txn;
    struct srv_list l = {0};
    struct buf b;
    int rc;

    if (!srv__query_check(r, no_params))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    l.b = &b;
    buf_printf(&b, "{\"%s\":[", name);
    rc = each(txn, &l);
    srv__read_end(r);
    buf_puts(&b, "]}");
    if (rc) {
        srv__problem(r, srv__status_of(rc), "The %s cannot be listed: %s.", name,
                     chorus_strerror(rc));
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
        srv__reply(r, 200, "application/json", &b);
    }
    buf_cleanup(&b);
}
