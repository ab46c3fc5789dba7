/*
 * Stage 1 — clone(2) into new UTS and IPC namespaces; waitpid(2) and exit statuses.
 *
 * Read: man 2 clone, man 7 namespaces, man 7 uts_namespaces, man 2 sethostname, man 2 waitpid.
 *
 * Error contract: each function returns -1 (container_clone: -1 as the pid) after fail() has
 * recorded what failed and why; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child runs only setup code before execve(2) replaces its memory: 1 MiB is plenty. */
#define CHILD_STACK_SIZE (1024 * 1024)

unsigned long uts_clone_flags(void)
{
	/* TODO(stage 1): the two namespaces this stage is about (man 2 clone). */
	return 0;
}

pid_t container_clone(int (*fn)(void *), void *arg, unsigned long ns_flags)
{
	/* TODO(stage 1): allocate a stack and clone(2) a child running fn(arg) in */
	/* new namespaces; SIGCHLD as the exit signal, so that waitpid(2) works. */
	(void)fn;
	(void)arg;
	(void)ns_flags;
	return todo("clone");
}

int uts_setup(const struct config *cfg)
{
	/* TODO(stage 1): set cfg->hostname (man 2 sethostname). */
	(void)cfg;
	return 0;
}

int container_wait(pid_t pid)
{
	/* TODO(stage 1): wait for pid (man 2 waitpid) and return its exit code, */
	/* or 128 + N if signal N killed it. A forwarded signal may interrupt the */
	/* wait (EINTR): wait again. */
	(void)pid;
	return todo("waitpid");
}
