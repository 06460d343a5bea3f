/* text_term_actionable: the digest keeps parts, symptoms and versions, and
 * drops the vocabulary of complaining. */
#include "testmain.h"

#include "chorus/base.h"
#include "chorus/text.h"

CHORUS_TEST(actionable_terms)
{
    static const char *const keep[] = {
        "hinge",     "hinge cracked", "bezel",         "standby drain",  "lid wobbles",
        "usb c",     "keys stopped",  "visible crack", "charging",       "sleep",
        "fan noise", "bios",          "driver error",  "power delivery", "assembly",
    };
    static const char *const drop[] = {
        "use",         "become",          "wanted",       "second", "returned",    "terrible",
        "really",      "constantly",      "months",       "whole",  "second unit", "normal use",
        "hinge feels", "stopped working", "disappointed", "three",  "laptop",      "",
    };
    struct text_taxonomy *t = NULL;

    assert_int_equal(text_taxonomy_default(&t), 0);
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (!text_term_actionable(t, keep[i]))
            fail_msg("\"%s\" was dropped", keep[i]);
    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
        if (text_term_actionable(t, drop[i]))
            fail_msg("\"%s\" was kept", drop[i]);
    /* Without a taxonomy a listed word is dropped even when it names a
     * part elsewhere; with it, it is kept. */
    assert_false(text_term_actionable(NULL, "hinge feels"));
    assert_false(text_term_actionable(t, NULL));
    text_taxonomy_free(t);
}
