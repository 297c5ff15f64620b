/* atomic_file.c - temp file, fsync, rename (see atomic_file.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/data/atomic_file.h"

static void release(nl_atomic_file *a)
{
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->f = NULL;
}

int nl_atomic_open(nl_atomic_file *a, const char *path)
{
	a->f = NULL;
	a->path = strdup(path);
	size_t n = strlen(path);
	a->tmp = malloc(n + sizeof ".tmpXXXXXX");
	if (!a->path || !a->tmp) {
		fprintf(stderr, "netlang: %s: out of memory\n", path);
		release(a);
		return -1;
	}
	memcpy(a->tmp, path, n);
	memcpy(a->tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
	int fd = mkstemp(a->tmp);
	if (fd < 0) {
		fprintf(stderr, "netlang: cannot write %s: %s\n", path, strerror(errno));
		release(a);
		return -1;
	}
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
