/*
 * Stage 1 — the container's process: clone(2) it into its new namespaces, waitpid(2) for it,
 * and turn its end into the runtime's exit status. (Which namespaces is uts.c's business, and
 * the later stages'; the core ORs their flags together.)
 *
 * Read: man 2 clone, man 2 waitpid, man 7 signal ("Interruption of system calls").
 *
 * Error contract: container_clone returns -1 as the pid, container_wait -1, after fail() has
 * recorded what failed and why; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h> /* fork(2), for a runtime that forks instead (tests/kit/variants/) */

/* The child runs only setup code before execve(2) replaces its memory: 1 MiB is plenty. */
#define CHILD_STACK_SIZE (1024 * 1024)

pid_t container_clone(int (*fn)(void *), void *arg, unsigned long ns_flags)
{
	/* TODO(stage 1): allocate a stack and clone(2) a child running fn(arg) in */
	/* new namespaces; SIGCHLD as the exit signal, so that waitpid(2) works. */
	(void)fn;
	(void)arg;
	(void)ns_flags;
	return todo("clone");
}

int container_wait(pid_t pid)
{
	/* TODO(stage 1): wait for pid (man 2 waitpid) and return its exit code, */
	/* or 128 + N if signal N killed it. A forwarded signal may interrupt the */
	/* wait (EINTR): wait again. */
	(void)pid;
	return todo("waitpid");
}
