/* dtest.h - small helpers shared by the data, weights and plot tests:
 * checks that count, temporary directories removed at the end, files
 * written plain or gzipped, and stderr captured so that a test can assert
 * what a refusal says. */
#ifndef NL_TEST_DATA_DTEST_H
#define NL_TEST_DATA_DTEST_H

#include <stddef.h>

/* Record one check; on failure print where and why. */
#define CHECK(cond, ...) dt_check((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)
void dt_check(int ok, const char *file, int line, const char *fmt, ...);

/* CHECK that text contains every one of the NULL-terminated substrings. */
#define CHECK_HAS(text, ...) dt_check_has(__FILE__, __LINE__, text, __VA_ARGS__, (char *)0)
void dt_check_has(const char *file, int line, const char *text, ...);

/* A fresh directory, removed with its contents by dt_finish. */
const char *dt_tempdir(void);
/* dir/name, malloc'd (the tests exit on out-of-memory). */
char *dt_join(const char *dir, const char *name);
/* Where the shared copies of the data sets are: $NETLANG_TEST_DATA. */
const char *dt_test_data(void);

void dt_write(const char *path, const void *data, size_t n);
void dt_write_gz(const char *path, const void *data, size_t n);
/* A whole file, malloc'd; NULL when missing. */
unsigned char *dt_read(const char *path, size_t *n);
int dt_exists(const char *path);
/* Number of entries (other than . and ..) in a directory, -1 if missing. */
int dt_count_entries(const char *dir);

/* Between these two, stderr goes to a file; end returns what was written
 * (malloc'd) and also copies it to the real stderr for the test's log. */
void dt_capture_begin(void);
char *dt_capture_end(void);

/* Remove the temporary directories and print "N passed, N failed";
 * returns the exit status. */
int dt_finish(void);

#endif
