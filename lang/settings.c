/* settings.c - the table of settings (settings.def): look-up, parsing with
 * range checks, and defaults, for the train section, the command line and
 * the session alike. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/settings.h"
#include "lang/suggest.h"

/* A fuzzing build (tests/fuzz) keeps every run it is asked for small: a
 * session that trains 100,000 epochs at batch 1,048,576 is legal, but would
 * hold the fuzzer on one input for hours.  Elsewhere the table is as written. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define FUZZ_SMALL(ID) (NL_SET_##ID == NL_SET_EPOCHS || NL_SET_##ID == NL_SET_ITERATIONS ? 2 : \
                        NL_SET_##ID == NL_SET_BATCH ? 16 : NL_SET_##ID == NL_SET_RESIZE ? 32 : 0)
#define HI(ID, hi) (FUZZ_SMALL(ID) ? FUZZ_SMALL(ID) : (double)(hi))
#define DFLT(ID, d) (FUZZ_SMALL(ID) && (d) > FUZZ_SMALL(ID) ? FUZZ_SMALL(ID) : (d))
#else
#define HI(ID, hi) ((double)(hi))
#define DFLT(ID, d) (d)
#endif

static const nl_setting table[] = {
#define NL_SETTING(ID, field, name, type, lo, hi, flags, dflt, where, arg, help) \
	{ name, NL_ST_##type, (double)(lo), HI(ID, hi), flags, DFLT(ID, dflt), where, arg, help },
#include "lang/settings.def"
#undef NL_SETTING
};

_Static_assert(sizeof table / sizeof table[0] == NL_NSETTINGS,
               "settings.def: one row per setting");

const nl_setting *nl_setting_info(int id)
{
	return id >= 0 && id < NL_NSETTINGS ? &table[id] : NULL;
}

int nl_setting_find(const char *name, size_t len, int where)
{
	for (int i = 0; i < NL_NSETTINGS; i++) {
		const char *t = table[i].name;
		if (!(table[i].where & where) || strlen(t) != len)
			continue;
		size_t k = 0;
		while (k < len && (t[k] == name[k] || (t[k] == '-' && name[k] == '_')))
			k++;
		if (k == len)
			return i;
	}
	return -1;
}

void nl_options_init(nl_options *o)
{
	memset(o, 0, sizeof *o);
}

/* A value on its way into a field: the member the field's type wants. */
typedef struct value { double d; long l; const char *s; nl_numbers nums; } value;

/* Store v into setting id's field: with copy_one below, the only code
 * that names the fields, and it is generated from the table. */
static void store(nl_options *o, int id, value v)
{
	switch (id) {
#define NL_SETTING_STORE_INT(field) o->field = (int)v.l;
#define NL_SETTING_STORE_LONG(field) o->field = v.l;
#define NL_SETTING_STORE_REAL(field) o->field = v.d;
#define NL_SETTING_STORE_FLAG(field) o->field = v.l != 0;
#define NL_SETTING_STORE_DEVICE(field) o->field = (nl_device)v.l;
#define NL_SETTING_STORE_TEXT(field) o->field = v.s;
#define NL_SETTING_STORE_NUMBERS(field) o->field = v.nums;
#define NL_SETTING(ID, field, name, type, ...) \
	case NL_SET_##ID: NL_SETTING_STORE_##type(field) break;
#include "lang/settings.def"
#undef NL_SETTING
	default: break;
	}
	o->given |= 1ull << id;
}

static value num(double d)
{
	/* the range checks have kept d within a long before this */
	return (value){ d, (long)d, NULL, { 0 } };
}

/* Copy setting id from src to dst. */
static void copy_one(nl_options *dst, const nl_options *src, int id)
{
	switch (id) {
#define NL_SETTING(ID, field, ...) \
	case NL_SET_##ID: dst->field = src->field; break;
#include "lang/settings.def"
#undef NL_SETTING
	default: break;
	}
}

/* What a number must be, as the command line says it. */
static void range_text(const nl_setting *t, char *err, size_t errlen)
{
	if (t->type == NL_ST_INT || t->type == NL_ST_LONG) {
		if (t->hi >= (double)LONG_MAX)
			snprintf(err, errlen, "an integer from %.0f to %ld", t->lo, LONG_MAX);
		else
			snprintf(err, errlen, "an integer from %.0f to %.0f", t->lo, t->hi);
	} else if ((t->flags & NL_SF_HI_OPEN) && (t->flags & NL_SF_LO_OPEN)) {
		snprintf(err, errlen, "a number in (%g, %g)", t->lo, t->hi);
	} else if (t->flags & NL_SF_HI_OPEN) {
		snprintf(err, errlen, "a number in [%g, %g)", t->lo, t->hi);
	} else if (t->flags & NL_SF_LO_OPEN) {
		snprintf(err, errlen, "a positive number");
	} else {
		snprintf(err, errlen, "a non-negative number");
	}
}

static int in_range(const nl_setting *t, double v)
{
	if (!(t->flags & NL_SF_LO_OPEN ? v > t->lo : v >= t->lo))
		return 0;
	if (t->hi >= (double)LONG_MAX)
		return 1;
	return t->flags & NL_SF_HI_OPEN ? v < t->hi : v <= t->hi;
}

/* What a NUMBERS setting takes, its numbers joined by sep. */
static void numbers_text(const nl_setting *t, char *err, size_t errlen, const char *sep)
{
	if (t->flags & NL_SF_MEAN_STD)
		snprintf(err, errlen, "%smeans and standard deviations (0.5%s0.25; one of each per "
		         "channel: M1%sM2%sM3%sS1%sS2%sS3)", t->flags & NL_SF_AUTO ? "auto, or " : "",
		         sep, sep, sep, sep, sep, sep);
	else
		snprintf(err, errlen, "%s%.0f to %.0f numbers", t->flags & NL_SF_AUTO ?
		         "auto, or " : "", t->lo, t->hi);
}

void nl_numbers_expected(int id, const char *sep, char *err, size_t errlen)
{
	const nl_setting *t = nl_setting_info(id);
	if (t)
		numbers_text(t, err, errlen, sep);
	else if (errlen)
		err[0] = '\0';
}

/* n numbers against setting t: how many, and with NL_SF_MEAN_STD in
 * pairs with positive deviations.  0, or -1 with what it takes in err
 * ("positive standard deviations, not 0"). */
static int check_numbers(const nl_setting *t, const double *v, int n, char *err,
                         size_t errlen)
{
	int mean_std = (t->flags & NL_SF_MEAN_STD) != 0;
	if (n < t->lo || n > t->hi || (mean_std && n % 2)) {
		if (mean_std)
			snprintf(err, errlen, "2 numbers (a mean and a standard deviation) or 2 per "
			         "channel (2, 4 or 6), not %d", n);
		else
			snprintf(err, errlen, "%.0f to %.0f numbers, not %d", t->lo, t->hi, n);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]) || (mean_std && i >= n / 2 && !(v[i] > 0))) {
			snprintf(err, errlen, isfinite(v[i]) ? "positive standard deviations, not %g"
			         : "finite numbers, not %g", v[i]);
			return -1;
		}
	return 0;
}

int nl_options_set_numbers(nl_options *o, int id, const double *v, int n, char *err,
                           size_t errlen)
{
	const nl_setting *t = nl_setting_info(id);
	char want[160];
	if (!t || t->type != NL_ST_NUMBERS) {
		snprintf(err, errlen, "takes one number, not %d", n);
		return -1;
	}
	if (check_numbers(t, v, n, want, sizeof want)) {
		snprintf(err, errlen, "takes %s", want);
		return -1;
	}
	value x = { 0, 0, NULL, { n, 0, { 0 } } };
	memcpy(x.nums.v, v, (size_t)n * sizeof *v);
	store(o, id, x);
	return 0;
}

/* "auto", or numbers separated by commas or blanks. */
static int set_numbers_text(nl_options *o, int id, const nl_setting *t, const char *text,
                            char *err, size_t errlen)
{
	if (text && strcmp(text, "auto") == 0 && (t->flags & NL_SF_AUTO)) {
		store(o, id, (value){ 0, 0, NULL, { 0, 1, { 0 } } });
		return 0;
	}
	double v[NL_NUMBERS_MAX + 1];
	int n = 0;
	const char *p = text ? text : "";
	for (;;) {
		p += strspn(p, ", \t");
		if (!*p)
			break;
		char *end;
		errno = 0;
		double x = strtod(p, &end);
		if (end == p || errno || !isfinite(x) || (*end && !strchr(", \t", *end)) ||
		    n > NL_NUMBERS_MAX) {
			numbers_text(t, err, errlen, ",");
			return -1;
		}
		v[n++] = x;
		p = end;
	}
	if (n == 0) {
		numbers_text(t, err, errlen, ",");
		return -1;
	}
	if (check_numbers(t, v, n, err, errlen))
		return -1;
	value x = { 0, 0, NULL, { n, 0, { 0 } } };
	memcpy(x.nums.v, v, (size_t)n * sizeof *v);
	store(o, id, x);
	return 0;
}

int nl_options_set_text(nl_options *o, int id, const char *text, char *err, size_t errlen)
{
	const nl_setting *t = nl_setting_info(id);
	char *end;
	if (!t) {
		snprintf(err, errlen, "a known setting");
		return -1;
	}
	switch (t->type) {
	case NL_ST_FLAG:
		store(o, id, num(1));
		return 0;
	case NL_ST_TEXT:
		if (!text || !*text) {
			snprintf(err, errlen, "a name");
			return -1;
		}
		store(o, id, (value){ 0, 0, text, { 0 } });
		return 0;
	case NL_ST_DEVICE:
		if (text && strcmp(text, "cpu") == 0)
			store(o, id, num(NL_DEV_CPU));
		else if (text && (strcmp(text, "gpu") == 0 || strcmp(text, "cuda") == 0))
			store(o, id, num(NL_DEV_GPU));
		else if (text && strcmp(text, "auto") == 0)
			store(o, id, num(NL_DEV_AUTO));
		else {
			snprintf(err, errlen, "cpu, gpu or auto");
			return -1;
		}
		return 0;
	case NL_ST_INT: case NL_ST_LONG: {
		errno = 0;
		long x = text ? strtol(text, &end, 10) : 0;
		if (!text || errno || end == text || *end || !in_range(t, (double)x)) {
			range_text(t, err, errlen);
			return -1;
		}
		store(o, id, (value){ (double)x, x, NULL, { 0 } });
		return 0;
	}
	case NL_ST_REAL: {
		errno = 0;
		double x = text ? strtod(text, &end) : 0;
		if (!text || errno || end == text || *end || !isfinite(x) || !in_range(t, x)) {
			range_text(t, err, errlen);
			return -1;
		}
		store(o, id, num(x));
		return 0;
	}
	case NL_ST_NUMBERS:
		return set_numbers_text(o, id, t, text, err, errlen);
	}
	return -1;
}

int nl_options_set_number(nl_options *o, int id, double v, int is_int, char *err,
                          size_t errlen)
{
	const nl_setting *t = nl_setting_info(id);
	if (!t)
		return -1;
	int want_int = t->type == NL_ST_INT || t->type == NL_ST_LONG;
	if (t->type == NL_ST_NUMBERS)
		return nl_options_set_numbers(o, id, &v, 1, err, errlen);
	if (t->type == NL_ST_TEXT || t->type == NL_ST_DEVICE || t->type == NL_ST_FLAG) {
		snprintf(err, errlen, "takes a name, not a number");
		return -1;
	}
	if (want_int && !is_int) {
		snprintf(err, errlen, "takes an integer");
		return -1;
	}
	if (!in_range(t, v)) {
		char want[96];
		range_text(t, want, sizeof want);
		snprintf(err, errlen, "must be %s", want);
		return -1;
	}
	/* a number beyond a long's range cannot pass in_range above unless
	 * the setting is a REAL, which does not read v.l */
	store(o, id, (value){ v, t->type == NL_ST_REAL ? 0 : (long)v, NULL, { 0 } });
	return 0;
}

void nl_options_resolve(nl_options *o, const nl_options *file)
{
	for (int id = 0; id < NL_NSETTINGS; id++) {
		if (nl_options_given(o, id))
			continue;
		if (file && nl_options_given(file, id)) {
			copy_one(o, file, id);
		} else {
			store(o, id, num(table[id].dflt));
			o->given &= ~(1ull << id);   /* a default is not "given" */
			continue;
		}
		o->given |= 1ull << id;
	}
}

void nl_settings_list(int where, char *buf, size_t len)
{
	size_t k = 0;
	if (len)
		buf[0] = '\0';
	for (int i = 0; i < NL_NSETTINGS && k < len; i++) {
		if (!(table[i].where & where))
			continue;
		int n = snprintf(buf + k, len - k, "%s%s", k ? ", " : "", table[i].name);
		if (n < 0)
			break;
		/* a train section writes '_' where the command line writes '-' */
		if (where == NL_IN_FILE)
			for (size_t j = k; j < k + (size_t)n && j < len; j++)
				if (buf[j] == '-')
					buf[j] = '_';
		k += (size_t)n;
	}
}

/* Names other frameworks use (PyTorch's, Keras') for a setting. */
static const struct { const char *name; int id; } foreign[] = {
	{ "learning_rate", NL_SET_LR }, { "learning-rate", NL_SET_LR },
	{ "batch_size", NL_SET_BATCH }, { "batch-size", NL_SET_BATCH },
	{ "num_epochs", NL_SET_EPOCHS }, { "num-epochs", NL_SET_EPOCHS },
	{ "wd", NL_SET_WEIGHT_DECAY }, { "dataset", NL_SET_DATA },
	{ "num_threads", NL_SET_THREADS }, { "num-threads", NL_SET_THREADS },
};

const char *nl_setting_suggest(const char *name, int where)
{
	static char spelled[64];
	int id = -1;
	for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
		if (strcmp(foreign[i].name, name) == 0 && (table[foreign[i].id].where & where))
			id = foreign[i].id;
	if (id < 0) {
		nl_suggest sg;
		nl_suggest_init(&sg, name);
		for (int i = 0; i < NL_NSETTINGS; i++)
			if (table[i].where & where)
				nl_suggest_add(&sg, table[i].name);
		const char *best = nl_suggest_best(&sg);
		for (int i = 0; best && i < NL_NSETTINGS; i++)
			if (table[i].name == best)
				id = i;
		/* weight_decay against weight-decay: the table spells it with '-' */
		if (id < 0)
			for (int i = 0; i < NL_NSETTINGS; i++)
				if ((table[i].where & where) &&
				    nl_setting_find(name, strlen(name), where) == i)
					id = i;
	}
	if (id < 0)
		return NULL;
	snprintf(spelled, sizeof spelled, "%s", table[id].name);
	if (where == NL_IN_FILE)
		for (char *p = spelled; *p; p++)
			if (*p == '-')
				*p = '_';
	return spelled;
}
