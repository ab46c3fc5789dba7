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

//@@ BEGIN SOLUTION
/* ---- /proc ---- */

/*
 * A bind remount replaces ALL the per-mount flags, so keep the ones the mount already has:
 * otherwise making /proc/sys read-only would quietly make it suid, dev and exec again (and in a
 * user namespace the kernel refuses, with EPERM, to drop such a "locked" flag).
 */
static unsigned long mount_flags_of(const struct statvfs *st)
{
	static const struct {
		unsigned long st_flag, ms_flag;
	} map[] = {
	    {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},	      {ST_NOEXEC, MS_NOEXEC},
	    {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	unsigned long flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (st->f_flag & map[i].st_flag)
			flags |= map[i].ms_flag;
	return flags;
}

/*
 * Read-only is a property of a mount, not of a file: bind the path onto itself so that it is a
 * mount of its own, then remount that one mount read-only (what runc does for readonlyPaths).
 * /proc is a fresh proc mount (stage 2 or 3) with nothing mounted under it, so no MS_REC.
 */
static int bind_readonly(const char *path)
{
	struct statvfs st;
	unsigned long flags;

	if (mount(path, path, NULL, MS_BIND, NULL) < 0) {
		/* Not in this kernel's /proc (e.g. no PCI bus): nothing to protect. */
		if (errno == ENOENT)
			return 0;
		return fail(errno, NULL, "bind-mounting %s onto itself", path);
	}
	if (statvfs(path, &st) < 0)
		return fail(errno, NULL, "statvfs %s", path);
	flags = MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(&st);
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return fail(errno,
			    errno == EINVAL
				? "remount a bind mount with MS_BIND|MS_REMOUNT together"
				: NULL,
			    "remounting %s read-only", path);
	return 0;
}

/*
 * Mask a file by binding /dev/null over it: reads return nothing, writes vanish, and the real
 * file is unreachable from inside. Without --rootfs this /dev/null is the host's, with --rootfs
 * the one stage 3 made in the container's /dev: either is the same kernel device.
 */
static int mask_with_dev_null(const char *path)
{
	if (access(path, F_OK) < 0) {
		if (errno == ENOENT) /* this kernel has no such file (e.g. no CONFIG_PROC_KCORE) */
			return 0;
		return fail(errno, NULL, "%s", path);
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return fail(errno,
			    errno == ENOENT ? "is there a /dev/null? (stage 3 makes it)" : NULL,
			    "masking %s (bind-mounting /dev/null over it)", path);
	return 0;
}

/* ---- capabilities ---- */

static bool cap_is_kept(cap_value_t cap)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		if (kept_caps[i] == cap)
			return true;
	return false;
}

static int cap_fail(int err, const char *hint, const char *what, cap_value_t cap)
{
	char *name = cap_to_name(cap);
	int rc = fail(err, hint, "%s %s", what, name != NULL ? name : "?");

	cap_free(name);
	return rc;
}

static int drop_capabilities(void)
{
	cap_t caps;
	int rc;

	/*
	 * The bounding set first. For a root process, execve(2) recomputes the permitted set as
	 * (roughly) "every capability in the bounding set": dropping only the effective and
	 * permitted sets would be undone by the exec of COMMAND itself. A capability dropped from
	 * the bounding set can never come back, for this process and all its descendants.
	 * cap_max_bits() is what the running kernel knows, which may be more than our headers do.
	 */
	for (cap_value_t cap = 0; cap < (cap_value_t)cap_max_bits(); cap++) {
		if (cap_is_kept(cap))
			continue;
		if (cap_drop_bound(cap) < 0)
			return cap_fail(errno,
					errno == EPERM ? "dropping from the bounding set needs "
							 "CAP_SETPCAP: do it before the other sets"
						       : NULL,
					"dropping from the bounding set:", cap);
	}
	/*
	 * Ambient capabilities survive execve(2) of an ordinary (non-setuid, capless) file: a
	 * caller that had raised some would hand them to COMMAND. Clear them all.
	 */
	if (cap_reset_ambient() < 0)
		return fail(errno, NULL, "clearing the ambient capabilities");
	/*
	 * cap_init() is the empty set: inheritable stays empty, effective and permitted get exactly
	 * the kept capabilities. One capset(2) call sets all three.
	 */
	caps = cap_init();
	if (caps == NULL)
		return fail(errno, NULL, "cap_init");
	if (cap_set_flag(caps, CAP_PERMITTED, (int)ARRAY_SIZE(kept_caps), kept_caps, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, (int)ARRAY_SIZE(kept_caps), kept_caps, CAP_SET) < 0) {
		rc = fail(errno, NULL, "cap_set_flag");
		cap_free(caps);
		return rc;
	}
	if (cap_set_proc(caps) < 0) {
		rc = fail(errno,
			  errno == EPERM ? "a process can only lower its capabilities: is a kept "
					   "capability missing from the bounding set?"
					 : NULL,
			  "setting the capabilities (cap_set_proc)");
		cap_free(caps);
		return rc;
	}
	cap_free(caps);
	return 0;
}

/* ---- seccomp ---- */

/* Add one rule; libseccomp returns -errno, which fail() wants positive. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int argc,
		    const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return fail(0, "this libseccomp is older than the syscall: upgrade libseccomp",
			    "seccomp: unknown syscall %s", name);
	rc = seccomp_rule_add_array(ctx, action, nr, argc, args);
	if (rc < 0)
		return fail(-rc, NULL, "seccomp: adding the rule for %s", name);
	return 0;
}

/* chmod-like syscall `name` whose mode is argument `mode_arg`: no setuid, no setgid bits. */
static int deny_setid_mode(scmp_filter_ctx ctx, const char *name, unsigned int mode_arg)
{
	/*
	 * "Any of these bits set" is not one comparison, so one rule per bit: the rule matches when
	 * (mode & S_ISUID) == S_ISUID. Setting a setuid bit is how root in a container plants a
	 * setuid-root binary for someone (or something) outside the container to run.
	 */
	static const mode_t bits[] = {S_ISUID, S_ISGID};

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		struct scmp_arg_cmp cmp = {.arg = mode_arg,
					   .op = SCMP_CMP_MASKED_EQ,
					   .datum_a = bits[i],
					   .datum_b = bits[i]};

		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), name, 1, &cmp) < 0)
			return -1;
	}
	return 0;
}

static int build_filter(scmp_filter_ctx ctx)
{
	int rc;

	/*
	 * We set no_new_privs ourselves, explicitly, before loading the filter; tell libseccomp
	 * not to do it behind our back, so that forgetting it is an error rather than a surprise.
	 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return fail(-rc, NULL, "seccomp_attr_set(SCMP_FLTATR_CTL_NNP)");

	for (size_t i = 0; i < ARRAY_SIZE(denied_syscalls); i++)
		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), denied_syscalls[i], 0, NULL) < 0)
			return -1;

	/*
	 * clone(2): on x86_64 and arm64 the flags are argument 0 (s390 swaps the first two). One
	 * rule per flag, for the same reason as the setuid bits above.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(namespace_flags); i++) {
		struct scmp_arg_cmp cmp = {.arg = 0,
					   .op = SCMP_CMP_MASKED_EQ,
					   .datum_a = namespace_flags[i],
					   .datum_b = namespace_flags[i]};

		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &cmp) < 0)
			return -1;
	}
	/*
	 * clone3(2) takes its flags in a struct in memory, which seccomp cannot read (it sees only
	 * the six register arguments), so it cannot be filtered by flags: refuse it altogether.
	 * ENOSYS, not EPERM: glibc (>= 2.34, for pthread_create, posix_spawn) tries clone3 first
	 * and falls back to clone(2) only on ENOSYS; EPERM would make every thread creation fail.
	 */
	if (add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL) < 0)
		return -1;

	if (deny_setid_mode(ctx, "chmod", 1) < 0 || deny_setid_mode(ctx, "fchmod", 1) < 0 ||
	    deny_setid_mode(ctx, "fchmodat", 2) < 0)
		return -1;
	/* fchmodat2 (Linux 6.6) is the same door; skip it only if libseccomp cannot name it. */
	if (seccomp_syscall_resolve_name("fchmodat2") != __NR_SCMP_ERROR &&
	    deny_setid_mode(ctx, "fchmodat2", 2) < 0)
		return -1;

	/*
	 * TIOCSTI pushes bytes into a terminal's input queue, as if typed: a container sharing the
	 * caller's terminal could type commands into the shell that started it, after it exits.
	 * Match the request number exactly: TIOCGWINSZ (0x5413) is one bit away from TIOCSTI
	 * (0x5412) and every terminal program needs it. The kernel reads the request as a 32-bit
	 * int, so compare only the low 32 bits: with a plain equality test, TIOCSTI | 1UL << 32
	 * would slip through (CVE-2019-10063, flatpak).
	 */
	{
		struct scmp_arg_cmp cmp = {.arg = 1,
					   .op = SCMP_CMP_MASKED_EQ,
					   .datum_a = 0xffffffffUL,
					   .datum_b = TIOCSTI};

		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &cmp) < 0)
			return -1;
	}
	return 0;
}

static int load_seccomp_filter(void)
{
	/*
	 * A deny-list: everything not listed is allowed (Docker's profile is an allow-list, safer
	 * against syscalls added to future kernels, but hundreds of lines long). The filter checks
	 * the architecture first: only x86_64's (native) numbers are allowed in; a 32-bit call
	 * (int 0x80) would kill the process (SCMP_FLTATR_ACT_BADARCH), see the README.
	 */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (ctx == NULL)
		return fail(ENOMEM, NULL, "seccomp_init");
	if (build_filter(ctx) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return fail(-rc,
			    rc == -EACCES
				? "loading a filter without CAP_SYS_ADMIN needs no_new_privs: "
				  "prctl(PR_SET_NO_NEW_PRIVS) first"
			    : rc == -EINVAL ? "is the kernel built with CONFIG_SECCOMP_FILTER?"
					    : NULL,
			    "loading the seccomp filter");
	return 0;
}
//@@ END SOLUTION
//@@ STARTER /* TODO(stage 6): your static helper functions go here, one job each. */

int security_harden_proc(void)
{
	//@@ BEGIN SOLUTION
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++)
		if (bind_readonly(readonly_paths[i]) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++)
		if (mask_with_dev_null(masked_paths[i]) < 0)
			return -1;
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 6): readonly_paths[] become read-only and masked_paths[] */
	//@@ STARTER(standard,challenge) /* read as empty inside (policy.h), whatever flags their mounts had; a */
	//@@ STARTER(standard,challenge) /* path this kernel does not have is skipped. Why can seccomp not do */
	//@@ STARTER(standard,challenge) /* this? Read: man 2 mount (bind mounts, remounting), man 5 proc. */
	//@@ STARTER(guided) /* TODO(stage 6): for each of readonly_paths[]: bind-mount it onto itself, then */
	//@@ STARTER(guided) /* remount that bind read-only (MS_BIND | MS_REMOUNT | MS_RDONLY, keeping the */
	//@@ STARTER(guided) /* mount's nosuid/nodev/noexec: statvfs(3)). For each of masked_paths[]: */
	//@@ STARTER(guided) /* bind-mount /dev/null over it. Skip a path this kernel does not have (ENOENT). */
	//@@ STARTER(guided) /* Read: man 2 mount, man 5 proc. */
	//@@ STARTER return 0;
}

int security_apply(void)
{
	//@@ BEGIN SOLUTION
	/*
	 * The order matters.
	 * 1. Capabilities first: dropping them uses capset(2) and prctl(2), which a stricter filter
	 *    than ours would refuse, and the bounding set can only be lowered while we still hold
	 *    CAP_SETPCAP.
	 * 2. no_new_privs next: without CAP_SYS_ADMIN (just dropped) the kernel accepts a seccomp
	 *    filter only from a process that can never gain privileges again, or else a filter
	 *    could trick a setuid program into misbehaving.
	 * 3. The filter last, right before execve(2) (runtime.c calls us last): from here on every
	 *    syscall, ours included, goes through it, and it can never be removed. It is inherited
	 *    by every child and kept across execve.
	 */
	if (drop_capabilities() < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(errno, NULL, "prctl(PR_SET_NO_NEW_PRIVS)");
	return load_seccomp_filter();
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 6), in the order README's "Why this order" explains: keep only */
	//@@ STARTER(standard,challenge) /* kept_caps[] (bounding, effective, permitted; inheritable and ambient empty: */
	//@@ STARTER(standard,challenge) /* man 7 capabilities, libcap's man 3 cap_init); no_new_privs (man 2 prctl); */
	//@@ STARTER(standard,challenge) /* the seccomp filter of the contract, built with libseccomp from */
	//@@ STARTER(standard,challenge) /* denied_syscalls[] and namespace_flags[] and loaded last (man 3 */
	//@@ STARTER(standard,challenge) /* seccomp_init, seccomp_rule_add; man 2 seccomp). Return 0 or fail(). */
	//@@ STARTER(guided) /* TODO(stage 6), in this order (README: "Why this order"): */
	//@@ STARTER(guided) /* 1. capabilities (libcap): drop every capability not in kept_caps[] from the */
	//@@ STARTER(guided) /*    bounding set (cap_drop_bound), clear the ambient set (cap_reset_ambient), */
	//@@ STARTER(guided) /*    then set effective = permitted = kept_caps[], inheritable empty */
	//@@ STARTER(guided) /*    (cap_init, cap_set_flag, cap_set_proc). man 7 capabilities. */
	//@@ STARTER(guided) /* 2. prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0). man 2 prctl. */
	//@@ STARTER(guided) /* 3. the seccomp filter (libseccomp): seccomp_init(SCMP_ACT_ALLOW); */
	//@@ STARTER(guided) /*    SCMP_ACT_ERRNO(EPERM) for denied_syscalls[]; clone with any of */
	//@@ STARTER(guided) /*    namespace_flags[]; chmod/fchmod/fchmodat adding S_ISUID or S_ISGID; */
	//@@ STARTER(guided) /*    ioctl TIOCSTI (exactly: low 32 bits); clone3 -> ENOSYS; then seccomp_load. */
	//@@ STARTER(guided) /*    man 3 seccomp_init, man 3 seccomp_rule_add, man 3 seccomp_load. */
	//@@ STARTER return 0;
}
