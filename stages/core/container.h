/*
 * container.h — the one header of the container-lab runtime.
 *
 * The runtime is a small core (stages/core/, given to students, not an exercise) that calls one
 * module per kernel feature, one module per stage (stage 1 has three: the process, its namespaces,
 * and the launch protocol around them):
 *
 *   stage 1  stages/01-uts/process.c      the container's process: clone(2), waitpid(2)
 *            stages/01-uts/launch.c       the release and report pipes (given, but at challenge)
 *            stages/01-uts/uts.c          UTS + IPC namespaces, the hostname
 *   stage 2  stages/02-pid/pid.c          PID + mount namespaces, a fresh /proc
 *   stage 3  stages/03-rootfs/rootfs.c    pivot_root(2) into --rootfs, /proc /sys /dev
 *   stage 4  stages/04-cgroups/cgroup.c   a cgroup per container: pids, memory, cpu (v1 and v2)
 *   stage 5  stages/05-net/net.c          network namespace, veth pair over rtnetlink (libnl)
 *   stage 6  stages/06-security/security.c capabilities (libcap), no_new_privs, seccomp
 *   stage 7  stages/07-userns/userns.c    a user namespace: the rootless container
 *   stage 8  stages/08-image/image.c      overlayfs root from image layers, --volume bind mounts
 *   stage 9  stages/09-exec/exec.c        --name, exec (setns), ps, kill: a record under /run
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

/* The number of elements of an array (not of a pointer: sizeof would give the pointer's size). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

/* What the command line asks for: "container run|exec|ps|kill ...". */
enum command { CMD_RUN, CMD_EXEC, CMD_PS, CMD_KILL };

struct config {
	enum command command;
	const char *name;     /* run --name, or exec's/kill's NAME; NULL: an unnamed run */
	int signal;	      /* kill: the signal to send (default SIGKILL, as docker kill) */
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

/*
 * Parse "container run [OPTIONS] [--] COMMAND [ARG...]", "container exec NAME [--] COMMAND
 * [ARG...]", "container ps" or "container kill NAME [SIGNAL]". Returns 0, or -1 with fail() set.
 */
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

/* ---- stage 1: uts.c (the namespaces) ---- */

/* Namespaces this stage adds to clone(2)'s flags. */
unsigned long uts_clone_flags(void);
/* In the child: give the new UTS namespace its hostname. 0, or -1 with fail() set. */
int uts_setup(const struct config *cfg);

/* ---- stage 1: process.c (the container's process, its end and exit status) ---- */

/*
 * Start fn(arg) in a new process created with clone(2) and the given namespace flags (SIGCHLD is
 * added so that waitpid(2) works as for fork). Returns the child's pid (as seen by the caller), or
 * -1 with fail() set.
 */
pid_t container_clone(int (*fn)(void *), void *arg, unsigned long ns_flags);
/*
 * Wait for the container's first process and turn its wait status into the runtime's exit status:
 * its exit code, or 128 + N if signal N killed it. Must keep waiting when a forwarded signal
 * interrupts waitpid(2) (EINTR). Returns that status (0..255), or -1 with fail() set.
 */
int container_wait(pid_t pid);

/* ---- stage 1: launch.c (the release and report pipes between the runtime and its child) ---- */

/*
 * The two pipes of the launch protocol (launch.c says why each exists), as -1 or an open end:
 *   release  the parent writes one byte once its setup from outside is done; the child waits
 *            for it before its last steps. EOF instead: the parent failed or died.
 *   report   close-on-exec: the child writes one report if a step up to execve(2) fails; EOF
 *            in the parent means execve(2) succeeded.
 * The child gets a copy of the struct (clone without CLONE_VM, or fork): each side closes the
 * other's ends of both pipes.
 */
struct launch {
	int release_rd, release_wr;
	int report_rd, report_wr;
};
#define LAUNCH_INIT                                                                                \
	{                                                                                          \
		.release_rd = -1, .release_wr = -1, .report_rd = -1, .report_wr = -1               \
	}

/*
 * In the parent, before the clone (l is LAUNCH_INIT): the report pipe and, if release, the
 * release pipe (`exec` has none: its container runs already). Both close-on-exec. 0, or -1 with
 * fail() set and nothing left open.
 */
int launch_open(struct launch *l, bool release);
/* In the parent, right after the clone: close the child's ends (release_rd, report_wr). */
void launch_parent_ends(struct launch *l);
/* In the child, first of all: close the parent's ends (release_wr, report_rd). */
void launch_child_ends(struct launch *l);
/* In the parent, once its setup is done: release the child (one byte). 0, or -1 with fail() set. */
int launch_release(struct launch *l);
/*
 * In the child: block until the parent releases it, then close the release pipe. 0: released;
 * -1: EOF (the parent failed or died first), and the child must _exit(2) without COMMAND.
 */
int launch_wait(struct launch *l);
/*
 * In the child, when a step up to and including execve(2) has failed: send the parent status
 * and fail_message(), in one write. 0, or -1 if it could not be sent (the caller prints the
 * message itself). The caller then _exit(2)s with status.
 */
int launch_report(struct launch *l, int status);
/*
 * In the parent, after the release: wait for the child's exec. 0: EOF, execve(2) succeeded and
 * COMMAND runs; else the child failed and _exit()ed: its status (125, 126 or 127) is returned,
 * its message recorded with fail(). Closes the report pipe.
 */
int launch_result(struct launch *l);
/* Close every end still open (the failure paths). Safe on LAUNCH_INIT, and twice. */
void launch_close(struct launch *l);

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
/*
 * In the parent, after clone and before the child is released: create this container's cgroup(s)
 * and write cfg's limits. Each directory is recorded in cg->dirs BEFORE it is made (and forgotten
 * if mkdir fails): the cleanup guard removes what is recorded if the runtime is SIGKILLed, even
 * right after the mkdir(2).
 */
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
 * its address and bring it up. Without --net: nothing. 0, or -1 with fail() set. The host end's
 * name goes into st->host_if BEFORE the pair is made (and is cleared if that fails), for the
 * cleanup guard, as cgroup_create() records its directories.
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

/* ---- stage 7: userns.c ---- */

/*
 * In the parent, first of all: decide whether the container is rootless (the runtime is not
 * root). Rootless: refuse what needs root (--net) and say which switch is off if user
 * namespaces are. A starter refuses to run without root, as stages 1-6 do. 0, or -1 with
 * fail() set.
 */
int userns_check(const struct config *cfg);
/* What userns_check() decided: the other stages ask it where rootless differs (/dev, cgroups). */
bool userns_rootless(void);
/* Rootless: CLONE_NEWUSER, in the same clone(2) as the other namespaces. Else 0. */
unsigned long userns_clone_flags(void);
/*
 * In the parent, right after clone(2): rootless, write the child's uid_map, setgroups and
 * gid_map, then release it from userns_child_wait(). Else nothing. 0, or -1 with fail() set.
 */
int userns_write_maps(pid_t pid);
/*
 * In the child, before any other step: rootless, wait until the parent has written the maps;
 * with --rootfs, then take what pivot_root will hide (the host's device nodes, a proc and a
 * sysfs the kernel lets us mount only while the host's are visible). 0, or -1 with fail() set.
 */
int userns_child_wait(const struct config *cfg);
/* Rootless, in the child's new /dev: make path the host's node devices[i] (no mknod). */
int userns_bind_device(size_t i, const char *path);
/* Rootless, after pivot_root: attach the proc and sysfs userns_child_wait() made. */
int userns_mount_proc_sys(void);
/*
 * Rootless: where the container's cgroup may go in the hierarchy mounted at mnt (controller: a
 * v1 controller's name, NULL on v2): the user-writable (delegated) cgroup that holds the
 * runtime's own. 0 with it in out, 1 if there is none, -1 with fail() set.
 */
int userns_cgroup_parent(const char *mnt, const char *controller, char *out, size_t size);
/* ---- stage 9: exec.c ---- */

/*
 * The record of a named container: what `exec`, `ps` and `kill` find it by. Where it lives and
 * what it holds is the module's business; this struct is what the runtime that wrote it needs
 * to remove it again, even from its cleanup guard (a fork: getpid() is not the owner there).
 */
struct record {
	bool claimed;		  /* this runtime holds the name; remove the record at the end */
	char path[256];		  /* the record's file */
	pid_t owner;		  /* the runtime that claimed it ... */
	unsigned long long start; /* ... and its start time, which tells it from a reused pid */
};
/*
 * In `run`, before anything is created: with --name, take the name (125 if a running container
 * has it; a record whose runtime is dead is stale and taken over). Without --name: nothing.
 */
int record_claim(struct record *rec, const struct config *cfg);
/* In `run`, once COMMAND runs as pid: make the container findable. Unclaimed: nothing. */
int record_publish(struct record *rec, const struct config *cfg, pid_t pid);
/* Remove the record if it is still this runtime's. Safe on an unclaimed record, and twice. */
int record_remove(struct record *rec);
/*
 * `exec`, first of all, before signals are blocked or anything is opened: make the runtime safe
 * to enter a container (the reference re-executes itself from a sealed copy). 0, or -1.
 */
int exec_prepare(void);
/*
 * `exec`: find the running container `name`, join its cgroup and namespaces (user first when it
 * differs, mount last), and fork: the child, in the container (a PID > 1 there), runs fn(arg)
 * and never returns; the caller gets the child's pid and stays outside the container's PID
 * namespace (it waits, forwards signals). -1 with fail() set: nothing was joined... or, after a
 * namespace was joined, the caller can only report and exit.
 */
pid_t exec_enter(const char *name, int (*fn)(void *), void *arg);
/* `ps`: print "NAME PID COMMAND" for every running named container. 0, or -1 with fail() set. */
int ps_print(void);
/* `kill`: send sig to the first process of the running container `name`. 0, or -1. */
int container_kill(const char *name, int sig);
/* ---- stage 8: image.c ---- */

/*
 * In the child, after mounts_make_private() and before rootfs_enter(): with --image, mount the
 * overlay of cfg->layers and a writable layer, and point cfg->rootfs at the merged tree, so that
 * stage 3 pivots into it as into any --rootfs; then bind each --volume into cfg->rootfs. Every
 * mount lives in the container's mount namespace only. 0, or -1 with fail() set.
 */
int image_prepare(struct config *cfg);

#endif
