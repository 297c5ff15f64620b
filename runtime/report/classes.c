/* classes.c - the names pictures give a data set's classes. */
#include <config.h>

#include <string.h>

#include "runtime/report/report.h"

/* Fashion-MNIST's labels as D2L's get_fashion_mnist_labels spells them. */
static const char *const fashion[10] = {
	"t-shirt", "trouser", "pullover", "dress", "coat",
	"sandal", "shirt", "sneaker", "bag", "ankle boot"
};
static const char *const digits[10] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"
};

const char *const *nl_class_names(const char *spec, const char *where, int classes)
{
	if (classes != 10)
		return NULL;
	/* a data set named, or a directory found for the default name */
	if ((!spec || strcmp(spec, "fashion-mnist") == 0) ||
	    (where && strstr(where, "fashion")))
		return fashion;
	return digits;
}

const char *nl_class_name(const char *const *names, int k, char *buf, size_t n)
{
	if (names)
		return names[k];
	snprintf(buf, n, "%d", k);
	return buf;
}
