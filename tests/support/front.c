/* The cache front for integration tests (front.h): runs the shipped
 * deploy/try-cache-front.sh, so the tests exercise the nginx rules that
 * deploy/nginx/chorus.conf includes, not a copy of them. */
#define _GNU_SOURCE /* setenv, nanosleep in C11 */

#include "front.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef CHORUS_FRONT_SCRIPT
#error "CHORUS_FRONT_SCRIPT must name deploy/try-cache-front.sh"
#endif

/* free_port asks the kernel for a free loopback port. nginx cannot report
 * the port it bound the way chorusd does, so there is a short window in
 * which another process could take it; nginx then fails to start and the
 * test reports that. */
static int free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port = -1;

    if (fd < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static void nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

struct front *front_new(struct chorusd *d, int fresh_s)
{
    const char *nginx = getenv("NGINX");
    struct front *f = NULL;
    char out[440], err[440], upstream[64], port_s[16], fresh[16];
    char *text = NULL, *end;
    long pid;
    int port, st;

    if (!nginx || !nginx[0])
        nginx = "/usr/sbin/nginx";
    if (access(nginx, X_OK) != 0) {
        fprintf(stderr, "skipped: no nginx at %s (apt-get install nginx)\n", nginx);
        exit(FRONT_SKIP_CODE);
    }
    f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    f->via = chorusd_make(NULL);
    if (!f->via)
        goto fail;
    snprintf(f->dir, sizeof(f->dir), "%s/front", f->via->root);
    snprintf(f->pid_path, sizeof(f->pid_path), "%s/nginx.pid", f->dir);
    snprintf(out, sizeof(out), "%s/try.out", f->via->root);
    snprintf(err, sizeof(err), "%s/try.err", f->via->root);
    port = free_port();
    if (port <= 0) {
        print_error("no free port: %s\n", strerror(errno));
        goto fail;
    }
    snprintf(port_s, sizeof(port_s), "%d", port);
    snprintf(upstream, sizeof(upstream), "http://127.0.0.1:%d", d->port);
    snprintf(fresh, sizeof(fresh), "%d", fresh_s);
    setenv("CHORUS_FRONT_FRESH", fresh, 1);
    setenv("CHORUS_FRONT_DIR", f->dir, 1);
    {
        const char *argv[] = {CHORUS_FRONT_SCRIPT, port_s, upstream, NULL};

        st = h_run(out, err, argv);
    }
    unsetenv("CHORUS_FRONT_FRESH");
    unsetenv("CHORUS_FRONT_DIR");
    text = h_slurp(out, NULL);
    pid = text ? strtol(text, &end, 10) : 0;
    if (st != 0 || pid <= 0 || (*end != '\n' && *end != '\0')) {
        char *why = h_slurp(err, NULL);

        print_error("%s %s %s: exit %d, printed \"%s\"\n%s", CHORUS_FRONT_SCRIPT, port_s, upstream,
                    st, text ? text : "", why ? why : "");
        free(why);
        goto fail;
    }
    f->pid = (pid_t)pid;
    f->via->port = port;
    free(text);
    return f;
fail:
    free(text);
    front_free(f);
    return NULL;
}

int front_free(struct front *f)
{
    struct stat sb;
    char log[440];
    char *text;
    int rc = 0, i;

    if (!f)
        return 0;
    if (f->pid > 0) {
        /* nginx is not our child (it daemonizes), so there is nothing to
         * wait for: its master removes the pid file as the last thing it
         * does before it exits. */
        kill(f->pid, SIGTERM);
        for (i = 0; i < 1000 && stat(f->pid_path, &sb) == 0; i++)
            nap_ms(10);
        if (stat(f->pid_path, &sb) == 0) {
            print_error("nginx (pid %d) did not stop in ten seconds\n", (int)f->pid);
            kill(f->pid, SIGKILL);
            rc = -1;
        }
        f->pid = 0;
    }
    if (f->via) {
        snprintf(log, sizeof(log), "%s/error.log", f->dir);
        text = h_slurp(log, NULL);
        /* "[error]" lines are expected (chorusd stopped on purpose). */
        if (text && (strstr(text, "[crit]") || strstr(text, "[alert]") || strstr(text, "[emerg]")))
            fprintf(stderr, "nginx's error log:\n%s", text);
        free(text);
        chorusd_free(f->via);
    }
    free(f);
    return rc;
}

const char *front_cache_status(const struct hresp *r)
{
    const char *v = hresp_header(r, "X-Cache-Status");

    return v ? v : "";
}
