/* Who a request comes from, for the limits that count per client (votes,
 * connections) and for the logs.
 *
 * Behind a proxy every reader has the proxy's address, so the client is
 * taken from X-Forwarded-For (or Forwarded) — but only when the TCP peer is
 * one of trusted_proxies, and then as the right-most address that is not a
 * trusted proxy: everything left of it was written by the client and proves
 * nothing. IPv6 clients are one per /64, the block one subscriber gets; an
 * address of its own costs an attacker nothing inside it. */
#include "internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 16 /* forwarding header fields looked at, the last ones */

int srv__client_init(struct srv *s, char *errbuf, size_t errlen)
{
    if (pull_net_parse(s->cfg.trusted_proxies, s->trusted, PULL_MAX_NETS, &s->n_trusted) != 0) {
        snprintf(errbuf, errlen, "trusted_proxies: not a list of networks: %s",
                 s->cfg.trusted_proxies);
        return CHORUS_EINVAL;
    }
    return 0;
}

bool srv__peer_trusted(const struct srv *s, const struct sockaddr *sa)
{
    return sa && s->n_trusted && pull_net_match(s->trusted, s->n_trusted, sa);
}

void srv__client_name(const struct sockaddr *sa, char out[SRV_CLIENT_MAX])
{
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, SRV_CLIENT_MAX);
    } else if (sa && sa->sa_family == AF_INET6) {
        struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
        size_t n;

        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            inet_ntop(AF_INET, &a.s6_addr[12], out, SRV_CLIENT_MAX);
            return;
        }
        memset(&a.s6_addr[8], 0, 8);
        inet_ntop(AF_INET6, &a, out, SRV_CLIENT_MAX - 4);
        n = strlen(out);
        snprintf(out + n, SRV_CLIENT_MAX - n, "/64");
    }
}

/* parse_node reads one address of a forwarding header, as written by
 * proxies: "203.0.113.7", "2001:db8::1", "[2001:db8::1]:4711",
 * "203.0.113.7:80", optionally quoted. False for anything else ("unknown",
 * an obfuscated name). */
static bool parse_node(const char *p, size_t n, struct sockaddr_storage *ss)
{
    char tmp[64];
    const char *colon;

    while (n && (*p == ' ' || *p == '\t' || *p == '"')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '"'))
        n--;
    if (n == 0 || n >= sizeof(tmp))
        return false;
    if (*p == '[') {
        const char *end = memchr(p, ']', n);

        if (!end)
            return false;
        p++;
        n = (size_t)(end - p);
    } else if ((colon = memchr(p, ':', n)) &&
               !memchr(colon + 1, ':', n - (size_t)(colon - p) - 1)) {
        n = (size_t)(colon - p); /* IPv4 with a port */
    }
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, tmp, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
        ss->ss_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, tmp, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
        ss->ss_family = AF_INET6;
        return true;
    }
    return false;
}

/* node_at finds the address of list element [a, b): all of it for
 * X-Forwarded-For, the for= parameter for Forwarded. */
static bool node_at(const char *a, const char *b, bool forwarded, struct sockaddr_storage *ss)
{
    if (forwarded) {
        const char *p = a;

        for (;;) {
            while (p < b && (*p == ' ' || *p == ';'))
                p++;
            if (b - p > 4 && strncasecmp(p, "for=", 4) == 0) {
                const char *e = memchr(p, ';', (size_t)(b - p));

                return parse_node(p + 4, (size_t)((e ? e : b) - p - 4), ss);
            }
            p = memchr(p, ';', (size_t)(b - p));
            if (!p)
                return false;
        }
    }
    return parse_node(a, (size_t)(b - a), ss);
}

void srv__client(struct srv_req *r, char out[SRV_CLIENT_MAX])
{
    struct evhttp_connection *con = evhttp_request_get_connection(r->req);
    const struct sockaddr *client = con ? evhttp_connection_get_addr(con) : NULL;
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
    const char *fields[MAX_FIELDS];
    struct sockaddr_storage ss, hop;
    struct evkeyval *kv;
    bool forwarded = false;
    size_t n = 0, last;

    if (srv__peer_trusted(r->srv, client)) {
        for (kv = in->tqh_first; kv; kv = kv->next.tqe_next)
            if (strcasecmp(kv->key, "X-Forwarded-For") == 0)
                fields[n++ % MAX_FIELDS] = kv->value;
        if (n == 0) {
            forwarded = true;
            for (kv = in->tqh_first; kv; kv = kv->next.tqe_next)
                if (strcasecmp(kv->key, "Forwarded") == 0)
                    fields[n++ % MAX_FIELDS] = kv->value;
        }
    }
    /* Right to left, field by field; stop at the first hop that is not a
     * trusted proxy (or cannot be read: then the last trusted one stands). */
    /* The last MAX_FIELDS fields: proxies append at the end. */
    last = n > MAX_FIELDS ? n - MAX_FIELDS : 0;
    while (n-- > last) {
        const char *v = fields[n % MAX_FIELDS], *end = v + strlen(v);
        bool done = false;

        while (end > v && !done) {
            const char *start = end;

            while (start > v && start[-1] != ',')
                start--;
            if (!node_at(start, end, forwarded, &hop)) {
                done = true;
            } else {
                ss = hop;
                client = (const struct sockaddr *)&ss;
                done = !srv__peer_trusted(r->srv, client);
            }
            end = start > v ? start - 1 : v;
        }
        if (done)
            break;
    }
    srv__client_name(client, out);
}
