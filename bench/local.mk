# bench/local.mk - benchmark programs (not tests): each prints a table.
include bench/parse.mk
include bench/train.mk
include bench/dist.mk
