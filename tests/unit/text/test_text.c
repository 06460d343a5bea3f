/* Unit tests of the text module (text/): words, the component
 * taxonomy and its matcher, distinctive terms, sentiment. The cases live in
 * one file per area (test_words.c, test_taxonomy.c, test_match.c,
 * test_terms.c, test_sentiment.c), each registering its own; this file
 * only holds main(). */
#include "testmain.h"

CHORUS_TEST_MAIN()
