/* Chorus base: growable byte buffers, time and UTF-8 helpers, JSON string
 * escaping. Used by every module; depends on nothing of ours.
 *
 * Out of memory aborts the process (like redis zmalloc): every size that
 * input controls must be checked against a cap before it reaches these.
 */
#ifndef CHORUS_BASE_H
#define CHORUS_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

/* ---- growable buffer ---------------------------------------------------- */

/* A byte buffer that keeps a NUL after its contents so it can be used as a C
 * string. `cap` is the most it may ever hold (0 = no cap). */
struct buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap;
};

/* buf_init sets up b (caller's storage) empty, with a size cap (0 = none). */
void buf_init(struct buf *b, size_t cap);
/* buf_cleanup frees b's memory; b may be reused after buf_init. */
void buf_cleanup(struct buf *b);
/* buf_reset empties b, keeping its memory. */
void buf_reset(struct buf *b);
/* buf_append adds n bytes. Returns 0, or CHORUS_ETOOBIG past the cap (b unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
/* buf_puts appends a NUL-terminated string. Same errors as buf_append. */
int buf_puts(struct buf *b, const char *s);
/* buf_putc appends one byte. Same errors as buf_append. */
int buf_putc(struct buf *b, char c);
/* buf_printf appends formatted text. Same errors as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_read_file appends everything left in f. Returns 0, CHORUS_ETOOBIG
 * when the file is larger than b's cap (b then holds a prefix), or
 * CHORUS_EIO on a read error. */
int buf_read_file(struct buf *b, FILE *f);
/* buf_steal hands b's memory to the caller (caller frees with free()); b is
 * left empty. Returns an empty malloc'd string when b holds nothing. */
char *buf_steal(struct buf *b, size_t *len);

/* ---- JSON text ------------------------------------------------------------ */

/* chorus_json_str appends s (n bytes, assumed valid UTF-8) as a quoted JSON
 * string, escaping quotes, backslashes, control characters and the HTML
 * specials < > & (so JSON is safe inside a <script> element), and U+2028 and
 * U+2029. Same errors as buf_append. */
int chorus_json_str(struct buf *b, const char *s, size_t n);
/* chorus_json_str_or_null appends s as a JSON string, or null when s is NULL. */
int chorus_json_str_or_null(struct buf *b, const char *s);

/* ---- time --------------------------------------------------------------- */

/* chorus_now returns the current wall-clock time in seconds since the epoch. */
int64_t chorus_now(void);
/* chorus_time_parse parses an RFC 3339 date-time ("2017-01-13T00:00:00Z",
 * "2017-01-13T00:00:00.000+02:00"; fractional seconds dropped) into seconds
 * since the epoch UTC. Also accepts a bare date "2017-01-13" (midnight UTC).
 * Returns 0 or CHORUS_EINVAL. */
int chorus_time_parse(const char *s, size_t n, int64_t *out);
/* chorus_time_format writes t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least
 * 21 bytes). Returns the length written (20). */
int chorus_time_format(int64_t t, char *out);

/* ---- UTF-8 -------------------------------------------------------------- */

/* chorus_utf8_valid says whether s[0..n) is valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) and contains no NUL byte. */
bool chorus_utf8_valid(const char *s, size_t n);
/* chorus_utf8_decode reads the UTF-8 sequence at s (n bytes left, n > 0)
 * into *cp and returns its length; 0 when none starts there (overlongs,
 * surrogates, values past U+10FFFF, truncated sequences, a NUL byte). */
size_t chorus_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* chorus_fmt is snprintf that never leaves half a UTF-8 character at the
 * end of a truncated result (sentences quoting input end up in JSON). */
void chorus_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void chorus_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* chorus_utf8_scrub replaces, in place, every byte of s[0..n) that does not
 * belong to a valid UTF-8 sequence (and every NUL) with '?', so text quoted
 * from a request (a path, a header) can go into JSON. */
void chorus_utf8_scrub(char *s, size_t n);
/* chorus_utf8_chars counts the code points in valid UTF-8 s[0..n). */
size_t chorus_utf8_chars(const char *s, size_t n);

/* ---- base64url ------------------------------------------------------------ */

/* chorus_b64url_encode writes n bytes as unpadded base64url into out (room for
 * 4*ceil(n/3)+1 bytes) and NUL-terminates it. Returns the length written. */
size_t chorus_b64url_encode(const uint8_t *in, size_t n, char *out);
/* chorus_b64url_decode decodes unpadded base64url s (slen chars) into out
 * (room for outcap bytes). Returns the decoded length, or -1 when s is not
 * base64url or does not fit. */
long chorus_b64url_decode(const char *s, size_t slen, uint8_t *out, size_t outcap);

/* ---- misc ----------------------------------------------------------------- */

/* chorus_ct_equal compares two byte strings in time that depends only on
 * their lengths, for API keys. */
bool chorus_ct_equal(const char *a, size_t alen, const char *b, size_t blen);

/* chorus_fnv64 continues a 64-bit FNV-1a hash h over n bytes at p; start
 * from CHORUS_FNV64_INIT. For cache keys and ETags, never for secrets.
 * chorus_fnv64_str hashes a whole string (NULL hashes like ""). */
#define CHORUS_FNV64_INIT 0xcbf29ce484222325ULL /* the offset basis */
uint64_t chorus_fnv64(uint64_t h, const void *p, size_t n);
uint64_t chorus_fnv64_str(const char *s);

#endif
