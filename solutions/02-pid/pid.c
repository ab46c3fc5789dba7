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
	//@@ BEGIN SOLUTION
	/*
	 * CLONE_NEWPID: the child is PID 1 of a new PID namespace (its parent, the runtime, stays
	 * in ours and sees it under its ordinary, global pid).
	 * CLONE_NEWNS: the child gets a copy of our mount table that it can change on its own;
	 * without it, mounting /proc in the child would replace the host's /proc.
	 */
	return CLONE_NEWPID | CLONE_NEWNS;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 2): the clone flags of the namespaces this stage adds: COMMAND */
	//@@ STARTER(standard,challenge) /* is PID 1 of a PID namespace of its own, and has a mount table of its own */
	//@@ STARTER(standard,challenge) /* (man 2 clone, man 7 namespaces). */
	//@@ STARTER(guided) /* TODO(stage 2): the two namespaces this stage adds (man 2 clone: */
	//@@ STARTER(guided) /* CLONE_NEWPID, CLONE_NEWNS; man 7 pid_namespaces, man 7 mount_namespaces). */
	//@@ STARTER return 0;
}

int mounts_make_private(void)
{
	//@@ BEGIN SOLUTION
	/*
	 * A new mount namespace starts as a copy of ours, and on a systemd host every mount in it
	 * is "shared": a peer of the host's mount, so a mount made here would appear on the host
	 * too (and the host's on us). MS_PRIVATE cuts each mount out of its peer group; MS_REC does
	 * it for every mount under / (/proc is a mount of its own), not just / itself.
	 * Without CLONE_NEWNS this call would succeed too — and change the host's mounts.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(errno,
			    errno == EINVAL ? "/ is not a mount point (inside a chroot?)" : NULL,
			    "making / private (mount MS_REC|MS_PRIVATE)");
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 2): after this call, nothing mounted in the container may reach */
	//@@ STARTER(standard,challenge) /* the host, and nothing the host mounts may reach the container: not for / */
	//@@ STARTER(standard,challenge) /* alone, for every mount under it (man 7 mount_namespaces: shared subtrees). */
	//@@ STARTER(guided) /* TODO(stage 2): make every mount under / private, recursively, so that */
	//@@ STARTER(guided) /* nothing the container mounts propagates to the host (man 2 mount: */
	//@@ STARTER(guided) /* MS_PRIVATE, MS_REC; man 7 mount_namespaces: shared subtrees). */
	//@@ STARTER return 0;
}

int proc_remount(void)
{
	//@@ BEGIN SOLUTION
	/*
	 * A proc filesystem shows the PID namespace of the process that mounted it. The /proc we
	 * inherited was mounted on the host, so it still lists the host's processes and its
	 * /proc/self names our global pid. This mount, made from inside the new namespace, covers
	 * it (it is not unmounted: it stays hidden underneath, and only in our mount namespace).
	 */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail(errno,
			    errno == EPERM ? "mounting proc needs root and a new PID namespace"
					   : NULL,
			    "mounting proc on /proc");
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 2): /proc must show the container's PID namespace, not the host's */
	//@@ STARTER(standard,challenge) /* (man 5 proc, man 7 pid_namespaces). This runs in the child: why there? */
	//@@ STARTER(guided) /* TODO(stage 2): mount a new proc filesystem on /proc (man 2 mount, */
	//@@ STARTER(guided) /* man 5 proc). Do it here, in the child: it must be mounted from inside the */
	//@@ STARTER(guided) /* new PID namespace to show that namespace's processes. */
	//@@ STARTER return 0;
}
