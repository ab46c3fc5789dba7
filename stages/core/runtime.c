/*
 * runtime.c — the life of one container, as a straight line of checked steps.
 *
 *   parent (the runtime)                      child (becomes COMMAND)
 *   --------------------                      -----------------------
 *   userns_check(): root, or rootless [stage 7]
 *   check rootfs; name the container
 *   map the shared record (struct runtime)
 *   block forwarded signals; launch_open() [stage 1]
 *   container_clone(flags)       [stage 1] -> die with the parent (PR_SET_PDEATHSIG)
 *   userns_write_maps(child)     [stage 7] -> userns_child_wait()         [stage 7]
 *   start the cleanup guard                   uts_setup()                 [stage 1]
 *   record_claim() with --name   [stage 9]    mounts_make_private()       [stage 2]
 *   cgroup_create()              [stage 4]    image_prepare() with --image [stage 8]
 *   cgroup_add(child)            [stage 4]    rootfs_enter() with a root  [stage 3]
 *   net_setup_host(child)        [stage 5]      or proc_remount()         [stage 2]
 *                                             security_harden_proc()      [stage 6]
 *   launch_release()   [stage 1] ----------> launch_wait(): the release pipe [stage 1]
 *                                             net_setup_container()       [stage 5]
 *                                             start_command(): clean environment, signals,
 *                                               security_apply()          [stage 6]
 *   launch_result()    [stage 1] <---------- execvp(COMMAND), or launch_report() why not
 *   record_publish()             [stage 9]
 *   wait_forwarding(): signals, container_wait() [1]
 *   teardown: record, net, cgroup; dismiss the guard
 *
 * Nothing outlives the runtime, whenever it is SIGKILLed (make kill-stress proves it):
 * - Before the clone nothing exists outside this process: a name, pipes, memory.
 * - The child dies with the runtime (PR_SET_PDEATHSIG), or, if the runtime died before the child
 *   could ask for that, reads EOF on the release pipe and exits; as PID 1 of its PID namespace it
 *   takes every other process of the container along. Its mounts die with its mount namespace.
 * - What lives on the host beyond the child (the cgroup, the host end of the veth) is created only
 *   once the cleanup guard runs (guard.h), and each is written into the shared record struct
 *   runtime *before* the system call that creates it: a runtime killed between the mkdir(2) and
 *   the next line has recorded it already. The guard undoes what is recorded, the runtime's own
 *   teardown forgets each thing only once it is gone, and removing what was never made is no
 *   error (ENOENT, ENODEV).
 * New steps that create something on the host (a state file, an overlay's upper directory) follow
 * the same rule: after guard_start(), recorded in struct runtime first, undone by teardown().
 *
 * Why the guard is started after the clone: its fork then overlaps the child's own setup instead
 * of delaying it, and so do the cgroup and veth set-up (make bench).
 * Why a release pipe (stage 1's launch.c has the protocol): everything the parent sets up from
 * outside (the cgroup, the host end of the veth) must be in place before the child configures
 * eth0 and runs a single instruction of COMMAND. Until then, the two work side by side.
 * `exec` (stage 9, runtime_exec() at the end) reuses the child's last steps (start_command())
 * and the parent's wait (wait_forwarding()): the exec'd COMMAND gets the same environment,
 * confinement, streams, statuses and signals as the container's first one.
 *
 * Why a report pipe (launch.c too): it is close-on-exec, so the parent reads EOF exactly when
 * execve(2) succeeded, or one report saying what failed in the child and with which exit status.
 *
 * Error contract: runtime_run() prints every failure itself, as one "container: " line, cleans up
 * everything it created, and returns the exit status of the runtime.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "runtime.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

struct child_args {
	const struct config *cfg;
	struct launch launch; /* the release and report pipes (stage 1, launch.c) */
	sigset_t old_mask;    /* the signal mask to restore before exec */
};

/*
 * What the parent creates on the host, in memory shared with the cleanup guard: each module
 * records a thing here before it creates it, and forgets it once it has removed it.
 */
struct runtime {
	char name[64];
	struct record rec; /* stage 9: the record of --name, removed by teardown() */
	struct cgroup cg;
	struct net_state net;
};

static volatile sig_atomic_t container_pid;

static void forward_signal(int sig)
{
	if (container_pid > 0)
		kill((pid_t)container_pid, sig);
}

static int print_failure(int status)
{
	fprintf(stderr, "container: %s\n", fail_message());
	return status;
}

/* Undo, in reverse order, whatever the parent created. Safe on a half-built runtime. */
static int teardown(struct runtime *rt)
{
	int rc = 0;

	/* The name first: once the container is going, exec must not find it any more. */
	if (record_remove(&rt->rec) < 0)
		rc = -1;
	if (net_teardown(&rt->net) < 0)
		rc = -1;
	if (cgroup_destroy(&rt->cg) < 0)
		rc = -1;
	return rc;
}

static void teardown_hook(void *rt)
{
	teardown(rt);
}

/* ---- the child ---- */

static __attribute__((noreturn)) void child_fail(struct child_args *a, int status)
{
	/* The parent prints the report; if it cannot get one, the message goes out from here. */
	if (launch_report(&a->launch, status) < 0)
		fprintf(stderr, "container: %s\n", fail_message());
	_exit(status);
}

static int clean_environment(const char *hostname)
{
	const char *term = getenv("TERM");
	char *term_copy = term != NULL ? strdup(term) : NULL;

	/* Nothing of the caller's environment leaks in but TERM (as docker run does). */
	if (clearenv() != 0 ||
	    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 ||
	    setenv("HOME", "/root", 1) < 0 || setenv("HOSTNAME", hostname, 1) < 0 ||
	    (term_copy != NULL && setenv("TERM", term_copy, 1) < 0)) {
		free(term_copy);
		return fail(errno, NULL, "setting up the environment");
	}
	free(term_copy);
	return 0;
}

static int restore_signals(const sigset_t *old_mask)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		if (sigaction(forwarded_signals[i], &dfl, NULL) < 0)
			return fail(errno, NULL, "sigaction");
	if (sigprocmask(SIG_SETMASK, old_mask, NULL) < 0)
		return fail(errno, NULL, "sigprocmask");
	return 0;
}

static __attribute__((noreturn)) void start_command(struct child_args *a, const char *hostname);

static int child_main(void *arg)
{
	struct child_args *a = arg;
	const struct config *cfg = a->cfg;
	/* A copy the child may change: with --image, stage 8 points its rootfs at the overlay. */
	struct config root = *cfg;
	bool setup_failed;

	/*
	 * Die with the runtime, even if it is SIGKILLed: the kernel sends us SIGKILL, and once PID 1
	 * of a PID namespace is gone the kernel kills everything else in it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	launch_child_ends(&a->launch);

	/*
	 * What needs nothing from the parent is done while the parent works from outside (cgroup,
	 * veth): the two overlap instead of taking turns (make bench). A failure is reported
	 * only once we are released, so that the parent's steps meet a living child, and its report
	 * is the one message.
	 */
	/*
	 * userns_child_wait() first: in a new user namespace we are nobody until the parent has
	 * written our maps, and every step below needs to be root inside.
	 */
	setup_failed =
	    userns_child_wait(cfg) < 0 || uts_setup(cfg) < 0 || mounts_make_private() < 0 ||
	    /* Stage 8: the overlay and the volumes, in our namespace, before the pivot. */
	    image_prepare(&root) < 0 ||
	    (root.rootfs != NULL ? rootfs_enter(&root) < 0 : proc_remount() < 0) ||
	    security_harden_proc() < 0;
	/* EOF instead of the byte: the runtime failed (or died) before releasing us. */
	if (launch_wait(&a->launch) < 0)
		_exit(EXIT_RUNTIME_FAILED);
	if (setup_failed)
		child_fail(a, EXIT_RUNTIME_FAILED);

	/* Released: the cgroup holds us and the host end of the veth exists. */
	if (net_setup_container(cfg) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	start_command(a, cfg->hostname);
}

/*
 * The last steps before COMMAND, the same for `run` and `exec` (one copy, so that an exec'd
 * COMMAND can never be less confined than the container's first one): the clean environment,
 * the caller's signal mask, no inherited descriptor, security_apply(), execvp.
 */
static __attribute__((noreturn)) void start_command(struct child_args *a, const char *hostname)
{
	const struct config *cfg = a->cfg;

	if (clean_environment(hostname) < 0 || restore_signals(&a->old_mask) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	/* COMMAND gets stdin, stdout and stderr, and no other file descriptor of the runtime's. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	/* Last, because the seccomp filter would refuse some of the steps above. */
	if (security_apply() < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);

	execvp(cfg->argv[0], cfg->argv);
	if (errno == ENOENT || errno == ENOTDIR) {
		fail(0, NULL, "%s: command not found", cfg->argv[0]);
		child_fail(a, EXIT_NOT_FOUND);
	}
	fail(errno, NULL, "%s", cfg->argv[0]);
	child_fail(a, EXIT_CANNOT_EXEC);
}

/* ---- the parent ---- */

static int check_rootfs(const char *rootfs)
{
	struct stat st;

	if (rootfs == NULL)
		return 0;
	if (stat(rootfs, &st) < 0)
		return fail(errno, NULL, "rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode))
		return fail(ENOTDIR, NULL, "rootfs %s", rootfs);
	return 0;
}

/*
 * A name for this container's cgroup and veth: random rather than the runtime's pid, because pids
 * repeat across PID namespaces (two graders in two sandboxes both run a "pid 5") while cgroups are
 * global. 8 hex digits keep the host veth name ("vc" + them) within 15 characters.
 */
static int container_name(char *buf, size_t size)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return fail(errno, NULL, "getrandom");
	snprintf(buf, size, "container-%08x", r);
	return 0;
}

/*
 * Forward the signals of forwarded_signals[] to pid (blocked until now: see runtime_run) and wait
 * for it: its exit status, or -1 with fail() set. Shared by `run` and `exec`.
 */
static int wait_forwarding(pid_t pid, const sigset_t *old_mask)
{
	container_pid = pid;
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++) {
		struct sigaction sa = {.sa_handler = forward_signal};

		/* No SA_RESTART: a forwarded signal interrupts waitpid(2) with EINTR. */
		sigaction(forwarded_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	return container_wait(pid);
}

/* Block the signals to forward; *old gets the mask to restore. 0, or -1 with fail() set. */
static int block_forwarded_signals(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&block, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &block, old) < 0)
		return fail(errno, NULL, "sigprocmask");
	return 0;
}

/* Reap pid without looking at why it ended: used only on the failure paths. */
static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int runtime_run(const struct config *cfg)
{
	struct child_args args = {.cfg = cfg, .launch = LAUNCH_INIT};
	struct guard guard = GUARD_INIT;
	struct runtime *rt;
	int status = EXIT_RUNTIME_FAILED, exec_status;
	pid_t pid = -1;

	/* Root, or rootless (stage 7): decided before anything is created, so a refusal costs nothing. */
	if (userns_check(cfg) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	if (check_rootfs(cfg->rootfs) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	/* Shared, not private: the guard must see what is recorded after its fork. Zero-filled. */
	rt = mmap(NULL, sizeof(*rt), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rt == MAP_FAILED) {
		fail(errno, NULL, "mmap (shared record)");
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	if (container_name(rt->name, sizeof(rt->name)) < 0)
		goto fail;

	/*
	 * Signals to forward stay blocked until the container's pid is known; the child unblocks
	 * them just before exec, so one that arrives during setup is delivered to COMMAND.
	 */
	if (block_forwarded_signals(&args.old_mask) < 0)
		goto fail;
	if (launch_open(&args.launch, true) < 0)
		goto fail;

	pid = container_clone(child_main, &args,
			      userns_clone_flags() | uts_clone_flags() | pid_clone_flags() |
				  net_clone_flags());
	if (pid < 0)
		goto fail; /* pid is -1: there is no child to end */
	launch_parent_ends(&args.launch);
	/* The maps first: the child waits for them before its own setup, which overlaps ours. */
	if (userns_write_maps(pid) < 0)
		goto fail;
	/* Before anything is created on the host: from here on, a SIGKILL leaves nothing. */
	if (guard_start(&guard, teardown_hook, rt) < 0)
		goto fail;
	/*
	 * --name (stage 9): the record is a file on the host, so it is claimed once the guard runs
	 * (which removes it if we are SIGKILLed), and before the cgroup and veth: a name already
	 * taken costs nothing more.
	 */
	if (record_claim(&rt->rec, cfg) < 0)
		goto fail;
	if (cgroup_create(&rt->cg, cfg, rt->name) < 0 || cgroup_add(&rt->cg, pid) < 0 ||
	    net_setup_host(&rt->net, cfg, pid, rt->name) < 0)
		goto fail;
	if (launch_release(&args.launch) < 0)
		goto fail;

	exec_status = launch_result(&args.launch);
	if (exec_status != 0) {
		/* The child failed before or at exec and has _exit()ed with that status. */
		reap(pid);
		pid = -1;
		status = exec_status;
		goto fail;
	}

	/* COMMAND runs: from now on `exec`, `ps` and `kill` find it by its name (stage 9). */
	if (record_publish(&rt->rec, cfg, pid) < 0)
		goto fail;

	status = wait_forwarding(pid, &args.old_mask);
	if (status < 0) {
		/* Nothing may outlive the runtime: take the container down before reporting. */
		kill(pid, SIGKILL);
		reap(pid);
		print_failure(0);
	}
	if (teardown(rt) < 0) {
		print_failure(0);
		status = EXIT_RUNTIME_FAILED;
	}
	guard_stop(&guard);
	munmap(rt, sizeof(*rt));
	return status < 0 ? EXIT_RUNTIME_FAILED : status;

	/*
	 * A failure: the message first (it is the one that matters; a failing teardown could only
	 * add "and also"), then every step above undone in reverse order. Each undo is safe on a
	 * step that was never done, so every failure comes here.
	 */
fail:
	print_failure(status);
	/* Ends the child before its cgroup and veth go: it lives in them. */
	if (pid > 0) {
		kill(pid, SIGKILL);
		reap(pid);
	}
	teardown(rt);
	guard_stop(&guard);
	launch_close(&args.launch);
	munmap(rt, sizeof(*rt));
	return status;
}

/* ---- exec (stage 9) ---- */

/* The exec'd child, inside the container: what run's child does after its setup. */
static int exec_child(void *arg)
{
	struct child_args *a = arg;
	char hostname[65] = "container";

	launch_child_ends(&a->launch);
	/* Die with `exec`, as the container dies with `run`: nothing outlives a killed runtime. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	/* HOSTNAME= is the container's: we are in its UTS namespace now. */
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	start_command(a, hostname);
}

int runtime_exec(const struct config *cfg)
{
	struct child_args args = {.cfg = cfg, .launch = LAUNCH_INIT};
	int status;
	pid_t pid;

	/*
	 * No root check: from stage 7 a user may exec into their own rootless container, and for
	 * anyone else joining the namespaces fails (EPERM) with a message that says so.
	 * exec_prepare() comes first: it may execve(2) the runtime again, which would carry a
	 * blocked signal mask over into the new program.
	 */
	if (exec_prepare() < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	if (block_forwarded_signals(&args.old_mask) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	if (launch_open(&args.launch, false) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	pid = exec_enter(cfg->name, exec_child, &args);
	launch_parent_ends(&args.launch);
	if (pid < 0) {
		launch_close(&args.launch);
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	status = launch_result(&args.launch);
	if (status != 0) {
		reap(pid);
		return print_failure(status);
	}
	status = wait_forwarding(pid, &args.old_mask);
	if (status < 0) {
		kill(pid, SIGKILL);
		reap(pid);
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	return status;
}
