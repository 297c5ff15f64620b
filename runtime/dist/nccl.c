/* nccl.c - summing gradients that live in GPU memory with NCCL, between
 * the GPUs of all ranks, without a trip through host memory.
 *
 * libnccl is opened when first needed, not linked: it maps a quarter of a
 * gigabyte that a netlang which never trains on several GPUs should not
 * carry, and a machine without it still trains, through host memory.
 * The two CUDA runtime calls made here come through the GPU backend
 * (nl_gpu_symbol): the program does not link CUDA itself.
 * The ranks agree on whether every one of them has it; then rank 0 draws
 * NCCL's id and MPI hands it to the others. */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include "runtime/backend.h"
#include "runtime/dist/dist.h"

static ncclResult_t (*get_unique_id)(ncclUniqueId *);
static ncclResult_t (*comm_init_rank)(ncclComm_t *, int, ncclUniqueId, int);
static ncclResult_t (*premul_sum)(ncclRedOp_t *, void *, ncclDataType_t,
                                  ncclScalarResidence_t, ncclComm_t);
static ncclResult_t (*all_reduce)(const void *, void *, size_t, ncclDataType_t,
                                  ncclRedOp_t, ncclComm_t, cudaStream_t);
static ncclResult_t (*red_op_destroy)(ncclRedOp_t, ncclComm_t);
static const char *(*error_string)(ncclResult_t);
static cudaError_t (*set_device)(int);
static cudaError_t (*stream_synchronize)(cudaStream_t);

static ncclComm_t comm;
static enum { UNTRIED, READY, ABSENT } state;

static int load(void)
{
	set_device = (cudaError_t (*)(int))nl_gpu_symbol("cudaSetDevice");
	stream_synchronize = (cudaError_t (*)(cudaStream_t))nl_gpu_symbol("cudaStreamSynchronize");
	if (!set_device || !stream_synchronize)
		return -1;
	void *h = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libnccl.so", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	get_unique_id = (ncclResult_t (*)(ncclUniqueId *))dlsym(h, "ncclGetUniqueId");
	comm_init_rank = (ncclResult_t (*)(ncclComm_t *, int, ncclUniqueId, int))
		dlsym(h, "ncclCommInitRank");
	premul_sum = (ncclResult_t (*)(ncclRedOp_t *, void *, ncclDataType_t,
	                               ncclScalarResidence_t, ncclComm_t))
		dlsym(h, "ncclRedOpCreatePreMulSum");
	all_reduce = (ncclResult_t (*)(const void *, void *, size_t, ncclDataType_t,
	                               ncclRedOp_t, ncclComm_t, cudaStream_t))
		dlsym(h, "ncclAllReduce");
	red_op_destroy = (ncclResult_t (*)(ncclRedOp_t, ncclComm_t))dlsym(h, "ncclRedOpDestroy");
	error_string = (const char *(*)(ncclResult_t))dlsym(h, "ncclGetErrorString");
	if (!get_unique_id || !comm_init_rank || !premul_sum || !all_reduce || !red_op_destroy ||
	    !error_string) {
		dlclose(h);
		return -1;
	}
	return 0;
}

static int nccl_failed(const char *what, ncclResult_t r)
{
	fprintf(stderr, "netlang: NCCL %s: %s\n", what, error_string(r));
	return -1;
}

/* Collective: every rank calls it on its first sum. */
static int open_comm(int device)
{
	if (nl_dist_max(load() != 0)) {
		state = ABSENT;   /* not every rank has NCCL: host memory and MPI */
		if (nl_dist_rank() == 0)
			fprintf(stderr, "netlang: NCCL (libnccl.so.2) is not on every rank; the "
			        "gradients go through host memory\n");
		return 1;
	}
	ncclUniqueId id;
	ncclResult_t r = ncclSuccess;
	if (nl_dist_rank() == 0)
		r = get_unique_id(&id);
	/* rank 0's failure would leave the others waiting in the broadcast */
	if (nl_dist_agree(r != ncclSuccess) >= 0)
		return r != ncclSuccess ? nccl_failed("could not start", r) : -1;
	MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
	if (set_device(device) != cudaSuccess) {
		fprintf(stderr, "netlang: NCCL: cannot use cuda:%d\n", device);
		return -1;
	}
	if ((r = comm_init_rank(&comm, nl_dist_size(), id, nl_dist_rank())) != ncclSuccess)
		return nccl_failed("could not join the ranks", r);
	state = READY;
	return 0;
}

int nl_dist_sum_device(float *buf, size_t n, float scale, int device)
{
	if (state == ABSENT)
		return 1;
	if (state == UNTRIED) {
		int rc = open_comm(device);
		if (rc)
			return rc;
	}
	/* Each rank's share of the mean is weighted before the sum, in the
	 * same pass: NCCL's pre-multiplied sum. */
	ncclRedOp_t op;
	ncclResult_t r = premul_sum(&op, &scale, ncclFloat, ncclScalarHostImmediate, comm);
	if (r != ncclSuccess)
		return nccl_failed("could not weight the gradients", r);
	/* The backend's queued work is finished (the caller synchronised);
	 * the sum runs on the default stream and is waited for, so the
	 * update that follows reads the summed gradients. */
	r = all_reduce(buf, buf, n, ncclFloat, op, comm, 0);
	red_op_destroy(op, comm);
	if (r != ncclSuccess)
		return nccl_failed("could not sum the gradients", r);
	if (stream_synchronize(0) != cudaSuccess) {
		fprintf(stderr, "netlang: NCCL: summing the gradients failed on cuda:%d\n", device);
		return -1;
	}
	return 0;
}

/* The communicator lives as long as the process: NCCL's own teardown at
 * exit is enough, and a rank that failed must not wait in ncclCommDestroy. */
