/* 64-bit FNV-1a: small, fast and good enough to key caches and ETags on
 * text the server made itself. Not for secrets or anything an attacker
 * could aim collisions at without a second check. */
#include "chorus/base.h"

#include <string.h>

uint64_t chorus_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++)
        h = chorus_fnv64_step(h, s[i]);
    return h;
}

uint64_t chorus_fnv64_str(const char *s)
{
    return s ? chorus_fnv64(CHORUS_FNV64_INIT, s, strlen(s)) : CHORUS_FNV64_INIT;
}
