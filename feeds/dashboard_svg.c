/* The dashboard's two charts as inline SVG: a product's 30-day sparkline
 * and the roll-up's rating distribution.
 *
 * Both are plain SVG inside the HTML page, with presentation attributes
 * rather than styles, so they need nothing from the page's stylesheet and
 * nothing from the network (the page's CSP forbids both scripts and remote
 * images). Each chart is role="img" with an aria-label that says in words
 * what it draws, and a <title> for the pointer's tooltip: a screen reader
 * gets the numbers, not a list of coordinates. No user string goes into
 * them, only numbers and dates.
 */
#include "feed_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- sparkline ------------------------------------------------------------------------ */

#define SPARK_W   120 /* viewBox; the polyline runs from x = PAD to SPARK_W - PAD */
#define SPARK_H   28
#define SPARK_PAD 3

static void ymd(int64_t day, char *out, size_t cap)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d", &tm);
}

/* spark_y maps an average rating (1..5) to a y coordinate: 5 at the top.
 * The scale is fixed, not fitted to the product, so two rows of the table
 * can be compared by eye. */
static double spark_y(double avg)
{
    return SPARK_PAD + (5.0 - avg) * (SPARK_H - 2.0 * SPARK_PAD) / 4.0;
}

static double spark_x(int i, int ndays)
{
    return ndays > 1 ? SPARK_PAD + i * (SPARK_W - 2.0 * SPARK_PAD) / (ndays - 1) : SPARK_W / 2.0;
}

int feed__dash_sparkline(struct buf *b, const uint32_t *cnt, const uint32_t *sum, int ndays,
                         int64_t first_day)
{
    char label[256], from[16], to[16], last_day[16] = "";
    double lo = 6, hi = 0, last = 0;
    int with = 0, lasti = -1, rc;

    for (int i = 0; i < ndays; i++) {
        double avg;

        if (!cnt[i])
            continue;
        avg = (double)sum[i] / cnt[i];
        lo = avg < lo ? avg : lo;
        hi = avg > hi ? avg : hi;
        last = avg;
        lasti = i;
        with++;
    }
    ymd(first_day, from, sizeof(from));
    ymd(first_day + ndays - 1, to, sizeof(to));
    if (lasti >= 0)
        ymd(first_day + lasti, last_day, sizeof(last_day));
    if (with)
        snprintf(label, sizeof(label),
                 "Daily average rating, %s to %s: ratings on %d of %d days, lowest %.1f, "
                 "highest %.1f, latest %.1f on %s",
                 from, to, with, ndays, lo, hi, last, last_day);
    else
        snprintf(label, sizeof(label), "Daily average rating, %s to %s: no ratings", from, to);
    rc = buf_printf(b,
                    "<svg class=\"cd-spark\" role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %d %d\" "
                    "width=\"%d\" height=\"%d\"><title>%s</title>",
                    label, SPARK_W, SPARK_H, SPARK_W, SPARK_H, label);
    /* The 3-star line gives the eye a reference without axes. */
    if (rc == 0)
        rc = buf_printf(b,
                        "<line x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#9ca3af\" "
                        "stroke-width=\"0.5\" stroke-dasharray=\"2 2\"/>",
                        spark_y(3), SPARK_W, spark_y(3));
    if (rc == 0 && with) {
        /* One point per day with ratings, at that day's x: a day without
         * ratings has no average to draw, so the line spans it rather than
         * dropping to zero, and the gap shows as a longer segment. */
        rc = buf_puts(b, "<polyline fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"1.5\" "
                         "stroke-linejoin=\"round\" points=\"");
        for (int i = 0, k = 0; rc == 0 && i < ndays; i++)
            if (cnt[i])
                rc = buf_printf(b, "%s%.1f,%.1f", k++ ? " " : "", spark_x(i, ndays),
                                spark_y((double)sum[i] / cnt[i]));
        if (rc == 0)
            rc = buf_puts(b, "\"/>");
        /* The latest day as a dot: visible even when it is the only one. */
        if (rc == 0)
            rc = buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#1d4ed8\"/>",
                            spark_x(lasti, ndays), spark_y(last));
    }
    if (rc == 0)
        rc = buf_puts(b, "</svg>");
    return rc;
}

/* ---- daily counts ---------------------------------------------------------------------- */

int feed__dash_count_sparkline(struct buf *b, const uint32_t *cnt, int ndays, int64_t first_day,
                               const int64_t *marks, size_t nmarks)
{
    char label[512], from[16], to[16], top_day[16] = "";
    uint32_t top = 0;
    uint64_t total = 0;
    int topi = 0, rc;
    double bw = (SPARK_W - 2.0 * SPARK_PAD) / (ndays > 0 ? ndays : 1);

    for (int i = 0; i < ndays; i++) {
        total += cnt[i];
        if (cnt[i] >= top) {
            top = cnt[i];
            topi = i;
        }
    }
    ymd(first_day, from, sizeof(from));
    ymd(first_day + ndays - 1, to, sizeof(to));
    ymd(first_day + topi, top_day, sizeof(top_day));
    if (total)
        snprintf(label, sizeof(label),
                 "Daily complaints, %s to %s: %llu in all, most %u on %s, %u on the last day", from,
                 to, (unsigned long long)total, top, top_day, ndays ? cnt[ndays - 1] : 0);
    else
        snprintf(label, sizeof(label), "Daily complaints, %s to %s: none", from, to);
    /* Dates only: a release's name is the operator's text and stays out of
     * the attribute; the alert beside the chart names it, escaped. */
    for (size_t k = 0; k < nmarks && k < 4; k++) {
        char day[16];
        size_t len = strlen(label);

        ymd(marks[k], day, sizeof(day));
        snprintf(label + len, sizeof(label) - len, "%s%s", k ? ", " : "; a release on ", day);
    }
    rc = buf_printf(b,
                    "<svg class=\"cd-spark cd-comp-spark\" role=\"img\" aria-label=\"%s\" "
                    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\"><title>%s</title>",
                    label, SPARK_W, SPARK_H, SPARK_W, SPARK_H, label);
    /* Bars from the bottom, the tallest day reaching the top: the shape of
     * the rise is what matters, the numbers are in the label. */
    for (int i = 0; rc == 0 && i < ndays; i++) {
        double h;

        if (!cnt[i])
            continue;
        h = (SPARK_H - 2.0 * SPARK_PAD) * cnt[i] / top;
        rc = buf_printf(b,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"#b91c1c\"/>",
                        SPARK_PAD + i * bw, SPARK_H - SPARK_PAD - h, bw * 0.8, h);
    }
    for (size_t k = 0; rc == 0 && k < nmarks; k++) {
        double x = SPARK_PAD + (double)(marks[k] - first_day) * bw;

        if (marks[k] < first_day || marks[k] >= first_day + ndays)
            continue;
        rc = buf_printf(b,
                        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%d\" stroke=\"#1d4ed8\" "
                        "stroke-width=\"1\" stroke-dasharray=\"2,2\"/>",
                        x, x, SPARK_H);
    }
    if (rc == 0)
        rc = buf_puts(b, "</svg>");
    return rc;
}

/* ---- rating distribution -------------------------------------------------------------- */

#define BARS_W     360
#define BARS_ROW   22
#define BARS_LABEL 34  /* "5 ★" */
#define BARS_TRACK 220 /* bar length at 100% */

int feed__dash_bars(struct buf *b, const uint64_t hist[5])
{
    uint64_t total = 0;
    char label[512];
    size_t len = 0;
    int rc;

    for (int i = 0; i < 5; i++)
        total += hist[i];
    len += (size_t)snprintf(label, sizeof(label),
                            "Rating distribution of %llu ratings:", (unsigned long long)total);
    for (int s = 5; s >= 1 && len < sizeof(label); s--)
        len += (size_t)snprintf(label + len, sizeof(label) - len, " %d %s %llu (%.0f%%)%s", s,
                                s == 1 ? "star" : "stars", (unsigned long long)hist[s - 1],
                                total ? 100.0 * (double)hist[s - 1] / (double)total : 0.0,
                                s > 1 ? "," : ".");
    rc = buf_printf(b,
                    "<svg class=\"cd-bars\" role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %d %d\" "
                    "width=\"%d\" height=\"%d\"><title>Rating distribution</title>",
                    label, BARS_W, 5 * BARS_ROW, BARS_W, 5 * BARS_ROW);
    for (int s = 5; s >= 1 && rc == 0; s--) {
        double pct = total ? 100.0 * (double)hist[s - 1] / (double)total : 0.0;
        int y = (5 - s) * BARS_ROW;

        /* Each bar is a group with its own title, so pointing at it says
         * exactly what it stands for; the text labels carry the same. */
        rc = buf_printf(
            b,
            "<g><title>%d %s: %llu (%.1f%%)</title>"
            "<text x=\"0\" y=\"%d\" font-size=\"13\" fill=\"#1f2937\">%d \xe2\x98\x85</text>"
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\" fill=\"#e5e7eb\"/>"
            "<rect class=\"cd-bar\" data-rating=\"%d\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
            "height=\"14\" fill=\"#b45309\"/>"
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f2937\">%llu (%.0f%%)</text></g>",
            s, s == 1 ? "star" : "stars", (unsigned long long)hist[s - 1], pct, y + 15, s,
            BARS_LABEL, y + 4, BARS_TRACK, s, BARS_LABEL, y + 4, BARS_TRACK * pct / 100.0,
            BARS_LABEL + BARS_TRACK + 8, y + 15, (unsigned long long)hist[s - 1], pct);
    }
    if (rc == 0)
        rc = buf_puts(b, "</svg>");
    return rc;
}
