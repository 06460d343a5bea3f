/* Vote limits: one vote per client and review per day, and a cap of votes
 * per client per hour. A client is what srv__client says: an address, or
 * an IPv6 /64.
 *
 * Two fixed-size tables, so memory stays bounded whatever the traffic (5.5
 * MiB), each a set of 8 ways per hash: a new entry takes an empty or
 * expired way, else the oldest, so forgetting a live vote takes filling its
 * set with newer ones — with a seeded hash nobody can aim at a set, so it
 * takes votes on the order of the whole table, from as many clients within
 * the hour. (A direct-mapped table let one client forget its own vote by
 * voting on others.) Hashes are FNV-1a seeded per process.
 * Not chorus_map: that would need an allocation per vote and an eviction list to stay bounded.
 * Any thread: one lock around a vote's two lookups. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAYS      8
#define PAIR_SETS 32768 /* (client, review) -> last vote time */
#define ADDR_SETS 8192  /* client -> hour window and count */
#define DAY       86400

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
    struct pair_slot pairs[PAIR_SETS][WAYS];
    struct addr_slot addrs[ADDR_SETS][WAYS];
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

/* pair_find returns the way of set holding key, else the way to reuse:
 * empty, expired or the oldest. */
static struct pair_slot *pair_find(struct pair_slot *set, uint64_t key, int64_t now)
{
    struct pair_slot *use = &set[0];

    for (unsigned i = 0; i < WAYS; i++) {
        if (set[i].key == key)
            return &set[i];
        if (set[i].key == 0 || now - set[i].at >= DAY)
            use = &set[i];
        else if (use->key && now - use->at < DAY && set[i].at < use->at)
            use = &set[i];
    }
    return use;
}

/* addr_find: the same for a client's hour; a way of an earlier hour goes
 * first, then the one with the fewest votes (forgetting it gives least). */
static struct addr_slot *addr_find(struct addr_slot *set, uint64_t key, int64_t hour)
{
    struct addr_slot *use = &set[0];

    for (unsigned i = 0; i < WAYS; i++) {
        if (set[i].key == key)
            return &set[i];
        if (set[i].key == 0 || set[i].hour != hour)
            use = &set[i];
        else if (use->key && use->hour == hour && set[i].count < use->count)
            use = &set[i];
    }
    return use;
}

bool srv__ratelimit_vote(struct srv_ratelimit *rl, const char *client, uint64_t id, int64_t now)
{
    uint64_t ah = hash_addr(rl, client), ph = chorus_fnv64(ah, &id, sizeof(id)) | 1;
    int64_t hour = now / 3600;
    struct pair_slot *p;
    struct addr_slot *a;
    bool ok = false;

    pthread_mutex_lock(&rl->lock);
    p = pair_find(rl->pairs[ph % PAIR_SETS], ph, now);
    if (p->key == ph && now - p->at < DAY)
        goto out;
    a = addr_find(rl->addrs[ah % ADDR_SETS], ah, hour);
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
