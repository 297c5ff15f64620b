/* messages.h - naming the rank in what a rank of a job writes to stderr. */
#ifndef NL_DIST_MESSAGES_H
#define NL_DIST_MESSAGES_H

/* From now on each line written to stderr starts "netlang: rank N: "
 * (a line's own "netlang: " is not repeated).  Returns 0, or -1 when
 * stderr is left as it was. */
int nl_messages_name_rank(int rank);

#endif
