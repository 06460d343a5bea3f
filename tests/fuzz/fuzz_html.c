/* Fuzz target: parse_html_text.
 *
 * Input layout: byte 0 is the output size (0 means 64 KiB); the rest is the
 * HTML. The result must be NUL-terminated within the buffer, valid UTF-8,
 * free of control characters other than line breaks, without blanks at
 * either end, and with at most one blank line in a row. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap, n;
    char *out;

    if (size < 1)
        return 0;
    cap = data[0] ? data[0] : 65536;
    /* Exactly cap bytes, so ASan sees a write past the end. */
    out = malloc(cap);
    if (!out)
        abort();
    n = parse_html_text((const char *)data + 1, size - 1, out, cap);
    if (n >= cap || out[n] != '\0' || strlen(out) != n || !chorus_utf8_valid(out, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];

        if ((c < 0x20 && c != '\n') || c == 0x7F)
            abort();
    }
    if (n && (out[0] == ' ' || out[0] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\n'))
        abort();
    if (strstr(out, "\n\n\n") || strstr(out, "  "))
        abort();
    free(out);
    return 0;
}
