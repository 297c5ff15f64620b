# tests/lang/local.mk - the front end's tests: golden listings, parameter
# totals, malformed programs with their exact diagnostics.
check_PROGRAMS += tests/lang/nlcheck
tests_lang_nlcheck_SOURCES = tests/lang/nlcheck.c
tests_lang_nlcheck_LDADD = liblang.a
