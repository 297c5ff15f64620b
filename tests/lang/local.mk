# tests/lang/local.mk - the front end's tests: golden listings, parameter
# totals, malformed programs with their exact diagnostics, the REPL calls.
check_PROGRAMS += tests/lang/nlcheck tests/lang/repl_api tests/lang/kinds_test \
	tests/lang/oom_test
tests_lang_oom_test_SOURCES = tests/lang/oom_test.c
tests_lang_oom_test_LDADD = liblang.a
tests_lang_oom_test_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
tests_lang_kinds_test_SOURCES = tests/lang/kinds_test.c
tests_lang_kinds_test_LDADD = liblang.a
tests_lang_nlcheck_SOURCES = tests/lang/nlcheck.c
tests_lang_nlcheck_LDADD = liblang.a
tests_lang_repl_api_SOURCES = tests/lang/repl_api.c
tests_lang_repl_api_LDADD = liblang.a
TESTS += tests/lang/golden.sh tests/lang/errors.sh tests/lang/scale.sh tests/lang/repl_api \
	tests/lang/kinds_test tests/lang/oom_test
EXTRA_DIST += tests/lang/golden.sh tests/lang/errors.sh tests/lang/scale.sh \
	tests/lang/gen_expected.py tests/lang/golden tests/lang/errors \
	tests/fuzz/run.sh tests/fuzz/fuzz_parser.c tests/fuzz/corpus \
	tests/fuzz/fuzz_use.c tests/fuzz/fuzz_session.c tests/fuzz/fuzz_weights.c \
	tests/fuzz/fuzz_idx.c tests/fuzz/tiny_idx.py
