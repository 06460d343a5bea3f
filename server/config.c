/* chorusd configuration: defaults and the "key = value" config file. */
#include "chorus/server.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "internal.h"

void srv_config_init(struct srv_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->data_dir, sizeof(c->data_dir), "%s", "data");
    snprintf(c->listen_host, sizeof(c->listen_host), "%s", "127.0.0.1");
    c->listen_port = 8080;
    c->new_review_status = REVIEW_APPROVED;
    c->max_body_bytes = 8u << 20;
    c->max_small_body_bytes = 64u << 10;
    c->max_vote_body_bytes = 1024;
    c->max_json_memory = 64u << 20;
    c->key_writes_per_minute = 600;
    c->max_connections = 10000;
    c->max_connections_per_client = 256;
    c->votes_per_hour = 30;
    snprintf(c->cors_origin, sizeof(c->cors_origin), "%s", "*");
    c->timeout_seconds = 30;
    snprintf(c->tag_authority, sizeof(c->tag_authority), "%s", "chorus.localhost");
    c->cache_bytes = 64u << 20;
    snprintf(c->frame_ancestors, sizeof(c->frame_ancestors), "%s", "*");
    c->source_max_bytes = (size_t)64 << 20;
    c->listen_reuseport = true;
    c->google_feed_part_bytes = 90000000;
    c->google_feed_debounce_ms = 5000;
    c->google_feed_max_delay_ms = 60000;
    c->components_max_products = 5000;
    c->known_issues_max = 1000;
    c->known_issue_relink_max = 100000;
    c->max_releases_body_bytes = 256u << 10;
    c->max_releases = 200;
    c->max_release_version_bytes = 64;
    c->max_release_notes_bytes = 2000;
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int copy(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return CHORUS_EINVAL;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int number(const char *v, unsigned long long max, unsigned long long *out)
{
    char *end;

    errno = 0;
    if (*v < '0' || *v > '9')
        return CHORUS_EINVAL;
    *out = strtoull(v, &end, 10);
    if (errno || *end || *out > max)
        return CHORUS_EINVAL;
    return 0;
}

/* url_ok accepts absolute http(s) URLs without spaces or quotes: they are
 * written into feeds and Link headers. */
static bool url_ok(const char *v)
{
    if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
        return false;
    for (; *v; v++)
        if ((unsigned char)*v <= 0x20 || *v == '"' || *v == '<' || *v == '>' || *v == 0x7f)
            return false;
    return true;
}

/* authority_ok accepts a domain name or an email address (RFC 4151). */
static bool authority_ok(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && !strchr(".-@", *v))
            return false;
    return true;
}

/* sources_ok accepts a CSP source list: sources separated by spaces, each
 * printable ASCII. It ends up inside a header after "frame-ancestors ", so
 * ';' (a new directive) and ',' (a second policy) are refused too. */
static bool sources_ok(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++)
        if (*v != ' ' && ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == ';' ||
                          *v == ',' || *v == '"'))
            return false;
    return true;
}

static bool nets_ok(const char *v)
{
    struct pull_net nets[PULL_MAX_NETS];
    size_t count;

    return pull_net_parse(v, nets, PULL_MAX_NETS, &count) == 0;
}

/* Numbers: a size_t or an unsigned field of srv_config, within bounds. */
struct num_key {
    const char *name;
    size_t off;
    bool is_size;
    unsigned long long min, max;
};

#define NUM(field, lo, hi)                                                                         \
    {                                                                                              \
#field, offsetof(struct srv_config, field),                                                \
            _Generic(((struct srv_config *)0)->field, size_t                                       \
                     : true, default                                                               \
                     : false),                                                                     \
            lo, hi                                                                                 \
    }

static const struct num_key nums[] = {
    NUM(max_body_bytes, 1024, 1ull << 32),
    NUM(max_small_body_bytes, 1024, 16u << 20),
    NUM(max_vote_body_bytes, 64, 64u << 10),
    NUM(max_json_memory, 1u << 20, 1ull << 34),
    NUM(key_writes_per_minute, 0, 1000000),
    NUM(votes_per_hour, 0, 1000000),
    NUM(timeout_seconds, 1, 3600),
    NUM(source_max_bytes, 1024, 1ull << 32),
    NUM(threads, 0, SRV_MAX_THREADS),
    NUM(cache_bytes, 0, 1ull << 34),
    NUM(max_connections, 16, 1000000),
    NUM(max_connections_per_client, 1, 1000000),
    /* The Google feed's parts. Google takes at most 100 MB per file; the
     * floor is the feed writer's (a part must hold a head, a tail and a
     * review), low enough for tests to make many parts of a few reviews. */
    NUM(google_feed_part_bytes, FEED_GOOGLE_MIN_PART, 100000000),
    NUM(google_feed_debounce_ms, 0, 3600000),
    NUM(google_feed_max_delay_ms, 0, 86400000),
    /* Each product summed is one index range read of ~127 days. */
    NUM(components_max_products, 1, 1000000),
    NUM(known_issues_max, 1, STORE_ISSUES_MAX),
    NUM(known_issue_relink_max, 1, 100000000),
    /* Releases: at most the store's own caps, which bound its record. */
    NUM(max_releases_body_bytes, 1024, 16u << 20),
    NUM(max_releases, 0, CHORUS_MAX_RELEASES),
    NUM(max_release_version_bytes, 1, CHORUS_MAX_RELEASE_VERSION),
    NUM(max_release_notes_bytes, 0, CHORUS_MAX_RELEASE_NOTES),
};

/* Two-word settings: the first word sets the flag. */
struct flag_key {
    const char *name;
    size_t off;
    const char *yes, *no;
};

static const struct flag_key flags[] = {
    {"digest_access", offsetof(struct srv_config, digest_public), "public", "private"},
    {"metrics_access", offsetof(struct srv_config, metrics_public), "public", "private"},
    {"allow_private_sources", offsetof(struct srv_config, allow_private_sources), "true", "false"},
    {"listen_reuseport", offsetof(struct srv_config, listen_reuseport), "true", "false"},
};

/* set_table applies k when it is a number or a flag; CHORUS_ENOTFOUND when
 * it is neither. */
static int set_table(struct srv_config *c, const char *k, const char *v)
{
    unsigned long long n;

    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if (strcmp(k, nums[i].name) != 0)
            continue;
        if (number(v, nums[i].max, &n) || n < nums[i].min)
            return CHORUS_EINVAL;
        if (nums[i].is_size)
            *(size_t *)((char *)c + nums[i].off) = (size_t)n;
        else
            *(unsigned *)((char *)c + nums[i].off) = (unsigned)n;
        return 0;
    }
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcmp(k, flags[i].name) != 0)
            continue;
        if (strcmp(v, flags[i].yes) != 0 && strcmp(v, flags[i].no) != 0)
            return CHORUS_EINVAL;
        *(bool *)((char *)c + flags[i].off) = strcmp(v, flags[i].yes) == 0;
        return 0;
    }
    return CHORUS_ENOTFOUND;
}

/* set applies one setting; the names are documented in docs/configuration.md. */
static int set(struct srv_config *c, const char *k, const char *v)
{
    unsigned long long n;

    if (strcmp(k, "data") == 0)
        return copy(c->data_dir, sizeof(c->data_dir), v);
    if (strcmp(k, "listen") == 0) {
        const char *colon = strrchr(v, ':');

        if (!colon || colon == v || (size_t)(colon - v) >= sizeof(c->listen_host) ||
            number(colon + 1, 65535, &n))
            return CHORUS_EINVAL;
        memcpy(c->listen_host, v, (size_t)(colon - v));
        c->listen_host[colon - v] = '\0';
        c->listen_port = (int)n;
        return 0;
    }
    if (strcmp(k, "api_keys_file") == 0)
        return copy(c->api_keys_file, sizeof(c->api_keys_file), v);
    if (strcmp(k, "new_review_status") == 0)
        return strcmp(v, "rejected") == 0 ? CHORUS_EINVAL
                                          : review_status_parse(v, &c->new_review_status);
    if (strcmp(k, "cors_origin") == 0)
        return copy(c->cors_origin, sizeof(c->cors_origin), v);
    if (strcmp(k, "public_url") == 0) {
        size_t len = strlen(v);

        while (len && v[len - 1] == '/')
            len--;
        if (len >= sizeof(c->public_url) || !url_ok(v))
            return CHORUS_EINVAL;
        memcpy(c->public_url, v, len);
        c->public_url[len] = '\0';
        return 0;
    }
    if (strcmp(k, "review_url") == 0)
        return url_ok(v) && strstr(v, "{id}") ? copy(c->review_url, sizeof(c->review_url), v)
                                              : CHORUS_EINVAL;
    if (strcmp(k, "tag_authority") == 0)
        return authority_ok(v) ? copy(c->tag_authority, sizeof(c->tag_authority), v)
                               : CHORUS_EINVAL;
    if (strcmp(k, "websub_hub") == 0)
        return *v == '\0' || url_ok(v) ? copy(c->websub_hub, sizeof(c->websub_hub), v)
                                       : CHORUS_EINVAL;
    if (strcmp(k, "taxonomy_file") == 0)
        return copy(c->taxonomy_file, sizeof(c->taxonomy_file), v);
    if (strcmp(k, "frame_ancestors") == 0)
        return sources_ok(v) ? copy(c->frame_ancestors, sizeof(c->frame_ancestors), v)
                             : CHORUS_EINVAL;
    if (strcmp(k, "allow_source_networks") == 0)
        return nets_ok(v) ? copy(c->allow_source_networks, sizeof(c->allow_source_networks), v)
                          : CHORUS_EINVAL;
    if (strcmp(k, "access_log") == 0)
        return copy(c->access_log, sizeof(c->access_log), v);
    if (strcmp(k, "trusted_proxies") == 0)
        return nets_ok(v) ? copy(c->trusted_proxies, sizeof(c->trusted_proxies), v) : CHORUS_EINVAL;
    return set_table(c, k, v);
}

int srv_config_load(struct srv_config *c, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    unsigned lineno = 0;
    int rc = 0;

    if (!f) {
        snprintf(errbuf, errlen, "cannot open config file %s: %s", path, strerror(errno));
        return CHORUS_EIO;
    }
    while (fgets(line, sizeof(line), f)) {
        char *k, *v, *eq;

        lineno++;
        k = trim(line);
        if (*k == '\0' || *k == '#')
            continue;
        eq = strchr(k, '=');
        if (!eq) {
            snprintf(errbuf, errlen, "%s:%u: expected 'key = value'", path, lineno);
            rc = CHORUS_EINVAL;
            break;
        }
        *eq = '\0';
        k = trim(k);
        v = trim(eq + 1);
        rc = set(c, k, v);
        if (rc == CHORUS_ENOTFOUND) {
            snprintf(errbuf, errlen, "%s:%u: unknown setting '%s'", path, lineno, k);
            rc = CHORUS_EINVAL;
            break;
        }
        if (rc) {
            snprintf(errbuf, errlen, "%s:%u: bad value for %s: '%s'", path, lineno, k, v);
            break;
        }
    }
    fclose(f);
    return rc;
}
