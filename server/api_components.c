/* Component trends over HTTP (docs/digest.md, "Component trends"):
 * GET /api/v1/products/{id}/components for one product and
 * GET /api/v1/components?category= summed over a category's products. As
 * private as the digest they feed; rendered once per scope version and day
 * through srv__page. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

#define JSON_TYPE      "application/json"
#define COMP_MAX_BYTES (1 << 20) /* 64 components of a few hundred bytes each */

struct comp_ctx {
    struct feed_components_query q;
    int64_t now;
};

static int render(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct comp_ctx *c = ctx;

    (void)modified;
    return feed_components_json(r->t->rtxn, r->srv->taxonomy, &c->q, c->now, b);
}

static void fail(struct srv_req *r, const struct srv_page *pg, int rc)
{
    if (rc == CHORUS_ELIMIT)
        srv__problem(r, 413,
                     "This category has more than %u products to sum (components_max_products); "
                     "ask for a narrower category.",
                     r->srv->cfg.components_max_products);
    else
        srv__page_fail(r, pg, rc);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* answer serves the components of one scope (id: the product or category). */
static void answer(struct srv_req *r, enum store_scope scope, const char *id)
{
    const char *token = srv__query_get(r, "token");
    struct comp_ctx c;
    struct review_stats st;
    struct buf *key;
    int64_t day;

    if (!srv__read_begin(r) || !srv__digest_access(r, token, "component report") ||
        !srv__page_scope(r, scope, id, &st))
        return;
    memset(&c, 0, sizeof(c));
    c.q.product = scope == STORE_SCOPE_PRODUCT ? id : NULL;
    c.q.category = scope == STORE_SCOPE_CATEGORY ? id : "";
    c.q.max_products = r->srv->cfg.components_max_products;
    /* The windows end today: the day is part of the key, as for the digest.
     * The answer holds no link, so the token is not. */
    c.now = chorus_now();
    day = c.now / 86400;
    key = srv__scratch(r, 0);
    buf_printf(key, "components|%c|%lld|", (char)scope, (long long)day);
    srv__key_part(key, id);
    srv__page(r,
              &(struct srv_page){
                  .key = key->data,
                  .cacheable = true,
                  .version = st.version,
                  .modified = max64(st.changed_at ? st.changed_at : st.last_review_at, day * 86400),
                  .last_modified = true,
                  .private = !r->srv->cfg.digest_public,
                  .cors = true,
                  .type = JSON_TYPE,
                  .max_bytes = COMP_MAX_BYTES,
                  .what = "component report",
                  .narrow = "ask for a narrower category",
                  .render = render,
                  .fail = fail,
                  .ctx = &c,
              });
}

void srv__product_components(struct srv_req *r)
{
    static const char *const allowed[] = {"token", NULL};

    if (srv__query_check(r, allowed))
        answer(r, STORE_SCOPE_PRODUCT, r->param);
}

void srv__components(struct srv_req *r)
{
    static const char *const allowed[] = {"category", "token", NULL};
    const char *cat;

    if (!srv__query_check(r, allowed))
        return;
    cat = srv__query_get(r, "category");
    if (cat && *cat)
        answer(r, STORE_SCOPE_CATEGORY, cat);
    else
        answer(r, STORE_SCOPE_ALL, NULL);
}
