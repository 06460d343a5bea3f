/* Internals of the demo data generator: the catalogue lines and the phrase
 * tables that demo_gen.c composes products and reviews from (demo__ prefix).
 *
 * Templates may hold these placeholders, expanded per review:
 *   %p product ("Airis A14")   %m model ("A14")   %k kind ("laptop")
 *   %b brand ("Lumora")         %a author's first name (responses only)
 *   %n a small count (2-9)      %d days (3-28)     %w weeks (2-8)
 *   %h poor battery hours (2-5) %H good battery hours (9-15)
 *   %V the release a regression is blamed on ("BIOS 1.14"; regression lists only)
 * Clauses and tags start with a lower-case ASCII letter so the generator can
 * capitalise them when they open a sentence or a title.
 */
#ifndef CHORUS_DEMO_TEXT_H
#define CHORUS_DEMO_TEXT_H

#include <stddef.h>
#include <stdbool.h>

struct demo_list {
    const char *const *s;
    size_t n;
};

/* Product groups: which topics can be said about which products. A line has
 * one main group plus optional trait bits (gaming, portable). */
enum {
    DEMO_G_LAPTOP = 1u << 0,
    DEMO_G_DESKTOP = 1u << 1,
    DEMO_G_MONITOR = 1u << 2,
    DEMO_G_DOCK = 1u << 3,
    DEMO_G_KEYBOARD = 1u << 4,
    DEMO_G_MOUSE = 1u << 5,
    DEMO_G_HEADSET = 1u << 6,
    DEMO_G_CHARGER = 1u << 7,
    DEMO_G_WEBCAM = 1u << 8,
    DEMO_G_GAMING = 1u << 9,   /* trait: gaming lines */
    DEMO_G_PORTABLE = 1u << 10 /* trait: things people carry around */
};

#define DEMO_G_ALL 0x1FFu /* every main group */

/* Topic numbers: demo__topics is indexed by these. */
enum demo_topic_id {
    /* complaints */
    DEMO_T_BATTERY_DRAIN,
    DEMO_T_BATTERY_SWELL,
    DEMO_T_HINGE,
    DEMO_T_FAN_NOISE,
    DEMO_T_THROTTLING,
    DEMO_T_FLICKER,
    DEMO_T_BACKLIGHT_BLEED,
    DEMO_T_DEAD_PIXELS,
    DEMO_T_KEYS,
    DEMO_T_TOUCHPAD,
    DEMO_T_WIFI,
    DEMO_T_FIRMWARE,
    DEMO_T_DRIVERS,
    DEMO_T_USBC_PORTS,
    DEMO_T_DOCK_DISPLAYS,
    DEMO_T_MOUSE_BUTTONS,
    DEMO_T_HEADSET_ISSUES,
    DEMO_T_CHARGER_FAIL,
    DEMO_T_WEBCAM_POOR,
    DEMO_T_SHIPPING_BAD,
    DEMO_T_SUPPORT_BAD,
    /* praise */
    DEMO_T_PERFORMANCE,
    DEMO_T_DISPLAY,
    DEMO_T_BUILD,
    DEMO_T_BATTERY_LIFE,
    DEMO_T_VALUE,
    DEMO_T_SUPPORT_GOOD,
    DEMO_T_TYPING,
    DEMO_T_QUIET,
    DEMO_T_SETUP,
    DEMO_T_PORTABILITY,
    DEMO_T_SHIPPING_FAST,
    DEMO_T_SOUND,
    DEMO_T_COMFORT,
    DEMO_T_CONNECTIVITY,
    DEMO_T_GAMING,
    DEMO_T_CHARGING,
    DEMO_T_PICTURE,
    DEMO_T_TRACKING,
    DEMO_T_COUNT
};

struct demo_topic {
    unsigned groups; /* DG_* the topic applies to (any bit matches) */
    bool praise;     /* praise or complaint */
    bool defect;     /* a product fault that can come in waves (not shipping, support) */
    struct demo_list titles;
    struct demo_list sentences;
    struct demo_list clauses; /* lower-case, no full stop: for mixed sentences */
    struct demo_list tags;    /* short noun phrases: for mixed titles */
    struct demo_list asks;    /* forum thread titles; may be empty */
    struct demo_list answer;  /* what the brand's support says; may be empty */
};

/* A product line of the catalogue: products are its models x generations x
 * configurations, in that order, up to count. */
struct demo_line {
    const char *category; /* "laptops/ultrabook" */
    const char *brand;
    const char *code;         /* brand code for SKUs: "LUM" */
    const char *line;         /* "Airis" */
    const char *label;        /* "Ultrabook": the product type in the name */
    const char *kind;         /* "laptop": what owners call it */
    unsigned groups;          /* DG_* */
    struct demo_list models;  /* "A13", "A14" ... */
    struct demo_list gens;    /* "Gen 2" ... or "" for one generation */
    struct demo_list configs; /* "16 GB RAM, 512 GB SSD" ... */
    unsigned count;           /* <= models x gens x configs */
};

extern const struct demo_topic demo__topics[DEMO_T_COUNT];
extern const struct demo_line demo__lines[];
extern const size_t demo__n_lines;

/* Generic pieces, indexed by what they are for. */
extern const struct demo_list demo__first_names;
extern const struct demo_list demo__handles; /* forum user names */
extern const struct demo_list demo__locations;
extern const struct demo_list demo__title_good; /* 4-5 stars, no topic */
extern const struct demo_list demo__title_bad;  /* 1-2 stars, no topic */
extern const struct demo_list demo__title_mixed;
extern const struct demo_list demo__open_good;
extern const struct demo_list demo__open_bad;
extern const struct demo_list demo__close[6]; /* by rating 1..5; [0] unused */
extern const struct demo_list demo__nitpick;  /* "Only gripe: " + clause */
extern const struct demo_list demo__mixed;    /* "%P, but %C." forms, see below */
extern const struct demo_list demo__ask_good; /* forum threads that praise */
extern const struct demo_list demo__forum;    /* forum filler sentences */
extern const struct demo_list demo__greet;    /* brand responses */
extern const struct demo_list demo__sorry;
extern const struct demo_list demo__answer_any;
extern const struct demo_list demo__sign_off;

/* A regression after a release (%V): what owners add to a complaint about
 * the product's fault while it follows the release, their titles and their
 * forum questions. */
extern const struct demo_list demo__regress;
extern const struct demo_list demo__regress_titles;
extern const struct demo_list demo__regress_asks;

/* demo__mixed and demo__title_mixed templates take two more placeholders:
 * %P the praise clause (or tag) and %C the complaint clause (or tag). */

#endif
