/* source.c - source texts. */
#include <config.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lang/source.h"

nl_source *nl_source_new(const char *name, const char *text, size_t len,
                         int first_line, int id)
{
	size_t nlen = strlen(name);
	nl_source *s = malloc(sizeof *s + nlen + 1);
	if (!s)
		return NULL;
	s->text = malloc(len + 1);
	if (!s->text) {
		free(s);
		return NULL;
	}
	if (len)
		memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	s->id = id;
	s->first_line = first_line;
	memcpy(s->name, name, nlen + 1);
	return s;
}

void nl_source_free(nl_source *s)
{
	if (s) {
		free(s->text);
		free(s);
	}
}

nl_source *nl_source_of(const char *name)
{
	return (nl_source *)(void *)(name - offsetof(nl_source, name));
}
