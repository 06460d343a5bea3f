/* Integration test harness, processes: spawn and stop chorusd, run chorus,
 * temporary folders. HTTP and JSON checks are in harness_http.c.
 *
 * chorusd is started with posix_spawn: its stdout is a pipe whose first line
 * ("listening on http://127.0.0.1:PORT") says where it listens, so no test
 * waits on a clock; its stderr is ours. Stopping is SIGTERM then waitpid, and
 * any exit status but 0 is a failure, because that is how AddressSanitizer
 * and LeakSanitizer report what they found.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#define _GNU_SOURCE       /* posix_spawn_file_actions_addclosefrom_np */

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CHORUSD_PATH
#error "CHORUSD_PATH must name the chorusd binary"
#endif

extern char **environ;

static pid_t reap(pid_t pid, int *st);

/* ---- files ------------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void h_rmtree(const char *path)
{
    if (path && path[0])
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void h_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f) {
        print_error("cannot write %s: %s\n", path, strerror(errno));
        _fail(__FILE__, __LINE__);
    }
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        print_error("cannot write %s\n", path);
        _fail(__FILE__, __LINE__);
    }
}

char *h_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0, cap = 1 << 16, k;
    char *b;

    if (!f)
        return NULL;
    b = malloc(cap);
    if (!b)
        abort();
    while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            cap *= 2;
            b = realloc(b, cap);
            if (!b)
                abort();
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

pid_t h_spawn(const char *out, const char *err, const char *const *argv)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    fflush(NULL);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        print_error("cannot run %s: %s\n", argv[0], strerror(rc));
        _fail(__FILE__, __LINE__);
    }
    return pid;
}

int h_poll(pid_t pid)
{
    pid_t r;
    int st;

    do {
        r = waitpid(pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return H_RUNNING;
    if (r < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int h_run(const char *out, const char *err, const char *const *argv)
{
    pid_t pid = h_spawn(out, err, argv);
    int st;

    if (reap(pid, &st) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the server ------------------------------------------------------------- */

/* child_env is our environment with CHORUS_API_KEYS set to the test key
 * (and nothing else changed), for the child only. */
static char **child_env(void)
{
    size_t n = 0, o = 0;
    char **env;

    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof(*env));
    if (!env)
        abort();
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "CHORUS_API_KEYS=", 16) != 0)
            env[o++] = environ[i];
    env[o++] = (char *)"CHORUS_API_KEYS=" H_KEY;
    env[o] = NULL;
    return env;
}

/* read_line reads one line from fd, a byte at a time so nothing after it is
 * consumed. Returns its length, or -1 at EOF before a newline. */
static long read_line(int fd, char *out, size_t cap)
{
    size_t n = 0;

    while (n + 1 < cap) {
        char c;
        ssize_t k = read(fd, &c, 1);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        if (c == '\n')
            break;
        out[n++] = c;
    }
    out[n] = '\0';
    return (long)n;
}

/* describe_exit reports how a child ended; returns 0 for "exited with 0". */
static int describe_exit(int st)
{
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFEXITED(st))
        print_error("chorusd exited with status %d (a sanitizer report, if any, is above)\n",
                    WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        print_error("chorusd was killed by signal %d\n", WTERMSIG(st));
    else
        print_error("chorusd ended with wait status %d\n", st);
    return -1;
}

static pid_t reap(pid_t pid, int *st)
{
    pid_t r;

    do {
        r = waitpid(pid, st, 0);
    } while (r < 0 && errno == EINTR);
    return r;
}

int chorusd_start(struct chorusd *d)
{
    const char *argv[9];
    posix_spawn_file_actions_t fa;
    char line[512], **env;
    int fds[2], argc = 0, rc, st;
    const char *colon;
    long n;

    argv[argc++] = CHORUSD_PATH;
    argv[argc++] = "--data";
    argv[argc++] = d->data;
    argv[argc++] = "--listen";
    argv[argc++] = "127.0.0.1:0";
    if (d->config[0]) {
        argv[argc++] = "--config";
        argv[argc++] = d->config;
    }
    argv[argc] = NULL;
    if (pipe(fds) != 0) {
        print_error("pipe: %s\n", strerror(errno));
        return -1;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    if (d->log[0])
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, d->log, O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
    /* Nothing the test runner inherited (a `flock` on the build lock, say)
     * may outlive it in a chorusd that a killed test never stopped. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    env = child_env();
    fflush(NULL);
    rc = posix_spawn(&d->pid, CHORUSD_PATH, &fa, NULL, (char *const *)argv, env);
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        d->pid = 0;
        print_error("cannot start %s: %s\n", CHORUSD_PATH, strerror(rc));
        return -1;
    }
    d->out_fd = fds[0];
    n = read_line(d->out_fd, line, sizeof(line));
    colon = n > 0 ? strrchr(line, ':') : NULL;
    if (n < 0 || strncmp(line, "listening on http://127.0.0.1:", 30) != 0 || !colon ||
        strtol(colon + 1, NULL, 10) <= 0) {
        print_error("chorusd did not say where it listens (first line: '%s')\n",
                    n < 0 ? "(none)" : line);
        if (n < 0) {
            reap(d->pid, &st);
            describe_exit(st);
        } else {
            kill(d->pid, SIGKILL);
            reap(d->pid, &st);
        }
        close(d->out_fd);
        d->pid = 0;
        return -1;
    }
    d->port = (int)strtol(colon + 1, NULL, 10);
    return 0;
}

/* show_log copies chorusd's log file to our stderr, where ctest shows it. */
static void show_log(struct chorusd *d)
{
    char chunk[4096];
    size_t n;
    FILE *f;

    if (!d->log[0])
        return;
    f = fopen(d->log, "rb");
    if (!f)
        return;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, stderr);
    fclose(f);
    unlink(d->log);
}

bool chorusd_wait_log(struct chorusd *d, const char *text)
{
    /* 1000 x 10 ms: generous for a loaded machine, bounded for a broken one. */
    for (int i = 0; i < 1000; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        char buf[8192];
        FILE *f = fopen(d->log, "rb");
        size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

        if (f)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, text))
            return true;
        nanosleep(&ts, NULL);
    }
    print_error("chorusd's log never said '%s'\n", text);
    return false;
}

void chorusd_term(struct chorusd *d)
{
    if (d->pid && !d->terminated)
        kill(d->pid, SIGTERM);
    d->terminated = true;
}

int chorusd_stop(struct chorusd *d)
{
    chorusd_term(d);
    return chorusd_reap(d);
}

int chorusd_reap(struct chorusd *d)
{
    int st = 0;

    if (!d->pid)
        return 0;
    if (reap(d->pid, &st) < 0) {
        print_error("waitpid: %s\n", strerror(errno));
        st = -1;
    }
    show_log(d);
    close(d->out_fd);
    d->pid = 0;
    d->terminated = false;
    /* Connections to the old process are dead: start the client afresh. */
    h__http_reset(d);
    return describe_exit(st);
}

void chorusd_kill9(struct chorusd *d)
{
    int st;

    if (!d->pid)
        return;
    kill(d->pid, SIGKILL);
    reap(d->pid, &st);
    show_log(d);
    close(d->out_fd);
    d->pid = 0;
    d->terminated = false;
    h__http_reset(d);
}

void chorusd_restart(struct chorusd *d)
{
    if (chorusd_stop(d) != 0 || chorusd_start(d) != 0)
        _fail(__FILE__, __LINE__);
}

struct chorusd *chorusd_make(const char *config_text)
{
    struct chorusd *d = calloc(1, sizeof(*d));
    const char *tmp = getenv("TMPDIR");

    if (!d)
        abort();
    snprintf(d->root, sizeof(d->root), "%s/chorus-it-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(d->root)) {
        print_error("mkdtemp %s: %s\n", d->root, strerror(errno));
        free(d);
        return NULL;
    }
    snprintf(d->data, sizeof(d->data), "%s/data", d->root);
    if (config_text) {
        snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
        h_write_file(d->config, config_text, strlen(config_text));
    }
    return d;
}

struct chorusd *chorusd_new(const char *config_text)
{
    struct chorusd *d = chorusd_make(config_text);

    if (d && chorusd_start(d) != 0) {
        h_rmtree(d->root);
        free(d);
        return NULL;
    }
    return d;
}

int chorusd_free(struct chorusd *d)
{
    int rc;

    if (!d)
        return 0;
    rc = chorusd_stop(d);
    while (d->live)
        hresp_free(d->live);
    h__http_reset(d);
    h_rmtree(d->root);
    free(d);
    return rc;
}

int h_setup(void **state)
{
    *state = chorusd_new(NULL);
    return *state ? 0 : -1;
}

int h_setup_pending(void **state)
{
    *state = chorusd_new("# reviews wait for a moderator\nnew_review_status = pending\n");
    return *state ? 0 : -1;
}

int h_teardown(void **state)
{
    int rc = chorusd_free(*state);

    *state = NULL;
    return rc;
}

struct chorusd *h_extra;

int h_teardown_extra(void **state)
{
    int rc = chorusd_free(h_extra);

    h_extra = NULL;
    return h_teardown(state) != 0 || rc != 0 ? -1 : 0;
}
