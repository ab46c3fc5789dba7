/*
 * container.h — the one header of the container-lab runtime.
 *
 * The runtime is a small core (stages/core/, given to students, not an exercise) that calls one
 * module per kernel feature, one module per stage:
 *
 *   stage 1  stages/01-uts/uts.c          clone(2), UTS + IPC namespaces, waitpid(2)
 *   stage 2  stages/02-pid/pid.c          PID + mount namespaces, a fresh /proc
 *   stage 3  stages/03-rootfs/rootfs.c    pivot_root(2) into --rootfs, /proc /sys /dev
 *   stage 4  stages/04-cgroups/cgroup.c   a cgroup per container: pids, memory, cpu (v1 and v2)
 *   stage 5  stages/05-net/net.c          network namespace, veth pair over rtnetlink (libnl)
 *   stage 6  stages/06-security/security.c capabilities (libcap), no_new_privs, seccomp
 *   stage 8  stages/08-image/image.c      overlayfs root from image layers, --volume bind mounts
 *
 * Every module's functions are called by runtime.c at a fixed point of the container's life (see
 * the order in runtime.c). A module that is still a starter does nothing and returns 0, so a
 * student's runtime keeps working for the stages already done.
 *
 * Error contract (whole runtime): a function that can fail returns -1 (or an invalid pid) after
 * recording ONE message with fail() — what failed, strerror(errno) and, where it helps, a hint.
 * Callers pass the -1 up without adding text. Only main.c and runtime.c print the message, as one
 * "container: ..." line on stderr, and exit 125. Nothing else in the runtime prints or exits.
 */
#ifndef CONTAINER_H
#define CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- exit statuses (the runtime contract) ---- */
#define EXIT_RUNTIME_FAILED 125 /* usage error, bad value, a setup step failed */
#define EXIT_CANNOT_EXEC    126 /* COMMAND exists but cannot be executed */
#define EXIT_NOT_FOUND	    127 /* COMMAND was not found */

/* ---- the validated command line (config.c) ---- */

#define CPU_PERIOD_US 100000L /* --cpus X becomes a quota of X * 100000 us per 100000 us */

struct net_config {
	bool enabled;	     /* --net given */
	uint32_t addr;	     /* container's eth0 address, host byte order */
	uint32_t host_addr;  /* the host end: first usable address of the subnet */
	unsigned int prefix; /* 8..30 */
};

#define MAX_LAYERS  16 /* --image LAYER[:LAYER...] */
#define MAX_VOLUMES 16 /* --volume, repeatable */

struct volume {
	const char *host; /* HOST: an existing directory (checked by config_parse) */
	const char *ctr;  /* CTR: an absolute path inside the container */
	bool readonly;	  /* ":ro" */
};

struct config {
	const char *hostname; /* never NULL: "container" by default */
	const char *rootfs;   /* NULL: keep the host's file tree (stages 1-2) */
	int nlayers;	      /* --image: 0 without; else layers[0] is the top layer */
	const char *layers[MAX_LAYERS];
	const char *upper; /* --upper DIR (an empty directory), or NULL: a throw-away layer */
	int nvolumes;
	struct volume volumes[MAX_VOLUMES];
	long pids_limit;	/* 0: no limit */
	long long memory_bytes; /* 0: no limit */
	long cpu_quota_us;	/* 0: no limit; else per CPU_PERIOD_US */
	struct net_config net;
	char *const *argv; /* COMMAND [ARG...], NULL-terminated, argv[0] != NULL */
};

/* Parse "container run [OPTIONS] [--] COMMAND [ARG...]". Returns 0, or -1 with fail() set. */
int config_parse(struct config *cfg, int argc, char *const argv[]);

/* ---- errors (error.c) ---- */

/*
 * Record the message for the current failure and return -1. `err` is an errno value (0: none)
 * that is appended as ": strerror(err)"; `hint` (may be NULL) is appended in parentheses: tell
 * the user what the error probably means. errno is left set to `err`.
 */
int fail(int err, const char *hint, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The message recorded by the last fail(). */
const char *fail_message(void);
/*
 * What a starter module returns for a step that is still a TODO and cannot be skipped: it fails
 * with ENOSYS and a message that names the stage, so the student knows where to look.
 */
int todo(const char *what);

/* ---- stage 1: uts.c ---- */

/* Namespaces this stage adds to clone(2)'s flags. */
unsigned long uts_clone_flags(void);
/*
 * Start fn(arg) in a new process created with clone(2) and the given namespace flags (SIGCHLD is
 * added so that waitpid(2) works as for fork). Returns the child's pid (as seen by the caller), or
 * -1 with fail() set.
 */
pid_t container_clone(int (*fn)(void *), void *arg, unsigned long ns_flags);
/* In the child: give the new UTS namespace its hostname. 0, or -1 with fail() set. */
int uts_setup(const struct config *cfg);
/*
 * Wait for the container's first process and turn its wait status into the runtime's exit status:
 * its exit code, or 128 + N if signal N killed it. Must keep waiting when a forwarded signal
 * interrupts waitpid(2) (EINTR). Returns that status (0..255), or -1 with fail() set.
 */
int container_wait(pid_t pid);

/* ---- stage 2: pid.c ---- */

unsigned long pid_clone_flags(void);
/*
 * In the child, first of all mount work: stop mount events from propagating back to the host
 * (make / private, recursively). 0, or -1 with fail() set.
 */
int mounts_make_private(void);
/* In the child, without --rootfs: mount a fresh proc on /proc for the new PID namespace. */
int proc_remount(void);

/* ---- stage 3: rootfs.c ---- */

/*
 * In the child, with --rootfs: make cfg->rootfs the new / (pivot_root), with /proc, a read-only
 * /sys and a tmpfs /dev inside, and the old root unmounted. 0, or -1 with fail() set.
 */
int rootfs_enter(const struct config *cfg);

/* ---- stage 4: cgroup.c ---- */

enum cgroup_mode {
	CGROUP_NONE = 0, /* nothing created (starter, or not set up yet) */
	CGROUP_V1,	 /* legacy: one hierarchy per controller under /sys/fs/cgroup/<ctrl> */
	CGROUP_HYBRID,	 /* v1 controllers + an (empty) cgroup2 at /sys/fs/cgroup/unified */
	CGROUP_V2,	 /* unified: one cgroup2 hierarchy at /sys/fs/cgroup */
};

#define CGROUP_MAX_DIRS 4
struct cgroup {
	enum cgroup_mode mode;
	/* The directories created for this container, in creation order; removed in reverse. */
	int ndirs;
	char dirs[CGROUP_MAX_DIRS][256];
};

/* Detect how the host mounts cgroups (statfs magic). Cached after the first call. */
enum cgroup_mode cgroup_detect(void);
/* In the parent, before clone: create this container's cgroup(s) and write cfg's limits. */
int cgroup_create(struct cgroup *cg, const struct config *cfg, const char *name);
/* In the parent, before the child is released: move pid into the cgroup(s). */
int cgroup_add(const struct cgroup *cg, pid_t pid);
/*
 * Kill whatever is still in the cgroup(s) and remove them. Safe to call on a cgroup that was
 * never (or only partly) created and to call twice. 0, or -1 with fail() set.
 */
int cgroup_destroy(struct cgroup *cg);

/* ---- stage 5: net.c ---- */

unsigned long net_clone_flags(void);
struct net_state {
	char host_if[16]; /* host end of the veth pair ("" when none was created) */
};
/*
 * In the parent, before the child is released: with --net, check the host address is free,
 * create a veth pair whose peer is "eth0" inside pid's network namespace, and give the host end
 * its address and bring it up. Without --net: nothing. 0, or -1 with fail() set.
 */
int net_setup_host(struct net_state *st, const struct config *cfg, pid_t pid, const char *name);
/* In the child: bring up lo; with --net, eth0 with its address and the default route. */
int net_setup_container(const struct config *cfg);
/* Remove the host end of the pair if it is still there. Safe to call twice. */
int net_teardown(struct net_state *st);

/* ---- stage 6: security.c ---- */

/* In the child, after /proc is mounted: make /proc/sys & co. read-only, mask /proc/kcore & co. */
int security_harden_proc(void);
/*
 * In the child, the very last step before execve(2): drop capabilities, set no_new_privs, load
 * the seccomp filter. 0, or -1 with fail() set.
 */
int security_apply(void);

/* ---- stage 8: image.c ---- */

/*
 * In the child, after mounts_make_private() and before rootfs_enter(): with --image, mount the
 * overlay of cfg->layers and a writable layer, and point cfg->rootfs at the merged tree, so that
 * stage 3 pivots into it as into any --rootfs; then bind each --volume into cfg->rootfs. Every
 * mount lives in the container's mount namespace only. 0, or -1 with fail() set.
 */
int image_prepare(struct config *cfg);

#endif
