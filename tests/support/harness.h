/* Integration test harness: a real chorusd on 127.0.0.1 port 0 with a
 * temporary data folder, an HTTP client over libcurl, and JSON checks.
 *
 * Every helper that can fail reports through cmocka (print_error + _fail),
 * so a test reads as a list of requests and expectations. chorusd's stderr
 * is the test's stderr: ctest --output-on-failure shows what the server said,
 * including AddressSanitizer and LeakSanitizer reports. Single-threaded.
 */
#ifndef CHORUS_TEST_HARNESS_H
#define CHORUS_TEST_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>

/* The write key every test server accepts (32 characters). */
#define H_KEY "chorus-integration-test-key-0001"

/* ---- the server ------------------------------------------------------------ */

struct chorusd {
    char root[256];   /* mkdtemp folder holding data/ and the config file */
    char data[320];   /* root/data: chorusd's --data */
    char config[320]; /* root/chorusd.conf, or "" for no --config */
    char log[320];    /* "" (stderr is ours) or a file chorusd's stderr goes to,
                         copied to our stderr when chorusd stops */
    pid_t pid;        /* 0 when not running */
    bool terminated;  /* SIGTERM sent: it stops by itself; never send another */
    int out_fd;       /* read end of chorusd's stdout */
    int port;
    void *curl;         /* CURL *, reused so connections are kept alive */
    struct hresp *live; /* responses not yet freed; a failed test leaves some */
};

/* chorusd_make makes a temporary folder and writes config_text (NULL: none)
 * as the config file, without starting chorusd (see chorusd_start). Returns
 * NULL after reporting. Free with chorusd_free. */
struct chorusd *chorusd_make(const char *config_text);
/* chorusd_new is chorusd_make and chorusd_start. Returns NULL (after
 * reporting) when chorusd does not start. */
struct chorusd *chorusd_new(const char *config_text);
/* chorusd_wait_log waits until chorusd's log file (d->log) contains text;
 * false after ten seconds. The one place that polls: a log line is the only
 * sign that chorusd has handled a signal. */
bool chorusd_wait_log(struct chorusd *d, const char *text);
/* chorusd_start starts chorusd on d's folder and reads its port from the
 * first stdout line. Returns 0, or -1 after reporting. */
int chorusd_start(struct chorusd *d);
/* chorusd_stop sends SIGTERM and waits. Returns 0 when chorusd exited with
 * status 0; otherwise reports how it ended (a sanitizer finding exits
 * non-zero) and returns -1. */
int chorusd_stop(struct chorusd *d);
/* chorusd_term sends SIGTERM once, without waiting: chorusd stops by itself
 * (a second SIGTERM could hit it after it restored the default action). */
void chorusd_term(struct chorusd *d);
/* chorusd_reap waits for a chorusd that is stopping and checks its exit
 * status like chorusd_stop. */
int chorusd_reap(struct chorusd *d);
/* chorusd_kill9 kills chorusd with SIGKILL and reaps it. */
void chorusd_kill9(struct chorusd *d);
/* chorusd_restart is chorusd_stop then chorusd_start; fails the test when
 * either fails. */
void chorusd_restart(struct chorusd *d);
/* chorusd_free stops a running chorusd, removes the temporary folder and
 * frees d. Returns chorusd_stop's result. NULL ok. */
int chorusd_free(struct chorusd *d);

/* cmocka fixtures: *state becomes the struct chorusd. */
int h_setup(void **state);         /* no config file */
int h_setup_pending(void **state); /* new_review_status = pending */
int h_teardown(void **state);
/* h_extra is a second chorusd a case may start besides the fixture's;
 * h_teardown_extra is h_teardown that also frees it (and clears it), so a
 * failed case leaves no process behind. */
extern struct chorusd *h_extra;
int h_teardown_extra(void **state);

/* h_run runs argv (argv[0] a path) with stdin from /dev/null and stdout and
 * stderr into the files out and err (truncated), waits, and returns the exit
 * status, or -1 when a signal ended it. */
int h_run(const char *out, const char *err, const char *const *argv);
/* h_spawn starts argv like h_run but does not wait: the test works on
 * (posts to chorusd, say) while the command runs. Returns its pid, which
 * the caller reaps with h_poll until it has exited. */
pid_t h_spawn(const char *out, const char *err, const char *const *argv);
/* h_poll returns H_RUNNING while pid runs, else reaps it and returns its
 * exit status, or -1 when a signal ended it. */
#define H_RUNNING (-2)
int h_poll(pid_t pid);
/* h_slurp reads a whole file into a NUL-terminated heap string (caller
 * frees); NULL when it cannot be read. *len (may be NULL) gets its length. */
char *h_slurp(const char *path, size_t *len);

/* h_rmtree removes a folder and everything in it. */
void h_rmtree(const char *path);
/* h_write_file writes len bytes to path; fails the test on error. */
void h_write_file(const char *path, const char *data, size_t len);

/* ---- HTTP ------------------------------------------------------------------- */

#define H_MAX_HEADERS 64

struct hresp {
    long status;
    char *body; /* NUL-terminated (the body may hold NULs; len is exact) */
    size_t len;
    size_t n_headers; /* of the final response (a 100 Continue is dropped) */
    char *names[H_MAX_HEADERS];
    char *values[H_MAX_HEADERS];
    json_t *json;  /* the body parsed as JSON, or NULL */
    int curl_code; /* CURLcode of the transfer */
    struct chorusd *owner;
    struct hresp *next_live;
};

/* A request. path is sent as given (already percent-encoded). ctype NULL
 * sends no Content-Type at all. headers is a NULL-terminated list of extra
 * "Name: value" lines, or NULL. */
struct hreq {
    const char *method;
    const char *path;
    bool key; /* send Authorization: Bearer H_KEY */
    const char *ctype;
    const char *body; /* NULL: no body */
    size_t len;
    const char *const *headers;
    bool no_answer_ok; /* return status 0 instead of failing when nothing came back;
                          sent on a new connection, so curl_code tells a refused
                          connection from a dropped request */
};

/* h__http_reset drops d's client and its connections (chorusd restarted). */
void h__http_reset(struct chorusd *d);
/* h_do sends a request and returns the response (caller frees with
 * hresp_free; what a failed test leaves is freed with the chorusd). A
 * transport failure with no status fails the test. */
struct hresp *h_do(struct chorusd *d, const struct hreq *q);
void hresp_free(struct hresp *r);
/* hresp_header returns the value of header name (any case), borrowed from
 * r, or NULL. */
const char *hresp_header(const struct hresp *r, const char *name);

/* Shorthands. The _key forms send the API key. */
struct hresp *h_get(struct chorusd *d, const char *path);
struct hresp *h_get_key(struct chorusd *d, const char *path);
/* h_post_json POSTs body as application/json with the key. */
struct hresp *h_post_json(struct chorusd *d, const char *path, const char *body);
struct hresp *h_put_json(struct chorusd *d, const char *path, const char *body);
struct hresp *h_delete(struct chorusd *d, const char *path);
/* h_connect opens a plain TCP connection to chorusd (receive timeout
 * timeout_ms) and returns the socket; the caller closes it. */
int h_connect(struct chorusd *d, long timeout_ms);
/* h_status_kib reads a "Vm..." line of chorusd's /proc status in KiB
 * ("VmHWM": the peak resident memory so far); -1 when absent. */
long h_status_kib(struct chorusd *d, const char *field);
/* h_metric reads the value of the /metrics line "name value" (name with its
 * labels, if any) with the API key; -1 when there is no such line. */
long long h_metric(struct chorusd *d, const char *name);
/* h_google_settle waits until no change waits for the Google feed's
 * renderer and none is being rendered (chorus_google_feed_pending): a
 * write's reply is sent after the renderer was told, so the feed then shows
 * every write answered before. Fails after 30 seconds. */
void h_google_settle(struct chorusd *d);

/* h_fmt formats into one of a ring of static buffers: for paths and bodies
 * built inline and used at once. Valid until sixteen more calls: copy what
 * must live longer. */
const char *h_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* h_pct_encode writes s into out (cap bytes, cut short to fit) with every
 * byte but RFC 3986's unreserved ones percent-encoded: a path segment or a
 * form value. */
void h_pct_encode(const char *s, char *out, size_t cap);

/* ---- JSON --------------------------------------------------------------------- */

/* jpath finds a value by a path such as "results[0].id" or
 * "stats.histogram[4]" ("" is the root). Borrowed; NULL when absent. */
json_t *jpath(json_t *root, const char *path);

/* ---- expectations (report the file and line of the caller) ---------------------- */

#define expect_status(r, code) h__expect_status((r), (code), __FILE__, __LINE__)
/* expect_problem checks an RFC 9457 error: the status, Content-Type
 * application/problem+json, and type, title, status and a non-empty detail. */
#define expect_problem(r, code) h__expect_problem((r), (code), __FILE__, __LINE__)
/* expect_widget_fallback checks the widget pages' answer to a bad
 * parameter: status code, an HTML page (never problem+json), not cached,
 * with the quiet link to product's /p/{product} page. */
#define expect_widget_fallback(r, code, product)                                                   \
    h__expect_widget_fallback((r), (code), (product), __FILE__, __LINE__)
#define expect_header(r, name, sub) h__expect_header((r), (name), (sub), __FILE__, __LINE__)
#define expect_jint(j, path, v)     h__expect_jint((j), (path), (v), __FILE__, __LINE__)
#define expect_jnum(j, path, v)     h__expect_jnum((j), (path), (v), __FILE__, __LINE__)
#define expect_jstr(j, path, s)     h__expect_jstr((j), (path), (s), __FILE__, __LINE__)
#define expect_jnull(j, path)       h__expect_jnull((j), (path), __FILE__, __LINE__)
#define expect_jbool(j, path, v)    h__expect_jbool((j), (path), (v), __FILE__, __LINE__)
/* expect_jcontains: the string at path contains sub. */
#define expect_jcontains(j, path, sub) h__expect_jcontains((j), (path), (sub), __FILE__, __LINE__)
#define expect_contains(s, sub)        h__expect_contains((s), (sub), __FILE__, __LINE__)

void h__expect_status(const struct hresp *r, long code, const char *file, int line);
void h__expect_problem(const struct hresp *r, long code, const char *file, int line);
void h__expect_widget_fallback(const struct hresp *r, long code, const char *product,
                               const char *file, int line);
void h__expect_header(const struct hresp *r, const char *name, const char *sub, const char *file,
                      int line);
void h__expect_jint(json_t *j, const char *path, long long v, const char *file, int line);
void h__expect_jnum(json_t *j, const char *path, double v, const char *file, int line);
void h__expect_jstr(json_t *j, const char *path, const char *s, const char *file, int line);
void h__expect_jnull(json_t *j, const char *path, const char *file, int line);
void h__expect_jbool(json_t *j, const char *path, bool v, const char *file, int line);
void h__expect_jcontains(json_t *j, const char *path, const char *sub, const char *file, int line);
void h__expect_contains(const char *s, const char *sub, const char *file, int line);
/* h__expect_ids checks that the k ids a list holds (got keeps the first
 * cap of them) are want[0..n), in order; what names the list when it
 * reports. For a test's own list expectations. */
void h__expect_ids(const char *what, const uint64_t *got, size_t k, size_t cap,
                   const uint64_t *want, size_t n, const char *file, int line);

/* ---- reviews ---------------------------------------------------------------------- */

/* h_post_review POSTs one review object (JSON text) with the key, expects
 * 201 with one created item and returns its id. */
#define h_post_review(d, json) h__post_review((d), (json), __FILE__, __LINE__)
uint64_t h__post_review(struct chorusd *d, const char *json, const char *file, int line);

/* h_list_ids GETs path (a review list), expects 200 and writes the ids of
 * "reviews" into ids (room for cap); returns how many. *next (may be NULL)
 * receives a heap copy of next_cursor or NULL (caller frees). */
#define h_list_ids(d, key, path, ids, cap, next)                                                   \
    h__list_ids((d), (key), (path), (ids), (cap), (next), __FILE__, __LINE__)
size_t h__list_ids(struct chorusd *d, bool key, const char *path, uint64_t *ids, size_t cap,
                   char **next, const char *file, int line);

#endif
