/* Times relative to now for tests whose server windows follow the clock
 * (the digest, the dashboard). */
#ifndef CHORUS_TEST_CLOCK_H
#define CHORUS_TEST_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* clk_at_day returns the time of "day k": noon UTC of today - k days, but
 * never later than a minute ago nor before that day's midnight. */
int64_t clk_at_day(int k);
/* clk_utc formats t in UTC with strftime's fmt into out (cap bytes). */
const char *clk_utc(int64_t t, const char *fmt, char *out, size_t cap);
/* clk_rfc3339 formats t as 2024-05-01T12:00:00Z into out (32 bytes). */
const char *clk_rfc3339(int64_t t, char *out);
/* clk_date formats the UTC date of t (YYYY-MM-DD) into out (16 bytes). */
const char *clk_date(int64_t t, char *out);
/* clk_away_from_end waits out the last `margin` seconds of the current
 * UTC period of `period` seconds (86400: a day, 3600: an hour), so a case's
 * data and the server's "today" or "this hour" agree. */
void clk_away_from_end(int64_t period, int64_t margin);

#endif
