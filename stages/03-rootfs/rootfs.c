/*
 * Stage 3 — a mount namespace of its own, and pivot_root(2) into the container's root filesystem.
 *
 * With --rootfs DIR the container's / becomes DIR, and the host's file tree is not just hidden
 * (as chroot(2) would do) but unmounted from the container's mount namespace: no path, no "..",
 * no chroot trick leads back to it. The container then gets the filesystems every program
 * expects: /proc for its PID namespace, a read-only /sys, and a small /dev of its own (a tmpfs
 * with a few device nodes, its own /dev/pts instance and /dev/shm) instead of the host's /dev,
 * which holds the host's disks.
 *
 * Read: man 2 pivot_root, man 2 mount, man 2 umount2 (MNT_DETACH), man 7 mount_namespaces,
 * man 2 mknod, man 4 null, man 4 random, man 4 tty, man 4 pts, man 5 proc, man 5 sysfs,
 * man 5 tmpfs, man 2 chroot (why it is not enough).
 *
 * Error contract: rootfs_enter() returns -1 after fail() has recorded what failed and why (see
 * container.h). It runs in the child, in the container's own private mount namespace, so a
 * failure half-way leaves nothing behind: the mounts die with the namespace when the child exits.
 */
#define _GNU_SOURCE
#include "container.h"
#include "policy.h"

#include <errno.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Step 1: make rootfs the new / of this mount namespace and get rid of the old one. */
static int pivot_into(const char *rootfs)
{
	/* TODO(stage 3): make rootfs the container's / so that no path, no ".." and no */
	/* chroot(2) trick leads back to the host's tree: afterwards the old root is not */
	/* hidden but gone from this mount namespace (man 2 pivot_root: what it asks of */
	/* the new root, and its NOTES; man 2 umount2). Not chroot(2): see README. */
	(void)rootfs;
	return todo("pivot_root into --rootfs");
}

/* Step 2: /proc for our PID namespace, and the kernel's /sys, read-only. */
static int mount_proc_sys(void)
{
	/* TODO(stage 3): /proc for the container's PID namespace, and the kernel's */
	/* /sys, read-only (man 2 mount, man 5 proc, man 5 sysfs). */
	return 0;
}

/* Step 3: a /dev of our own — never the host's, which holds its disks. */
static int populate_dev(void)
{
	/* TODO(stage 3): a /dev of the container's own, never the host's: the nodes of */
	/* devices[] (policy.h), usable and mode 0666, the links of dev_links[], a devpts */
	/* of its own on /dev/pts that /dev/ptmx leads to, and /dev/shm for POSIX shared */
	/* memory (man 2 mknod, man 4 pts, man 5 tmpfs, man 7 shm_overview). */
	return 0;
}

int rootfs_enter(const struct config *cfg)
{
	/*
	 * Runs after mounts_make_private(): nothing below propagates to the host. After step 1,
	 * "/" is the rootfs, so steps 2 and 3 use plain absolute paths ("/proc", "/dev/null").
	 */
	if (pivot_into(cfg->rootfs) < 0 || mount_proc_sys() < 0 || populate_dev() < 0)
		return -1;
	return 0;
}
