/* The text module as the store's tagger, version finder and scorer
 * (store_set_tagger, store_set_versioner, store_set_scorer): one definition for chorusd and the
 * chorus tool, so a review is tagged and scored the same way whichever path stored it. */
#include "chorus/base.h"
#include "chorus/text.h"

#include <math.h>

void text_review_tags(void *taxonomy, const struct review *r, char *out, size_t cap)
{
    text_components_tags(taxonomy, r->title, r->body, out, cap);
}

void text_review_versions(void *ctx, const struct review *r, char *out, size_t cap)
{
    (void)ctx;
    text_versions(r->title, r->body, out, cap);
}

double text_review_sentiment(void *ctx, const struct review *r)
{
    const char *l = r->language;

    (void)ctx;
    /* The lexicon is English: a review tagged with another language is not
     * scored rather than scored on the few words that look English. */
    if (l && *l &&
        !((l[0] == 'e' || l[0] == 'E') && (l[1] == 'n' || l[1] == 'N') &&
          (l[2] == '\0' || l[2] == '-' || l[2] == '_')))
        return NAN;
    return text_sentiment(r->title, r->body);
}
