/*
 * Stage 2 — PID and mount namespaces, and a /proc for the new PID namespace.
 *
 * COMMAND becomes PID 1 of a new PID namespace: it sees only its own descendants, it reaps the
 * orphans among them, and when it exits the kernel kills everything left in the namespace. A new
 * mount namespace lets the container mount a fresh /proc (one that shows that PID namespace)
 * without touching the host's — provided mount events are first stopped from propagating back.
 *
 * Read: man 7 pid_namespaces, man 7 mount_namespaces, man 2 clone (CLONE_NEWPID, CLONE_NEWNS),
 * man 2 mount (MS_PRIVATE, MS_REC), man 5 proc (/proc/PID/status: NSpid).
 *
 * Error contract: each function that can fail returns -1 after fail() has recorded what failed
 * and why; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

unsigned long pid_clone_flags(void)
{
	/* TODO(stage 2): the clone flags of the namespaces this stage adds: COMMAND */
	/* is PID 1 of a PID namespace of its own, and has a mount table of its own */
	/* (man 2 clone, man 7 namespaces). */
	return 0;
}

int mounts_make_private(void)
{
	/* TODO(stage 2): after this call, nothing mounted in the container may reach */
	/* the host, and nothing the host mounts may reach the container: not for / */
	/* alone, for every mount under it (man 7 mount_namespaces: shared subtrees). */
	return 0;
}

int proc_remount(void)
{
	/* TODO(stage 2): /proc must show the container's PID namespace, not the host's */
	/* (man 5 proc, man 7 pid_namespaces). This runs in the child: why there? */
	return 0;
}
