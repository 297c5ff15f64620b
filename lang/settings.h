/* settings.h - the settings of a run (settings.def) and the one place they
 * are parsed, checked and defaulted.
 *
 * An nl_options holds every setting and which of them were given.  The
 * program's train { } section fills one (nl_graph.train), the command line
 * or the session's :train another; nl_options_resolve() then fills what
 * the second left unset from the first, then from the table's defaults.
 */
#ifndef NL_SETTINGS_H
#define NL_SETTINGS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

typedef enum nl_device { NL_DEV_AUTO, NL_DEV_CPU, NL_DEV_GPU } nl_device;

typedef enum nl_setting_type {
	NL_ST_INT, NL_ST_LONG, NL_ST_REAL, NL_ST_TEXT, NL_ST_FLAG, NL_ST_DEVICE, NL_ST_NUMBERS
} nl_setting_type;

/* A NUMBERS setting's value: n numbers, or (NL_SF_AUTO) the word auto,
 * figures the run computes itself.  n == 0 and !is_auto: unset. */
#define NL_NUMBERS_MAX 6
typedef struct nl_numbers {
	int n, is_auto;
	double v[NL_NUMBERS_MAX];
} nl_numbers;

/* Where a setting may be written. */
enum { NL_IN_FILE = 1, NL_IN_CLI = 2, NL_IN_SESSION = 4 };
/* Open ends of a number's range.  A NUMBERS setting's lo and hi bound how
 * many numbers it takes; NL_SF_AUTO lets it be auto instead, and with
 * NL_SF_MEAN_STD its numbers are means then as many standard deviations
 * (which must be positive), as torchvision's Normalize lists them. */
enum { NL_SF_LO_OPEN = 1, NL_SF_HI_OPEN = 2, NL_SF_AUTO = 4, NL_SF_MEAN_STD = 8 };

typedef enum nl_setting_id {
#define NL_SETTING(ID, ...) NL_SET_##ID,
#include "lang/settings.def"
#undef NL_SETTING
	NL_NSETTINGS
} nl_setting_id;

/* C types of the value types. */
#define NL_SETTING_CTYPE_INT int
#define NL_SETTING_CTYPE_LONG long
#define NL_SETTING_CTYPE_REAL double
#define NL_SETTING_CTYPE_TEXT const char *
#define NL_SETTING_CTYPE_FLAG int
#define NL_SETTING_CTYPE_DEVICE nl_device
#define NL_SETTING_CTYPE_NUMBERS nl_numbers

typedef struct nl_options {
#define NL_SETTING(ID, field, name, type, ...) NL_SETTING_CTYPE_##type field;
#include "lang/settings.def"
#undef NL_SETTING
	uint64_t given;   /* bit NL_SET_x: set by whoever filled this */
} nl_options;

_Static_assert(NL_NSETTINGS <= 64, "settings.def: nl_options.given has 64 bits");

typedef struct nl_setting {
	const char *name;
	nl_setting_type type;
	double lo, hi;
	int flags;
	double dflt;
	int where;
	const char *arg, *help;
} nl_setting;

/* The row of setting id (NULL outside the table). */
const nl_setting *nl_setting_info(int id);

/* The setting named name[0..len) that may be written `where`, or -1.  A
 * '_' in the name matches a '-' in the table's (weight_decay). */
int nl_setting_find(const char *name, size_t len, int where);

/* All unset, nothing given. */
void nl_options_init(nl_options *o);

static inline int nl_options_given(const nl_options *o, int id)
{
	return (int)((o->given >> id) & 1u);
}

/* Set setting id from text as written on a command line ("0.01", "cpu";
 * a NUMBERS setting's "0.5,0.25", commas or blanks between them); a FLAG
 * takes NULL.  Texts are kept as pointers, not copied.  Returns 0, or -1
 * with what was expected in err ("an integer from 1 to 100000"). */
int nl_options_set_text(nl_options *o, int id, const char *text, char *err, size_t errlen);

/* Set a number setting from a value already read (a train section's).
 * is_int says it was written without a point or exponent.  Returns 0, or
 * -1 with the complaint in err ("takes an integer", "must be positive"). */
int nl_options_set_number(nl_options *o, int id, double v, int is_int, char *err,
                          size_t errlen);

/* Set a NUMBERS setting from n numbers already read (a train section's
 * `normalize 0.5 0.25`).  Returns 0, or -1 with the complaint in err, in
 * the words of set_number's. */
int nl_options_set_numbers(nl_options *o, int id, const double *v, int n, char *err,
                           size_t errlen);

/* What NUMBERS setting id takes, for a message ("auto, or means and
 * standard deviations (0.5 0.25; ...)"), its numbers joined by sep as
 * where it is written joins them: " " in a train section, "," on a
 * command line. */
void nl_numbers_expected(int id, const char *sep, char *err, size_t errlen);

/* Fill what o leaves unset from file (may be NULL), then from defaults. */
void nl_options_resolve(nl_options *o, const nl_options *file);

/* The names of the settings allowed `where`, joined by ", " into buf
 * (train section names written with '_'). */
void nl_settings_list(int where, char *buf, size_t len);

/* The setting allowed `where` that a misspelled or foreign name (epoch,
 * learning_rate, batch_size) most likely meant, or NULL; written as
 * `where` writes it (weight_decay in a train section). */
const char *nl_setting_suggest(const char *name, int where);

#endif
