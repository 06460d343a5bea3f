/* The address rules of pulled sources, against server-side request
 * forgery: which addresses a fetch may connect to.
 *
 * Every address curl is about to connect to (first hop, each redirect,
 * each DNS answer) passes through pull__opensocket. Checking at connect
 * time, not the URL, is what also catches a name that resolves to a
 * private address and a redirect to one. Refused unless the operator
 * allowed them: loopback, private, link-local, carrier NAT, special-use,
 * documentation and benchmarking networks, multicast, reserved, and the
 * IPv6 forms that wrap an IPv4 address. The operator's exceptions are
 * network lists ("10.20.0.0/16, fd00:1::/48", allow_source_networks).
 */
#include "pull_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- network lists ------------------------------------------------------------ */

static int parse_one(const char *tok, size_t n, struct pull_net *out)
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

int pull_net_parse(const char *text, struct pull_net *out, size_t cap, size_t *n)
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

bool pull_net_match(const struct pull_net *nets, size_t n, const struct sockaddr *sa)
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

/* ---- the built-in rule and the connect-time check ---------------------------------- */

/* v4_private: 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16,
 * 100.64/10 (carrier NAT), the special-use 192.0.0/24, the documentation
 * nets 192.0.2/24, 198.51.100/24, 203.0.113/24 (test networks are often real
 * ones: this very kind of container sits on 192.0.2/24), 198.18/15
 * (benchmarking), multicast 224/4 and reserved 240/4. */
static bool v4_private(uint32_t a)
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
           (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) ||
           (a >> 8) == 0xc00000 || (a >> 8) == 0xc00002 || (a >> 8) == 0xc63364 ||
           (a >> 8) == 0xcb0071 || (a >> 17) == (0xc612u >> 1) || (a >> 28) == 0xe ||
           (a >> 28) == 0xf;
}

bool pull_address_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        return v4_private(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const uint8_t *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const uint8_t zero[10];

        if (memcmp(b, zero, 10) == 0 &&
            ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
            uint32_t a =
                (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

            /* ::, ::1, and IPv4-mapped or -compatible addresses. */
            return (b[10] == 0 && a <= 1) || v4_private(a) || b[10] == 0;
        }
        return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* fec0::/10 site-local */
               b[0] == 0xff ||                            /* multicast */
               (b[0] == 0x20 && b[1] == 0x02) ||          /* 6to4 may wrap anything */
               (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) || /* NAT64 */
               (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) || /* Teredo */
               (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || /* documentation */
               (b[0] == 0x01 && memcmp(b + 1, zero, 7) == 0); /* 100::/64 discard */
    }
    return true; /* unix sockets and the rest: never */
}

curl_socket_t pull__opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct pull__fetch *f = clientp;

    (void)purpose;
    if (!f->reach->allow_private && pull_address_private(&a->addr) &&
        !pull_net_match(f->reach->allowed, f->reach->n_allowed, &a->addr)) {
        char txt[INET6_ADDRSTRLEN] = "?";

        if (a->family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, txt, sizeof(txt));
        else if (a->family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, txt, sizeof(txt));
        f->refused = true;
        snprintf(f->refused_addr, sizeof(f->refused_addr), "%s", txt);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}
