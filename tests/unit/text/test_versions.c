/* text_versions: versions named in review text, normalised, deduplicated
 * and capped; and the many numbers in reviews that are not versions. */
#include "testmain.h"

#include <stdio.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/text.h"

static const char *versions(const char *title, const char *body)
{
    static char out[TEXT_VERSIONS_BUF];

    memset(out, 'x', sizeof(out));
    text_versions(title, body, out, sizeof(out));
    return out;
}

CHORUS_TEST(versions_in_real_looking_sentences)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"Since BIOS 1.14 the battery drains overnight.", "BIOS 1.14"},
        {"since bios 1.14 the battery drains", "BIOS 1.14"},
        {"Updated the BIOS to 1.14 and now the fan never stops", "BIOS 1.14"},
        {"BIOS version 1.12 fixed the sleep issue", "BIOS 1.12"},
        {"After the BIOS update to version 1.15.0 it won't wake from sleep", "BIOS 1.15.0"},
        {"Intel graphics driver 31.0.101.4502 causes flicker", "driver 31.0.101.4502"},
        {"The driver version 31.0.101 crashes Teams", "driver 31.0.101"},
        {"firmware 2.3 bricked my dock", "firmware 2.3"},
        {"Dock fw v2.3 is still buggy", "firmware 2.3"},
        {"Firmware is now v2.3.1, same problem", "firmware 2.3.1"},
        {"the 1.14 BIOS update made it worse", "BIOS 1.14"},
        {"Rolled back from BIOS 1.14 to 1.12 and the battery is fine again", "BIOS 1.14,BIOS 1.12"},
        {"Dell BIOS A12 still has the fan bug", "BIOS A12"},
        {"UEFI 2.7 update failed twice", "UEFI 2.7"},
        {"Drivers 27.20.100.9664 from the support site fixed it", "driver 27.20.100.9664"},
        {"BIOS (1.9.0) and touchpad driver 19.5 both installed", "BIOS 1.9.0,driver 19.5"},
        {"BIOS 1.14. Battery drains, BIOS 1.14 again, bios 1.14 everywhere", "BIOS 1.14"},
        {"firmware 01.04 was OK", "firmware 01.04"},
        {"Rolled the graphics driver back to 31.0.101", "driver 31.0.101"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = versions(NULL, cases[i].text);

        if (strcmp(got, cases[i].want) != 0)
            fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].text, got, cases[i].want);
    }
}

CHORUS_TEST(numbers_that_are_not_versions)
{
    static const char *const none[] = {
        "Paid $1.99 for the adapter, 5 stars",
        "4.5 stars, would buy again",
        "Two years in and the hinge cracked after 2 years of use",
        "XPS 13 is the best laptop I owned; the XPS 15 9520 too",
        "Inspiron 15 3520 with 16 GB RAM and a 1.5 TB disk",
        "Delivered on 12.05.2024, returned on 14.05.2024",
        "I updated the BIOS 2 times and the firmware 3 weeks ago",
        "The driver crashed 3.5 times a day",
        "firmware 2.4 GHz band keeps dropping",
        "driver 4.5 stars overall",
        "Battery lasts 7.5 hours, charges at 65 W",
        "Windows 11 update 22H2 broke wifi",
        "BIOS. 1.14 is my lucky number",
        "The screen is 15.6 inches and 300 nits",
        "Costs 1,299.99 with the BIOS $1.14 fee",
        "The firmware \xe2\x82\xac"
        "2.99 upgrade, the driver \xc2\xa3"
        "3.50 one",
        "The firmware \xe2\x82\xac"
        "2.99 upgrade, the driver \xc2\xa3"
        "3.50 one",
        "Version 2.0 of the app is fine",
        "bios",
        "",
    };

    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        const char *got = versions(none[i], NULL);

        if (*got)
            fail_msg("\"%s\": got \"%s\", want none", none[i], got);
    }
    assert_string_equal(versions(NULL, NULL), "");
}

CHORUS_TEST(versions_from_title_and_body_capped)
{
    char body[4096], small[16];
    size_t n = 0;

    assert_string_equal(versions("BIOS 1.14 ruined it", "Before BIOS 1.12 it was fine; BIOS 1.14 "
                                                        "drains. driver 2.1 too"),
                        "BIOS 1.14,BIOS 1.12,driver 2.1");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "firmware 1.%d, ", i);
    assert_string_equal(versions(NULL, body), "firmware 1.0,firmware 1.1,firmware 1.2,firmware "
                                              "1.3,firmware 1.4,firmware 1.5,firmware "
                                              "1.6,firmware 1.7");
    /* A smaller buffer gets the whole versions that fit. */
    text_versions(NULL, "BIOS 1.14 and driver 31.0.101", small, sizeof(small));
    assert_string_equal(small, "BIOS 1.14");
    /* A number too long to be a version is not cut into one. */
    assert_string_equal(versions(NULL, "BIOS 1.2.3.4.5.6.7.8.9.10.11.12.13"), "");
    /* Non-ASCII around and inside is only a separator. */
    assert_string_equal(versions(NULL, "Mise à jour du BIOS 1.14 – la batterie se vide"),
                        "BIOS 1.14");
    assert_string_equal(versions(NULL, "BIOS\xe2\x80\x94"
                                       "1.14"),
                        "BIOS 1.14");
}
