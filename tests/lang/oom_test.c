/* oom_test.c - the front end when memory runs out: every allocation that
 * loading and building a program makes is failed in turn (the program is
 * linked with --wrap=malloc,calloc,realloc,strdup,strndup), and each run
 * must end in a diagnostic that says so, or succeed, never crash or abort;
 * under the sanitizers nothing may leak either. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/lang.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static long calls, fail_at = -1;

static int fails(void)
{
	return fail_at >= 0 && ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fails() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fails() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fails() ? NULL : __real_strndup(s, n); }

/* Blocks, repeats, a join and a train section: every kind of thing the
 * front end stores; main() adds an expression nested deep enough that the
 * parser's stack must grow. */
static char program[8192];
static const char base_program[] =
	"def block(n, c) {\n"
	"    repeat n { conv 3x3 -> c pad 1; relu }\n"
	"    maxpool 2x2\n"
	"}\n"
	"input 1x32x32\n"
	"block(2, 8)\n"
	"add {\n"
	"    branch { conv 3x3 -> 8 pad 1; batchnorm }\n"
	"    branch { }\n"
	"}\n"
	"concat { branch { conv 1x1 -> 4 } branch { maxpool 3x3/1 pad 1 } }\n"
	"train { batch 32; lr 0.05; data \"some dir\" }\n";

/* One load and build; 1 when it built, 0 when it failed with a message
 * naming the cause. */
static int attempt(FILE *diag, char *msg, size_t msglen)
{
	nl_ctx *cx = nl_ctx_new();
	if (!cx) {   /* the caller's to report, as main.c does */
		snprintf(msg, msglen, "out of memory (nl_ctx_new)");
		return 0;
	}
	nl_set_diag_stream(cx, diag);
	int built = 0;
	if (nl_load_string(cx, "<test>", 1, program, strlen(program)) == NL_OK) {
		nl_graph *g = nl_build(cx);
		built = g != NULL;
		nl_graph_free(g);
	}
	nl_ctx_free(cx);
	fflush(diag);
	rewind(diag);
	size_t got = fread(msg, 1, msglen - 1, diag);
	msg[got] = '\0';
	rewind(diag);
	return built;
}

int main(void)
{
	static char dbuf[4096], msg[4096];
	size_t k = (size_t)snprintf(program, sizeof program, "%sconv 1x1 -> ", base_program);
	for (int i = 0; i < 300; i++)
		program[k++] = '(';
	program[k++] = '4';
	for (int i = 0; i < 300; i++)
		program[k++] = ')';
	program[k++] = '\n';
	program[k] = '\0';
	FILE *diag = tmpfile();
	if (!diag)
		return 99;
	setvbuf(diag, dbuf, _IOFBF, sizeof dbuf);   /* no buffer to allocate */

	/* Count the allocations of a run that succeeds. */
	calls = 0;
	fail_at = 0;
	if (!attempt(diag, msg, sizeof msg)) {
		fprintf(stderr, "oom_test: the program does not build: %s\n", msg);
		return 1;
	}
	long total = calls;
	int failures = 0, reported = 0;
	for (long n = 1; n <= total; n++) {
		calls = 0;
		fail_at = n;
		memset(msg, 0, sizeof msg);
		/* clear what the last attempt wrote */
		if (ftruncate(fileno(diag), 0) != 0)
			return 99;
		int built = attempt(diag, msg, sizeof msg);
		fail_at = -1;
		if (!built && !strstr(msg, "out of memory")) {
			fprintf(stderr, "oom_test: allocation %ld of %ld failed, and the "
			        "message does not say so: '%s'\n", n, total, msg);
			failures++;
		}
		reported += !built;
	}
	printf("%s: %ld allocations failed one at a time: %d runs reported running out "
	       "of memory, %ld recovered\n", failures ? "FAIL" : "ok", total, reported,
	       total - reported);
	fclose(diag);
	return failures ? 1 : 0;
}
