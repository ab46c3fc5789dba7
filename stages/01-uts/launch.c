/*
 * Stage 1 — the launch protocol: two pipes between the runtime and the process it clones, which
 * the core (runtime.c) uses for `run` and `exec`. Given code at the guided and standard levels of
 * help (read it: every later stage relies on it); at the challenge level, yours to write.
 *
 * The release pipe. The child does what needs nothing from the parent (hostname, mounts, the
 * pivot) while the parent sets up from outside what the child cannot (its cgroup, the host end
 * of its veth: stages 4 and 5), and then blocks on this pipe: everything the parent sets up must
 * be in place before the child configures eth0 and runs a single instruction of COMMAND. The
 * parent's one byte releases it; EOF instead means that the parent failed, or died, before it
 * could release the child, which then exits without running COMMAND.
 *
 * The report pipe. Something may fail in the child after clone(2), up to and including
 * execve(2), where only the parent can print the one "container: " line and exit 125, 126 or
 * 127. The child reports that failure as one struct report; the pipe is close-on-exec, so a
 * successful execve(2) closes the child's end and the parent reads EOF: COMMAND runs.
 *
 * Each side must close the other's ends of both pipes: a pipe reads EOF only once every write end
 * is closed, in every process that holds one.
 *
 * Read: man 2 pipe2 (O_CLOEXEC), man 2 execve ("file descriptors open in the calling process
 * image remain open ... except for those whose close-on-exec flag is set"), man 2 read (0: end
 * of file), man 7 pipe ("I/O on pipes and FIFOs", PIPE_BUF), man 2 _exit.
 *
 * Error contract: the functions that can fail return -1 after fail() has recorded what failed
 * and why; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/*
 * What the child sends when it fails: its exit status and fail_message(). Smaller than PIPE_BUF
 * (4096), so one write(2) of it is atomic: the parent reads all of it, or EOF.
 */
struct report {
	int status;
	char message[1020];
};

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int launch_open(struct launch *l, bool release)
{
	int p[2];

	/* Close-on-exec, both: no program the runtime or the child executes may hold an end. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(errno, NULL, "pipe");
	l->report_rd = p[0];
	l->report_wr = p[1];
	if (!release)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		fail(errno, NULL, "pipe");
		launch_close(l);
		return -1;
	}
	l->release_rd = p[0];
	l->release_wr = p[1];
	return 0;
}

void launch_parent_ends(struct launch *l)
{
	/* Else our own write end would keep the report pipe from ever reading EOF. */
	close_end(&l->report_wr);
	close_end(&l->release_rd);
}

void launch_child_ends(struct launch *l)
{
	/* Else our own write end would keep the release pipe from reading EOF if the parent dies. */
	close_end(&l->release_wr);
	close_end(&l->report_rd);
}

int launch_release(struct launch *l)
{
	if (write(l->release_wr, "x", 1) != 1)
		return fail(errno, NULL, "releasing the container");
	close_end(&l->release_wr);
	return 0;
}

int launch_wait(struct launch *l)
{
	char byte;
	ssize_t n = read(l->release_rd, &byte, 1);

	close_end(&l->release_rd);
	/* EOF instead of the byte: the runtime failed (or died) before releasing us. */
	return n == 1 ? 0 : -1;
}

int launch_report(struct launch *l, int status)
{
	struct report r = {.status = status};

	snprintf(r.message, sizeof(r.message), "%s", fail_message());
	/* One write below PIPE_BUF is atomic: the parent reads all of it or nothing. */
	if (write(l->report_wr, &r, sizeof(r)) < 0)
		return -1;
	return 0;
}

int launch_result(struct launch *l)
{
	struct report r;
	ssize_t n = read(l->report_rd, &r, sizeof(r));

	close_end(&l->report_rd);
	/* Anything but a whole report is EOF: execve(2) succeeded and closed the child's end. */
	if (n != (ssize_t)sizeof(r))
		return 0;
	/* The child failed before or at exec and has _exit()ed with r.status. */
	fail(0, NULL, "%.*s", (int)sizeof(r.message), r.message);
	return r.status;
}

void launch_close(struct launch *l)
{
	close_end(&l->release_rd);
	close_end(&l->release_wr);
	close_end(&l->report_rd);
	close_end(&l->report_wr);
}
