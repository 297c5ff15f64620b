# tests/cpu/local.mk - the CPU backend against double-precision references.
# the backend reads the table of kinds (liblang)
CPU_TEST_LDADD = libcpu.a liblang.a $(BLAS_LIBS) $(LIBS)
CPU_TESTS = \
	tests/cpu/gemm_test \
	tests/cpu/exp_test \
	tests/cpu/sigmoid_test \
	tests/cpu/conv_test \
	tests/cpu/winograd_test \
	tests/cpu/conv_fuse_test \
	tests/cpu/direct_test \
	tests/cpu/pool_test \
	tests/cpu/dense_test \
	tests/cpu/dropout_test \
	tests/cpu/batchnorm_test \
	tests/cpu/join_test \
	tests/cpu/loss_sgd_test \
	tests/cpu/gather_test
check_PROGRAMS += $(CPU_TESTS)
TESTS += $(CPU_TESTS)

tests_cpu_conv_test_SOURCES = tests/cpu/conv_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_conv_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_pool_test_SOURCES = tests/cpu/pool_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_pool_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_dense_test_SOURCES = tests/cpu/dense_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_dense_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_dropout_test_SOURCES = tests/cpu/dropout_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_dropout_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_batchnorm_test_SOURCES = tests/cpu/batchnorm_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_batchnorm_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_join_test_SOURCES = tests/cpu/join_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_join_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_loss_sgd_test_SOURCES = tests/cpu/loss_sgd_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_loss_sgd_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_gather_test_SOURCES = tests/cpu/gather_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_gather_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_exp_test_SOURCES = tests/cpu/exp_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_exp_test_LDADD = $(CPU_TEST_LDADD)
tests_cpu_sigmoid_test_SOURCES = tests/cpu/sigmoid_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_sigmoid_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_gemm_test_SOURCES = tests/cpu/gemm_test.c tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_gemm_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_winograd_test_SOURCES = tests/cpu/winograd_test.c tests/cpu/conv_ref.c \
	tests/cpu/conv_ref.h tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_winograd_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_conv_fuse_test_SOURCES = tests/cpu/conv_fuse_test.c tests/cpu/conv_ref.c \
	tests/cpu/conv_ref.h tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_conv_fuse_test_LDADD = $(CPU_TEST_LDADD)

tests_cpu_direct_test_SOURCES = tests/cpu/direct_test.c tests/cpu/conv_ref.c \
	tests/cpu/conv_ref.h tests/cpu/harness.c tests/cpu/harness.h
tests_cpu_direct_test_LDADD = $(CPU_TEST_LDADD)
