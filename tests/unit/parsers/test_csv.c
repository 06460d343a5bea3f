/* The streaming CSV reader: RFC 4180 quoting, chunk splits, mappings, value
 * conversion, derived source ids, and the shared Amazon sample file. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "collect.h"

/* run feeds text to a new reader in chunks of `chunk` bytes (0 = whole) and
 * finishes it. Returns the first non-zero code. */
static int run(struct collect *c, const char *mapping, const char *text, size_t len, size_t chunk,
               const struct parse_options *opt, struct parse_error *err)
{
    struct parse_csv *p = NULL;
    int rc;

    rc = parse_csv_new(&p, mapping, opt, err);
    if (rc)
        return rc;
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t i = 0; i < len && rc == 0; i += chunk)
        rc = parse_csv_feed(p, text + i, len - i < chunk ? len - i : chunk, collect_cb, c, err);
    if (rc == 0)
        rc = parse_csv_finish(p, collect_cb, c, err);
    parse_csv_free(p);
    return rc;
}

static int run_s(struct collect *c, const char *mapping, const char *text, size_t chunk)
{
    return run(c, mapping, text, strlen(text), chunk, NULL, NULL);
}

#define MAP "product_id=sku,rating=stars,title=head,body=text"

CHORUS_TEST(csv_basic)
{
    struct collect c = {0};

    assert_int_equal(run_s(&c, MAP, "sku,stars,head,text\nA1,5,Great,Loved it\nA2,2,Meh,\n", 0), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.items[0].index, 0);
    assert_string_equal(c.items[0].r->product_id, "A1");
    assert_int_equal(c.items[0].r->rating, 5);
    assert_string_equal(c.items[0].r->title, "Great");
    assert_string_equal(c.items[0].r->body, "Loved it");
    assert_string_equal(c.items[0].r->source, "csv");
    assert_int_equal(strlen(c.items[0].r->source_id), 16);
    assert_null(c.items[1].r->body); /* an empty cell is absent */
    assert_int_equal(c.items[1].index, 1);
    assert_null(c.items[0].p);
    collect_free(&c);
}

static const char quoted[] = "\"sku\",stars,\"head\",text\r\n"
                             "A1,4,\"Comma, inside\",\"He said \"\"wow\"\"\"\r\n"
                             "A2,3,\"Multi\nline\r\ntitle\",\"\"\r\n"
                             "A3,5,\"\",6\" screen\r\n"
                             "A4,1,x,\"last, no newline\"";

static void check_quoted(struct collect *c)
{
    assert_int_equal(c->n, 4);
    for (size_t i = 0; i < 4; i++)
        if (c->items[i].error)
            fail_msg("item %zu: %s", i, c->items[i].error);
    assert_string_equal(c->items[0].r->title, "Comma, inside");
    assert_string_equal(c->items[0].r->body, "He said \"wow\"");
    assert_string_equal(c->items[1].r->title, "Multi\nline\r\ntitle");
    assert_null(c->items[1].r->body);
    assert_null(c->items[2].r->title);
    assert_string_equal(c->items[2].r->body, "6\" screen");
    assert_string_equal(c->items[3].r->body, "last, no newline");
    assert_int_equal(c->items[3].r->rating, 1);
}

CHORUS_TEST(csv_quoting)
{
    struct collect c = {0};

    assert_int_equal(run_s(&c, MAP, quoted, 0), 0);
    check_quoted(&c);
    collect_free(&c);
    /* A quote inside an unquoted field is kept as it is. */
    assert_int_equal(run_s(&c, MAP, "sku,stars,head,text\nA1,5,say \"hi\" ,x\n", 0), 0);
    assert_string_equal(c.items[0].r->title, "say \"hi\" ");
    collect_free(&c);
}

CHORUS_TEST(csv_chunk_splits)
{
    struct collect whole = {0}, c = {0};
    size_t len = strlen(quoted);

    assert_int_equal(run_s(&whole, MAP, quoted, 0), 0);
    /* Byte by byte, then every two-chunk split. */
    assert_int_equal(run_s(&c, MAP, quoted, 1), 0);
    check_quoted(&c);
    for (size_t i = 0; i < c.n; i++)
        assert_string_equal(c.items[i].r->source_id, whole.items[i].r->source_id);
    collect_free(&c);
    for (size_t split = 1; split < len; split++) {
        struct parse_csv *p = NULL;

        assert_int_equal(parse_csv_new(&p, MAP, NULL, NULL), 0);
        assert_int_equal(parse_csv_feed(p, quoted, split, collect_cb, &c, NULL), 0);
        assert_int_equal(parse_csv_feed(p, quoted + split, len - split, collect_cb, &c, NULL), 0);
        assert_int_equal(parse_csv_finish(p, collect_cb, &c, NULL), 0);
        parse_csv_free(p);
        check_quoted(&c);
        collect_free(&c);
    }
    /* Empty feeds change nothing. */
    {
        struct parse_csv *p = NULL;

        assert_int_equal(parse_csv_new(&p, MAP, NULL, NULL), 0);
        assert_int_equal(parse_csv_feed(p, "", 0, collect_cb, &c, NULL), 0);
        assert_int_equal(parse_csv_feed(p, quoted, len, collect_cb, &c, NULL), 0);
        assert_int_equal(parse_csv_feed(p, "", 0, collect_cb, &c, NULL), 0);
        assert_int_equal(parse_csv_finish(p, collect_cb, &c, NULL), 0);
        parse_csv_free(p);
        check_quoted(&c);
        collect_free(&c);
    }
    collect_free(&whole);
}

CHORUS_TEST(csv_bom_and_blank_lines)
{
    struct collect c = {0};

    assert_int_equal(
        run_s(&c, MAP, "\xEF\xBB\xBFsku,stars,head,text\n\nA1,5,,\r\n\r\n\nA2,4,,\n\n", 1), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.items[1].index, 1);
    assert_string_equal(c.items[1].r->product_id, "A2");
    collect_free(&c);
}

CHORUS_TEST(csv_wrong_columns)
{
    struct collect c = {0};

    assert_int_equal(
        run_s(&c, MAP, "sku,stars,head,text\nA1,5,a,b,c\nA2\n\"A3\",5,\"t\",\"b\"\n", 0), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.items[0].error,
                        "Line 2: the record has 5 fields but the header has 4; quote fields that "
                        "hold commas, quotes or line breaks.");
    assert_non_null(strstr(c.items[1].error, "Line 3: the record has 1 fields"));
    assert_string_equal(c.items[2].r->product_id, "A3");
    assert_int_equal(c.items[2].index, 2);
    collect_free(&c);
}

CHORUS_TEST(csv_line_numbers)
{
    struct collect c = {0};

    assert_int_equal(
        run_s(&c, MAP, "sku,stars,head,text\r\nA1,5,\"a\r\nb\r\nc\",x\r\nA2,9,t,b\r\n", 3), 0);
    assert_int_equal(c.n, 2);
    assert_non_null(c.items[0].r);
    assert_non_null(strstr(c.items[1].error, "Line 5: rating must be a whole number of stars"));
    collect_free(&c);
}

CHORUS_TEST(csv_oversize)
{
    struct collect c = {0};
    struct buf b;
    char *big = repeat('z', (1u << 20) + 10);

    buf_init(&b, 0);
    buf_puts(&b, "sku,stars,head,text\nA1,5,t,\"");
    buf_puts(&b, big);
    buf_puts(&b, "\n\"\"quoted\"\", still the same record, \"\nA2,5,ok,fine\n");
    buf_puts(&b, "A3,3,t,");
    buf_puts(&b, big);
    buf_puts(&b, "\nA4,4,t,b\n");
    assert_int_equal(run(&c, MAP, b.data, b.len, 4096, NULL, NULL), 0);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.items[0].error, "Line 2: the record is over 1 MiB; it was skipped.");
    assert_string_equal(c.items[1].r->product_id, "A2");
    assert_non_null(strstr(c.items[2].error, "Line 5: the record is over 1 MiB"));
    assert_string_equal(c.items[3].r->product_id, "A4");
    collect_free(&c);
    buf_cleanup(&b);
    free(big);
}

CHORUS_TEST(csv_bad_quotes)
{
    struct collect c = {0};

    assert_int_equal(
        run_s(&c, MAP, "sku,stars,head,text\nA1,5,\"abc\"def,x\nA2,5,t,b\nA3,5,t,\"open", 0), 0);
    assert_int_equal(c.n, 3);
    assert_non_null(strstr(c.items[0].error, "Line 2: a quoted field has text after its closing"));
    assert_string_equal(c.items[1].r->product_id, "A2");
    assert_string_equal(c.items[2].error,
                        "Line 4: the file ends inside a quoted field; a closing quote is missing.");
    collect_free(&c);
}

static void mapping_error(const char *mapping, const char *want, const char *field)
{
    struct parse_csv *p = (struct parse_csv *)&p;
    struct parse_error e;

    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_csv_new(&p, mapping, NULL, &e), CHORUS_EINVAL);
    assert_null(p);
    if (!strstr(e.message, want))
        fail_msg("\"%s\" lacks \"%s\"", e.message, want);
    assert_string_equal(e.field, field);
    assert_int_equal(parse_csv_new(&p, mapping, NULL, NULL), CHORUS_EINVAL);
}

CHORUS_TEST(csv_mapping)
{
    struct collect c = {0};

    mapping_error("product_id=a,stars=b", "The mapping names \"stars\", which is not a field",
                  "stars");
    mapping_error("product_id", "The mapping entry \"product_id\" has no '='", "");
    mapping_error("product_id=a,", "The mapping entry \"\" has no '='", "");
    mapping_error("product_id=a,rating=b,rating=c", "The mapping gives rating twice", "rating");
    mapping_error("rating=b", "The mapping must map product_id to a column", "product_id");
    mapping_error("product_id=", "product_id has no column name", "product_id");
    mapping_error("product_id=\"abc", "has no closing quote", "product_id");
    mapping_error("product_id=\"a\"b", "Unexpected text after the quoted column name",
                  "product_id");
    mapping_error("", "has no '='", "");
    mapping_error("id=a", "The mapping names \"id\"", "id");
    mapping_error("status=a,product_id=b", "The mapping names \"status\"", "status");

    /* Quoted column names may hold commas, '=' and quotes; blanks around
     * entries are ignored; order does not matter. */
    assert_int_equal(run_s(&c, " title = \"a,b\" , product_id=\"x=\"\"y\"\"\" ",
                           "\"x=\"\"y\"\"\",\"a,b\"\nP1,Hello\n", 0),
                     0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0].r->product_id, "P1");
    assert_string_equal(c.items[0].r->title, "Hello");
    collect_free(&c);
}

CHORUS_TEST(csv_header_errors)
{
    struct collect c = {0};
    struct parse_csv *p = NULL;
    struct parse_error e;
    static const char text[] = "sku,head,text\nA1,t,b\n";

    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_csv_new(&p, MAP, NULL, &e), 0);
    assert_int_equal(parse_csv_feed(p, text, strlen(text), collect_cb, &c, &e), CHORUS_EPARSE);
    assert_string_equal(e.message, "The header has no column \"stars\" (mapped to rating); its "
                                   "columns are: sku, head, text.");
    assert_string_equal(e.field, "rating");
    /* The reader stays failed. */
    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_csv_feed(p, "x", 1, collect_cb, &c, &e), CHORUS_EPARSE);
    assert_string_equal(e.field, "rating");
    assert_int_equal(parse_csv_finish(p, collect_cb, &c, NULL), CHORUS_EPARSE);
    parse_csv_free(p);
    assert_int_equal(c.n, 0);

    memset(&e, 0, sizeof(e));
    assert_int_equal(run(&c, MAP, "sku,stars,head,text,sku\n", 24, 0, NULL, &e), CHORUS_EPARSE);
    assert_non_null(strstr(e.message, "The header has two columns named \"sku\""));
    assert_int_equal(run(&c, MAP, "", 0, 0, NULL, &e), CHORUS_EPARSE);
    assert_string_equal(e.message,
                        "The CSV file is empty: it needs a header row naming its columns.");
    assert_int_equal(run(&c, MAP, "\n\n", 2, 0, NULL, &e), CHORUS_EPARSE);
    assert_int_equal(run(&c, MAP, "\"sku", 4, 0, NULL, &e), CHORUS_EPARSE);
    assert_non_null(strstr(e.message, "ends inside a quoted column name"));
    assert_int_equal(c.n, 0);
    /* A header with no rows is fine: nothing to import. */
    assert_int_equal(run_s(&c, MAP, "sku,stars,head,text\n", 0), 0);
    assert_int_equal(c.n, 0);
}

#define ALL                                                                                        \
    "product_id=p,rating=r,rating_scale=s,title=t,body=b,author=a,author_location=l,verified=v,"   \
    "language=g,created_at=c,helpful=h,not_helpful=n,product_name=pn,product_brand=pb,"            \
    "product_category=pc,product_url=pu,product_image_url=pi,product_gtin=pg,product_mpn=pm"
#define ALL_HEADER "p,r,s,t,b,a,l,v,g,c,h,n,pn,pb,pc,pu,pi,pg,pm\n"

CHORUS_TEST(csv_values)
{
    struct collect c = {0};
    const struct review *r;
    const struct product *p;

    assert_int_equal(run_s(&c, ALL,
                           ALL_HEADER
                           "P1, 7.5 ,10,T,B,A,L,yes,en,2017-01-13T00:00:00.000Z,\"1,234\",0,"
                           "Kindle,Amazon,Tablets / E-readers,https://a.test/k,"
                           "http://a.test/k.png,4006381333931,K-8\n",
                           0),
                     0);
    assert_int_equal(c.n, 1);
    if (c.items[0].error)
        fail_msg("%s", c.items[0].error);
    r = c.items[0].r;
    p = c.items[0].p;
    assert_int_equal(r->rating, 4);
    assert_true(r->rating_original == 7.5 && r->rating_scale == 10);
    assert_string_equal(r->author_location, "L");
    assert_true(r->verified);
    assert_string_equal(r->language, "en");
    assert_int_equal(r->created_at, 1484265600);
    assert_int_equal(r->helpful, 1234);
    assert_int_equal(r->not_helpful, 0);
    assert_non_null(p);
    assert_string_equal(p->id, "P1");
    assert_string_equal(p->name, "Kindle");
    assert_string_equal(p->brand, "Amazon");
    assert_string_equal(p->category, "Tablets/E-readers");
    assert_string_equal(p->url, "https://a.test/k");
    assert_string_equal(p->image_url, "http://a.test/k.png");
    assert_string_equal(p->gtin, "4006381333931");
    assert_string_equal(p->mpn, "K-8");
    collect_free(&c);

    /* Booleans in their spellings; an all-empty row but the id is a mention. */
    assert_int_equal(
        run_s(&c, "product_id=p,verified=v", "p,v\na,TRUE\nb,false\nc,1\nd,0\ne,No\nf,Y\ng,\n", 0),
        0);
    assert_int_equal(c.n, 7);
    for (size_t i = 0; i < 7; i++)
        assert_non_null(c.items[i].r);
    assert_true(c.items[0].r->verified && !c.items[1].r->verified && c.items[2].r->verified &&
                !c.items[3].r->verified && !c.items[4].r->verified && c.items[5].r->verified &&
                !c.items[6].r->verified);
    assert_int_equal(c.items[6].r->rating, 0);
    collect_free(&c);
}

static const char *csv_error(const char *mapping, const char *text)
{
    struct collect c = {0};

    assert_int_equal(run_s(&c, mapping, text, 0), 0);
    return collect_one_error(&c, text);
}

CHORUS_TEST(csv_value_errors)
{
    char *long_title = repeat('t', 501), *text;
    size_t len = 600;

    assert_string_equal(csv_error("product_id=p,rating=r", "p,r\na,five\n"),
                        "Line 2: rating must be a number such as 4 or 4.5 (got \"five\").");
    assert_non_null(strstr(csv_error("product_id=p,rating=r", "p,r\na,4.5\n"),
                           "rating must be a whole number of stars from 1 to 5 (got 4.5)"));
    assert_non_null(strstr(csv_error("product_id=p,rating=r", "p,r\na,inf\n"), "(got \"inf\")"));
    assert_non_null(strstr(csv_error("product_id=p,rating=r", "p,r\na,0x5\n"), "(got \"0x5\")"));
    assert_string_equal(csv_error("product_id=p,verified=v", "p,v\na,maybe\n"),
                        "Line 2: verified must be true or false, yes or no, 1 or 0 (got "
                        "\"maybe\").");
    assert_non_null(strstr(csv_error("product_id=p,helpful=h", "p,h\na,-1\n"),
                           "helpful must be a whole number from 0 to 4294967295 (got \"-1\")"));
    assert_non_null(strstr(csv_error("product_id=p,helpful=h", "p,h\na,4294967296\n"),
                           "helpful must be a whole number"));
    assert_non_null(strstr(csv_error("product_id=p,created_at=c", "p,c\na,01/13/2017\n"),
                           "created_at must be an RFC 3339 date-time"));
    assert_string_equal(csv_error("product_id=p,title=t", "p,t\na,bad \xC3\x28 utf8\n"),
                        "Line 2: title is not valid UTF-8 text; convert the input to UTF-8.");
    assert_string_equal(csv_error("product_id=p,title=t", "p,t\n,x\n"),
                        "Line 2: product_id is missing; every review needs the id (SKU) of its "
                        "product.");
    assert_non_null(strstr(csv_error("product_id=p,product_url=u", "p,u\na,www.x.test\n"),
                           "product_url must be an http:// or https:// address"));
    text = malloc(len);
    assert_non_null(text);
    snprintf(text, len, "p,t\na,%s\n", long_title);
    assert_string_equal(csv_error("product_id=p,title=t", text),
                        "Line 2: title is 501 bytes; the limit is 500.");
    free(text);
    free(long_title);
    /* A NUL byte in a cell. */
    {
        struct collect c = {0};
        static const char nul[] = "p,t\na,x\0y\n";

        assert_int_equal(run(&c, "product_id=p,title=t", nul, sizeof(nul) - 1, 0, NULL, NULL), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.items[0].error,
                            "Line 2: title contains a NUL character (\\u0000); remove it.");
        collect_free(&c);
    }
}

CHORUS_TEST(csv_source_ids)
{
    struct collect c = {0}, d = {0};
    struct parse_options opt = {REVIEW_PENDING, "import-1", false};
    static const char text[] = "sku,stars,head,text\nA1,5,t,b\nA1,5,t,b\nA1,5,t,c\nA1,5,,tb\n";
    static const char with_name[] = "sku,stars,head,text,name\nA1,5,t,b,Other name\n";

    assert_int_equal(run_s(&c, MAP, text, 0), 0);
    assert_int_equal(c.n, 4);
    /* Exact duplicates share an id; any difference gives another. */
    assert_string_equal(c.items[0].r->source_id, c.items[1].r->source_id);
    assert_string_not_equal(c.items[0].r->source_id, c.items[2].r->source_id);
    assert_string_not_equal(c.items[0].r->source_id, c.items[3].r->source_id);
    /* The same mapping written in another order gives the same ids. */
    assert_int_equal(run_s(&d, "body=text,title=head,rating=stars,product_id=sku", text, 0), 0);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(c.items[i].r->source_id, d.items[i].r->source_id);
    collect_free(&d);
    /* Options give the source and status; product columns are not hashed. */
    assert_int_equal(run(&d, MAP ",product_name=name", with_name, strlen(with_name), 0, &opt, NULL),
                     0);
    assert_string_equal(d.items[0].r->source, "import-1");
    assert_int_equal(d.items[0].r->status, REVIEW_PENDING);
    assert_string_equal(d.items[0].r->source_id, c.items[0].r->source_id);
    assert_string_equal(d.items[0].p->name, "Other name");
    collect_free(&d);
    /* A mapped source_id is used as given; an empty one falls back. */
    assert_int_equal(run_s(&d, MAP ",source_id=rid,source=src",
                           "sku,stars,head,text,rid,src\nA1,5,t,b,r-9,shop\nA1,5,t,b,,\n", 0),
                     0);
    assert_string_equal(d.items[0].r->source_id, "r-9");
    assert_string_equal(d.items[0].r->source, "shop");
    assert_int_equal(strlen(d.items[1].r->source_id), 16);
    assert_string_equal(d.items[1].r->source, "csv");
    collect_free(&d);
    collect_free(&c);
}

CHORUS_TEST(csv_callback_stop)
{
    struct collect c = {0};
    struct parse_csv *p = NULL;
    static const char text[] = "sku,stars,head,text\nA1,5,t,b\nA2,5,t,b\nA3,5,t,b\n";

    c.stop_after = 2;
    assert_int_equal(parse_csv_new(&p, MAP, NULL, NULL), 0);
    assert_int_equal(parse_csv_feed(p, text, strlen(text), collect_cb, &c, NULL), 7);
    assert_int_equal(c.n, 2);
    assert_int_equal(parse_csv_feed(p, "A4,5,t,b\n", 9, collect_cb, &c, NULL), 7);
    assert_int_equal(parse_csv_finish(p, collect_cb, &c, NULL), 7);
    assert_int_equal(c.n, 2);
    parse_csv_free(p);
    parse_csv_free(NULL);
    collect_free(&c);
}

/* ---- the shared sample file -------------------------------------------------------- */

#define SHARED_MAP                                                                                 \
    "product_id=id,rating=reviews.rating,title=reviews.title,body=reviews.text,"                   \
    "author=reviews.username,created_at=reviews.date,product_name=name,product_brand=brand"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

CHORUS_TEST(csv_shared_file)
{
    struct collect c = {0};
    struct parse_csv *p = NULL;
    struct parse_error e;
    char chunk[997]; /* an odd size, so records and quotes straddle chunks */
    const char **ids;
    size_t n, accepted = 0, distinct = 0, hist[6] = {0};
    FILE *f;

    f = fopen(CHORUS_SHARED_CSV, "rb");
    if (!f) {
        print_message("%s is missing; skipping\n", CHORUS_SHARED_CSV);
        skip();
    }
    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_csv_new(&p, SHARED_MAP, NULL, &e), 0);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (parse_csv_feed(p, chunk, n, collect_cb, &c, &e) != 0)
            fail_msg("%s", e.message);
    fclose(f);
    assert_int_equal(parse_csv_finish(p, collect_cb, &c, &e), 0);
    parse_csv_free(p);

    ids = calloc(c.n, sizeof(*ids));
    assert_non_null(ids);
    for (size_t i = 0; i < c.n; i++) {
        if (c.items[i].error) {
            print_message("rejected: %s\n", c.items[i].error);
            continue;
        }
        assert_non_null(c.items[i].p);
        assert_string_equal(c.items[i].p->brand, "Amazon");
        assert_non_null(c.items[i].r->body);
        hist[c.items[i].r->rating]++;
        ids[accepted++] = c.items[i].r->source_id;
    }
    qsort(ids, accepted, sizeof(*ids), cmp_str);
    for (size_t i = 0; i < accepted; i++)
        if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
            distinct++;
    print_message("%zu rows, %zu accepted, %zu distinct source ids; stars 1..5: %zu %zu %zu %zu "
                  "%zu\n",
                  c.n, accepted, distinct, hist[1], hist[2], hist[3], hist[4], hist[5]);
    assert_int_equal(c.n, 2500);
    assert_int_equal(accepted, 2500);
    assert_int_equal(hist[0], 0);
    assert_int_equal(hist[5], 1757);
    /* The file has exact duplicate rows; they collapse onto one id. */
    assert_int_equal(distinct, 2473);
    assert_int_equal(c.items[0].r->created_at, 1504396800); /* 2017-09-03 */
    assert_string_equal(c.items[0].r->product_id, "AVqVGZNvQMlgsOJE6eUY");
    assert_string_equal(c.items[0].r->title, "Too small");
    assert_string_equal(c.items[0].p->name,
                        "Amazon Kindle E-Reader 6\" Wifi (8th Generation, 2016)");
    free(ids);
    collect_free(&c);
}

CHORUS_TEST_MAIN()
