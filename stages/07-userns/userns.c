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

int userns_check(const struct config *cfg)
{
	/* TODO(stage 7): decide here whether the container is rootless (geteuid(2) is */
	/* not 0). Rootless: refuse --net (125), say which switch is off if user */
	/* namespaces are (/proc/sys/user/max_user_namespaces is 0, */
	/* /proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1), and make the */
	/* handshake pipe. Until then, stages 1-6 need root: */
	(void)cfg;
	if (geteuid() != 0)
		return fail(0, NULL, "must run as root (try sudo)");
	return 0;
}

bool userns_rootless(void)
{
	/* TODO(stage 7): what userns_check() decided. */
	return false;
}

unsigned long userns_clone_flags(void)
{
	/* TODO(stage 7): rootless, the user namespace (man 2 clone). */
	return 0;
}

int userns_write_maps(pid_t pid)
{
	/* TODO(stage 7): rootless, write "0 UID 1" to /proc/PID/uid_map, "deny" to */
	/* /proc/PID/setgroups, "0 GID 1" to /proc/PID/gid_map (in that order: README), */
	/* each in one write(2), then release the child on the handshake pipe. */
	(void)pid;
	return 0;
}

int userns_child_wait(const struct config *cfg)
{
	/* TODO(stage 7): rootless, wait for the parent's byte on the handshake pipe */
	/* (close the write end first: EOF then means the parent failed). With */
	/* --rootfs, then take what pivot_root will hide: a detached copy of each host */
	/* device node in devices[] (man 2 open_tree), a new proc and sysfs (man 2 */
	/* fsopen, fsmount). README: why now. */
	(void)cfg;
	return 0;
}

int userns_bind_device(size_t i, const char *path)
{
	/* TODO(stage 7): create an empty file at path and attach the host's node */
	/* there (move_mount(2) of the copy userns_child_wait() took). */
	(void)i;
	(void)path;
	return todo("binding the host's device nodes");
}

int userns_mount_proc_sys(void)
{
	/* TODO(stage 7): attach the proc and sysfs userns_child_wait() made on /proc */
	/* and /sys (mkdir them if missing; man 2 move_mount). */
	return todo("mounting proc and sysfs rootless");
}

int userns_cgroup_parent(const char *mnt, const char *controller, char *out, size_t size)
{
	/* TODO(stage 7): rootless, find the runtime's own cgroup in the hierarchy */
	/* mounted at mnt (/proc/self/cgroup: "0::/PATH" on v2, controller NULL; */
	/* "N:ctrls:/PATH" on v1) and put the cgroup above it in out if the user may */
	/* write it (access(2)): 0. 1: no such cgroup. */
	(void)mnt;
	(void)controller;
	(void)out;
	(void)size;
	return 1;
}
