/*
 * guard.c — cleanup for a runtime that is killed with SIGKILL (see runtime.h).
 *
 * PR_SET_PDEATHSIG already takes the container down with the runtime; what is left is what lives
 * outside the container: its cgroup directory and the host end of its veth pair. The guard is a
 * fork of the runtime taken after those exist, so it knows their names.
 *
 * Error contract: guard_start() returns -1 with fail() set; the guard process itself reports
 * nothing (its stdio is /dev/null, so it never holds a caller's pipe open).
 */
#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int guard_start(struct guard *g, void (*fn)(void *), void *arg)
{
	int p[2];
	char byte;

	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(errno, NULL, "pipe");
	g->pid = fork();
	if (g->pid < 0) {
		close(p[0]);
		close(p[1]);
		return fail(errno, NULL, "fork (cleanup guard)");
	}
	if (g->pid == 0) {
		/* Survive the signals a terminal sends the whole process group (Ctrl-C). */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		dup2(p[0], 3);
		close_range(4, ~0U, 0);
		if (read(3, &byte, 1) == 1)
			_exit(0);
		fn(arg);
		_exit(0);
	}
	close(p[0]);
	g->fd = p[1];
	return 0;
}

void guard_stop(struct guard *g)
{
	if (g->fd >= 0) {
		if (write(g->fd, "x", 1) < 0) {
			/* The guard is gone already: nothing to tell it. */
		}
		close(g->fd);
		g->fd = -1;
	}
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = -1;
	}
}
