/* plot_test.c - the SVG training plot: for several runs (ten epochs with
 * unmeasured test points, one epoch, a loss far above 1, a title full of
 * XML's special characters) the file is checked by check_svg.py with
 * Python's XML parser; bad calls fail cleanly and leave no file. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/report/report.h"
#include "tests/data/dtest.h"

static const char *dir;

static int run_checker(const char *svg, const char *values, const char *title)
{
	const char *src = getenv("top_srcdir");
	char script[4096];
	snprintf(script, sizeof script, "%s/tests/data/check_svg.py", src && *src ? src : "..");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
		execlp(py, py, script, svg, values, title, (char *)NULL);
		fprintf(stderr, "cannot run python3: the plot test needs it\n");
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void plot_case(const char *name, const char *title, int n, const double *loss,
                      const double *train, const double *test)
{
	char file[256];
	snprintf(file, sizeof file, "%s.svg", name);
	char *svg = dt_join(dir, file);
	snprintf(file, sizeof file, "%s.values", name);
	char *values = dt_join(dir, file);
	FILE *f = fopen(values, "w");
	if (!f)
		exit(99);
	const double *s[3] = { loss, train, test };
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%.17g", i ? " " : "", s[k][i]);
		fputc('\n', f);
	}
	fclose(f);
	int rc = nl_plot_svg(svg, title, n, loss, train, test);
	CHECK(rc == 0, "%s: nl_plot_svg failed", name);
	if (rc == 0)
		CHECK(run_checker(svg, values, title) == 0, "%s: %s failed the check", name, svg);
	free(svg);
	free(values);
}

int main(void)
{
	dir = dt_tempdir();

	/* D2L's LeNet run, test accuracy measured every other epoch. */
	double loss[10], train[10], test[10];
	for (int i = 0; i < 10; i++) {
		loss[i] = 2.3 * exp(-0.5 * i) + 0.45;
		train[i] = 0.82 - 0.6 * exp(-0.6 * i);
		test[i] = i % 2 ? 0.79 - 0.6 * exp(-0.6 * i) : NAN;
	}
	plot_case("lenet", "lenet.net", 10, loss, train, test);

	double l1[1] = { 0.9 }, a1[1] = { 0.66 }, t1[1] = { 0.7 };
	plot_case("one-epoch", "one epoch", 1, l1, a1, t1);

	double big[25], acc[25], none[25];
	for (int i = 0; i < 25; i++) {
		big[i] = 7.5 / (i + 1);
		acc[i] = 0.1 + 0.03 * i;
		none[i] = NAN;
	}
	big[3] = INFINITY;      /* a diverged step is not a point either */
	plot_case("high-loss", "vgg <11> & \"friends\" 'here'", 25, big, acc, none);

	/* Nothing to plot, and nowhere to write: errors, no files. */
	int before = dt_count_entries(dir);
	char *p = dt_join(dir, "zero.svg");
	dt_capture_begin();
	int rc0 = nl_plot_svg(p, "x", 0, loss, train, test);
	char *bad = dt_join(dir, "missing/dir/p.svg");
	int rc1 = nl_plot_svg(bad, "x", 10, loss, train, test);
	char *log = dt_capture_end();
	CHECK(rc0 == -1 && rc1 == -1, "bad calls must fail");
	CHECK_HAS(log, "no epochs to plot", "cannot write", bad);
	CHECK(dt_count_entries(dir) == before, "a failed plot left a file behind");
	free(log);
	free(p);
	free(bad);
	return dt_finish();
}
