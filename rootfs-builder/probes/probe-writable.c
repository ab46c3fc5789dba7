/*
 * probe-writable — ask the kernel whether paths could be written, without writing anything.
 *
 * Used to check read-only mounts (stage 3: /sys; stage 6: /proc/sys, /proc/sysrq-trigger, ...):
 * for each PATH it calls access(PATH, W_OK), which fails with EROFS when the mount holding PATH
 * is read-only, and prints one line
 *
 *     PATH=ok        writable (nothing was opened or written)
 *     PATH=EROFS     on a read-only mount
 *     PATH=ENOENT    (or another errno name) whatever else access(2) said
 *
 * access(2) is the safe way to ask: opening /proc/sysrq-trigger for writing and writing to it
 * would act on the host's kernel if the mount were not read-only.
 *
 * Usage: probe-writable PATH...
 * Exit codes:
 *   0  every PATH was checked (whatever it printed)
 *   1  writing the output failed
 *   2  usage error (no PATH)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-writable PATH...\n"
		   "  print PATH=ok if access(PATH, W_OK) succeeds, else PATH=<errno name>\n"
		   "  (EROFS: on a read-only mount). Nothing is opened or written.\n"
		   "  exit codes: 0 checked, 1 write error, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (access(argv[i], W_OK) == 0) {
			printf("%s=ok\n", argv[i]);
		} else {
			const char *name = strerrorname_np(errno);

			printf("%s=%s\n", argv[i], name != NULL ? name : "E?");
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
