/* dist.h - data-parallel training over several processes: who this
 * process is among them, and the sums and agreements a training step
 * needs.
 *
 * Built with MPI (NL_HAVE_MPI), a netlang started by mpirun is one rank
 * of a job; started as a plain program it is the only rank and MPI is
 * never initialised.  Built without, every call below is that of a job
 * of one.  Every rank calls the collective functions (the sums, agree,
 * max) in the same order, or the job waits forever: agree is how a rank
 * that fails says so instead of leaving the others waiting.
 *
 * With NCCL (NL_HAVE_NCCL), gradients held in GPU memory are summed
 * between GPUs directly; without it, through host memory and MPI.
 */
#ifndef NL_DIST_H
#define NL_DIST_H

#include <stddef.h>

/* Join the job when mpirun started this process (else nothing).  Ranks
 * other than 0 stop printing to stdout; the messages each writes to
 * stderr about its own failures are headed "netlang: rank N: ".
 * Returns 0, or -1 after a message. */
int nl_dist_init(void);
/* Leave the job (MPI_Finalize); status is returned, made non-zero when
 * another rank's status was.  Call it on every rank, as the last
 * collective call. */
int nl_dist_finalize(int status);

int nl_dist_rank(void);        /* 0 .. size-1 */
int nl_dist_size(void);        /* 1 without mpirun */
int nl_dist_local_rank(void);  /* among the ranks on this machine */
int nl_dist_local_size(void);

/* Rank r's contiguous share of total items: the first total % size ranks
 * take one more than the rest. */
static inline void nl_dist_share(long total, int rank, int size, long *first, long *count)
{
	long q = total / size, r = total % size;
	*first = rank * q + (rank < r ? rank : r);
	*count = q + (rank < r);
}

/* buf = the sum over ranks of scale x buf, in place, in host memory.
 * Returns 0, or -1 after a message. */
int nl_dist_sum_floats(float *buf, size_t n, float scale);
/* The same for a buffer in the memory of CUDA device `device` (NCCL);
 * returns -1 after a message on failure, and 1 when this build has no
 * NCCL (the caller goes through host memory). */
int nl_dist_sum_device(float *buf, size_t n, float scale, int device);
/* v = the sum over ranks of v, n doubles (evaluation counts, losses). */
void nl_dist_sum_doubles(double *v, int n);

/* Every rank says whether it failed; all learn the lowest failing rank,
 * or -1 when none did.  Rank 0 says which rank stopped the job. */
int nl_dist_agree(int failed);
/* The largest v over ranks (a signal one rank received). */
int nl_dist_max(int v);

#endif
