# tests/local.mk - each area keeps its tests in a folder of its own.
include tests/lang/local.mk
include tests/cpu/local.mk
include tests/data/local.mk
include tests/runtime/local.mk
include tests/repl/local.mk
include tests/gpu/local.mk
include tests/export/local.mk
include tests/report/local.mk
include tests/dist/local.mk
