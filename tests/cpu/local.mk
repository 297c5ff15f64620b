# tests/cpu/local.mk - the CPU backend against double-precision references.
CPU_TEST_LDADD = libcpu.a $(BLAS_LIBS) $(LIBS)
CPU_TESTS = \
	tests/cpu/conv_test
check_PROGRAMS += $(CPU_TESTS)
TESTS += $(CPU_TESTS)

tests_cpu_conv_test_SOURCES = tests/cpu/conv_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_conv_test_LDADD = $(CPU_TEST_LDADD)
