/*
 * error.c — one message per failure, recorded and passed up rather than printed where it happens.
 *
 * The pattern is crun's (src/libcrun/error.c): crun_make_error() records the errno and a message
 * in an error object and returns a negative value that the caller passes up, and only the command
 * line layer reports it. The text reads like bubblewrap's die_with_error() (utils.c): what failed,
 * then ": " and strerror(errno) — but bwrap prints and exits on the spot, where our modules return.
 * The hint in parentheses is ours: for a student, "Invalid argument" alone teaches nothing.
 * See the error contract in container.h.
 */
#include "container.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char message[1024];

/*
 * Copy src to dst with every control character written out (\n, \t, \r, \xNN): a message
 * quotes what the user typed (--hostname $'a\nb', a COMMAND's name, a path), and the contract
 * promises ONE line on stderr. Backslashes stay as they are, so that quoting a message twice
 * (the child's report, recorded again in the parent) changes nothing.
 */
static void copy_quoted(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; *src != '\0' && n + 5 < size; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '\n')
			n += (size_t)snprintf(dst + n, size - n, "\\n");
		else if (c == '\t')
			n += (size_t)snprintf(dst + n, size - n, "\\t");
		else if (c == '\r')
			n += (size_t)snprintf(dst + n, size - n, "\\r");
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(dst + n, size - n, "\\x%02x", c);
		else
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
}

int fail(int err, const char *hint, const char *fmt, ...)
{
	char raw[sizeof(message)];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	copy_quoted(message, sizeof(message), raw);
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
