/* The cache front for integration tests: Debian's nginx with the shipped
 * cache rules, started by deploy/try-cache-front.sh in front of a test's
 * chorusd, and a client that talks to it with the harness's requests.
 * Single-threaded, like the harness.
 */
#ifndef CHORUS_TEST_FRONT_H
#define CHORUS_TEST_FRONT_H

#include <sys/types.h>

#include "harness.h"

#define FRONT_SKIP_CODE 77 /* SKIP_RETURN_CODE in tests.cmake */

struct front {
    /* Not a chorusd: a chorusd_make folder (the front's files are in it)
     * whose port is nginx's, so h_get(f->via, ...) and the other request
     * helpers go through the front. */
    struct chorusd *via;
    char dir[400]; /* via->root/front: CHORUS_FRONT_DIR */
    char pid_path[420];
    pid_t pid; /* nginx's master, 0 once stopped */
};

/* front_new starts nginx on a free loopback port in front of d with a
 * freshness of fresh_s seconds (CHORUS_FRONT_FRESH). Exits the test
 * program with FRONT_SKIP_CODE when nginx is not installed ($NGINX or
 * /usr/sbin/nginx). Returns NULL after reporting when the script fails.
 * Free with front_free. */
struct front *front_new(struct chorusd *d, int fresh_s);
/* front_free stops nginx (SIGTERM, then waits until it removed its pid
 * file), removes its folder and frees f; on the way it copies nginx's error
 * log to stderr when it logged something worse than an error. Returns 0, or -1 after
 * reporting when nginx did not stop within ten seconds. NULL ok. */
int front_free(struct front *f);
/* front_cache_status is the X-Cache-Status of r, or "" when there is none
 * (borrowed from r). */
const char *front_cache_status(const struct hresp *r);

#endif
