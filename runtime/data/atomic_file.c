/* atomic_file.c - temp file, fsync, rename (see atomic_file.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/data/atomic_file.h"

/* The temporaries being written, for nl_atomic_unlink_all() to remove from
 * a signal handler: fixed slots, no allocation, a flag per slot. */
enum { MAX_LIVE = 8, LIVE_PATH = PATH_MAX };
static char live_path[MAX_LIVE][LIVE_PATH];
static volatile sig_atomic_t live_used[MAX_LIVE];

static void live_add(const char *tmp)
{
	if (strlen(tmp) >= LIVE_PATH)
		return;
	for (int i = 0; i < MAX_LIVE; i++)
		if (!live_used[i]) {
			strcpy(live_path[i], tmp);
			live_used[i] = 1;
			return;
		}
}

static void live_remove(const char *tmp)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live_used[i] && strcmp(live_path[i], tmp) == 0)
			live_used[i] = 0;
}

void nl_atomic_unlink_all(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live_used[i]) {
			unlink(live_path[i]);
			live_used[i] = 0;
		}
}

static void release(nl_atomic_file *a)
{
	if (a->tmp)
		live_remove(a->tmp);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->f = NULL;
}

/* What a path names when followed through symbolic links: the link's
 * target, even one that does not exist yet (written then, as a plain
 * open would).  NULL, errno set, for a loop or a name too long. */
static char *follow_links(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur && hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		char target[PATH_MAX];
		ssize_t n = readlink(cur, target, sizeof target - 1);
		if (n < 0) {
			free(cur);
			return NULL;
		}
		target[n] = '\0';
		char *next;
		const char *slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash) {
			next = strdup(target);
		} else {   /* relative to the link's own directory */
			size_t dir = (size_t)(slash - cur) + 1;
			next = malloc(dir + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dir);
				memcpy(next + dir, target, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	if (cur) {
		free(cur);
		errno = ELOOP;
	}
	return NULL;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	     : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int nl_atomic_check(const char *path)
{
	char *real = follow_links(path);
	if (!real) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = 0;
	if (stat(real, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "netlang: cannot write %s: it is %s, not a file\n", path,
		        file_kind(st.st_mode));
		rc = -1;
	} else {
		/* The temporary goes beside the target: its directory must take it. */
		const char *slash = strrchr(real, '/');
		char *dir = slash ? strndup(real, slash == real ? 1 : (size_t)(slash - real))
		                  : strdup(".");
		if (!dir || access(dir, W_OK | X_OK) != 0) {
			fprintf(stderr, "netlang: cannot write %s: %s\n", path,
			        dir ? strerror(errno) : "out of memory");
			rc = -1;
		}
		free(dir);
	}
	free(real);
	return rc;
}

int nl_atomic_open(nl_atomic_file *a, const char *path)
{
	a->f = NULL;
	a->tmp = NULL;
	if (nl_atomic_check(path))
		return -1;
	a->path = follow_links(path);   /* a link is written through, not replaced */
	size_t n = a->path ? strlen(a->path) : 0;
	a->tmp = a->path ? malloc(n + sizeof ".tmpXXXXXX") : NULL;
	if (!a->path || !a->tmp) {
		fprintf(stderr, "netlang: %s: out of memory\n", path);
		release(a);
		return -1;
	}
	memcpy(a->tmp, a->path, n);
	memcpy(a->tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
	int fd = mkstemp(a->tmp);
	if (fd < 0) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path, strerror(errno));
		free(a->tmp);
		a->tmp = NULL;
		release(a);
		return -1;
	}
	live_add(a->tmp);
	/* mkstemp makes the file 0600; give it the mode a plain fopen would. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		/* Not fatal: the file is still correct, only less widely readable. */
	}
	a->f = fdopen(fd, "wb");
	if (!a->f) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(a->tmp);
		release(a);
		return -1;
	}
	return 0;
}

void nl_atomic_abort(nl_atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	release(a);
}

/* Make the rename itself durable; failure here loses nothing already
 * written, so it is not reported. */
static void sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int nl_atomic_commit(nl_atomic_file *a)
{
	int err = 0;
	errno = 0;
	if (fflush(a->f) != 0 || ferror(a->f))
		err = errno ? errno : EIO;
	else if (fsync(fileno(a->f)) != 0)
		err = errno;
	if (fclose(a->f) != 0 && !err)
		err = errno ? errno : EIO;
	a->f = NULL;
	if (!err && rename(a->tmp, a->path) != 0)
		err = errno;
	if (err) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", a->path, strerror(err));
		unlink(a->tmp);
		release(a);
		return -1;
	}
	sync_parent_dir(a->path);
	release(a);
	return 0;
}
