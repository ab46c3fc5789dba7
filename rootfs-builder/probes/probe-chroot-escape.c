/*
 * probe-chroot-escape — try the classic chroot escape and report whether it
 * reached a path outside the container's root.
 *
 * Used to tell a pivot_root'ed container from a chroot-based one. Steps:
 *   mkdir("escape-dir") in the current directory (EEXIST is fine),
 *   chroot("escape-dir")  -- the cwd is now outside the process root,
 *   chdir("..") 64 times  -- walks up past the old root,
 *   chroot(".")           -- makes the topmost directory reached the root,
 *   stat(PATH).
 * In a chroot-based "container" this reaches the host's root, so a host-only
 * PATH exists; after pivot_root (old root unmounted) the walk stops at the
 * container's own root and the host-only PATH is not found.
 * Needs CAP_SYS_CHROOT and a writable current directory (e.g. cd /tmp).
 * The escape-dir it created is removed again (best effort).
 *
 * Usage: probe-chroot-escape PATH
 *
 * Output (stdout): escaped=yes | escaped=no
 *                  escaped=error step=<step> errno=<n> (setup failure; the
 *                  error message is also printed on stderr)
 * Exit codes:
 *   0  escaped: PATH exists after the escape
 *   1  not escaped: PATH does not exist after the escape
 *   2  usage error, or a setup step (mkdir, chroot, chdir) failed
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define ESCAPE_DIR "escape-dir"
#define DOTDOTS	   64

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-chroot-escape PATH\n"
		   "  try the classic chroot escape (mkdir escape-dir in the cwd, chroot into\n"
		   "  it, chdir .. 64 times, chroot .), then stat PATH.\n"
		   "  prints escaped=yes (exit 0) if PATH exists, escaped=no (exit 1) if not;\n"
		   "  exit 2 on usage errors or when a setup step fails (needs CAP_SYS_CHROOT\n"
		   "  and a writable current directory).\n");
}

static int fail(const char *step)
{
	int e = errno;

	printf("escaped=error step=%s errno=%d\n", step, e);
	fflush(stdout);
	fprintf(stderr, "probe-chroot-escape: %s failed: %s\n", step, strerror(e));
	return 2;
}

int main(int argc, char **argv)
{
	struct stat st;
	int created, found, i, cwd_fd;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '\0') {
		usage(stderr);
		return 2;
	}

	/* Keep a handle on the starting directory to remove escape-dir later. */
	cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd_fd < 0)
		return fail("open-cwd");

	created = 1;
	if (mkdir(ESCAPE_DIR, 0755) != 0) {
		if (errno != EEXIST)
			return fail("mkdir");
		created = 0;
	}
	if (chroot(ESCAPE_DIR) != 0) {
		int e = errno;

		if (created)
			unlinkat(cwd_fd, ESCAPE_DIR, AT_REMOVEDIR);
		errno = e;
		return fail("chroot-escape-dir");
	}
	for (i = 0; i < DOTDOTS; i++) {
		if (chdir("..") != 0)
			return fail("chdir-dotdot");
	}
	if (chroot(".") != 0)
		return fail("chroot-dot");

	found = stat(argv[1], &st) == 0;
	if (!found && errno != ENOENT && errno != ENOTDIR)
		fprintf(stderr, "probe-chroot-escape: stat %s: %s\n", argv[1], strerror(errno));

	if (created)
		unlinkat(cwd_fd, ESCAPE_DIR, AT_REMOVEDIR);
	close(cwd_fd);

	printf("escaped=%s\n", found ? "yes" : "no");
	fflush(stdout);
	return found ? 0 : 1;
}
