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
	//@@ BEGIN SOLUTION
	/* A hostname of its own, and System V IPC objects (shmget, msgget) of its own. */
	return CLONE_NEWUTS | CLONE_NEWIPC;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 1): the two namespaces this stage is about (man 2 clone). */
	//@@ STARTER(guided) /* TODO(stage 1): return CLONE_NEWUTS | CLONE_NEWIPC (man 2 clone). */
	//@@ STARTER return 0;
}

pid_t container_clone(int (*fn)(void *), void *arg, unsigned long ns_flags)
{
	//@@ BEGIN SOLUTION
	void *stack;
	pid_t pid;

	/*
	 * Without CLONE_VM the child gets a copy of our memory, stack included, so this mapping is
	 * the child's stack in the child and can be unmapped here once clone returns.
	 */
	stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fail(errno, NULL, "mmap (child stack)");
	/* The stack grows down on every architecture Linux runs containers on: pass its top. */
	pid = clone(fn, (char *)stack + CHILD_STACK_SIZE, (int)ns_flags | SIGCHLD, arg);
	if (pid < 0)
		fail(errno,
		     errno == EPERM ? "creating namespaces needs CAP_SYS_ADMIN: run as root" : NULL,
		     "clone");
	munmap(stack, CHILD_STACK_SIZE);
	return pid;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 1): allocate a stack and clone(2) a child running fn(arg) in */
	//@@ STARTER /* new namespaces; SIGCHLD as the exit signal, so that waitpid(2) works. */
	//@@ STARTER (void)fn;
	//@@ STARTER (void)arg;
	//@@ STARTER (void)ns_flags;
	//@@ STARTER return todo("clone");
}

int uts_setup(const struct config *cfg)
{
	//@@ BEGIN SOLUTION
	/* Only this UTS namespace sees the change: the host keeps its name. */
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return fail(errno, NULL, "sethostname(%s)", cfg->hostname);
	return 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 1): set cfg->hostname (man 2 sethostname). */
	//@@ STARTER (void)cfg;
	//@@ STARTER return 0;
}

int container_wait(pid_t pid)
{
	//@@ BEGIN SOLUTION
	int wstatus;

	for (;;) {
		if (waitpid(pid, &wstatus, 0) < 0) {
			/* A signal we forward to the container interrupted us: keep waiting. */
			if (errno == EINTR)
				continue;
			return fail(errno, NULL, "waitpid");
		}
		if (WIFEXITED(wstatus))
			return WEXITSTATUS(wstatus);
		/* The shell's convention, which docker run follows too: 128 + the signal. */
		if (WIFSIGNALED(wstatus))
			return 128 + WTERMSIG(wstatus);
	}
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 1): wait for pid (man 2 waitpid) and return its exit code, */
	//@@ STARTER /* or 128 + N if signal N killed it. A forwarded signal may interrupt the */
	//@@ STARTER /* wait (EINTR): wait again. */
	//@@ STARTER (void)pid;
	//@@ STARTER return todo("waitpid");
}
