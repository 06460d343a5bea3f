/* Address networks ("10.20.0.0/16, fd00:1::/48") for the operator's
 * exceptions to the private-address rule of pulled sources
 * (allow_source_networks). */
#include "internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "chorus/error.h"

static int parse_one(const char *tok, size_t n, struct srv__net *out)
{
    char text[INET6_ADDRSTRLEN + 8], *slash, *end;
    unsigned max;
    long bits;

    if (n == 0 || n >= sizeof(text))
        return CHORUS_EINVAL;
    memcpy(text, tok, n);
    text[n] = '\0';
    slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, text, out->addr) == 1) {
        out->family = AF_INET6;
        max = 128;
    } else {
        return CHORUS_EINVAL;
    }
    out->prefix = max;
    if (slash) {
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > (long)max)
            return CHORUS_EINVAL;
        out->prefix = (unsigned)bits;
    }
    return 0;
}

int srv__net_parse(const char *text, struct srv__net *out, size_t cap, size_t *n)
{
    const char *p = text;

    *n = 0;
    for (;;) {
        size_t len;

        p += strspn(p, " \t,");
        if (!*p)
            return 0;
        len = strcspn(p, " \t,");
        if (*n == cap || parse_one(p, len, &out[*n]) != 0)
            return CHORUS_EINVAL;
        (*n)++;
        p += len;
    }
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;

    if (memcmp(a, b, whole) != 0)
        return false;
    return rest == 0 || ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool srv__net_match(const struct srv__net *nets, size_t n, const struct sockaddr *sa)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t *v4 = NULL, *v6 = NULL;

    if (sa->sa_family == AF_INET) {
        v4 = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (sa->sa_family == AF_INET6) {
        v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        if (memcmp(v6, mapped, sizeof(mapped)) == 0)
            v4 = v6 + 12; /* ::ffff:a.b.c.d is a.b.c.d */
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *a = nets[i].family == AF_INET ? v4 : v6;

        if (a && prefix_equal(a, nets[i].addr, nets[i].prefix))
            return true;
    }
    return false;
}
