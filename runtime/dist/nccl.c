/* nccl.c - summing gradients that live in GPU memory with NCCL, between
 * the GPUs of all ranks, without a trip through host memory.  The
 * communicator is made on first use: rank 0 draws NCCL's id and MPI
 * hands it to the others. */
#include <config.h>

#include <stdio.h>
#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include "runtime/dist/dist.h"

static ncclComm_t comm;
static int comm_device = -1;

static int nccl_failed(const char *what, ncclResult_t r)
{
	fprintf(stderr, "netlang: NCCL %s: %s\n", what, ncclGetErrorString(r));
	return -1;
}

static int open_comm(int device)
{
	ncclUniqueId id;
	ncclResult_t r;
	if (nl_dist_rank() == 0 && (r = ncclGetUniqueId(&id)) != ncclSuccess)
		return nccl_failed("could not start", r);
	MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
	if (cudaSetDevice(device) != cudaSuccess) {
		fprintf(stderr, "netlang: NCCL: cannot use cuda:%d\n", device);
		return -1;
	}
	if ((r = ncclCommInitRank(&comm, nl_dist_size(), id, nl_dist_rank())) != ncclSuccess)
		return nccl_failed("could not join the ranks", r);
	comm_device = device;
	return 0;
}

int nl_dist_sum_device(float *buf, size_t n, float scale, int device)
{
	if (nl_dist_size() == 1 && scale == 1.0f)
		return 0;
	if (comm_device < 0 && open_comm(device))
		return -1;
	/* Each rank's share of the mean is weighted before the sum, in the
	 * same pass: NCCL's pre-multiplied sum. */
	ncclRedOp_t op;
	ncclResult_t r = ncclRedOpCreatePreMulSum(&op, &scale, ncclFloat,
	                                          ncclScalarHostImmediate, comm);
	if (r != ncclSuccess)
		return nccl_failed("could not weight the gradients", r);
	/* The backend's queued work is finished (the caller synchronised);
	 * the sum runs on the default stream and is waited for, so the
	 * update that follows reads the summed gradients. */
	r = ncclAllReduce(buf, buf, n, ncclFloat, op, comm, 0);
	ncclRedOpDestroy(op, comm);
	if (r != ncclSuccess)
		return nccl_failed("could not sum the gradients", r);
	if (cudaStreamSynchronize(0) != cudaSuccess) {
		fprintf(stderr, "netlang: NCCL: summing the gradients failed on cuda:%d\n", device);
		return -1;
	}
	return 0;
}

/* The communicator lives as long as the process: NCCL's own teardown at
 * exit is enough, and a rank that failed must not wait in ncclCommDestroy. */
