/* Test cases and main() for every cmocka program.
 *
 * A case is written once, where it is defined:
 *
 *     CHORUS_TEST(name)
 *     {
 *         assert_int_equal(...);
 *     }
 *
 *     CHORUS_TEST_SETUP(name, setup, teardown)
 *     {
 *         struct h *t = *state;
 *         ...
 *     }
 *
 * and the program's main file ends with CHORUS_TEST_MAIN(). A body sees
 * cmocka's `void **state` (what setup left there; it may go unused). Each
 * macro also defines a constructor that adds the case to the program's
 * list before main() runs, so there is no array of cases to keep in step,
 * and the CMake functions of tests/CMakeLists.txt read the case names from
 * these same lines, so no CMake file lists them either. The name must
 * start the line for CMake to see it (clang-format keeps it there).
 *
 * `prog` runs every case, in the order they are written (files in link
 * order); `prog NAME` runs only the case called NAME, which is how ctest
 * runs each case as its own entry, and exits 2 when there is no such case.
 */
#ifndef CHORUS_TESTMAIN_H
#define CHORUS_TESTMAIN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

struct chorus_test_case {
    struct CMUnitTest test;
    const char *file; /* where the case is written, to run cases in that order */
    int line;
    struct chorus_test_case *next;
};

/* The program's cases in the order their constructors ran. Defined by
 * CHORUS_TEST_MAIN() in the one file that has main(); a program of several
 * files adds its other files' cases to it too. */
extern struct chorus_test_case *chorus_test_cases;

static inline void chorus_test_add(struct chorus_test_case *c)
{
    struct chorus_test_case **p = &chorus_test_cases;

    while (*p)
        p = &(*p)->next;
    *p = c;
}

#define CHORUS_TEST_SETUP(case_name, setup, teardown)                                              \
    static void case_name(void **state);                                                           \
    static struct chorus_test_case chorus_case_##case_name = {                                     \
        .test = {.name = #case_name,                                                               \
                 .test_func = case_name,                                                           \
                 .setup_func = setup,                                                              \
                 .teardown_func = teardown},                                                       \
        .file = __FILE__,                                                                          \
        .line = __LINE__,                                                                          \
    };                                                                                             \
    __attribute__((constructor)) static void chorus_add_##case_name(void)                          \
    {                                                                                              \
        chorus_test_add(&chorus_case_##case_name);                                                 \
    }                                                                                              \
    static void case_name(void **state __attribute__((unused)))

#define CHORUS_TEST(name) CHORUS_TEST_SETUP(name, NULL, NULL)

/* chorus_test_before says whether case a runs before case b: by line within
 * a file, which holds whatever order a compiler emits constructors in, and
 * files in the order their first case was added (link order). */
static inline int chorus_test_before(const struct chorus_test_case *a,
                                     const struct chorus_test_case *b)
{
    const struct chorus_test_case *c;

    if (strcmp(a->file, b->file) == 0)
        return a->line < b->line;
    for (c = chorus_test_cases; c; c = c->next) {
        if (strcmp(c->file, a->file) == 0)
            return 1;
        if (strcmp(c->file, b->file) == 0)
            return 0;
    }
    return 0;
}

/* chorus_test_run runs the case named argv[1], or every case without an
 * argument, as cmocka's group called group. Returns cmocka's result, or 2
 * when no case has that name. */
static inline int chorus_test_run(const char *group, int argc, char **argv)
{
    const struct chorus_test_case *c, **sorted;
    struct CMUnitTest *tests;
    size_t n = 0, i, j;
    int rc;

    for (c = chorus_test_cases; c; c = c->next)
        n++;
    sorted = calloc(n + 1, sizeof(*sorted));
    tests = calloc(n + 1, sizeof(*tests));
    if (!sorted || !tests)
        abort();
    /* Insertion sort: a program has tens of cases. */
    for (c = chorus_test_cases, i = 0; c; c = c->next, i++) {
        for (j = i; j > 0 && chorus_test_before(c, sorted[j - 1]); j--)
            sorted[j] = sorted[j - 1];
        sorted[j] = c;
    }
    for (i = 0; i < n; i++)
        tests[i] = sorted[i]->test;
    free(sorted);

    if (argc > 1) {
        for (i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[1]) == 0)
                break;
        if (i == n) {
            fprintf(stderr, "no test case named %s\n", argv[1]);
            free(tests);
            return 2;
        }
        cmocka_set_test_filter(argv[1]);
    }
    rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    free(tests);
    return rc;
}

/* CHORUS_TEST_MAIN() ends a program's main file: the list of cases and a
 * main() that runs them (chorus_test_run). CHORUS_TEST_MAIN_VIA(fn) is the
 * same with main() returning fn(argc, argv), for programs that check
 * something before running cases (the browser tests' br_main). */
#define CHORUS_TEST_MAIN_VIA(fn)                                                                   \
    struct chorus_test_case *chorus_test_cases;                                                    \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return fn(argc, argv);                                                                     \
    }

static inline int chorus_test_main(int argc, char **argv)
{
    return chorus_test_run("tests", argc, argv);
}

#define CHORUS_TEST_MAIN() CHORUS_TEST_MAIN_VIA(chorus_test_main)

#endif
