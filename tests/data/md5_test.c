/* md5_test.c - the MD5 that checks downloads: RFC 1321's test suite and
 * coreutils' md5sum on random data whose lengths straddle the 64-byte
 * block and the 56-byte padding boundary, fed in one piece and in random
 * pieces.  (The data sets' own checksums: official_test.c.) */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/data/md5.h"
#include "tests/data/dtest.h"

static void hex_of(const void *data, size_t n, char hex[33])
{
	nl_md5 m;
	unsigned char d[16];
	nl_md5_init(&m);
	nl_md5_update(&m, data, n);
	nl_md5_final(&m, d);
	nl_md5_hex(d, hex);
}

static void rfc1321_suite(void)
{
	static const char *const v[][2] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890"
		  "1234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char hex[33];
		hex_of(v[i][0], strlen(v[i][0]), hex);
		CHECK(strcmp(hex, v[i][1]) == 0, "MD5(\"%s\") = %s, RFC 1321 says %s", v[i][0], hex,
		      v[i][1]);
	}
}

static void against_md5sum(void)
{
	const char *dir = dt_tempdir();
	static const size_t lens[] = { 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 128, 1000, 1000003 };
	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		size_t n = lens[k];
		unsigned char *data = malloc(n);
		if (!data)
			abort();
		for (size_t i = 0; i < n; i++)
			data[i] = (unsigned char)rand();
		char *path = dt_join(dir, "random.bin");
		dt_write(path, data, n);

		char cmd[4200], want[64] = "";
		snprintf(cmd, sizeof cmd, "md5sum '%s'", path);
		FILE *p = popen(cmd, "r");
		CHECK(p && fscanf(p, "%32s", want) == 1, "md5sum did not run");
		if (p)
			pclose(p);

		char whole[33], pieces[33], file[33] = "";
		hex_of(data, n, whole);
		nl_md5 m;
		unsigned char d[16];
		nl_md5_init(&m);
		for (size_t at = 0; at < n;) {
			size_t step = (size_t)rand() % 150;
			if (step > n - at)
				step = n - at;
			nl_md5_update(&m, data + at, step);
			at += step;
		}
		nl_md5_final(&m, d);
		nl_md5_hex(d, pieces);
		nl_md5_file(path, file);
		CHECK(strcmp(whole, want) == 0, "%zu bytes: ours %s, md5sum %s", n, whole, want);
		CHECK(strcmp(pieces, want) == 0, "%zu bytes in pieces: ours %s, md5sum %s", n,
		      pieces, want);
		CHECK(strcmp(file, want) == 0, "%zu bytes from the file: ours %s, md5sum %s", n,
		      file, want);
		free(path);
		free(data);
	}
}

int main(void)
{
	unsigned seed = getenv("NL_TEST_SEED") ? (unsigned)atoi(getenv("NL_TEST_SEED"))
	                                       : (unsigned)time(NULL);
	printf("seed %u\n", seed);
	srand(seed);
	rfc1321_suite();
	char hex[33];
	CHECK(nl_md5_file("/nonexistent/file", hex) == -1, "a missing file must fail");
	against_md5sum();
	return dt_finish();
}
