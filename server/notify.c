/* Which feeds a change touches, told to the Google feed's renderer and to
 * the WebSub publisher (pull/): a topic must be the very URL subscribers
 * subscribed to, so it comes from feed_scope_topics, the function the
 * feeds build their own self links with. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void publish(void *ctx, const char *url)
{
    pull_websub_publish(ctx, url);
}

void srv__feeds_changed(struct srv_thread *t, const char *product_id)
{
    struct srv *s = t->srv;
    char category[CHORUS_MAX_CATEGORY + 1] = "";
    struct feed_site site;
    struct product p;
    int rc;

    /* The Google feed shows every product's approved reviews: any change
     * of a product's reviews or catalogue entry may change it. */
    srv__gfeed_changed(s);
    if (!s->websub || !product_id || !*product_id)
        return;
    /* The thread's read transaction is free here: replies and handlers end
     * their reads before calling us, as srv__read_end does. */
    rc = store_read_begin(s->store, &t->rtxn);
    if (rc == 0) {
        if (store_product_get(t->rtxn, product_id, &p, NULL) == 0 && p.category)
            snprintf(category, sizeof(category), "%s", p.category);
        store_read_end(t->rtxn);
    } else {
        /* Without the category the product and all-reviews feeds still go. */
        pull_websub_warn(
            s->websub,
            "cannot read product %.128s's category (%s); its category feeds are not pinged",
            product_id, chorus_strerror(rc));
    }
    srv__site(s, &site);
    feed_scope_topics(&site, product_id, category, true, publish, s->websub);
}

void srv__feeds_changed_category(struct srv_thread *t, const char *path)
{
    struct srv *s = t->srv;
    struct feed_site site;

    if (!s->websub || !path || !*path)
        return;
    srv__site(s, &site);
    feed_scope_topics(&site, NULL, path, false, publish, s->websub);
}
