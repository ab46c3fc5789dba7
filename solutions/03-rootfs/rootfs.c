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

//@@ BEGIN SOLUTION
/* Create directory path unless it exists: a minimal rootfs may lack /proc, /sys or /dev. */
static int ensure_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return fail(errno, NULL, "mkdir %s", path);
	return 0;
}

/* Mount a new filesystem of type fstype on path (created if missing). */
static int mount_fs(const char *fstype, const char *path, unsigned long flags, const char *data)
{
	if (ensure_dir(path, 0755) < 0)
		return -1;
	if (mount(fstype, path, fstype, flags, data) < 0)
		return fail(errno, NULL, "mounting %s on %s", fstype, path);
	return 0;
}

static const char *pivot_root_hint(int err)
{
	switch (err) {
	case EINVAL:
		return "is the new root a mount point (bind-mount it onto itself first)? is its "
		       "parent mount shared (make / private first)? did an earlier chroot hide the "
		       "real /?";
	case EBUSY:
		return "the new root is on the same mount as the current / : bind-mount it onto "
		       "itself first";
	case EPERM:
		return "pivot_root needs CAP_SYS_ADMIN: run as root";
	default:
		return NULL;
	}
}
//@@ END SOLUTION

/* Step 1: make rootfs the new / of this mount namespace and get rid of the old one. */
static int pivot_into(const char *rootfs)
{
	//@@ BEGIN SOLUTION
	/*
	 * pivot_root(2) swaps whole mounts, not directories: the new root must be a mount point.
	 * Binding the directory onto itself makes it one (MS_REC: with anything mounted below).
	 * This mount is private, like everything here since mounts_make_private(), so the host
	 * never sees it.
	 */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail(errno, NULL, "bind-mounting rootfs %s onto itself", rootfs);
	if (chdir(rootfs) < 0)
		return fail(errno, NULL, "chdir %s", rootfs);
	/*
	 * pivot_root(".", "."): the new root is the current directory, and the old root is put
	 * on top of it (no put-old directory needed in the rootfs). glibc has no wrapper.
	 */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(errno, pivot_root_hint(errno), "pivot_root into %s", rootfs);
	/*
	 * "." is now the old root, stacked on the new one. Detach it, with all the host's mounts
	 * below it (/proc, /sys, /dev, /home ...): until then "/" still leads to the host's files.
	 * MNT_DETACH because our own cwd and open files keep the old tree busy.
	 */
	if (umount2(".", MNT_DETACH) < 0)
		return fail(errno, NULL, "unmounting the old root");
	/* pivot_root(2) leaves the cwd alone: make it the new / as it now resolves (man page). */
	if (chdir("/") < 0)
		return fail(errno, NULL, "chdir /");
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 3): make rootfs the container's / so that no path, no ".." and no */
	//@@ STARTER(standard,challenge) /* chroot(2) trick leads back to the host's tree: afterwards the old root is not */
	//@@ STARTER(standard,challenge) /* hidden but gone from this mount namespace (man 2 pivot_root: what it asks of */
	//@@ STARTER(standard,challenge) /* the new root, and its NOTES; man 2 umount2). Not chroot(2): see README. */
	//@@ STARTER(guided) /* TODO(stage 3): make rootfs a mount point (bind-mount it onto itself), */
	//@@ STARTER(guided) /* chdir into it, pivot_root(".", ".") (there is no glibc wrapper: use */
	//@@ STARTER(guided) /* syscall(SYS_pivot_root, ...)), detach the old root with */
	//@@ STARTER(guided) /* umount2(".", MNT_DETACH) and chdir("/"). Read man 2 pivot_root (its */
	//@@ STARTER(guided) /* NOTES describe the "." idiom) and man 2 umount2. Not chroot(2): see README. */
	//@@ STARTER (void)rootfs;
	//@@ STARTER return todo("pivot_root into --rootfs");
}

/* Step 2: /proc for our PID namespace, and the kernel's /sys, read-only. */
static int mount_proc_sys(void)
{
	//@@ BEGIN SOLUTION
	/* Stage 7: rootless, they were made before pivot_root (the kernel's rule: see userns.c). */
	if (userns_rootless())
		return userns_mount_proc_sys();
	/* Mounted after pivot_root, so a symlink in the rootfs cannot aim a mount at a host path. */
	if (mount_fs("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	/*
	 * sysfs exposes knobs of the whole machine (and devices the container must not touch):
	 * read-only, as Docker does. Mounting it in a new mount namespace is allowed to root.
	 */
	return mount_fs("sysfs", "/sys", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 3): /proc for the container's PID namespace, and the kernel's */
	//@@ STARTER(standard,challenge) /* /sys, read-only (man 2 mount, man 5 proc, man 5 sysfs). */
	//@@ STARTER(guided) /* TODO(stage 3): mount proc on /proc and sysfs on /sys, the latter with */
	//@@ STARTER(guided) /* MS_RDONLY (man 2 mount, man 5 proc, man 5 sysfs). mkdir them if missing. */
	//@@ STARTER return 0;
}

/* Step 3: a /dev of our own — never the host's, which holds its disks. */
static int populate_dev(void)
{
	//@@ BEGIN SOLUTION
	/* Not MS_NODEV: the device nodes below must work. */
	if (mount_fs("tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		const struct device *d = &devices[i];

		/* Stage 7: in a user namespace mknod(2) is never allowed; the host's nodes are. */
		if (userns_rootless()) {
			if (userns_bind_device(i, d->path) < 0)
				return -1;
			continue;
		}
		/*
		 * mknod needs CAP_MKNOD, which stage 6 drops later on: create the nodes now.
		 * chmod because mknod's mode is filtered through our umask; 0666 is what every
		 * system gives these devices.
		 */
		if (mknod(d->path, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0)
			return fail(errno,
				    errno == EPERM ? "creating device nodes needs CAP_MKNOD" : NULL,
				    "mknod %s", d->path);
		if (chmod(d->path, 0666) < 0)
			return fail(errno, NULL, "chmod %s", d->path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlink(dev_links[i].target, dev_links[i].path) < 0)
			return fail(errno, NULL, "symlink %s", dev_links[i].path);
	/*
	 * newinstance: a devpts of our own, whose ptys are numbered from 0 and invisible to the
	 * host's; ptmxmode=0666 so that /dev/ptmx -> pts/ptmx can open it. gid=5 is "tty" -- but
	 * not in a rootless container (stage 7), whose gid map has no group 5: EINVAL.
	 */
	if (mount_fs("devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
		     userns_rootless() ? "newinstance,ptmxmode=0666,mode=0620"
				       : "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0)
		return -1;
	/* POSIX shared memory (shm_open) lives in /dev/shm: world-writable, sticky, like /tmp. */
	return mount_fs("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			"mode=1777,size=65536k");
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 3): a /dev of the container's own, never the host's: the nodes of */
	//@@ STARTER(standard,challenge) /* devices[] (policy.h), usable and mode 0666, the links of dev_links[], a devpts */
	//@@ STARTER(standard,challenge) /* of its own on /dev/pts that /dev/ptmx leads to, and /dev/shm for POSIX shared */
	//@@ STARTER(standard,challenge) /* memory (man 2 mknod, man 4 pts, man 5 tmpfs, man 7 shm_overview). */
	//@@ STARTER(guided) /* TODO(stage 3): mount a tmpfs on /dev (not nodev: the nodes must work), */
	//@@ STARTER(guided) /* create the character devices in devices[] with mknod(2) (chmod them to */
	//@@ STARTER(guided) /* 0666: mknod's mode goes through the umask), the symlinks in dev_links[], */
	//@@ STARTER(guided) /* then a new devpts instance on /dev/pts ("newinstance,ptmxmode=0666", */
	//@@ STARTER(guided) /* man 4 pts) and a tmpfs on /dev/shm (man 5 tmpfs). */
	//@@ STARTER return 0;
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
