/*
 * Stage 7 — a user namespace: the rootless container.
 *
 * Stages 1-6 need root because creating a namespace, mounting or dropping capabilities needs
 * CAP_SYS_ADMIN & co. in the user namespace that owns the thing changed. A new user namespace
 * changes who that owner is: its creator holds every capability *inside* it, over the
 * namespaces it owns (every namespace created with it or after it, from inside), and none over
 * the host's. So a user who is not root clones the container's namespaces together with
 * CLONE_NEWUSER — the kernel creates the user namespace first, and it owns the others — and the
 * runtime maps that user to uid 0 inside: root in the container, the user on the host.
 *
 *   parent (the user, uid U)                  child (in the new user namespace)
 *   clone(CLONE_NEWUSER | the others)  ---->  waits: until mapped, it is "nobody" (65534)
 *   /proc/CHILD/uid_map   "0 U 1"
 *   /proc/CHILD/setgroups "deny"              (before gid_map: CVE-2014-8989)
 *   /proc/CHILD/gid_map   "0 G 1"
 *   one byte on the handshake pipe     ---->  uid 0, gid 0 inside: stages 1-3 and 6 as before
 *
 * What changes without privilege on the host (the other stages ask userns_rootless()): /dev
 * nodes are bind-mounted from the host (mknod(2) is never allowed in a user namespace), devpts
 * gets no gid=5 (the map has no group 5), limits need a cgroup the user may write, and --net is
 * refused (the veth's host end would be made in the host's network namespace, owned by root).
 * Run by root, nothing changes: no user namespace, the container is the host's root as before.
 *
 * Read: man 7 user_namespaces, man 2 clone (CLONE_NEWUSER), man 5 proc (/proc/PID/uid_map,
 * gid_map, setgroups), man 1 newuidmap (why it is setuid), man 2 ioctl_ns (NS_GET_USERNS),
 * man 7 capabilities ("Interaction with user namespaces"), man 2 open_tree, man 2 move_mount.
 *
 * Error contract: each function that can fail returns -1 after fail() has recorded what failed
 * and why; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

//@@ BEGIN SOLUTION
/* Decided once, in the parent, before clone(2); the child inherits it with our memory. */
static bool rootless;
/* The handshake: the parent writes one byte once the maps are written. -1: not open. */
static int handshake[2] = {-1, -1};
/*
 * Rootless with --rootfs, in the child: detached mounts made while the host's tree is still in
 * reach, attached after pivot_root: a copy of each host device node of devices[], and the
 * container's proc and sysfs.
 */
static int device_tree[ARRAY_SIZE(devices)];
static int proc_tree = -1, sys_tree = -1;

/* Read a one-number sysctl; -1 if this kernel does not have it. */
static long read_sysctl(const char *path)
{
	char buf[32];
	long value = -1;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		value = strtol(buf, NULL, 10);
	fclose(f);
	return value;
}

/* Write value to /proc/PID/file in one write(2): the kernel takes a map in one go, or not. */
static int write_proc(pid_t pid, const char *file, const char *value)
{
	char path[64];
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, NULL, "open %s", path);
	n = write(fd, value, len);
	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return fail(err,
			    err == EPERM
				? "an unprivileged process may map only its own uid and gid, "
				  "once, and the gid only after setgroups is denied"
				: NULL,
			    "writing \"%.*s\" to %s", (int)strcspn(value, "\n"), value, path);
	}
	close(fd);
	return 0;
}
//@@ END SOLUTION

int userns_check(const struct config *cfg)
{
	//@@ BEGIN SOLUTION
	long max;

	rootless = geteuid() != 0;
	if (!rootless)
		return 0;
	if (cfg->net.enabled)
		return fail(0,
			    "the host end of the veth lives in the host's network namespace, which "
			    "only root may change: run as root, or leave out --net",
			    "--net needs root: a rootless container gets only lo");
	/*
	 * Say which switch is off rather than let clone(2) fail with a bare ENOSPC or EPERM. Both
	 * are read in our own user namespace: that is where the kernel counts (and limits) ours.
	 */
	max = read_sysctl("/proc/sys/user/max_user_namespaces");
	if (max == 0)
		return fail(
		    0,
		    "an administrator can turn them on: sysctl -w user.max_user_namespaces=15000",
		    "rootless: user namespaces are disabled (user.max_user_namespaces is 0)");
	/* Debian's own switch (kernels before 6.x patched it in): 0 refuses unprivileged users. */
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return fail(0, "sysctl -w kernel.unprivileged_userns_clone=1",
			    "rootless: unprivileged user namespaces are disabled "
			    "(kernel.unprivileged_userns_clone is 0)");
	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return fail(
		    0,
		    "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor "
		    "profile that allows userns for this runtime",
		    "rootless: AppArmor forbids unprivileged user namespaces");
	if (pipe2(handshake, O_CLOEXEC) < 0)
		return fail(errno, NULL, "pipe");
	return 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): decide here whether the container is rootless (geteuid(2) is */
	//@@ STARTER /* not 0). Rootless: refuse --net (125), say which switch is off if user */
	//@@ STARTER /* namespaces are (/proc/sys/user/max_user_namespaces is 0, */
	//@@ STARTER /* /proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1), and make the */
	//@@ STARTER /* handshake pipe. Until then, stages 1-6 need root: */
	//@@ STARTER (void)cfg;
	//@@ STARTER if (geteuid() != 0)
	//@@ STARTER 	return fail(0, NULL, "must run as root (try sudo)");
	//@@ STARTER return 0;
}

bool userns_rootless(void)
{
	//@@ BEGIN SOLUTION
	return rootless;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): what userns_check() decided. */
	//@@ STARTER return false;
}

unsigned long userns_clone_flags(void)
{
	//@@ BEGIN SOLUTION
	/*
	 * In the same clone(2) as the other namespaces: the kernel creates the user namespace
	 * first (copy_creds() before copy_namespaces()), so it owns every other one, and our
	 * capabilities in it are what lets an unprivileged user create them at all.
	 */
	return rootless ? CLONE_NEWUSER : 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): rootless, the user namespace (man 2 clone). */
	//@@ STARTER return 0;
}

int userns_write_maps(pid_t pid)
{
	//@@ BEGIN SOLUTION
	char map[64];
	int rc = -1;

	if (!rootless)
		return 0;
	close(handshake[0]);
	/* One line, one id: the only map an unprivileged writer may write (no newuidmap). */
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)geteuid());
	if (write_proc(pid, "uid_map", map) < 0)
		goto out;
	/*
	 * Deny setgroups(2) first: with it allowed, root inside could drop a supplementary group
	 * the user was put in to be *kept out* of files ("---rwx" for that group), CVE-2014-8989.
	 * The kernel refuses an unprivileged gid_map until setgroups is denied.
	 */
	if (write_proc(pid, "setgroups", "deny") < 0)
		goto out;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)getegid());
	if (write_proc(pid, "gid_map", map) < 0)
		goto out;
	if (write(handshake[1], "m", 1) != 1) {
		fail(errno, NULL, "telling the container its maps are written");
		goto out;
	}
	rc = 0;
out:
	/* On failure the child reads EOF and gives up. */
	close(handshake[1]);
	return rc;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): rootless, write "0 UID 1" to /proc/PID/uid_map, "deny" to */
	//@@ STARTER /* /proc/PID/setgroups, "0 GID 1" to /proc/PID/gid_map (in that order: README), */
	//@@ STARTER /* each in one write(2), then release the child on the handshake pipe. */
	//@@ STARTER (void)pid;
	//@@ STARTER return 0;
}

//@@ BEGIN SOLUTION
/* A new, detached mount of filesystem type fstype (fsopen(2), fsmount(2)). fd, or -1. */
static int new_detached_mount(const char *fstype, unsigned int attrs)
{
	int fs, mnt;

	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail(errno, NULL, "fsopen %s", fstype);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		close(fs);
		return fail(errno,
			    errno == EPERM && strcmp(fstype, "sysfs") == 0
				? "sysfs needs a network namespace owned by our user namespace"
				: NULL,
			    "creating a %s", fstype);
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	close(fs);
	if (mnt < 0)
		return fail(errno,
			    errno == EPERM
				? "in a user namespace the kernel lets proc and sysfs be "
				  "mounted only where the host's are fully visible"
				: NULL,
			    "fsmount %s", fstype);
	return mnt;
}

/*
 * Rootless with --rootfs: what the host has to lend us, taken while its tree is still here.
 * - No mknod(2) in a user namespace: the host's device nodes instead. open_tree(2) with
 *   OPEN_TREE_CLONE makes a detached bind mount of each. (A bind mount after pivot_root could
 *   not: the host's tree is detached by then, and the kernel binds only from our namespace.)
 *   The nodes are the host's, so they work; the host owns them, so root inside cannot chmod
 *   or remove them.
 * - proc and sysfs: in a user namespace the kernel mounts them only where a proc (sysfs) of
 *   the host is fully visible in our mount namespace (mount_too_revealing(): mounting one must
 *   not uncover what the host's covers). After pivot_root there is none left; now there is.
 *   proc shows the PID namespace and sysfs the network namespace of the process that makes
 *   them: ours, already.
 */
static int take_from_host(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		device_tree[i] =
		    (int)open_tree(AT_FDCWD, devices[i].path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (device_tree[i] < 0)
			return fail(errno, NULL, "open_tree %s (the host's)", devices[i].path);
	}
	proc_tree =
	    new_detached_mount("proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (proc_tree < 0)
		return -1;
	sys_tree = new_detached_mount("sysfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						   MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	return sys_tree < 0 ? -1 : 0;
}

/* Attach the detached mount *fd at path (created if missing) and close it. */
static int attach(int *fd, const char *path, bool dir)
{
	/* A mount point is needed: a directory for a directory, an empty file for a file. */
	if (dir && mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail(errno, NULL, "mkdir %s", path);
	if (!dir) {
		int f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (f < 0)
			return fail(errno, NULL, "creating %s", path);
		close(f);
	}
	if (move_mount(*fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail(errno, NULL, "move_mount onto %s", path);
	close(*fd);
	*fd = -1;
	return 0;
}
//@@ END SOLUTION

int userns_child_wait(const struct config *cfg)
{
	//@@ BEGIN SOLUTION
	char byte;

	if (!rootless)
		return 0;
	/* Our copy of the write end would keep the pipe open: EOF must mean "the parent failed". */
	close(handshake[1]);
	if (read(handshake[0], &byte, 1) != 1)
		return fail(0, NULL, "the runtime did not write the user namespace's maps");
	close(handshake[0]);
	/* Mapped now: our uid is 0 here, and the capabilities we got with the namespace work. */
	return cfg->rootfs != NULL ? take_from_host() : 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): rootless, wait for the parent's byte on the handshake pipe */
	//@@ STARTER /* (close the write end first: EOF then means the parent failed). With */
	//@@ STARTER /* --rootfs, then take what pivot_root will hide: a detached copy of each host */
	//@@ STARTER /* device node in devices[] (man 2 open_tree), a new proc and sysfs (man 2 */
	//@@ STARTER /* fsopen, fsmount). README: why now. */
	//@@ STARTER (void)cfg;
	//@@ STARTER return 0;
}

int userns_bind_device(size_t i, const char *path)
{
	//@@ BEGIN SOLUTION
	return attach(&device_tree[i], path, false);
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): create an empty file at path and attach the host's node */
	//@@ STARTER /* there (move_mount(2) of the copy userns_child_wait() took). */
	//@@ STARTER (void)i;
	//@@ STARTER (void)path;
	//@@ STARTER return todo("binding the host's device nodes");
}

//@@ BEGIN SOLUTION
/* Is c one of the comma-separated list's words? ("cpu" is in "cpu,cpuacct", not in "cpuset") */
static bool has_controller(const char *list, const char *c)
{
	size_t len = strlen(c);

	for (const char *p = list; p != NULL; p = strchr(p, ','), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, c, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}
//@@ END SOLUTION

int userns_mount_proc_sys(void)
{
	//@@ BEGIN SOLUTION
	if (attach(&proc_tree, "/proc", true) < 0)
		return -1;
	return attach(&sys_tree, "/sys", true);
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): attach the proc and sysfs userns_child_wait() made on /proc */
	//@@ STARTER /* and /sys (mkdir them if missing; man 2 move_mount). */
	//@@ STARTER return todo("mounting proc and sysfs rootless");
}

int userns_cgroup_parent(const char *mnt, const char *controller, char *out, size_t size)
{
	//@@ BEGIN SOLUTION
	char line[PATH_MAX + 64], *slash;
	const char *path = NULL;
	FILE *f;

	/*
	 * /proc/self/cgroup: "0::/PATH" on v2, "N:ctrl,ctrl:/PATH" per v1 hierarchy. Our own
	 * cgroup holds us; the container's goes next to it, in the cgroup above, which the user
	 * must be able to write: delegated (systemd's Delegate=yes chowns the directory and its
	 * cgroup.procs, cgroup.subtree_control). A sibling rather than a child, because on v2 a
	 * cgroup that holds a process (us) cannot pass controllers down to children.
	 */
	f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return fail(errno, NULL, "/proc/self/cgroup");
	while (path == NULL && fgets(line, sizeof(line), f) != NULL) {
		char *ctrls = strchr(line, ':'), *p;

		if (ctrls == NULL || (p = strchr(++ctrls, ':')) == NULL)
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		if (controller == NULL ? ctrls[0] == '\0' && strncmp(line, "0:", 2) == 0
				       : has_controller(ctrls, controller))
			path = p;
	}
	fclose(f);
	if (path == NULL)
		return 1;
	if ((size_t)snprintf(out, size, "%s%s", mnt, path) >= size)
		return fail(ENAMETOOLONG, NULL, "cgroup %s%s", mnt, path);
	slash = strrchr(out, '/');
	if (slash == NULL || slash == out + strlen(mnt))
		return 1; /* we are in the root cgroup: nothing above it */
	*slash = '\0';
	return access(out, W_OK) == 0 ? 0 : 1;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 7): rootless, find the runtime's own cgroup in the hierarchy */
	//@@ STARTER /* mounted at mnt (/proc/self/cgroup: "0::/PATH" on v2, controller NULL; */
	//@@ STARTER /* "N:ctrls:/PATH" on v1) and put the cgroup above it in out if the user may */
	//@@ STARTER /* write it (access(2)): 0. 1: no such cgroup. */
	//@@ STARTER (void)mnt;
	//@@ STARTER (void)controller;
	//@@ STARTER (void)out;
	//@@ STARTER (void)size;
	//@@ STARTER return 1;
}
