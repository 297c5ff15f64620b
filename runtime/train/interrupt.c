/* interrupt.c - a first Ctrl-C stops training cleanly, a second at once
 * (interrupt.h). */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "runtime/data/atomic_file.h"
#include "runtime/train/interrupt.h"

static volatile sig_atomic_t pending;
static struct sigaction old_int, old_term;
static int depth;

static void on_signal(int sig)
{
	if (!pending) {
		pending = sig;
		return;
	}
	/* the second time: nothing half-written stays behind */
	static const char msg[] = "\nnetlang: interrupted again; stopping now\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	nl_atomic_unlink_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void nl_interrupt_begin(void)
{
	if (depth++)
		return;
	pending = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

void nl_interrupt_end(void)
{
	if (depth == 0 || --depth)
		return;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	pending = 0;
}

int nl_interrupted(void)
{
	return pending;
}
