/*
 * Stage 6 — capabilities, no_new_privs and a seccomp filter: the hardened container.
 *
 * After stages 1-5 the container has namespaces of its own but COMMAND is still root with every
 * capability: it can mount, load kernel modules, set the clock, mknod the host's disk, write to
 * /proc/sysrq-trigger. This stage takes that power away, in four layers:
 *   - /proc: the parts of it that reach into the host kernel are made read-only or masked
 *     (the seccomp filter cannot see file names, so it cannot protect files);
 *   - capabilities (libcap): only Docker's default set minus CAP_MKNOD survives, in the bounding,
 *     effective and permitted sets; inheritable and ambient are emptied;
 *   - no_new_privs: no execve can ever give the container more (setuid files, file caps);
 *   - a seccomp filter (libseccomp): syscalls no container needs fail with EPERM, a few only
 *     with dangerous arguments (namespace flags to clone, setuid bits to chmod, TIOCSTI).
 *
 * Read: man 7 capabilities, man 3 cap_set_proc, man 3 cap_drop_bound, man 2 prctl
 * (PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT), man 2 seccomp, man 3 seccomp_init, man 3 seccomp_rule_add,
 * man 3 seccomp_attr_set, man 3 seccomp_load, man 2 mount (MS_BIND, MS_REMOUNT, MS_RDONLY),
 * man 5 proc, man 2 ioctl_tty (TIOCSTI).
 *
 * Error contract: each function returns -1 after fail() has recorded what failed and why; see
 * container.h. libcap returns -1 with errno set; libseccomp returns -errno.
 */
#define _GNU_SOURCE
#include "container.h"
#include "policy.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* TODO(stage 6): your static helper functions go here, one job each. */

int security_harden_proc(void)
{
	/* TODO(stage 6): readonly_paths[] become read-only and masked_paths[] */
	/* read as empty inside (policy.h), whatever flags their mounts had; a */
	/* path this kernel does not have is skipped. Why can seccomp not do */
	/* this? Read: man 2 mount (bind mounts, remounting), man 5 proc. */
	return 0;
}

int security_apply(void)
{
	/* TODO(stage 6), in the order README's "Why this order" explains: keep only */
	/* kept_caps[] (bounding, effective, permitted; inheritable and ambient empty: */
	/* man 7 capabilities, libcap's man 3 cap_init); no_new_privs (man 2 prctl); */
	/* the seccomp filter of the contract, built with libseccomp from */
	/* denied_syscalls[] and namespace_flags[] and loaded last (man 3 */
	/* seccomp_init, seccomp_rule_add; man 2 seccomp). Return 0 or fail(). */
	return 0;
}
