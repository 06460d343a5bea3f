/* Shared main for cmocka unit programs: `prog` runs every case, `prog NAME`
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

#define CHORUS_TEST_MAIN(tests)                                                                    \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        if (argc > 1) {                                                                            \
            size_t i_, n_ = sizeof(tests) / sizeof(tests[0]);                                      \
            for (i_ = 0; i_ < n_; i_++)                                                            \
                if (strcmp(tests[i_].name, argv[1]) == 0)                                          \
                    break;                                                                         \
            if (i_ == n_) {                                                                        \
                fprintf(stderr, "no test case named %s\\n", argv[1]);                              \
                return 2;                                                                          \
            }                                                                                      \
            cmocka_set_test_filter(argv[1]);                                                       \
        }                                                                                          \
        return cmocka_run_group_tests(tests, NULL, NULL);                                          \
    }

#endif
