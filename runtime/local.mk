# runtime/local.mk - everything between a checked graph and a result: one
# library, a folder per concern, each adding its files in its local.mk.
#   plan/    the execution plan: memory, steps, parameters
#   train/   the training and evaluation loops, the choice of backend
#   data/    data sets, weights files, atomic writes
#   report/  plots, --time, the memory figure
#   repl/    the interactive session and teaching scripts
#   export/  PyTorch code, ONNX models, logits for other frameworks
#   dist/    several processes training one model (MPI, NCCL)
#   cli/     the netlang command
#   cpu/     the CPU backend (its own library, cpu/local.mk)
noinst_LIBRARIES += libruntime.a
libruntime_a_SOURCES = runtime/backend.h runtime/rng.h
include runtime/plan/local.mk
include runtime/train/local.mk
include runtime/dist/local.mk
include runtime/data/local.mk
include runtime/report/local.mk
include runtime/repl/local.mk
include runtime/export/local.mk
include runtime/cli/local.mk
