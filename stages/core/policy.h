/*
 * policy.h — the runtime contract's lists (given, not an exercise): what every container's /dev
 * holds (stage 3), and what stage 6 makes read-only, masks, keeps and denies. One copy, here,
 * for the starters and the reference alike; the stages iterate over them with ARRAY_SIZE()
 * (container.h).
 *
 * The tables are static: each module that includes this header gets its own (small) copy, and
 * a module that does not use one of them yet (a starter) compiles without a warning.
 */
#ifndef CONTAINER_POLICY_H
#define CONTAINER_POLICY_H

#include <sched.h>
#include <stddef.h>
#include <sys/capability.h>

/* ---- stage 3: /dev ---- */

/* The character devices every container gets (majors and minors: the kernel's devices.txt). */
static const struct device {
	const char *path;
	unsigned int major, minor;
} devices[] = {
    {"/dev/null", 1, 3},    /* reads EOF, swallows writes */
    {"/dev/zero", 1, 5},    /* reads zeros */
    {"/dev/full", 1, 7},    /* writes fail with ENOSPC */
    {"/dev/random", 1, 8},  /* the kernel's CSPRNG */
    {"/dev/urandom", 1, 9}, /* the same, never blocks */
    {"/dev/tty", 5, 0},	    /* "my controlling terminal", whichever that is */
};

/* And the symbolic links programs expect in /dev. */
static const struct dev_link {
	const char *path, *target;
} dev_links[] = {
    {"/dev/fd", "/proc/self/fd"},	/* bash's <(...) */
    {"/dev/stdin", "/proc/self/fd/0"},	/* cat /dev/stdin */
    {"/dev/stdout", "/proc/self/fd/1"}, /* tee /dev/stdout */
    {"/dev/stderr", "/proc/self/fd/2"}, /* echo error >/dev/stderr */
    {"/dev/ptmx", "pts/ptmx"},		/* the ptmx of our own devpts instance, not the host's */
};

/* ---- stage 6: /proc, capabilities, syscalls ---- */

/*
 * Made read-only: writing to them changes the host kernel, not the container (sysctls, the
 * magic SysRq key, interrupt affinity, PCI config space).
 */
static const char *const readonly_paths[] = {
    "/proc/sys",
    "/proc/sysrq-trigger",
    "/proc/irq",
    "/proc/bus",
};

/* Masked with /dev/null: reading them leaks the host's memory, keys and timers. */
static const char *const masked_paths[] = {
    "/proc/kcore",
    "/proc/keys",
    "/proc/timer_list",
};

/* The capabilities the container keeps (the contract): Docker's default set minus CAP_MKNOD. */
static const cap_value_t kept_caps[] = {
    CAP_CHOWN,	    CAP_DAC_OVERRIDE, CAP_FSETID,      CAP_FOWNER,  CAP_NET_RAW,
    CAP_SETGID,	    CAP_SETUID,	      CAP_SETFCAP,     CAP_SETPCAP, CAP_NET_BIND_SERVICE,
    CAP_SYS_CHROOT, CAP_KILL,	      CAP_AUDIT_WRITE,
};

/* Syscalls that fail with EPERM whatever their arguments (the contract's list). */
static const char *const denied_syscalls[] = {
    "keyctl",	      "add_key",      "request_key",
    "ptrace",	      "bpf",	      "perf_event_open",
    "userfaultfd",    "kexec_load",   "kexec_file_load",
    "init_module",    "finit_module", "delete_module",
    "mount",	      "umount2",      "pivot_root",
    "swapon",	      "swapoff",      "reboot",
    "setns",	      "unshare",      "open_by_handle_at",
    "iopl",	      "ioperm",	      "settimeofday",
    "clock_settime",  "acct",	      "move_pages",
    "migrate_pages",  "mbind",	      "set_mempolicy",
    "io_uring_setup",
};

/*
 * clone(2) with any of these flags makes a new namespace: EPERM. (CLONE_NEWTIME is not here: in
 * clone(2)'s flags its bit is part of the exit signal; only clone3 and unshare take it.)
 */
static const unsigned long namespace_flags[] = {
    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
};

#endif
