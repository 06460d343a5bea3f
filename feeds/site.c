/* Links and ids every feed shares: review and product pages, tag: URIs. */
#include "feed_int.h"

#include <string.h>

int feed_review_url(struct buf *b, const struct feed_site *site, const char *product_id,
                    uint64_t review_id)
{
    const char *t = site->review_url;
    int rc = 0;

    if (!t || !*t) {
        rc = buf_printf(b, "%s/p/", site->public_url);
        if (rc == 0)
            rc = feed__pct(b, product_id);
        if (rc == 0)
            rc = buf_printf(b, "#review-%llu", (unsigned long long)review_id);
        return rc;
    }
    while (*t && rc == 0) {
        if (strncmp(t, "{product}", 9) == 0) {
            rc = feed__pct(b, product_id);
            t += 9;
        } else if (strncmp(t, "{id}", 4) == 0) {
            rc = buf_printf(b, "%llu", (unsigned long long)review_id);
            t += 4;
        } else {
            rc = buf_putc(b, *t++);
        }
    }
    return rc;
}

int feed_product_url(struct buf *b, const struct feed_site *site, const struct product *p)
{
    int rc;

    if (p->url && *p->url)
        return buf_puts(b, p->url);
    rc = buf_printf(b, "%s/p/", site->public_url);
    return rc ? rc : feed__pct(b, p->id);
}

int feed_tag(struct buf *b, const struct feed_site *site, const char *what)
{
    /* RFC 4151: the date is one on which the authority was held; a fixed
     * date keeps every id stable for the life of the data folder. */
    return buf_printf(b, "tag:%s,2026:%s/%s", site->tag_authority, site->instance, what);
}
