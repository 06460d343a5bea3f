/* Shared main for cmocka programs: `prog` runs every case, `prog NAME`
 * runs only the case called NAME (ctest registers one entry per case). */
#ifndef CHORUS_TESTMAIN_H
#define CHORUS_TESTMAIN_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* chorus_test_run runs the case of tests named argv[1], or all n of them
 * without an argument, as cmocka's group called group. Returns cmocka's
 * result, or 2 when no case has that name. */
static inline int chorus_test_run(const char *group, const struct CMUnitTest *tests, size_t n,
                                  int argc, char **argv)
{
    if (argc > 1) {
        size_t i;

        for (i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[1]) == 0)
                break;
        if (i == n) {
            fprintf(stderr, "no test case named %s\n", argv[1]);
            return 2;
        }
        cmocka_set_test_filter(argv[1]);
    }
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

#define CHORUS_TEST_MAIN(tests)                                                                    \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return chorus_test_run(#tests, tests, sizeof(tests) / sizeof(tests[0]), argc, argv);       \
    }

#endif
