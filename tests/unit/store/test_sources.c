/* Pulled sources in the store: records round-trip, state updates keep the
 * configuration, everything survives a reopen, and bad configurations are
 * refused. */
#include "store_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#include "chorus/base.h"

struct op {
    int kind; /* 0 create, 1 replace, 2 state, 3 delete */
    uint64_t id;
    struct source_config cfg;
    struct source_state st;
    int64_t next;
    int rc;
};

static int run(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    switch (o->kind) {
    case 0:
        o->rc = store_source_create(t, &o->cfg, o->next, &o->id);
        break;
    case 1:
        o->rc = store_source_replace(t, o->id, &o->cfg);
        break;
    case 2:
        o->rc = store_source_state_put(t, o->id, &o->st);
        break;
    default:
        o->rc = store_source_delete(t, o->id);
        break;
    }
    return 0;
}

static struct source_config rss(const char *url)
{
    struct source_config c;

    memset(&c, 0, sizeof(c));
    c.kind = SOURCE_RSS;
    c.url = url;
    c.interval = 3600;
    c.headers = "{\"Authorization\":\"Bearer x\"}";
    c.status = REVIEW_APPROVED;
    c.product_id = "sku-1";
    return c;
}

static uint64_t create(struct store *s, const struct source_config *c, int64_t next)
{
    struct op o = {.kind = 0, .cfg = *c, .next = next};

    assert_int_equal(store_write(s, run, &o), 0);
    assert_int_equal(o.rc, 0);
    return o.id;
}

static int count(void *ctx, const struct store_source *src)
{
    (void)src;
    ++*(int *)ctx;
    return 0;
}

CHORUS_TEST_SETUP(sources_round_trip_and_survive_reopen, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct source_config a = rss("https://a.example/feed.xml"), b = rss("https://b.example/x");
    struct store_txn *t = NULL;
    struct store_source got;
    struct op o;
    uint64_t ia, ib;
    int n = 0;

    b.kind = SOURCE_GOOGLE;
    b.product_id = NULL;
    b.product_map = "{\"field\":\"sku\"}";
    b.status = REVIEW_PENDING;
    b.catalogue = true;
    ia = create(f->s, &a, 1000);
    ib = create(f->s, &b, 2000);
    assert_true(ib == ia + 1);

    memset(&o, 0, sizeof(o));
    o.kind = 2;
    o.id = ia;
    o.st.next_poll_at = 5000;
    o.st.last_poll_at = 4000;
    snprintf(o.st.last_status, sizeof(o.st.last_status), "200 OK, 2 items");
    o.st.items_seen = 2;
    o.st.items_added = 1;
    o.st.items_updated = 1;
    o.st.items_rejected = 3;
    o.st.n_reasons = 2;
    snprintf(o.st.reasons[0], sizeof(o.st.reasons[0]), "first");
    snprintf(o.st.reasons[1], sizeof(o.st.reasons[1]), "second");
    o.st.errors = 0;
    snprintf(o.st.etag, sizeof(o.st.etag), "\"v1\"");
    snprintf(o.st.last_modified, sizeof(o.st.last_modified), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(store_write(f->s, run, &o), 0);
    assert_int_equal(o.rc, 0);

    fx_reopen(f);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_source_get(t, ia, &got), 0);
    assert_string_equal(got.cfg.url, a.url);
    assert_string_equal(got.cfg.headers, a.headers);
    assert_string_equal(got.cfg.product_id, "sku-1");
    assert_null(got.cfg.product_map);
    assert_null(got.cfg.json_map);
    assert_int_equal(got.cfg.interval, 3600);
    assert_false(got.cfg.catalogue);
    assert_int_equal(got.st.next_poll_at, 5000);
    assert_int_equal(got.st.last_poll_at, 4000);
    assert_string_equal(got.st.last_status, "200 OK, 2 items");
    assert_int_equal(got.st.items_rejected, 3);
    assert_int_equal(got.st.n_reasons, 2);
    assert_string_equal(got.st.reasons[1], "second");
    assert_string_equal(got.st.etag, "\"v1\"");
    assert_string_equal(got.st.last_modified, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(store_source_get(t, ib, &got), 0);
    assert_int_equal(got.cfg.kind, SOURCE_GOOGLE);
    assert_int_equal(got.cfg.status, REVIEW_PENDING);
    assert_true(got.cfg.catalogue);
    assert_null(got.cfg.product_id);
    assert_string_equal(got.cfg.product_map, "{\"field\":\"sku\"}");
    assert_int_equal(got.st.next_poll_at, 2000);
    assert_string_equal(got.st.last_status, "not polled yet");
    assert_int_equal(store_sources_each(t, count, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_source_get(t, ib + 1, &got), CHORUS_ENOTFOUND);
    store_read_end(t);

    /* A new configuration keeps the state. */
    memset(&o, 0, sizeof(o));
    o.kind = 1;
    o.id = ia;
    o.cfg = rss("https://a.example/other.xml");
    o.cfg.interval = 60;
    assert_int_equal(store_write(f->s, run, &o), 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_source_get(t, ia, &got), 0);
    assert_string_equal(got.cfg.url, "https://a.example/other.xml");
    assert_int_equal(got.cfg.interval, 60);
    assert_string_equal(got.st.etag, "\"v1\"");
    store_read_end(t);

    /* Deleted: gone, and a state update for it says so. */
    memset(&o, 0, sizeof(o));
    o.kind = 3;
    o.id = ia;
    assert_int_equal(store_write(f->s, run, &o), 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(store_write(f->s, run, &o), 0);
    assert_int_equal(o.rc, CHORUS_ENOTFOUND);
    o.kind = 2;
    assert_int_equal(store_write(f->s, run, &o), 0);
    assert_int_equal(o.rc, CHORUS_ENOTFOUND);
    n = 0;
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_sources_each(t, count, &n), 0);
    assert_int_equal(n, 1);
    store_read_end(t);
    store_txn_free(t);
    /* Ids are not reused. */
    assert_true(create(f->s, &a, 0) == ib + 1);
}

CHORUS_TEST_SETUP(bad_configurations_are_refused, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct op o;
    char long_url[SOURCE_MAX_URL + 2];

    memset(long_url, 'a', sizeof(long_url) - 1);
    long_url[sizeof(long_url) - 1] = '\0';
    for (int i = 0; i < 5; i++) {
        memset(&o, 0, sizeof(o));
        o.cfg = rss("https://a.example/");
        if (i == 0)
            o.cfg.interval = 0;
        else if (i == 1)
            o.cfg.interval = SOURCE_INTERVAL_MAX + 1;
        else if (i == 2)
            o.cfg.url = long_url;
        else if (i == 3)
            o.cfg.status = REVIEW_REJECTED;
        else
            o.cfg.product_id = "";
        assert_int_equal(store_write(f->s, run, &o), 0);
        assert_int_equal(o.rc, CHORUS_EINVAL);
    }
}

CHORUS_TEST_MAIN()
