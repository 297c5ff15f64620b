# tests/runtime/local.mk - the plan, the trainer and the command line.
check_PROGRAMS += tests/runtime/plan_check
tests_runtime_plan_check_LDADD = $(NL_LIBS) $(NL_DIST_LDADD) $(NL_GPU_LDADD) $(BLAS_LIBS) $(LIBS)
TESTS += tests/runtime/plan_check
# LONG_TESTS train for minutes; the sanitizer build leaves them out with
# `make check LONG_TESTS=`.
LONG_TESTS = tests/runtime/lenet_accuracy.sh tests/runtime/big_nets.sh \
	tests/runtime/memory.sh
TESTS += tests/runtime/seed.sh tests/runtime/cli.sh tests/runtime/settings_doc.sh \
	tests/runtime/files.sh tests/runtime/checkpoint.sh tests/runtime/gpu_module.sh \
	tests/runtime/blas_core.sh $(LONG_TESTS)
EXTRA_DIST += tests/runtime/common.sh tests/runtime/seed.sh tests/runtime/cli.sh \
	tests/runtime/settings_doc.sh tests/runtime/memory.sh tests/runtime/files.sh \
	tests/runtime/checkpoint.sh tests/runtime/gpu_module.sh tests/runtime/blas_core.sh \
	tests/runtime/lenet_accuracy.sh tests/runtime/big_nets.sh \
	tests/runtime/subset.py
