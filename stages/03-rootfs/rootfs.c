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
	/* TODO(stage 3): make rootfs a mount point (bind-mount it onto itself), */
	/* chdir into it, pivot_root(".", ".") (there is no glibc wrapper: use */
	/* syscall(SYS_pivot_root, ...)), detach the old root with */
	/* umount2(".", MNT_DETACH) and chdir("/"). Read man 2 pivot_root (its */
	/* NOTES describe the "." idiom) and man 2 umount2. Not chroot(2): see README. */
	(void)rootfs;
	return todo("pivot_root into --rootfs");
}

/* Step 2: /proc for our PID namespace, and the kernel's /sys, read-only. */
static int mount_proc_sys(void)
{
	/* TODO(stage 3): mount proc on /proc and sysfs on /sys, the latter with */
	/* MS_RDONLY (man 2 mount, man 5 proc, man 5 sysfs). mkdir them if missing. */
	return 0;
}

/* Step 3: a /dev of our own — never the host's, which holds its disks. */
static int populate_dev(void)
{
	/* TODO(stage 3): mount a tmpfs on /dev (not nodev: the nodes must work), */
	/* create the character devices in devices[] with mknod(2) (chmod them to */
	/* 0666: mknod's mode goes through the umask), the symlinks in dev_links[], */
	/* then a new devpts instance on /dev/pts ("newinstance,ptmxmode=0666", */
	/* man 4 pts) and a tmpfs on /dev/shm (man 5 tmpfs). */
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
