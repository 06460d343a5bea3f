/* API keys: where they come from, what each may do (scopes) and how fast
 * each may write.
 *
 * A key is a line of the keys file, optionally followed by its scopes
 * ("KEY ingest,moderate"); a bare key has every scope, as every key had
 * before scopes existed. CHORUS_API_KEYS holds bare keys, separated by
 * commas or newlines, and a keys file line without scopes may too.
 *
 * Writes are charged to their key in a token bucket (key_writes_per_minute
 * a minute, as many at once), so one leaked or buggy client cannot fill the
 * writer's queue for everyone. Any thread: the buckets have one lock.
 *
 * SIGHUP loads the keys again (srv__keys_reload): the new set replaces the
 * old one under s->keys_mu, and a request that took a reference to the old
 * set (srv__keys_acquire) finishes with it; the last reference frees it. A
 * key in both sets keeps its write bucket. */
#include "internal.h"

#include <ctype.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct srv_key {
    char *key;
    size_t len;
    unsigned scopes;
    double tokens; /* the write bucket, under srv_keys.lock */
    int64_t at_ms; /* when tokens was last refilled; 0 = never charged */
};

struct srv_keys {
    atomic_uint refs; /* the server's, and each request's that holds it */
    pthread_mutex_t lock;
    unsigned per_minute; /* 0 = no write limit */
    size_t n;
    struct srv_key keys[SRV_MAX_KEYS];
};

static const char *const scope_names[] = {"ingest", "moderate", "catalogue", "admin"};

const char *srv__scope_name(unsigned scope)
{
    for (unsigned i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
        if (scope & (1u << i))
            return scope_names[i];
    return "?";
}

/* parse_scopes reads "ingest,moderate" (commas, optional spaces). */
static int parse_scopes(const char *p, size_t n, unsigned *out, char *errbuf, size_t errlen)
{
    size_t i = 0;

    *out = 0;
    while (i < n) {
        size_t a, b;
        unsigned bit = 0;

        while (i < n && (p[i] == ',' || p[i] == ' ' || p[i] == '\t'))
            i++;
        a = i;
        while (i < n && p[i] != ',' && p[i] != ' ' && p[i] != '\t')
            i++;
        b = i;
        if (a == b)
            continue;
        for (unsigned k = 0; k < sizeof(scope_names) / sizeof(scope_names[0]); k++)
            if (strlen(scope_names[k]) == b - a && strncmp(scope_names[k], p + a, b - a) == 0)
                bit = 1u << k;
        if (!bit) {
            snprintf(errbuf, errlen,
                     "unknown API key scope '%.*s' (scopes: ingest, moderate, catalogue, admin)",
                     (int)(b - a > 40 ? 40 : b - a), p + a);
            return CHORUS_EINVAL;
        }
        *out |= bit;
    }
    return 0;
}

static int add_key(struct srv_keys *k, const char *p, size_t n, unsigned scopes, char *errbuf,
                   size_t errlen)
{
    if (k->n == SRV_MAX_KEYS) {
        snprintf(errbuf, errlen, "more than %d API keys", SRV_MAX_KEYS);
        return CHORUS_EINVAL;
    }
    if (n < 16) {
        snprintf(errbuf, errlen, "API keys must be at least 16 characters long");
        return CHORUS_EINVAL;
    }
    k->keys[k->n].key = strndup(p, n);
    if (!k->keys[k->n].key)
        abort();
    k->keys[k->n].len = n;
    k->keys[k->n].scopes = scopes;
    k->n++;
    return 0;
}

/* add_line adds the keys of one line: "KEY scopes", or bare keys separated
 * by commas. */
static int add_line(struct srv_keys *k, const char *p, size_t n, char *errbuf, size_t errlen)
{
    size_t a = 0, b = n, sp;
    unsigned scopes = SRV_SCOPE_ALL;
    int rc = 0;

    while (a < b && isspace((unsigned char)p[a]))
        a++;
    while (b > a && isspace((unsigned char)p[b - 1]))
        b--;
    if (a == b || p[a] == '#')
        return 0;
    for (sp = a; sp < b && p[sp] != ' ' && p[sp] != '\t'; sp++)
        ;
    if (sp < b) {
        rc = parse_scopes(p + sp, b - sp, &scopes, errbuf, errlen);
        if (rc == 0 && memchr(p + a, ',', sp - a)) {
            snprintf(errbuf, errlen, "a key with scopes stands alone on its line");
            rc = CHORUS_EINVAL;
        }
        return rc ? rc : add_key(k, p + a, sp - a, scopes, errbuf, errlen);
    }
    while (rc == 0 && a < b) {
        size_t e = a;

        while (e < b && p[e] != ',')
            e++;
        if (e > a)
            rc = add_key(k, p + a, e - a, SRV_SCOPE_ALL, errbuf, errlen);
        a = e + 1;
    }
    return rc;
}

static int add_text(struct srv_keys *k, const char *text, char *errbuf, size_t errlen)
{
    int rc = 0;

    while (rc == 0 && *text) {
        size_t n = strcspn(text, "\n");

        rc = add_line(k, text, n, errbuf, errlen);
        text += n;
        if (*text)
            text++;
    }
    return rc;
}

int srv__keys_load(struct srv_keys **out, const struct srv_config *c, char *errbuf, size_t errlen)
{
    struct srv_keys *k = calloc(1, sizeof(*k));
    const char *env = getenv("CHORUS_API_KEYS");
    struct buf b;
    FILE *f = NULL;
    int rc = 0;

    if (!k)
        abort();
    atomic_init(&k->refs, 1);
    pthread_mutex_init(&k->lock, NULL);
    k->per_minute = c->key_writes_per_minute;
    buf_init(&b, 1 << 20);
    if (env)
        rc = add_text(k, env, errbuf, errlen);
    if (rc || !c->api_keys_file[0])
        goto out;
    f = fopen(c->api_keys_file, "r");
    if (!f) {
        snprintf(errbuf, errlen, "cannot open api_keys_file %s: %s", c->api_keys_file,
                 strerror(errno));
        rc = CHORUS_EIO;
        goto out;
    }
    rc = buf_read_file(&b, f);
    if (rc == 0 && b.len)
        rc = add_text(k, b.data, errbuf, errlen);
    else if (rc)
        snprintf(errbuf, errlen, "api_keys_file %s cannot be read: %s", c->api_keys_file,
                 rc == CHORUS_ETOOBIG ? "it is over 1 MiB" : "read error");
out:
    if (f)
        fclose(f);
    buf_cleanup(&b);
    if (rc) {
        srv__keys_free(k);
        k = NULL;
    }
    *out = k;
    return rc;
}

void srv__keys_free(struct srv_keys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        free(k->keys[i].key);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

size_t srv__keys_count(const struct srv_keys *k)
{
    return k->n;
}

/* Every key is compared, always, in constant time, so timing says nothing
 * about which key or how much of one matched. */
int srv__keys_match(const struct srv_keys *k, const char *h, size_t n, unsigned *scopes)
{
    int found = -1;

    *scopes = 0;
    for (size_t i = 0; i < k->n; i++) {
        int hit = chorus_ct_equal(h, n, k->keys[i].key, k->keys[i].len);

        found = hit ? (int)i : found;
        *scopes |= hit ? k->keys[i].scopes : 0;
    }
    return found;
}

unsigned srv__keys_charge_write(struct srv_keys *k, int i, int64_t now_ms)
{
    struct srv_key *key;
    unsigned wait = 0;
    double rate;

    if (!k->per_minute || i < 0 || (size_t)i >= k->n)
        return 0;
    key = &k->keys[i];
    rate = k->per_minute / 60000.0; /* tokens per ms */
    pthread_mutex_lock(&k->lock);
    if (key->at_ms == 0)
        key->tokens = k->per_minute;
    else if (now_ms > key->at_ms)
        key->tokens += (double)(now_ms - key->at_ms) * rate;
    if (key->tokens > k->per_minute)
        key->tokens = k->per_minute;
    key->at_ms = now_ms;
    if (key->tokens >= 1.0)
        key->tokens -= 1.0;
    else
        wait = (unsigned)((1.0 - key->tokens) / rate / 1000.0) + 1;
    pthread_mutex_unlock(&k->lock);
    return wait;
}

struct srv_keys *srv__keys_acquire(struct srv *s)
{
    struct srv_keys *k;

    pthread_mutex_lock(&s->keys_mu);
    k = s->keys;
    atomic_fetch_add(&k->refs, 1);
    pthread_mutex_unlock(&s->keys_mu);
    return k;
}

void srv__keys_release(struct srv_keys *k)
{
    if (k && atomic_fetch_sub(&k->refs, 1) == 1)
        srv__keys_free(k);
}

int srv__keys_reload(struct srv *s, char *errbuf, size_t errlen)
{
    struct srv_keys *nk = NULL, *old;
    int rc = srv__keys_load(&nk, &s->cfg, errbuf, errlen);

    if (rc)
        return rc;
    pthread_mutex_lock(&s->keys_mu);
    old = s->keys;
    pthread_mutex_lock(&old->lock);
    for (size_t i = 0; i < nk->n; i++)
        for (size_t j = 0; j < old->n; j++)
            if (nk->keys[i].len == old->keys[j].len &&
                memcmp(nk->keys[i].key, old->keys[j].key, old->keys[j].len) == 0) {
                nk->keys[i].tokens = old->keys[j].tokens;
                nk->keys[i].at_ms = old->keys[j].at_ms;
            }
    pthread_mutex_unlock(&old->lock);
    s->keys = nk;
    pthread_mutex_unlock(&s->keys_mu);
    srv__keys_release(old);
    return 0;
}
