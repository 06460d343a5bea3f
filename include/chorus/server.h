/* chorusd: the HTTP server over the store (libevent evhttp).
 *
 * Serving threads (one per CPU by default), each with its own event loop,
 * share the listening address and serve every request; writes go to a
 * group-commit writer thread and are acknowledged only after their
 * transaction commits.
 */
#ifndef CHORUS_SERVER_H
#define CHORUS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"

#define SRV_MAX_KEYS    64
#define SRV_MAX_THREADS 256

struct srv_config {
    char data_dir[1024];
    char listen_host[256];
    int listen_port;                      /* 0 = pick a free port */
    char api_keys_file[1024];             /* "" = keys only from CHORUS_API_KEYS */
    enum review_status new_review_status; /* status of reviews posted without one */
    size_t max_body_bytes;                /* request body cap; default 8 MiB */
    size_t max_small_body_bytes;          /* votes aside, bodies of non-bulk routes; 64 KiB */
    size_t max_vote_body_bytes;           /* a vote's body; 1 KiB */
    size_t max_json_memory;               /* memory one JSON parse of a request may take */
    unsigned key_writes_per_minute;       /* per API key; 0 = unlimited; default 600 */
    bool metrics_public;                  /* metrics_access = public: /metrics without a key */
    unsigned votes_per_hour;              /* per client address; 0 = unlimited */
    char cors_origin[256];                /* Access-Control-Allow-Origin; default "*" */
    unsigned timeout_seconds;             /* inactivity timeout per connection */
    char public_url[512];       /* how readers reach chorusd, no trailing '/'; "" = from listen */
    char review_url[1024];      /* review page template: {product} {id}; "" = chorusd's /p/ page */
    char tag_authority[256];    /* authority of tag: ids (RFC 4151); never change it once set */
    char websub_hub[1024];      /* WebSub hub to notify and advertise; "" = none */
    bool digest_public;         /* false: the digest needs ?token= or an API key */
    char taxonomy_file[1024];   /* component taxonomy; "" = the built-in PC-maker one */
    size_t cache_bytes;         /* rendered-response cache; 0 disables it */
    char frame_ancestors[512];  /* CSP frame-ancestors of /widget/{id}.html; default "*" */
    size_t source_max_bytes;    /* a fetched source document, at most; default 64 MiB */
    bool allow_private_sources; /* poll sources on loopback/private addresses (or the env
                                   CHORUS_ALLOW_PRIVATE_SOURCES=1) */
    char allow_source_networks[1024]; /* networks sources may reach even so; "" = none */
    unsigned threads;                 /* serving threads; 0 = one per online CPU */
    bool listen_reuseport; /* each thread its own SO_REUSEPORT socket (default), or one shared */
    char access_log[1024]; /* FILE, "stderr", or "" / "off" (the default) */
    char trusted_proxies[1024]; /* CIDR list whose X-Forwarded-For is believed; "" = none */
    unsigned max_connections;   /* open client connections, at most; default 10,000 */
    unsigned max_connections_per_client; /* per client address (IPv6: per /64); default 256 */
    /* The Google feed's parts (docs/feeds.md#google-product-reviews-feed). */
    size_t google_feed_part_bytes;     /* one part (document), at most; default 90,000,000 */
    unsigned google_feed_debounce_ms;  /* re-render this long after the last change */
    size_t known_issues_max;           /* known issues a folder may hold (1..STORE_ISSUES_MAX) */
    size_t known_issue_relink_max;     /* complaints an issue write may relink in its transaction */
    unsigned google_feed_max_delay_ms; /* ... but at most this long after the first */
    unsigned components_max_products;  /* GET /api/v1/components sums at most this many
                                          products of a category; default 5,000 */
    /* A product's releases (docs/releases.md). */
    size_t max_releases_body_bytes;   /* body of PUT .../releases; default 256 KiB */
    size_t max_releases;              /* releases per product; default 200 */
    size_t max_release_version_bytes; /* default 64 */
    size_t max_release_notes_bytes;   /* default 2000 */
};

struct srv;

/* srv_config_init fills c with the defaults. */
void srv_config_init(struct srv_config *c);
/* srv_config_load reads a "key = value" config file into c (see
 * docs/configuration.md). Returns 0, or CHORUS_EINVAL / CHORUS_EIO with a
 * sentence in errbuf. */
int srv_config_load(struct srv_config *c, const char *path, char *errbuf, size_t errlen);

/* srv_new opens the store, loads keys, binds the listener and starts the
 * writer thread. *out is set only on success; free with srv_free. Errors are
 * described in errbuf. */
int srv_new(struct srv **out, const struct srv_config *c, char *errbuf, size_t errlen);
/* srv_bound_port returns the port actually bound (useful with port 0). */
int srv_bound_port(const struct srv *s);
/* srv_run starts the serving threads and runs thread 0's loop on the
 * calling thread until srv_stop or a signal (SIGINT, SIGTERM), then joins
 * the others. */
int srv_run(struct srv *s);
/* srv_stop asks srv_run to return after in-flight writes are acknowledged.
 * Async-signal-unsafe; call from the loop thread. */
void srv_stop(struct srv *s);
/* srv_free stops the writer, closes the store and frees s. NULL ok. */
void srv_free(struct srv *s);

/* srv_routes_each calls fn for every registered route: method ("GET", ...)
 * and path template ("/api/v1/reviews/{id}"). For the OpenAPI test. */
void srv_routes_each(void (*fn)(void *ctx, const char *method, const char *path), void *ctx);

#endif
