/* chorusd: serve reviews over HTTP. See README.md and docs/configuration.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/server.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: chorusd --data DIR --listen HOST:PORT [--config FILE] [--threads N]\n"
                "       chorusd --routes   (print every route, for tests)\n"
                "       chorusd --version\n");
}

static void print_route(void *ctx, const char *method, const char *path)
{
    (void)ctx;
    printf("%s %s\n", method, path);
}

int main(int argc, char **argv)
{
    struct srv_config cfg;
    struct srv *s = NULL;
    const char *config = NULL, *data = NULL, *listen = NULL, *threads = NULL;
    char err[1024] = "";
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--routes") == 0) {
            srv_routes_each(print_route, NULL);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("chorusd %s\n", CHORUS_VERSION);
            return 0;
        } else if (i + 1 < argc && strcmp(argv[i], "--config") == 0) {
            config = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--data") == 0) {
            data = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0) {
            listen = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0) {
            threads = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    srv_config_init(&cfg);
    if (config && srv_config_load(&cfg, config, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorusd: %s\n", err);
        return 2;
    }
    /* The command line wins over the config file. */
    if (data &&
        (size_t)snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", data) >= sizeof(cfg.data_dir)) {
        fprintf(stderr, "chorusd: --data path too long\n");
        return 2;
    }
    if (listen) {
        const char *colon = strrchr(listen, ':');
        char *end;
        long port;

        if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(cfg.listen_host)) {
            fprintf(stderr, "chorusd: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n");
            return 2;
        }
        port = strtol(colon + 1, &end, 10);
        if (*end || colon[1] == '\0' || port < 0 || port > 65535) {
            fprintf(stderr, "chorusd: --listen port must be 0..65535\n");
            return 2;
        }
        memcpy(cfg.listen_host, listen, (size_t)(colon - listen));
        cfg.listen_host[colon - listen] = '\0';
        cfg.listen_port = (int)port;
    }
    if (threads) {
        char *end;
        long n = strtol(threads, &end, 10);

        if (*end || !threads[0] || n < 0 || n > SRV_MAX_THREADS) {
            fprintf(stderr, "chorusd: --threads must be 0..%d (0: one per CPU)\n", SRV_MAX_THREADS);
            return 2;
        }
        cfg.threads = (unsigned)n;
    }
    rc = srv_new(&s, &cfg, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "chorusd: %s\n", err);
        return 1;
    }
    /* Scripts and tests wait for this exact first line. */
    printf("listening on http://%s:%d\n", cfg.listen_host, srv_bound_port(s));
    fflush(stdout);
    rc = srv_run(s);
    srv_free(s);
    return rc ? 1 : 0;
}
