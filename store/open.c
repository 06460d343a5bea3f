/* A store's life: store_open opens the environment (env.c), upgrades an
 * older folder in a write transaction, and sets the hooks; store_close
 * undoes it.
 */
#include "chorus/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_int.h"

/* scope_one files one review under its scopes in by_scope, as the review
 * writes do (store__scope_index). */
static int scope_one(void *ctx, const struct review *r)
{
    struct store_txn *t = ctx;
    struct store__scope sc;
    int rc;

    if (r->status != REVIEW_APPROVED)
        return 0;
    rc = store__product_info(t, r->product_id, false, &sc);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT;
    return rc ? rc : store__scope_index(t, NULL, NULL, r, &sc);
}

/* comp_one counts one review in the daily component counts, as the review
 * writes do (store__comp_review). */
static int comp_one(void *ctx, const struct review *r)
{
    struct store_txn *t = ctx;
    uint32_t pno;
    int rc;

    if (r->status != REVIEW_APPROVED || !r->components || !*r->components)
        return 0;
    rc = store__product_no(t, r->product_id, &pno);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT;
    return rc ? rc : store__comp_review(t, NULL, 0, r, pno);
}

/* upgrade brings an older folder to the current schema, step by step, in
 * one transaction. 1 -> 2: by_scope is built from the reviews; the other
 * additions (components, changed_at) are optional trailing fields that old
 * records simply lack. 2 -> 3: reader tokens kept under a plain hash are
 * wrapped into HMACs (tokens.c). 3 -> 4: the daily component counts are
 * built from the reviews' stored tags (a folder that predates tagging gets
 * them with `chorus retag`, which moves them like any tag change). */
static int upgrade(struct store_txn *t, void *ctx)
{
    uint32_t schema = 0;
    int rc = store__meta_get_u32(t, "schema", &schema);

    (void)ctx;
    /* Another process may have upgraded between our look and this write
     * transaction: then there is nothing left to do. */
    if (rc || schema >= CHORUS_SCHEMA_VERSION)
        return rc;
    if (schema < 2)
        rc = store_reviews_each(t, 0, scope_one, t);
    if (rc == 0 && schema < 3)
        rc = store__tokens_upgrade(t);
    if (rc == 0 && schema < 4)
        rc = store_reviews_each(t, 0, comp_one, t);
    if (rc == 0)
        rc = store__meta_put_u32(t, "schema", CHORUS_SCHEMA_VERSION);
    return rc;
}

uint64_t store_instance(const struct store *s)
{
    return s->instance;
}

void store_set_tagger(struct store *s, store_tagger_fn fn, void *ctx)
{
    s->tagger = fn;
    s->tagger_ctx = ctx;
}

void store_set_versioner(struct store *s, store_tagger_fn fn, void *ctx)
{
    s->versioner = fn;
    s->versioner_ctx = ctx;
}

void store_set_scorer(struct store *s, store_scorer_fn fn, void *ctx)
{
    s->scorer = fn;
    s->scorer_ctx = ctx;
}

int store_open(struct store **out, const char *dir, char *errbuf, size_t errlen)
{
    struct store *s = NULL;
    char scratch[1];
    uint32_t schema = 0;
    int rc;

    if (!errbuf) {
        errbuf = scratch;
        errlen = sizeof(scratch);
    }
    if (errlen)
        errbuf[0] = '\0';
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "cannot create data folder %s: %s", dir, strerror(errno));
        rc = CHORUS_EIO;
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        abort();
    s->dir = strdup(dir);
    if (!s->dir)
        abort();
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->wmu, NULL);
    pthread_mutex_init(&s->plist_mu, NULL);

    rc = store__env_open(s, &schema, errbuf, errlen);
    if (rc)
        goto out;
    if (schema != 0 && schema < CHORUS_SCHEMA_VERSION) {
        rc = store_write(s, upgrade, NULL);
        if (rc) {
            snprintf(errbuf, errlen, "cannot upgrade data folder %s to schema %d: %s", dir,
                     CHORUS_SCHEMA_VERSION, chorus_strerror(rc));
            goto out;
        }
    }
    *out = s;
    s = NULL;
out:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_txn_free(s->wtxn);
    store__env_close(s);
    store__plist_memo_free(s);
    pthread_mutex_destroy(&s->plist_mu);
    pthread_mutex_destroy(&s->wmu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    free(s);
}
