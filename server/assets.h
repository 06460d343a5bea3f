/* Browser assets compiled into chorusd (generated from web/ at build time
 * by cmake/embed_assets.cmake). */
#ifndef CHORUS_SERVER_ASSETS_H
#define CHORUS_SERVER_ASSETS_H

#include <stddef.h>

struct srv_asset {
    const char *name;          /* "embed.js", "widget.css" */
    const unsigned char *data; /* NUL-terminated for convenience; len excludes it */
    size_t len;
};

/* The table ends with a NULL name. */
extern const struct srv_asset srv__assets[];

#endif
