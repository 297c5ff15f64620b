/* test_curves.c - --plot's live curves: points added a few at a time,
 * the file rewritten after each, as training does.  After every write the
 * file is whole (it ends its SVG), holds every point so far, and is a new
 * file put in place by a rename: a reader that had the old one open still
 * reads the old one whole, which is no longer linked, never a file
 * written over in place where a browser could read half of it; no
 * temporary is left.
 * The last file is checked by check_pictures.py. */
#include <config.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/report/report.h"
#include "tests/data/dtest.h"

/* The number of points in the polyline of class cls. */
static int points(const char *svg, const char *cls)
{
	char key[64];
	snprintf(key, sizeof key, "class=\"%s\"", cls);
	const char *p = strstr(svg, key);
	if (!p || !(p = strstr(p, "points=\"")))
		return -1;
	p += 8;
	int n = 0;
	for (; *p && *p != '"'; p++)
		n += *p == ',';
	return n;
}

int main(void)
{
	const char *dir = dt_tempdir();
	char *path = dt_join(dir, "live.svg");
	nl_curves c;
	nl_curves_init(&c, path, "live <&>", 3);
	int writes = 0;
	for (int e = 0; e < 3; e++) {
		for (int k = 1; k <= 5; k++) {
			double x = e + k / 5.0;
			CHECK(nl_curves_add(&c, x, 2.0 * exp(-x), 1 - exp(-x)) == 0, "add");
			int old = open(path, O_RDONLY);   /* a reader of the last one */
			CHECK(nl_curves_write(&c) == 0, "write");
			writes++;
			if (old >= 0) {
				struct stat was, now;
				char tail[8] = "";
				CHECK(fstat(old, &was) == 0 && was.st_nlink == 0 && stat(path, &now) == 0 &&
				      now.st_ino != was.st_ino, "write %d: the file was written in place",
				      writes);
				CHECK(lseek(old, -7, SEEK_END) >= 0 && read(old, tail, 7) == 7 &&
				      strcmp(tail, "</svg>\n") == 0, "write %d: the old file was cut", writes);
				close(old);
			}
			size_t n;
			char *svg = (char *)dt_read(path, &n);
			CHECK(svg != NULL, "no file after a write");
			if (!svg)
				continue;
			svg = realloc(svg, n + 1);
			svg[n] = '\0';
			CHECK(n > 7 && strcmp(svg + n - 7, "</svg>\n") == 0, "write %d: the file is not whole",
			      writes);
			CHECK(points(svg, "train-loss") == e * 5 + k, "write %d: %d loss points, expected %d",
			      writes, points(svg, "train-loss"), e * 5 + k);
			CHECK(points(svg, "test-acc") == e, "write %d: %d test points before epoch %d ends",
			      writes, points(svg, "test-acc"), e + 1);
			free(svg);
		}
		CHECK(nl_curves_add_test(&c, e + 1, 0.5 + 0.1 * e) == 0, "add a test point");
		CHECK(nl_curves_write(&c) == 0, "write");
	}
	CHECK(dt_count_entries(dir) == 1, "a temporary file was left behind");
	nl_curves_free(&c);

	/* the whole run checked as the command line's is */
	const char *src = getenv("top_srcdir");
	char script[4096];
	snprintf(script, sizeof script, "%s/tests/report/check_pictures.py", src && *src ? src : "..");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
		execlp(py, py, script, "curves", path, "3", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "check_pictures.py curves failed");

	/* nowhere to write: an error, and the points are kept */
	char *bad = dt_join(dir, "no/such/dir/live.svg");
	nl_curves_init(&c, bad, "x", 1);
	nl_curves_add(&c, 0.5, 1, 0.5);
	dt_capture_begin();
	int rc = nl_curves_write(&c);
	char *log = dt_capture_end();
	CHECK(rc == -1, "writing into a missing directory succeeded");
	CHECK_HAS(log, bad);
	CHECK(c.n == 1, "the points were lost");
	free(log);
	nl_curves_free(&c);
	free(bad);
	free(path);
	return dt_finish();
}
