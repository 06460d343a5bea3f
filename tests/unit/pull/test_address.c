/* The address rules of pulled sources (pull/address.c), the defence
 * against server-side request forgery: the operator's network lists
 * (pull_net_parse, pull_net_match) and the built-in private rule
 * (pull_address_private), which must refuse every special-use range and
 * every IPv6 form wrapping an IPv4 address, and must not refuse the public
 * Internet. */
#include "testmain.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "chorus/pull.h"

/* addr fills ss with a literal IPv4 or IPv6 address. */
static const struct sockaddr *addr(const char *text, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (strchr(text, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

        in6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, text, &in6->sin6_addr) != 1)
            fail_msg("bad test address %s", text);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;

        in->sin_family = AF_INET;
        if (inet_pton(AF_INET, text, &in->sin_addr) != 1)
            fail_msg("bad test address %s", text);
    }
    return (const struct sockaddr *)ss;
}

static bool private_(const char *text)
{
    struct sockaddr_storage ss;

    return pull_address_private(addr(text, &ss));
}

static bool in_nets(const char *list, const char *text)
{
    struct pull_net nets[PULL_MAX_NETS];
    struct sockaddr_storage ss;
    size_t n = 99;

    if (pull_net_parse(list, nets, PULL_MAX_NETS, &n) != 0)
        fail_msg("\"%s\" was refused", list);
    return pull_net_match(nets, n, addr(text, &ss));
}

/* ---- pull_net_parse ------------------------------------------------------------------ */

CHORUS_TEST(parse_networks)
{
    struct pull_net nets[PULL_MAX_NETS];
    size_t n = 99;

    assert_int_equal(pull_net_parse("10.1.0.0/16", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(nets[0].family, AF_INET);
    assert_int_equal(nets[0].prefix, 16);
    assert_memory_equal(nets[0].addr, "\x0a\x01\x00\x00", 4);

    assert_int_equal(pull_net_parse("fd00::/8", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(nets[0].family, AF_INET6);
    assert_int_equal(nets[0].prefix, 8);
    assert_int_equal(nets[0].addr[0], 0xfd);

    /* A bare address is one host. */
    assert_int_equal(pull_net_parse("192.0.2.7", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(nets[0].prefix, 32);
    assert_int_equal(pull_net_parse("2001:db8::1", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(nets[0].prefix, 128);

    /* The extremes of the prefix. */
    assert_int_equal(pull_net_parse("0.0.0.0/0 ::/0 1.2.3.4/32 ::1/128", nets, PULL_MAX_NETS, &n),
                     0);
    assert_int_equal(n, 4);
    assert_int_equal(nets[0].prefix, 0);
    assert_int_equal(nets[1].prefix, 0);
    assert_int_equal(nets[2].prefix, 32);
    assert_int_equal(nets[3].prefix, 128);
}

CHORUS_TEST(parse_separators)
{
    struct pull_net nets[PULL_MAX_NETS];
    size_t n = 99;

    assert_int_equal(pull_net_parse("10.20.0.0/16, fd00:1::/48", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(
        pull_net_parse(" ,10.0.0.1,,\t192.168.0.0/24 , \t, ::1 ,", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(nets[0].prefix, 32);
    assert_int_equal(nets[1].prefix, 24);
    assert_int_equal(nets[2].family, AF_INET6);
    /* Nothing at all is an empty list. */
    n = 99;
    assert_int_equal(pull_net_parse("", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(pull_net_parse(" , \t ,", nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, 0);
}

CHORUS_TEST(parse_bad_entries)
{
    static const char *const bad[] = {
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/",
        "10.0.0.0/x",
        "10.0.0.0/8x",
        "10.0.0.0/8/8",
        "10.0.0.0/-1",
        "10.0.0.0/4294967304", /* 2^32 + 8: must not wrap to 8 */
        "10.0.0.0/99999999999999999999",
        "10.0.0",
        "10.0.0.256",
        "10.0.0.0.0",
        "010.0.0.1x",
        "fd00:::1",
        "fd00::g",
        "example.com",
        "localhost",
        "/8",
        "/",
        "10.0.0.0;10.1.0.0",
        "fe80::1%eth0",
        "[::1]",
        "10.0.0.1, nope",
        "nope, 10.0.0.1",
        "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16/128", /* longer than any address */
    };
    struct pull_net nets[PULL_MAX_NETS];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = 99;

        if (pull_net_parse(bad[i], nets, PULL_MAX_NETS, &n) != CHORUS_EINVAL)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
}

CHORUS_TEST(parse_too_many)
{
    struct pull_net nets[PULL_MAX_NETS + 1];
    char list[PULL_MAX_NETS * 20 + 32];
    size_t len = 0, n = 0;

    for (int i = 0; i < PULL_MAX_NETS; i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "10.%d.0.0/16,", i);
    assert_int_equal(pull_net_parse(list, nets, PULL_MAX_NETS, &n), 0);
    assert_int_equal(n, PULL_MAX_NETS);
    /* One more than the room given is refused, and nothing is written
     * past that room. */
    snprintf(list + len, sizeof(list) - len, "10.200.0.0/16");
    memset(&nets[PULL_MAX_NETS], 0x5a, sizeof(nets[PULL_MAX_NETS]));
    assert_int_equal(pull_net_parse(list, nets, PULL_MAX_NETS, &n), CHORUS_EINVAL);
    assert_int_equal(nets[PULL_MAX_NETS].family, 0x5a5a5a5a);
    /* A smaller cap is honoured the same way. */
    assert_int_equal(pull_net_parse("1.1.1.1 2.2.2.2 3.3.3.3", nets, 2, &n), CHORUS_EINVAL);
    assert_int_equal(pull_net_parse("1.1.1.1 2.2.2.2", nets, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pull_net_parse("1.1.1.1", nets, 0, &n), CHORUS_EINVAL);
}

/* ---- pull_net_match ---------------------------------------------------------------------- */

CHORUS_TEST(match_prefixes)
{
    assert_true(in_nets("10.1.0.0/16", "10.1.0.0"));
    assert_true(in_nets("10.1.0.0/16", "10.1.255.255"));
    assert_false(in_nets("10.1.0.0/16", "10.2.0.0"));
    assert_false(in_nets("10.1.0.0/16", "10.0.255.255"));
    /* Prefixes that end inside a byte. */
    assert_true(in_nets("172.16.0.0/12", "172.31.255.255"));
    assert_false(in_nets("172.16.0.0/12", "172.32.0.0"));
    assert_false(in_nets("172.16.0.0/12", "172.15.255.255"));
    assert_true(in_nets("192.168.1.128/25", "192.168.1.200"));
    assert_false(in_nets("192.168.1.128/25", "192.168.1.127"));
    assert_true(in_nets("10.0.0.0/1", "127.255.255.255"));
    assert_false(in_nets("10.0.0.0/1", "128.0.0.0"));
    /* A host; /0 holds everything of its family. */
    assert_true(in_nets("192.0.2.7", "192.0.2.7"));
    assert_false(in_nets("192.0.2.7", "192.0.2.6"));
    assert_true(in_nets("0.0.0.0/0", "8.8.8.8"));
    assert_false(in_nets("0.0.0.0/0", "2001:db8::1"));
    assert_true(in_nets("::/0", "2001:db8::1"));
    /* IPv6. */
    assert_true(in_nets("fd00:1::/48", "fd00:1:0:ffff::1"));
    assert_false(in_nets("fd00:1::/48", "fd00:1:1::1"));
    assert_true(in_nets("2001:db8::/33", "2001:db8:7fff::1"));
    assert_false(in_nets("2001:db8::/33", "2001:db8:8000::1"));
    assert_true(in_nets("::1", "::1"));
    assert_false(in_nets("::1", "::2"));
    /* Host bits in the network itself are ignored beyond the prefix. */
    assert_true(in_nets("10.1.2.3/8", "10.200.0.1"));
    /* Any entry of a list. */
    assert_true(in_nets("10.0.0.0/8, fd00::/8, 192.0.2.1", "192.0.2.1"));
    assert_true(in_nets("10.0.0.0/8, fd00::/8, 192.0.2.1", "fdff::1"));
    assert_false(in_nets("10.0.0.0/8, fd00::/8, 192.0.2.1", "192.0.2.2"));
    /* An empty list holds nothing. */
    assert_false(in_nets("", "10.0.0.1"));
}

CHORUS_TEST(match_mapped_addresses)
{
    /* An IPv4 network holds the IPv4-mapped IPv6 form of its addresses: a
     * dual-stack socket reports a v4 peer that way. */
    assert_true(in_nets("10.0.0.0/8", "::ffff:10.1.2.3"));
    assert_true(in_nets("192.0.2.7", "::ffff:192.0.2.7"));
    assert_false(in_nets("10.0.0.0/8", "::ffff:11.1.2.3"));
    /* Not the other wrappings, which are different addresses. */
    assert_false(in_nets("10.0.0.0/8", "::10.1.2.3"));        /* IPv4-compatible */
    assert_false(in_nets("10.0.0.0/8", "64:ff9b::10.1.2.3")); /* NAT64 */
    assert_false(in_nets("10.0.0.0/8", "2002:a01:203::1"));   /* 6to4 */
    assert_false(in_nets("10.0.0.0/8", "::fffe:10.1.2.3"));
}

CHORUS_TEST(match_other_families)
{
    struct pull_net nets[4];
    struct sockaddr_un un;
    size_t n;

    assert_int_equal(pull_net_parse("0.0.0.0/0 ::/0", nets, 4, &n), 0);
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    assert_false(pull_net_match(nets, n, (const struct sockaddr *)&un));
}

/* ---- pull_address_private ---------------------------------------------------------------- */

CHORUS_TEST(private_ipv4)
{
    static const char *const priv[] = {
        "0.0.0.0",      "0.255.255.255",   /* this network */
        "10.0.0.0",     "10.255.255.255",  /* RFC 1918 */
        "127.0.0.1",    "127.255.255.254", /* loopback */
        "169.254.0.1",  "169.254.169.254", /* link-local, cloud metadata */
        "172.16.0.0",   "172.31.255.255",  /* RFC 1918 */
        "192.168.0.0",  "192.168.255.255", /* RFC 1918 */
        "100.64.0.0",   "100.127.255.255", /* carrier-grade NAT */
        "192.0.0.0",    "192.0.0.255",     /* IETF special use */
        "192.0.2.0",    "192.0.2.255",     /* TEST-NET-1 */
        "198.18.0.0",   "198.19.255.255",  /* benchmarking */
        "198.51.100.0", "198.51.100.255",  /* TEST-NET-2 */
        "203.0.113.0",  "203.0.113.255",   /* TEST-NET-3 */
        "224.0.0.1",    "239.255.255.255", /* multicast */
        "240.0.0.1",    "255.255.255.255", /* reserved, broadcast */
    };

    for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
        if (!private_(priv[i]))
            fail_msg("%s is not private", priv[i]);
}

CHORUS_TEST(public_ipv4)
{
    /* Public addresses, many right next to a private range. */
    static const char *const pub[] = {
        "8.8.8.8",        "1.1.1.1",         "9.9.9.9",         "93.184.216.34",
        "1.0.0.0",        "9.255.255.255",   "11.0.0.0",        "126.255.255.255",
        "128.0.0.0",      "169.253.255.255", "169.255.0.0",     "172.15.255.255",
        "172.32.0.0",     "192.167.255.255", "192.169.0.0",     "100.63.255.255",
        "100.128.0.0",    "191.255.255.255", "192.0.1.255",     "192.0.3.0",
        "198.17.255.255", "198.20.0.0",      "198.51.99.255",   "198.51.101.0",
        "203.0.112.255",  "203.0.114.0",     "223.255.255.255", "140.82.112.3",
        "151.101.1.69",
    };

    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
        if (private_(pub[i]))
            fail_msg("%s is private", pub[i]);
}

CHORUS_TEST(private_ipv6)
{
    static const char *const priv[] = {
        "::",      /* unspecified */
        "::1",     /* loopback */
        "fc00::1", /* unique local */
        "fdff:ffff::1",
        "fe80::1", /* link-local */
        "febf:ffff::1",
        "fec0::1", /* site-local (deprecated) */
        "ff02::1", /* multicast */
        "ff0e::1",
        "::ffff:127.0.0.1", /* IPv4-mapped private */
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:192.168.1.1",
        "::ffff:0.0.0.0",
        "::127.0.0.1", /* IPv4-compatible */
        "::10.0.0.1",
        "::8.8.8.8", /* compatible: no longer routed, refused whatever it holds */
        "2002::1",   /* 6to4 may wrap anything */
        "2002:7f00:1::1",
        "2002:808:808::1",
        "64:ff9b::7f00:1", /* NAT64 */
        "64:ff9b::808:808",
        "2001::1", /* Teredo */
        "2001:0:4136:e378::1",
        "2001:db8::1", /* documentation */
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "100::1", /* discard */
    };

    for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
        if (!private_(priv[i]))
            fail_msg("%s is not private", priv[i]);
}

CHORUS_TEST(public_ipv6)
{
    static const char *const pub[] = {
        "2606:4700::1111", /* Cloudflare DNS */
        "2400:cb00::1",
        "2001:4860:4860::8888", /* Google DNS */
        "2a00:1450:4001:80b::200e",
        "2a03:2880:f003::1",
        "2620:fe::fe",
        "::ffff:8.8.8.8", /* a mapped public address is that address */
        "::ffff:1.1.1.1",
        "2001:db7:ffff::1", /* either side of the documentation range */
        "2001:db9::1",
        "2003::1", /* just past 6to4 */
        "2001:1fff::1",
    };

    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
        if (private_(pub[i]))
            fail_msg("%s is private", pub[i]);
}

CHORUS_TEST(other_families_are_private)
{
    struct sockaddr_un un;
    struct sockaddr_storage ss;

    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    assert_true(pull_address_private((const struct sockaddr *)&un));
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = AF_UNSPEC;
    assert_true(pull_address_private((const struct sockaddr *)&ss));
}

/* Every IPv4 address with its first two bytes varied: the mapped form is
 * private exactly when the address is, and the compatible form always is. */
CHORUS_TEST(ipv4_forms_agree)
{
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b += 3) {
            char v4[32], mapped[48], compat[48];
            bool p;

            snprintf(v4, sizeof(v4), "%u.%u.%u.%u", a, b, (a * 7 + b) & 255, (a + b * 13) & 255);
            snprintf(mapped, sizeof(mapped), "::ffff:%s", v4);
            snprintf(compat, sizeof(compat), "::%s", v4);
            p = private_(v4);
            if (private_(mapped) != p)
                fail_msg("%s and %s disagree", v4, mapped);
            assert_true(private_(compat));
        }
}

CHORUS_TEST_MAIN()
