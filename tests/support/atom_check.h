/* Atom checks for the integration tests: parse a reply with libxml2 the way a
 * careful feed reader does (no network, no entity substitution, no DTD),
 * query it with XPath, and check what RFC 4287 requires of every feed.
 *
 * XPath expressions may use the prefixes "atom" (http://www.w3.org/2005/Atom)
 * and "chorus" (https://chorus.dev/ns/feed/1). Every helper that can fail
 * reports through cmocka with the caller's file and line, like harness.h.
 * Documents are the caller's: free them with xmlFreeDoc. Single-threaded.
 */
#ifndef CHORUS_TEST_ATOM_CHECK_H
#define CHORUS_TEST_ATOM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "harness.h"

#define AC_ATOM_NS   "http://www.w3.org/2005/Atom"
#define AC_CHORUS_NS "https://chorus.dev/ns/feed/1"

/* ac_parse parses buf as XML (XML_PARSE_NONET, nothing else) and fails the
 * test, showing the text, when it is not well-formed. Caller frees. */
#define ac_parse(buf, len) ac__parse((buf), (len), __FILE__, __LINE__)
xmlDoc *ac__parse(const char *buf, size_t len, const char *file, int line);

/* ac_parse_html parses an HTML fragment with libxml2's HTML parser (no
 * network, errors quiet: this is what a reader's sanitiser would see).
 * Caller frees. */
#define ac_parse_html(s) ac__parse_html((s), __FILE__, __LINE__)
xmlDoc *ac__parse_html(const char *s, const char *file, int line);

/* ac_fetch GETs path (with the API key when key), expects 200 with
 * Content-Type application/atom+xml, parses the body and runs
 * check_rfc4287 on it. Caller frees the document. */
#define ac_fetch(d, path, key) ac__fetch((d), (path), (key), __FILE__, __LINE__)
xmlDoc *ac__fetch(struct chorusd *d, const char *path, bool key, const char *file, int line);

/* ac_count returns how many nodes xpath selects, evaluated at node ctx
 * (NULL: the document). An expression that is invalid or does not select
 * nodes fails the test. */
#define ac_count(doc, ctx, xpath) ac__count((doc), (ctx), (xpath), __FILE__, __LINE__)
size_t ac__count(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *file, int line);

/* ac_node returns the i-th node xpath selects at ctx, or NULL. Borrowed
 * from doc. */
#define ac_node(doc, ctx, xpath, i) ac__node((doc), (ctx), (xpath), (i), __FILE__, __LINE__)
xmlNode *ac__node(xmlDoc *doc, xmlNode *ctx, const char *xpath, size_t i, const char *file,
                  int line);

/* ac_str returns the XPath string-value of xpath at ctx ("" when it selects
 * nothing) as a heap string; caller frees with free(). */
#define ac_str(doc, ctx, xpath) ac__str((doc), (ctx), (xpath), __FILE__, __LINE__)
char *ac__str(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *file, int line);

/* ac_expect_str checks that the string-value of xpath at ctx is want. */
#define ac_expect_str(doc, ctx, xpath, want)                                                       \
    ac__expect_str((doc), (ctx), (xpath), (want), __FILE__, __LINE__)
void ac__expect_str(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *want,
                    const char *file, int line);

/* ac_expect_count checks that xpath at ctx selects exactly n nodes. */
#define ac_expect_count(doc, ctx, xpath, n)                                                        \
    ac__expect_count((doc), (ctx), (xpath), (n), __FILE__, __LINE__)
void ac__expect_count(xmlDoc *doc, xmlNode *ctx, const char *xpath, size_t n, const char *file,
                      int line);

/* ac_rfc3339 says whether s is an RFC 3339 date-time
 * (2024-05-01T10:00:00Z, 2024-05-01T10:00:00.5+02:00). */
bool ac_rfc3339(const char *s);

/* check_rfc4287 checks what RFC 4287 requires of a feed: the root is
 * atom:feed with exactly one atom:id, atom:title and atom:updated (RFC 3339);
 * an atom:author on the feed or on every entry, each with one atom:name;
 * one link rel="self"; every entry with exactly one atom:id, atom:title and
 * atom:updated (RFC 3339) and either atom:content or a link rel="alternate";
 * entry ids unique. */
#define check_rfc4287(doc) ac__check_rfc4287((doc), __FILE__, __LINE__)
void ac__check_rfc4287(xmlDoc *doc, const char *file, int line);

/* ac_entries returns the number of entries and writes up to cap of them,
 * in document order, into out (borrowed from doc). */
size_t ac_entries(xmlDoc *doc, xmlNode **out, size_t cap);

/* ac_review_id returns the review id of an Atom entry whose atom:id ends
 * with "/review/<id>"; fails the test otherwise. */
#define ac_review_id(doc, entry) ac__review_id((doc), (entry), __FILE__, __LINE__)
uint64_t ac__review_id(xmlDoc *doc, xmlNode *entry, const char *file, int line);

/* ac_link returns the href of the feed's first atom:link with rel (heap,
 * caller frees), or NULL when there is none. */
char *ac_link(xmlDoc *doc, const char *rel);

/* ac_href_path returns the path and query of an absolute URL (the part from
 * the first '/' after "://"), borrowed from href. */
const char *ac_href_path(const char *href);

/* ac_strs_free frees the n strings of s (ac_str's, say). */
void ac_strs_free(char **s, size_t n);

#endif
