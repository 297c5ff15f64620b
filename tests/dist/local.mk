# tests/dist/local.mk - data-parallel training under mpirun (skipped when
# netlang was built without MPI or mpirun is absent).
TESTS += tests/dist/data_parallel.sh
EXTRA_DIST += tests/dist/data_parallel.sh tests/dist/weights_close.py tests/dist/lsan.supp
