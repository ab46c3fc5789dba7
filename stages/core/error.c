/*
 * error.c — one message per failure, in the style of bubblewrap's die_with_error(): what failed,
 * why (strerror), and a hint that teaches. See the error contract in container.h.
 */
#include "container.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char message[1024];

int fail(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = strlen(message);
	if (err != 0 && len < sizeof(message))
		len +=
		    (size_t)snprintf(message + len, sizeof(message) - len, ": %s", strerror(err));
	if (hint != NULL && len < sizeof(message))
		snprintf(message + len, sizeof(message) - len, " (%s)", hint);
	errno = err;
	return -1;
}

const char *fail_message(void)
{
	return message[0] != '\0' ? message : "unknown error";
}

int todo(const char *what)
{
	return fail(0, "still a TODO in the starter: see the stage's README.md",
		    "%s: not implemented", what);
}
