/* post_bench: POST an NDJSON file to chorusd in batches, over a few
 * concurrent connections, and report reviews per second.
 *
 * usage: post_bench URL FILE KEY [BATCH=1000] [CONNECTIONS=4]
 *
 * Every reply must be 200/201 with "rejected":0, so a fast run that stored
 * nothing cannot pass as a result. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct conn {
    CURL *easy;
    char reply[4096];
    size_t reply_len;
    size_t lines;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct conn *c = arg;
    size_t len = size * n, room = sizeof(c->reply) - 1 - c->reply_len;

    memcpy(c->reply + c->reply_len, p, len < room ? len : room);
    c->reply_len += len < room ? len : room;
    c->reply[c->reply_len] = '\0';
    return len;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return data;
}

int main(int argc, char **argv)
{
    const char *url, *path;
    char auth[512], *data, *pos, *end;
    size_t len, batch = 1000, nconn = 4, sent = 0, done_lines = 0;
    struct curl_slist *headers = NULL;
    struct conn *conns;
    CURLM *multi;
    double t0;
    int running = 0, failed = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: post_bench URL FILE KEY [BATCH=1000] [CONNECTIONS=4]\n");
        return 2;
    }
    url = argv[1];
    path = argv[2];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[3]);
    if (argc > 4)
        batch = strtoul(argv[4], NULL, 10);
    if (argc > 5)
        nconn = strtoul(argv[5], NULL, 10);
    if (batch == 0 || nconn == 0 || nconn > 64) {
        fprintf(stderr, "post_bench: bad batch or connection count\n");
        return 2;
    }
    data = slurp(path, &len);
    if (!data) {
        fprintf(stderr, "post_bench: cannot read %s\n", path);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    headers = curl_slist_append(headers, "Content-Type: application/x-ndjson");
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Expect:");
    multi = curl_multi_init();
    conns = calloc(nconn, sizeof(*conns));
    pos = data;
    end = data + len;
    t0 = now();
    for (;;) {
        /* Give every idle connection the next batch of lines. */
        for (size_t i = 0; i < nconn && pos < end; i++) {
            struct conn *c = &conns[i];
            char *p = pos;
            size_t lines = 0;

            if (c->easy)
                continue;
            while (p < end && lines < batch) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                p = nl ? nl + 1 : end;
                lines++;
            }
            c->easy = curl_easy_init();
            c->reply_len = 0;
            c->lines = lines;
            curl_easy_setopt(c->easy, CURLOPT_URL, url);
            curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, pos);
            curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(p - pos));
            curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
            curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
            curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
            curl_multi_add_handle(multi, c->easy);
            pos = p;
            sent += lines;
        }
        curl_multi_perform(multi, &running);
        for (;;) {
            int left;
            CURLMsg *m = curl_multi_info_read(multi, &left);
            struct conn *c;
            long code = 0;

            if (!m)
                break;
            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            if (m->data.result != CURLE_OK || (code != 200 && code != 201) ||
                !strstr(c->reply, "\"rejected\":0,")) {
                fprintf(stderr, "post_bench: batch failed: HTTP %ld %s: %.300s\n", code,
                        curl_easy_strerror(m->data.result), c->reply);
                failed = 1;
            }
            done_lines += c->lines;
            curl_multi_remove_handle(multi, c->easy);
            curl_easy_cleanup(c->easy);
            c->easy = NULL;
        }
        if (running == 0 && pos >= end)
            break;
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    printf("post: %zu reviews in %.3f s = %.0f reviews/s (batches of %zu, %zu connections)\n",
           done_lines, now() - t0, (double)done_lines / (now() - t0), batch, nconn);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(conns);
    free(data);
    return failed || sent != done_lines;
}
