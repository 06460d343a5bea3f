/* Vote limits: one vote per client address and review per day, and a cap of
 * votes per address per hour.
 *
 * Two fixed-size open tables, so memory stays bounded whatever the traffic:
 * an entry that collides with a newer one is simply overwritten, which can
 * only ever let a vote through, never lose one. Hashes are seeded per
 * process so nobody can aim collisions from outside. */
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
    unsigned per_hour;
    uint64_t seed;
    struct pair_slot pairs[PAIR_SLOTS];
    struct addr_slot addrs[ADDR_SLOTS];
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_addr(const struct srv_ratelimit *rl, const char *addr)
{
    uint64_t h = rl->seed;

    for (; *addr; addr++)
        h = mix(h ^ (unsigned char)*addr);
    return h | 1; /* 0 marks an empty slot */
}

struct srv_ratelimit *srv__ratelimit_new(unsigned per_hour)
{
    struct srv_ratelimit *rl = calloc(1, sizeof(*rl));
    struct timespec ts;

    if (!rl)
        abort();
    rl->per_hour = per_hour;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rl->seed = mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)rl);
    return rl;
}

void srv__ratelimit_free(struct srv_ratelimit *rl)
{
    free(rl);
}

bool srv__ratelimit_vote(struct srv_ratelimit *rl, const char *addr, uint64_t id, int64_t now)
{
    uint64_t ah = hash_addr(rl, addr), ph = mix(ah ^ mix(id)) | 1;
    struct pair_slot *p = &rl->pairs[ph % PAIR_SLOTS];
    struct addr_slot *a = &rl->addrs[ah % ADDR_SLOTS];
    int64_t hour = now / 3600;

    if (p->key == ph && now - p->at < 86400)
        return false;
    if (a->key != ah || a->hour != hour) {
        a->key = ah;
        a->hour = hour;
        a->count = 0;
    }
    if (rl->per_hour && a->count >= rl->per_hour)
        return false;
    a->count++;
    p->key = ph;
    p->at = now;
    return true;
}
