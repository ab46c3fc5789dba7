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
	/* TODO(stage 1): the two namespaces this stage is about (man 2 clone). */
	return 0;
}

int uts_setup(const struct config *cfg)
{
	/* TODO(stage 1): set cfg->hostname (man 2 sethostname). */
	(void)cfg;
	return 0;
}
