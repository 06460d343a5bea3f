/* Reviews in the fields of the public Amazon review dumps (McAuley et al.),
 * one JSON object per line:
 *
 *   2014/2018: reviewerID, asin, reviewerName, helpful [up, total] (2014) or
 *              vote "1,234" (2018), reviewText, overall, summary,
 *              unixReviewTime, reviewTime "01 13, 2017", verified, style, image
 *   2023:      rating, title, text, images, asin, parent_asin, user_id,
 *              timestamp (milliseconds), helpful_vote, verified_purchase
 *
 * Each name maps onto a review field and goes through the same setters as
 * the JSON contract, so caps and messages are the same, naming the dump's
 * field. The reviewer's id and the asin make the source_id, so re-importing
 * a dump updates instead of duplicating.
 */
#include "parse_int.h"

#include <math.h>
#include <string.h>

#include "chorus/base.h"

enum amz_target {
    A_IGNORE = 0, /* known dump fields with nothing for us: style, image... */
    A_ASIN,
    A_RATING,
    A_BODY,
    A_TITLE,
    A_AUTHOR,
    A_TIME,
    A_REVIEWTIME,
    A_VERIFIED,
    A_VOTE,
    A_HELPFUL_PAIR,
    A_REVIEWER,
    A__COUNT
};

struct amz_field {
    const char *name;
    unsigned char target;      /* enum amz_target */
    unsigned short per_second; /* A_TIME: units per second */
};

static const struct amz_field amz_fields[] = {
    {"asin", A_ASIN, 0},
    {"overall", A_RATING, 0},
    {"rating", A_RATING, 0},
    {"reviewText", A_BODY, 0},
    {"text", A_BODY, 0},
    {"summary", A_TITLE, 0},
    {"title", A_TITLE, 0},
    {"reviewerName", A_AUTHOR, 0},
    {"unixReviewTime", A_TIME, 1},
    {"timestamp", A_TIME, 1000},
    {"reviewTime", A_REVIEWTIME, 0},
    {"verified", A_VERIFIED, 0},
    {"verified_purchase", A_VERIFIED, 0},
    {"vote", A_VOTE, 0},
    {"helpful_vote", A_VOTE, 0},
    {"helpful", A_HELPFUL_PAIR, 0},
    {"reviewerID", A_REVIEWER, 0},
    {"user_id", A_REVIEWER, 0},
    {"style", A_IGNORE, 0},
    {"image", A_IGNORE, 0},
    {"images", A_IGNORE, 0},
    {"parent_asin", A_IGNORE, 0},
};

#define N_AMZ (sizeof(amz_fields) / sizeof(amz_fields[0]))

/* 9999-12-31T23:59:59Z: the last second RFC 3339 can write. */
#define MAX_TIME 253402300799.0

struct amz_state {
    const struct amz_field *seen[A__COUNT]; /* which dump field set each target */
    const char *reviewer;
    size_t reviewer_len;
    const char *review_time;
    size_t review_time_len;
};

static const struct amz_field *amz_lookup(const char *key, size_t klen)
{
    /* The first byte rules out almost every entry before strlen runs. */
    for (size_t i = 0; i < N_AMZ; i++)
        if (klen && amz_fields[i].name[0] == key[0] && strlen(amz_fields[i].name) == klen &&
            memcmp(amz_fields[i].name, key, klen) == 0)
            return &amz_fields[i];
    return NULL;
}

static int str_field(struct parse__item *it, enum parse__rf f, const char *name, json_t *v)
{
    if (!json_is_string(v))
        return parse__fail(it->err, "%s must be a string (got %s).", name, parse__json_type(v));
    return parse__item_str(it, f, name, json_string_value(v), json_string_length(v), 0);
}

static int vote_field(struct parse__item *it, const char *name, json_t *v)
{
    char q[PARSE__QUOTE];
    uint64_t n;

    if (json_is_integer(v))
        return parse__item_num(it, RF_HELPFUL, name, (double)json_integer_value(v));
    if (!json_is_string(v))
        return parse__fail(it->err, "%s must be a count of votes such as 12 or \"1,234\" (got %s).",
                           name, parse__json_type(v));
    parse__quote(q, json_string_value(v), json_string_length(v));
    if (parse__count_text(json_string_value(v), json_string_length(v), &n) != 0)
        return parse__fail(
            it->err, "%s must be a count of votes such as 12 or \"1,234\" (got \"%s\").", name, q);
    if (n > UINT32_MAX)
        return parse__fail(it->err, "%s must be a whole number from 0 to 4294967295 (got \"%s\").",
                           name, q);
    return parse__item_num(it, RF_HELPFUL, name, (double)n);
}

/* helpful_pair reads the 2014 dump's [helpful votes, total votes]. */
static int helpful_pair(struct parse__item *it, const char *name, json_t *v)
{
    json_int_t up, total;

    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(json_array_get(v, 0)) ||
        !json_is_integer(json_array_get(v, 1)))
        return parse__fail(it->err,
                           "%s must be [helpful votes, total votes], such as [2, 3] (got %s).",
                           name, parse__json_type(v));
    up = json_integer_value(json_array_get(v, 0));
    total = json_integer_value(json_array_get(v, 1));
    if (up < 0 || total < up)
        return parse__fail(
            it->err, "%s must be [helpful votes, total votes] with 0 <= helpful <= total.", name);
    if (parse__item_num(it, RF_HELPFUL, name, (double)up) != 0)
        return CHORUS_EINVAL;
    return parse__item_num(it, RF_NOT_HELPFUL, name, (double)(total - up));
}

static int time_field(struct parse__item *it, const struct amz_field *af, json_t *v)
{
    double t = json_is_integer(v) ? (double)json_integer_value(v) : json_number_value(v);

    if (!json_is_number(v) || t < 0 || t != floor(t) || t / af->per_second > MAX_TIME)
        return parse__fail(it->err, "%s must be a whole number of %s since 1970 (got %s).",
                           af->name, af->per_second == 1 ? "seconds" : "milliseconds",
                           parse__json_type(v));
    it->r.created_at = (int64_t)(t / af->per_second);
    it->has_created = true;
    return 0;
}

/* review_time reads the dump's "MM DD, YYYY" (month and day may have one
 * digit), used only when there is no numeric time. */
static int review_time(struct parse__item *it, const char *s, size_t n)
{
    char iso[11], q[PARSE__QUOTE];
    size_t i = 0, k;
    int part[3] = {0, 0, 0};
    static const size_t maxlen[3] = {2, 2, 4};

    for (k = 0; k < 3; k++) {
        size_t start = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < maxlen[k])
            part[k] = part[k] * 10 + (s[i++] - '0');
        if (i == start || (k == 2 && i - start != 4))
            goto bad;
        if (k == 0 && (i >= n || s[i++] != ' '))
            goto bad;
        if (k == 1 && (i + 1 >= n || s[i] != ',' || s[i + 1] != ' '))
            goto bad;
        if (k == 1)
            i += 2;
    }
    if (i != n)
        goto bad;
    parse__fmt(iso, sizeof(iso), "%04d-%02d-%02d", part[2], part[0], part[1]);
    if (chorus_time_parse(iso, 10, &it->r.created_at) != 0)
        goto bad;
    it->has_created = true;
    return 0;
bad:
    return parse__fail(it->err, "reviewTime must look like \"01 13, 2017\" (got \"%s\").",
                       parse__quote(q, s, n));
}

static int amz_value(struct parse__item *it, struct amz_state *st, const struct amz_field *af,
                     json_t *v)
{
    switch ((enum amz_target)af->target) {
    case A_IGNORE:
        return 0;
    case A_ASIN:
        return str_field(it, RF_PRODUCT_ID, af->name, v);
    case A_RATING:
        if (!json_is_number(v))
            return parse__fail(it->err, "%s must be a number of stars from 1 to 5 (got %s).",
                               af->name, parse__json_type(v));
        return parse__item_num(it, RF_RATING, af->name, json_number_value(v));
    case A_BODY:
        return str_field(it, RF_BODY, af->name, v);
    case A_TITLE:
        return str_field(it, RF_TITLE, af->name, v);
    case A_AUTHOR:
        return str_field(it, RF_AUTHOR, af->name, v);
    case A_TIME:
        return time_field(it, af, v);
    case A_REVIEWTIME:
        if (!json_is_string(v))
            return parse__fail(it->err, "reviewTime must be a string (got %s).",
                               parse__json_type(v));
        st->review_time = json_string_value(v);
        st->review_time_len = json_string_length(v);
        return 0;
    case A_VERIFIED:
        if (!json_is_boolean(v))
            return parse__fail(it->err, "%s must be true or false (got %s).", af->name,
                               parse__json_type(v));
        return parse__item_bool(it, RF_VERIFIED, af->name, json_is_true(v));
    case A_VOTE:
        return vote_field(it, af->name, v);
    case A_HELPFUL_PAIR:
        return helpful_pair(it, af->name, v);
    case A_REVIEWER:
        if (!json_is_string(v))
            return parse__fail(it->err, "%s must be a string (got %s).", af->name,
                               parse__json_type(v));
        st->reviewer = json_string_value(v);
        st->reviewer_len = json_string_length(v);
        return parse__text(it->err, af->name, st->reviewer, st->reviewer_len, CHORUS_MAX_SOURCE_ID,
                           PARSE__NOCTL);
    case A__COUNT:
        break;
    }
    return CHORUS_EINVAL;
}

/* source_id makes "reviewerID:asin": a reviewer reviews a product once in
 * the dump, so the pair is the review's identity. */
static int source_id(struct parse__item *it, const struct amz_state *st)
{
    size_t plen = strlen(it->r.product_id);

    if (st->reviewer_len + 1 + plen > CHORUS_MAX_SOURCE_ID)
        return parse__fail(it->err,
                           "reviewerID and asin make a source_id of %zu bytes; the limit is %d.",
                           st->reviewer_len + 1 + plen, CHORUS_MAX_SOURCE_ID);
    memcpy(it->source_id, st->reviewer, st->reviewer_len);
    it->source_id[st->reviewer_len] = ':';
    memcpy(it->source_id + st->reviewer_len + 1, it->r.product_id, plen + 1);
    it->r.source_id = it->source_id;
    return 0;
}

int parse__amazon_json(struct parse__item *it, json_t *obj)
{
    struct amz_state st;
    const struct amz_field *af;
    const char *key;
    size_t klen;
    json_t *v;
    char q[PARSE__QUOTE];
    int rc;

    memset(&st, 0, sizeof(st));
    it->pid_label = "asin";
    json_object_keylen_foreach(obj, key, klen, v)
    {
        af = amz_lookup(key, klen);
        if (!af)
            return parse__fail(it->err,
                               "The review has an unknown field \"%s\"; docs/reviews.md lists "
                               "the Amazon dump fields.",
                               parse__quote(q, key, klen));
        if (json_is_null(v) || af->target == A_IGNORE)
            continue;
        /* The 2014/2018 and 2023 dumps name some fields differently; one
         * object using both names for one thing is ambiguous. */
        if (st.seen[af->target])
            return parse__fail(it->err, "%s and %s both give the same field; send only one.",
                               st.seen[af->target]->name, af->name);
        st.seen[af->target] = af;
        rc = amz_value(it, &st, af, v);
        if (rc)
            return rc;
    }
    if (!it->r.source)
        it->r.source = "amazon";
    if (!it->has_created && st.review_time) {
        rc = review_time(it, st.review_time, st.review_time_len);
        if (rc)
            return rc;
    }
    if (st.reviewer_len && it->r.product_id)
        return source_id(it, &st);
    return 0;
}
