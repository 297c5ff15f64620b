/* mpi.c - dist.h over MPI: a rank of the job mpirun started, or the only
 * process when there is none.
 *
 * MPI is initialised only when a launcher's variables say this process is
 * one of a job: a netlang started by hand pays nothing for being built
 * with MPI (no singleton start-up, no daemon).
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <mpi.h>

#include "runtime/dist/dist.h"
#include "runtime/dist/messages.h"

static int joined, rank, size = 1, local_rank, local_size = 1;

/* Open MPI's, MPICH's (Hydra) and PMIx's variables. */
static int env_int(const char *const *names, int fallback)
{
	for (int i = 0; names[i]; i++) {
		const char *v = getenv(names[i]);
		if (v && *v)
			return atoi(v);
	}
	return fallback;
}

static int launched(void)
{
	static const char *const n[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", NULL };
	return env_int(n, -1) >= 0;
}

int nl_dist_init(void)
{
	if (joined || !launched())
		return 0;
	int provided;
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "netlang: MPI did not start\n");
		return -1;
	}
	joined = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	static const char *const lr[] = { "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", NULL };
	static const char *const ls[] = { "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", NULL };
	local_rank = env_int(lr, rank);
	local_size = env_int(ls, size);
	if (size > 1) {
		if (rank > 0) {
			/* rank 0 alone reports progress and results */
			fflush(stdout);
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, STDOUT_FILENO);
				close(null);
			}
		}
		nl_messages_name_rank(rank);
	}
	return 0;
}

int nl_dist_finalize(int status)
{
	if (!joined)
		return status;
	if (nl_dist_agree(status != 0) >= 0 && status == 0)
		status = 1;
	fflush(stdout);
	fflush(stderr);
	MPI_Finalize();
	joined = 0;
	return status;
}

int nl_dist_rank(void) { return rank; }
int nl_dist_size(void) { return size; }
int nl_dist_local_rank(void) { return local_rank; }
int nl_dist_local_size(void) { return local_size; }

/* MPI counts are ints: a buffer larger than INT_MAX floats goes in pieces. */
enum { CHUNK = 1 << 30 };

int nl_dist_sum_floats(float *buf, size_t n, float scale)
{
	if (scale != 1.0f)
		for (size_t i = 0; i < n; i++)
			buf[i] *= scale;
	if (size == 1)
		return 0;
	for (size_t at = 0; at < n; at += CHUNK) {
		int c = n - at < CHUNK ? (int)(n - at) : CHUNK;
		if (MPI_Allreduce(MPI_IN_PLACE, buf + at, c, MPI_FLOAT, MPI_SUM,
		                  MPI_COMM_WORLD) != MPI_SUCCESS) {
			fprintf(stderr, "netlang: summing gradients between ranks failed\n");
			return -1;
		}
	}
	return 0;
}

void nl_dist_sum_doubles(double *v, int n)
{
	if (size > 1)
		MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

int nl_dist_agree(int failed)
{
	if (size == 1)
		return failed ? 0 : -1;
	int mine = failed ? rank : INT_MAX, lowest = mine;
	MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (lowest == INT_MAX)
		return -1;
	static int told;   /* the first failure is the one worth naming */
	if (rank == 0 && lowest != 0 && !told++)
		fprintf(stderr, "netlang: rank %d failed (its message is above); every rank "
		        "stops\n", lowest);
	return lowest;
}

int nl_dist_max(int v)
{
	int m = v;
	if (size > 1)
		MPI_Allreduce(&v, &m, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return m;
}

#ifndef NL_HAVE_NCCL
int nl_dist_sum_device(float *buf, size_t n, float scale, int device)
{
	(void)buf; (void)n; (void)scale; (void)device;
	return 1;
}
#endif
