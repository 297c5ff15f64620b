# bench/parse.mk - the front-end benchmark
noinst_PROGRAMS += bench/parse_bench
bench_parse_bench_SOURCES = bench/parse_bench.c
bench_parse_bench_LDADD = liblang.a
