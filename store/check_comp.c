/* store_check's side of the daily component counts: a recount from the
 * approved reviews' tags, held in a table keyed like comp_days (one entry
 * per product, day and component that has reviews: it grows with the tagged
 * reviews, at most one entry each per tag), then compared with the stored
 * counts in one walk. */
#include "check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

struct store__ccomp {
    bool seen;
    struct store__comp_counts c;
};

void store__check_comp_add(struct store__check *ck, const struct review *r, uint32_t pno)
{
    struct store__comp_counts c = store__comp_class(r);
    uint32_t day = store__day_of(r->created_at);
    uint8_t k[STORE__COMP_KEY_MAX];
    const char *p = r->components, *tag;
    size_t len;

    while (c.mentions && (tag = store__comp_tag_next(&p, &len)) != NULL) {
        size_t klen;
        void **v;
        struct store__ccomp *e;

        if (store__comp_tag_dup(r->components, tag, len))
            continue;
        klen = store__comp_key(k, pno, day, tag, len);
        v = chorus_map_slot(&ck->comps, k, klen, NULL);
        e = *v;
        if (!e) {
            e = calloc(1, sizeof(*e));
            if (!e)
                abort();
            *v = e;
        }
        e->c.complaints += c.complaints;
        e->c.mentions += c.mentions;
        e->c.judged += c.judged;
        e->c.positive += c.positive;
    }
}

/* name formats a comp_days key for a sentence. */
static void name(char *out, size_t cap, const uint8_t *k, size_t klen)
{
    int n = (int)(klen > 8 ? klen - 8 : 0);

    snprintf(out, cap, "product number %" PRIu32 ", day %" PRIu32 ", component '%.*s'",
             klen >= 8 ? store__rd32(k) : 0, klen >= 8 ? store__rd32(k + 4) : 0, n,
             (const char *)k + 8);
}

static int one_stored(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    struct store__comp_counts got;
    struct store__ccomp *want;
    char what[128];

    (void)ctx;
    name(what, sizeof(what), k->mv_data, k->mv_size);
    if (k->mv_size <= 8 || k->mv_size > STORE__COMP_KEY_MAX) {
        store__check_say(ck, "The comp_days table holds a key of %zu bytes.", k->mv_size);
        return 0;
    }
    if (store__comp_decode(v->mv_data, v->mv_size, &got) != 0) {
        store__check_say(ck, "The component counts of %s do not decode.", what);
        return 0;
    }
    want = chorus_map_get(&ck->comps, k->mv_data, k->mv_size);
    if (!want) {
        store__check_say(ck, "Component counts are stored for %s, which no review names.", what);
        return 0;
    }
    want->seen = true;
    if (memcmp(&got, &want->c, sizeof(got)) != 0)
        store__check_say(ck,
                         "The component counts of %s are %" PRId64 " complaints, %" PRId64
                         " mentions, %" PRId64 " judged, %" PRId64
                         " positive but the reviews give %" PRId64 ", %" PRId64 ", %" PRId64
                         ", %" PRId64 ".",
                         what, got.complaints, got.mentions, got.judged, got.positive,
                         want->c.complaints, want->c.mentions, want->c.judged, want->c.positive);
    return 0;
}

static int one_missing(void *ctx, const char *key, size_t klen, void *val)
{
    struct store__check *ck = ctx;
    const struct store__ccomp *e = val;
    char what[128];

    if (!e->seen) {
        name(what, sizeof(what), (const uint8_t *)key, klen);
        store__check_say(ck, "No component counts are stored for %s, which the reviews name.",
                         what);
    }
    return 0;
}

int store__check_comps(struct store__check *ck)
{
    int rc = store__check_each(ck, STORE__COMP_DAYS, one_stored, NULL);

    return rc ? rc : chorus_map_each(&ck->comps, one_missing, ck);
}
