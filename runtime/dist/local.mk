# runtime/dist/local.mk - several processes training one model: MPI when
# configure found it (NCCL beside it for GPUs), else a job of one.
# Programs that link libruntime.a add $(NL_DIST_LDADD) after it.
libruntime_a_SOURCES += runtime/dist/dist.h
libruntime_a_CPPFLAGS = $(AM_CPPFLAGS) $(MPI_CFLAGS) $(NL_DIST_CUDA_CPPFLAGS)
NL_DIST_LDADD = $(MPI_LIBS) $(NCCL_LIBS)
EXTRA_DIST += runtime/dist/mpi.c runtime/dist/none.c runtime/dist/nccl.c \
	runtime/dist/messages.h runtime/dist/messages.c
if HAVE_MPI
libruntime_a_SOURCES += runtime/dist/mpi.c runtime/dist/messages.h runtime/dist/messages.c
if HAVE_NCCL
libruntime_a_SOURCES += runtime/dist/nccl.c
NL_DIST_CUDA_CPPFLAGS = $(CUDA_CPPFLAGS)
else
NL_DIST_CUDA_CPPFLAGS =
endif
else
libruntime_a_SOURCES += runtime/dist/none.c
endif
