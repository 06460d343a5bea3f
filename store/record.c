/* Record encodings: reviews, products, aggregates and daily buckets.
 *
 * Every record starts with a format-version byte. Strings are a u32 length
 * (STR_NULL for an absent string) followed by the bytes and a NUL, so a
 * decoded review's strings can point straight into LMDB's map. Decoding
 * checks every length against the value: a damaged record is CHORUS_ECORRUPT,
 * never a read past its end.
 */
#include "store_int.h"

#include <string.h>

#include "chorus/base.h"

#define STR_NULL UINT32_MAX

/* Tagged fields that may follow a review's origin list (which may then be
 * empty): a tag byte and a string each. Records without any stay byte for
 * byte what they were before tags existed, so older readers and `chorus
 * check` see nothing new on them. A tag this code does not know is
 * CHORUS_ECORRUPT, like any other damage. */
#define REVIEW_EXT_VERSIONS 'V' /* the versions the text names (text_versions) */
#define REVIEW_HDR          57
#define PRODUCT_HDR         9

/* The product's flags byte, after its strings. A record written before it
 * existed ends at mpn: those products were public under the earlier rule
 * (every product was), and nothing tells one an operator put from one a
 * review made, so they read as catalogued and stay public. */
#define PRODUCT_F_CATALOGUED 0x01
#define PRODUCT_F_KNOWN      PRODUCT_F_CATALOGUED

/* ---- primitives ---------------------------------------------------------------- */

static void put_i64(uint8_t *p, int64_t v)
{
    uint64_t u;

    memcpy(&u, &v, sizeof(u));
    store__be64(p, u);
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t u = store__rd64(p);
    int64_t v;

    memcpy(&v, &u, sizeof(v));
    return v;
}

static void put_f64(uint8_t *p, double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof(u));
    store__be64(p, u);
}

static double get_f64(const uint8_t *p)
{
    uint64_t u = store__rd64(p);
    double d;

    memcpy(&d, &u, sizeof(d));
    return d;
}

static size_t str_size(const char *s)
{
    return 4 + (s ? strlen(s) + 1 : 0);
}

static uint8_t *put_str(uint8_t *p, const char *s)
{
    size_t n;

    if (!s) {
        store__be32(p, STR_NULL);
        return p + 4;
    }
    n = strlen(s);
    store__be32(p, (uint32_t)n);
    memcpy(p + 4, s, n + 1);
    return p + 4 + n + 1;
}

/* reader walks a value without ever passing its end. */
struct reader {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static const char *get_str(struct reader *r)
{
    uint32_t n;
    const char *s;

    if (r->bad || r->left < 4) {
        r->bad = true;
        return NULL;
    }
    n = store__rd32(r->p);
    r->p += 4;
    r->left -= 4;
    if (n == STR_NULL)
        return NULL;
    if ((size_t)n >= r->left || r->p[n] != 0) {
        r->bad = true;
        return NULL;
    }
    s = (const char *)r->p;
    r->p += (size_t)n + 1;
    r->left -= (size_t)n + 1;
    return s;
}

/* ---- reviews ------------------------------------------------------------------- */

static bool has_versions(const struct review *r)
{
    return r->versions && *r->versions;
}

size_t store__review_size(const struct review *r)
{
    size_t n = REVIEW_HDR;

    n += str_size(r->product_id) + str_size(r->title) + str_size(r->body) + str_size(r->author) +
         str_size(r->author_location) + str_size(r->language) + str_size(r->source) +
         str_size(r->source_id) + str_size(r->moderation_reason);
    for (size_t i = 0; i < r->n_responses; i++)
        n += 8 + str_size(r->responses[i].author) + str_size(r->responses[i].body);
    if (r->n_origins || has_versions(r)) {
        n += str_size(r->components && *r->components ? r->components : NULL) + 1;
        for (size_t i = 0; i < r->n_origins; i++)
            n += str_size(r->origins[i].source) + str_size(r->origins[i].source_id);
        if (has_versions(r))
            n += 1 + str_size(r->versions);
    } else if (r->components && *r->components) {
        n += str_size(r->components);
    }
    return n;
}

void store__review_encode(uint8_t *out, const struct review *r, uint32_t pno)
{
    uint8_t *p;

    out[0] = STORE__RECORD_VERSION;
    out[1] = (uint8_t)r->status;
    out[2] = (uint8_t)r->rating;
    out[3] = r->verified ? 1 : 0;
    store__be32(out + 4, pno);
    store__be32(out + 8, r->helpful);
    store__be32(out + 12, r->not_helpful);
    put_i64(out + 16, r->created_at);
    put_i64(out + 24, r->ingested_at);
    put_f64(out + 32, r->rating_original);
    put_f64(out + 40, r->rating_scale);
    put_f64(out + 48, r->sentiment);
    out[56] = (uint8_t)r->n_responses;
    p = out + REVIEW_HDR;
    p = put_str(p, r->product_id);
    p = put_str(p, r->title);
    p = put_str(p, r->body);
    p = put_str(p, r->author);
    p = put_str(p, r->author_location);
    p = put_str(p, r->language);
    p = put_str(p, r->source);
    p = put_str(p, r->source_id);
    p = put_str(p, r->moderation_reason);
    for (size_t i = 0; i < r->n_responses; i++) {
        put_i64(p, r->responses[i].created_at);
        p = put_str(p + 8, r->responses[i].author);
        p = put_str(p, r->responses[i].body);
    }
    /* Trailing and optional: schema-1 records simply end before the
     * components, records without origins or tagged fields after them, and
     * records without tagged fields after the origins (a count of 0 only
     * ever comes before a tagged field). */
    if (r->n_origins || has_versions(r)) {
        p = put_str(p, r->components && *r->components ? r->components : NULL);
        *p++ = (uint8_t)r->n_origins;
        for (size_t i = 0; i < r->n_origins; i++) {
            p = put_str(p, r->origins[i].source);
            p = put_str(p, r->origins[i].source_id);
        }
        if (has_versions(r)) {
            *p++ = REVIEW_EXT_VERSIONS;
            put_str(p, r->versions);
        }
    } else if (r->components && *r->components) {
        put_str(p, r->components);
    }
}

/* decode_origins reads the origin list that may follow the components: a
 * count byte, then source and source id strings, then the tagged fields.
 * Without an arena the list is checked and skipped (n_origins 0), so
 * nothing walks a NULL list. */
static int decode_origins(struct reader *rd, struct review *r, struct store__arena *a)
{
    struct review_origin *o = NULL;
    size_t n = rd->p[0];

    rd->p++;
    rd->left--;
    if ((n == 0 && rd->left == 0) || n > CHORUS_MAX_ORIGINS)
        return CHORUS_ECORRUPT;
    if (a)
        o = store__arena_alloc(a, n * sizeof(*o));
    for (size_t i = 0; i < n; i++) {
        const char *src = get_str(rd), *sid = get_str(rd);

        if (rd->bad || !sid)
            return CHORUS_ECORRUPT;
        if (o) {
            o[i].source = src;
            o[i].source_id = sid;
        }
    }
    while (rd->left != 0) {
        uint8_t tag = rd->p[0];

        rd->p++;
        rd->left--;
        if (tag != REVIEW_EXT_VERSIONS || r->versions)
            return CHORUS_ECORRUPT;
        r->versions = get_str(rd);
        if (rd->bad || !r->versions || !*r->versions)
            return CHORUS_ECORRUPT;
    }
    r->n_origins = o ? n : 0;
    r->origins = o;
    return 0;
}

int store__review_decode(const void *data, size_t len, struct review *r, uint32_t *pno,
                         struct store__arena *a)
{
    const uint8_t *d = data;
    struct reader rd;
    struct review_response *resp = NULL;
    size_t n;

    memset(r, 0, sizeof(*r));
    if (len < REVIEW_HDR || d[0] != STORE__RECORD_VERSION || d[1] > REVIEW_REJECTED || d[2] > 5 ||
        d[3] > 1 || d[56] > CHORUS_MAX_RESPONSES)
        return CHORUS_ECORRUPT;
    r->status = (enum review_status)d[1];
    r->rating = d[2];
    r->verified = d[3] != 0;
    if (pno)
        *pno = store__rd32(d + 4);
    r->helpful = store__rd32(d + 8);
    r->not_helpful = store__rd32(d + 12);
    r->created_at = get_i64(d + 16);
    r->ingested_at = get_i64(d + 24);
    r->rating_original = get_f64(d + 32);
    r->rating_scale = get_f64(d + 40);
    r->sentiment = get_f64(d + 48);
    n = d[56];

    rd.p = d + REVIEW_HDR;
    rd.left = len - REVIEW_HDR;
    rd.bad = false;
    r->product_id = get_str(&rd);
    r->title = get_str(&rd);
    r->body = get_str(&rd);
    r->author = get_str(&rd);
    r->author_location = get_str(&rd);
    r->language = get_str(&rd);
    r->source = get_str(&rd);
    r->source_id = get_str(&rd);
    r->moderation_reason = get_str(&rd);
    if (rd.bad || !r->product_id)
        return CHORUS_ECORRUPT;
    if (n && a)
        resp = store__arena_alloc(a, n * sizeof(*resp));
    for (size_t i = 0; i < n; i++) {
        struct review_response one;

        if (rd.left < 8)
            return CHORUS_ECORRUPT;
        one.created_at = get_i64(rd.p);
        rd.p += 8;
        rd.left -= 8;
        one.author = get_str(&rd);
        one.body = get_str(&rd);
        if (rd.bad)
            return CHORUS_ECORRUPT;
        if (resp)
            resp[i] = one;
    }
    if (rd.left != 0) {
        r->components = get_str(&rd);
        if (rd.bad)
            return CHORUS_ECORRUPT;
    }
    if (rd.left != 0 && decode_origins(&rd, r, a) != 0)
        return CHORUS_ECORRUPT;
    r->n_responses = n;
    r->responses = resp;
    return 0;
}

/* ---- products ------------------------------------------------------------------ */

size_t store__product_size(const struct product *p)
{
    return PRODUCT_HDR + str_size(p->id) + str_size(p->name) + str_size(p->brand) +
           str_size(p->category) + str_size(p->url) + str_size(p->image_url) + str_size(p->gtin) +
           str_size(p->mpn) + 1;
}

void store__product_encode(uint8_t *out, const struct product *p)
{
    uint8_t *q;

    out[0] = STORE__RECORD_VERSION;
    put_i64(out + 1, p->updated_at);
    q = out + PRODUCT_HDR;
    q = put_str(q, p->id);
    q = put_str(q, p->name);
    q = put_str(q, p->brand);
    q = put_str(q, p->category);
    q = put_str(q, p->url);
    q = put_str(q, p->image_url);
    q = put_str(q, p->gtin);
    q = put_str(q, p->mpn);
    *q = p->catalogued ? PRODUCT_F_CATALOGUED : 0;
}

int store__product_decode(const void *data, size_t len, struct product *p)
{
    const uint8_t *d = data;
    struct reader rd;

    memset(p, 0, sizeof(*p));
    if (len < PRODUCT_HDR || d[0] != STORE__RECORD_VERSION)
        return CHORUS_ECORRUPT;
    p->updated_at = get_i64(d + 1);
    rd.p = d + PRODUCT_HDR;
    rd.left = len - PRODUCT_HDR;
    rd.bad = false;
    p->id = get_str(&rd);
    p->name = get_str(&rd);
    p->brand = get_str(&rd);
    p->category = get_str(&rd);
    p->url = get_str(&rd);
    p->image_url = get_str(&rd);
    p->gtin = get_str(&rd);
    p->mpn = get_str(&rd);
    p->catalogued = true;
    if (!rd.bad && rd.left == 1) {
        if (rd.p[0] & ~PRODUCT_F_KNOWN)
            return CHORUS_ECORRUPT;
        p->catalogued = (rd.p[0] & PRODUCT_F_CATALOGUED) != 0;
        rd.left = 0;
    }
    if (rd.bad || rd.left != 0 || !p->id)
        return CHORUS_ECORRUPT;
    return 0;
}

/* ---- aggregates and daily buckets ------------------------------------------------ */

void store__stats_encode(uint8_t *out, const struct review_stats *st)
{
    out[0] = STORE__RECORD_VERSION;
    store__be64(out + 1, st->count);
    store__be64(out + 9, st->rating_sum);
    for (int i = 0; i < 5; i++)
        store__be64(out + 17 + 8 * i, st->histogram[i]);
    store__be64(out + 57, st->mentions);
    put_f64(out + 65, st->sentiment_sum);
    store__be64(out + 73, st->sentiment_n);
    put_i64(out + 81, st->last_review_at);
    store__be64(out + 89, st->version);
    put_i64(out + 97, st->changed_at);
}

int store__stats_decode(const void *data, size_t len, struct review_stats *st)
{
    const uint8_t *d = data;

    memset(st, 0, sizeof(*st));
    /* Schema-1 records stop before changed_at. */
    if ((len != STORE__STATS_LEN && len != STORE__STATS_LEN_V1) || d[0] != STORE__RECORD_VERSION)
        return CHORUS_ECORRUPT;
    st->count = store__rd64(d + 1);
    st->rating_sum = store__rd64(d + 9);
    for (int i = 0; i < 5; i++)
        st->histogram[i] = store__rd64(d + 17 + 8 * i);
    st->mentions = store__rd64(d + 57);
    st->sentiment_sum = get_f64(d + 65);
    st->sentiment_n = store__rd64(d + 73);
    st->last_review_at = get_i64(d + 81);
    st->version = store__rd64(d + 89);
    if (len == STORE__STATS_LEN)
        st->changed_at = get_i64(d + 97);
    return 0;
}

/* Daily buckets are the most numerous records and most hold a review or
 * two, so they are small: the histogram and mentions as LEB128 varints. The
 * count and rating sum follow from the histogram. */
static size_t put_varint(uint8_t *p, uint32_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static bool get_varint(struct reader *r, uint32_t *out)
{
    uint64_t v = 0;

    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b;

        if (r->left == 0)
            return false;
        b = *r->p++;
        r->left--;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (v > UINT32_MAX)
                return false;
            *out = (uint32_t)v;
            return true;
        }
    }
    return false;
}

size_t store__day_encode(uint8_t *out, const struct store_day *dy)
{
    size_t n = 1;

    out[0] = STORE__RECORD_VERSION;
    for (int i = 0; i < 5; i++)
        n += put_varint(out + n, dy->histogram[i]);
    n += put_varint(out + n, dy->mentions);
    return n;
}

int store__day_decode(const void *data, size_t len, struct store_day *dy)
{
    const uint8_t *d = data;
    int64_t day = dy->day;
    struct reader rd;
    uint64_t count = 0, sum = 0;

    memset(dy, 0, sizeof(*dy));
    dy->day = day;
    if (len < 1 || d[0] != STORE__RECORD_VERSION)
        return CHORUS_ECORRUPT;
    rd.p = d + 1;
    rd.left = len - 1;
    rd.bad = false;
    for (int i = 0; i < 5; i++) {
        if (!get_varint(&rd, &dy->histogram[i]))
            return CHORUS_ECORRUPT;
        count += dy->histogram[i];
        sum += (uint64_t)(i + 1) * dy->histogram[i];
    }
    if (!get_varint(&rd, &dy->mentions) || rd.left != 0 || sum > UINT32_MAX)
        return CHORUS_ECORRUPT;
    dy->count = (uint32_t)count;
    dy->rating_sum = (uint32_t)sum;
    return 0;
}
