# tests/report/local.mk - what netlang shows besides its listings: the
# drawing, the table's columns and totals, --explain, the pictures after a
# run, the live curves, and the documentation of them.
REPORT_TESTS = tests/report/draw.sh tests/report/table.sh tests/report/explain.sh \
	tests/report/pictures.sh tests/report/docs.sh
TESTS += $(REPORT_TESTS) tests/report/test_curves
check_PROGRAMS += tests/report/test_curves
tests_report_test_curves_SOURCES = tests/report/test_curves.c tests/data/dtest.h tests/data/dtest.c
tests_report_test_curves_LDADD = libruntime.a liblang.a $(LIBS)
EXTRA_DIST += $(REPORT_TESTS) tests/report/common.sh tests/report/check_draw.py \
	tests/report/check_explain.py tests/report/check_pictures.py
