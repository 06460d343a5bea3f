/* WebSub topics: which feed URLs a change touches. A topic must be the
 * very URL subscribers subscribed to, so it is built the way the feeds
 * build their own self links (feeds/atom.c). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "chorus/error.h"

/* srv__pct appends s[0..n) percent-encoded with the same rule the feeds use for
 * their self links (RFC 3986 unreserved kept, upper-case hex), so a topic is
 * byte-for-byte the URL subscribers subscribed to. keep_slash keeps '/' so a
 * category path's segments are encoded one by one. */
int srv__pct(struct buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/'))
            rc = buf_putc(b, (char)c);
        else
            rc = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

/* queue_categories queues the feeds of category and every category above
 * it; url holds the public URL in its first base_len bytes and is used as
 * scratch. laptops/gaming changes categories/laptops.atom and
 * categories/laptops/gaming.atom: one topic per prefix. The store keeps
 * paths without empty segments. */
static void queue_categories(struct srv_websub *w, struct buf *url, size_t base_len,
                             const char *category)
{
    for (size_t end = 1; category[0]; end++) {
        if (category[end] != '/' && category[end] != '\0')
            continue;
        url->len = base_len;
        url->data[url->len] = '\0';
        buf_puts(url, "/feeds/categories/");
        srv__pct(url, category, end, true);
        if (buf_puts(url, ".atom") == 0)
            srv__websub_queue(w, url->data);
        if (category[end] == '\0')
            break;
    }
}

void srv__feeds_changed(struct srv *s, const char *product_id)
{
    struct srv_websub *w = s->websub;
    char category[CHORUS_MAX_CATEGORY + 1] = "";
    struct product p;
    struct buf url;
    size_t base_len;
    int rc;

    if (!w || !product_id || !*product_id)
        return;
    /* The loop thread's read transaction is free here: done callbacks and
     * handlers end their reads before calling us, as srv__read_end does. */
    rc = store_read_begin(s->store, &s->rtxn);
    if (rc == 0) {
        if (store_product_get(s->rtxn, product_id, &p, NULL) == 0 && p.category)
            snprintf(category, sizeof(category), "%s", p.category);
        store_read_end(s->rtxn);
    } else {
        /* Without the category the product and all-reviews feeds still go. */
        srv__websub_say(
            w, "cannot read product %.128s's category (%s); its category feeds are not pinged",
            product_id, chorus_strerror(rc));
    }
    buf_init(&url, SRV_WEBSUB_MAX_URL);
    buf_puts(&url, s->public_url);
    base_len = url.len;

    buf_puts(&url, "/feeds/products/");
    srv__pct(&url, product_id, strlen(product_id), false);
    if (buf_puts(&url, ".atom") == 0)
        srv__websub_queue(w, url.data);

    queue_categories(w, &url, base_len, category);

    url.len = base_len;
    url.data[url.len] = '\0';
    if (buf_puts(&url, "/feeds/reviews.atom") == 0)
        srv__websub_queue(w, url.data);
    buf_cleanup(&url);
}

void srv__feeds_changed_category(struct srv *s, const char *path)
{
    struct buf url;

    if (!s->websub || !path || !*path)
        return;
    buf_init(&url, SRV_WEBSUB_MAX_URL);
    buf_puts(&url, s->public_url);
    queue_categories(s->websub, &url, url.len, path);
    buf_cleanup(&url);
}
