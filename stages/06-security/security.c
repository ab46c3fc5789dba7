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
	/* TODO(stage 6): for each of readonly_paths[]: bind-mount it onto itself, then */
	/* remount that bind read-only (MS_BIND | MS_REMOUNT | MS_RDONLY, keeping the */
	/* mount's nosuid/nodev/noexec: statvfs(3)). For each of masked_paths[]: */
	/* bind-mount /dev/null over it. Skip a path this kernel does not have (ENOENT). */
	/* Read: man 2 mount, man 5 proc. */
	return 0;
}

int security_apply(void)
{
	/* TODO(stage 6), in this order (README: "Why this order"): */
	/* 1. capabilities (libcap): drop every capability not in kept_caps[] from the */
	/*    bounding set (cap_drop_bound), clear the ambient set (cap_reset_ambient), */
	/*    then set effective = permitted = kept_caps[], inheritable empty */
	/*    (cap_init, cap_set_flag, cap_set_proc). man 7 capabilities. */
	/* 2. prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0). man 2 prctl. */
	/* 3. the seccomp filter (libseccomp): seccomp_init(SCMP_ACT_ALLOW); */
	/*    SCMP_ACT_ERRNO(EPERM) for denied_syscalls[]; clone with any of */
	/*    namespace_flags[]; chmod/fchmod/fchmodat adding S_ISUID or S_ISGID; */
	/*    ioctl TIOCSTI (exactly: low 32 bits); clone3 -> ENOSYS; then seccomp_load. */
	/*    man 3 seccomp_init, man 3 seccomp_rule_add, man 3 seccomp_load. */
	return 0;
}
