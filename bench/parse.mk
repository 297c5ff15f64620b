# bench/parse.mk - the front-end benchmark
