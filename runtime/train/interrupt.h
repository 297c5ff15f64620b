/* interrupt.h - Ctrl-C and SIGTERM while a net trains.
 *
 * The first SIGINT or SIGTERM only raises a flag: the loop finishes its
 * step, writes its checkpoint (and weights), says so and returns.  A second
 * one removes the temporaries being written and ends the process at once
 * with the signal's default action.  Outside training, the handlers that
 * were there before (the session's) are back.
 */
#ifndef NL_INTERRUPT_H
#define NL_INTERRUPT_H

/* Install the handlers (nested calls count). */
void nl_interrupt_begin(void);
/* Restore what was there before the matching begin. */
void nl_interrupt_end(void);
/* The signal that asked to stop (SIGINT, SIGTERM), or 0. */
int nl_interrupted(void);

#endif
