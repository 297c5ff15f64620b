# bench/train.mk - training throughput against PyTorch (run by hand:
# /usr/bin/python3 bench/train_bench.py --device cpu|gpu; see RESULTS.md),
# and the sgemm ceiling it prints above its table.
EXTRA_DIST += bench/train_bench.py bench/torch_train.py bench/RESULTS.md
noinst_PROGRAMS += bench/sgemm_peak
bench_sgemm_peak_SOURCES = bench/sgemm_peak.c
bench_sgemm_peak_LDADD = libcpu.a liblang.a $(BLAS_LIBS) $(LIBS)
# One convolution layer by each algorithm, timed in turns (see its header).
noinst_PROGRAMS += bench/conv_bench
bench_conv_bench_SOURCES = bench/conv_bench.c
bench_conv_bench_LDADD = libcpu.a liblang.a $(BLAS_LIBS) $(LIBS)
