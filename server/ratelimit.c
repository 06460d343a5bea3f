/* Vote limits: one vote per client address and review per day, and a cap of
 * votes per address per hour.
 *
 * Two fixed-size open tables, so memory stays bounded whatever the traffic:
 * an entry that collides with a newer one is simply overwritten, which can
 * only ever let a vote through, never lose one. Hashes are FNV-1a seeded per
 * process so nobody can aim collisions from outside.
 * Not chorus_map: that would need an allocation per vote and an eviction list to stay bounded.
 * Any thread: one lock around a vote's two slots. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAIR_SLOTS 65536 /* (address, review) -> last vote time */
#define ADDR_SLOTS 16384 /* address -> hour window and count */

struct pair_slot {
    uint64_t key;
    int64_t at;
};

struct addr_slot {
    uint64_t key;
    int64_t hour;
    unsigned count;
};

struct srv_ratelimit {
    pthread_mutex_t lock; /* votes come from every serving thread; they are rare */
    unsigned per_hour;
    uint64_t seed;
    struct pair_slot pairs[PAIR_SLOTS];
    struct addr_slot addrs[ADDR_SLOTS];
};

static uint64_t hash_addr(const struct srv_ratelimit *rl, const char *addr)
{
    return chorus_fnv64(rl->seed, addr, strlen(addr)) | 1; /* 0 marks an empty slot */
}

struct srv_ratelimit *srv__ratelimit_new(unsigned per_hour)
{
    struct srv_ratelimit *rl = calloc(1, sizeof(*rl));
    struct timespec ts;
    uint64_t v[3];

    if (!rl)
        abort();
    rl->per_hour = per_hour;
    pthread_mutex_init(&rl->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    v[0] = (uint64_t)ts.tv_sec;
    v[1] = (uint64_t)ts.tv_nsec;
    v[2] = (uint64_t)(uintptr_t)rl;
    rl->seed = chorus_fnv64(CHORUS_FNV64_INIT, v, sizeof(v));
    return rl;
}

void srv__ratelimit_free(struct srv_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

bool srv__ratelimit_vote(struct srv_ratelimit *rl, const char *addr, uint64_t id, int64_t now)
{
    uint64_t ah = hash_addr(rl, addr), ph = chorus_fnv64(ah, &id, sizeof(id)) | 1;
    struct pair_slot *p = &rl->pairs[ph % PAIR_SLOTS];
    struct addr_slot *a = &rl->addrs[ah % ADDR_SLOTS];
    int64_t hour = now / 3600;
    bool ok = false;

    pthread_mutex_lock(&rl->lock);
    if (p->key == ph && now - p->at < 86400)
        goto out;
    if (a->key != ah || a->hour != hour) {
        a->key = ah;
        a->hour = hour;
        a->count = 0;
    }
    if (rl->per_hour && a->count >= rl->per_hour)
        goto out;
    a->count++;
    p->key = ph;
    p->at = now;
    ok = true;
out:
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
