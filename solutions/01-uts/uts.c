/*
 * Stage 1 — new UTS and IPC namespaces: which clone(2) flags ask for them, and the hostname.
 * The process itself (clone(2), waitpid(2), exit statuses) is process.c, the other half of
 * stage 1.
 *
 * Read: man 7 namespaces, man 7 uts_namespaces, man 7 ipc_namespaces, man 2 sethostname.
 *
 * Error contract: each function returns -1 after fail() has recorded what failed and why; see
 * container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

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
