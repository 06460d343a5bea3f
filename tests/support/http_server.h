/* An embedded HTTP server for tests: evhttp on its own event_base and
 * thread, bound to one numeric address and port 0, so whatever a test
 * serves (remote feeds, a WebSub hub, host pages for the browser) is never
 * the network (STYLE.md, Tests).
 *
 * The test owns what is served: its handler runs on the server's thread for
 * every request and must reply exactly once. State that the handler and the
 * test thread share is guarded by the server's lock (ts_lock), and the
 * handler wakes a waiting test with ts_broadcast. libevent types cross this
 * header on purpose: a handler is libevent code, and only tests use it.
 */
#ifndef CHORUS_TEST_HTTP_SERVER_H
#define CHORUS_TEST_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>

struct ts_server;

/* A request handler, called on the server's thread with the server, the
 * request and ts_config's arg. */
typedef void ts_handler(struct ts_server *s, struct evhttp_request *req, void *arg);

struct ts_config {
    const char *addr;    /* numeric address to bind ("::1" ...); NULL: 127.0.0.1 */
    int timeout_s;       /* evhttp_set_timeout; 0: libevent's default */
    ts_handler *handler; /* every request, whatever its path */
    void *arg;           /* passed to handler, borrowed */
};

/* ts_server_start binds cfg->addr on port 0 and serves on a new thread.
 * Returns 0 with *out set, or -1 (reporting nothing: tests probing for
 * addresses expect that) when the address cannot be bound or the thread
 * not started. Stop with ts_server_stop; called from the test thread. */
int ts_server_start(struct ts_server **out, const struct ts_config *cfg);
/* ts_server_stop ends the server's thread (a request in progress, such as
 * a reply still being streamed, is dropped), waits for it and frees s and
 * everything the server holds. NULL ok. */
void ts_server_stop(struct ts_server *s);
/* ts_server_port is the port the kernel chose. */
int ts_server_port(const struct ts_server *s);
/* ts_server_url is "http://ADDR:PORT" (brackets around an IPv6 address),
 * borrowed from s. */
const char *ts_server_url(const struct ts_server *s);
/* ts_server_base is the server's event_base, for timers a handler adds on
 * the server's thread (event_base_once, which the base frees with itself). */
struct event_base *ts_server_base(struct ts_server *s);

/* ---- state shared with the test thread ------------------------------------------------ */

void ts_lock(struct ts_server *s);
void ts_unlock(struct ts_server *s);
/* ts_broadcast wakes every ts_wait on s; called with the lock held. */
void ts_broadcast(struct ts_server *s);
/* ts_deadline is the monotonic time ms milliseconds from now, for ts_wait. */
struct timespec ts_deadline(long ms);
/* ts_wait waits, with the lock held, for a ts_broadcast; false once the
 * deadline has passed. Callers loop on their own condition (a wait may end
 * early). */
bool ts_wait(struct ts_server *s, const struct timespec *deadline);

/* ---- requests and replies (on the server's thread) ------------------------------------- */

/* ts_reply sends a whole reply: code with reason (NULL: libevent's phrase
 * for code), the Content-Type type unless NULL, and len bytes of body
 * (none when body is NULL). Headers added before it are sent too. */
void ts_reply(struct evhttp_request *req, int code, const char *reason, const char *type,
              const char *body, size_t len);
/* ts_add_header adds a header to req's reply. */
void ts_add_header(struct evhttp_request *req, const char *name, const char *value);
/* ts_header is the value of req's header name, borrowed from req, or NULL. */
const char *ts_header(struct evhttp_request *req, const char *name);
/* ts_copy_header copies req's header name into out (cap bytes, cut short
 * to fit; "" when there is none). */
void ts_copy_header(struct evhttp_request *req, const char *name, char *out, size_t cap);
/* ts_body copies req's body into out (cap bytes, NUL-terminated, cut short
 * to fit) and returns out. */
char *ts_body(struct evhttp_request *req, char *out, size_t cap);
/* ts_form_value finds name in an application/x-www-form-urlencoded string
 * (a query or a body) and copies its decoded value into out (cap bytes,
 * "" when absent). Returns whether name is there. */
bool ts_form_value(const char *form, const char *name, char *out, size_t cap);

#endif
