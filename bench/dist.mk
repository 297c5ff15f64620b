# bench/dist.mk - data-parallel training: examples/sec for 1 and 2 ranks and
# the gradient sum's time per step (run by hand: bench/dist_bench.sh; see
# RESULTS.md).  allreduce_bench needs MPI.
EXTRA_DIST += bench/dist_bench.sh
if HAVE_MPI
noinst_PROGRAMS += bench/allreduce_bench
bench_allreduce_bench_SOURCES = bench/allreduce_bench.c
bench_allreduce_bench_LDADD = libruntime.a $(NL_DIST_LDADD)
endif
