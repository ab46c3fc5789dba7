/*
 * runtime.c — the life of one container, as a straight line of checked steps.
 *
 *   parent (the runtime)                      child (becomes COMMAND)
 *   --------------------                      -----------------------
 *   check root, rootfs
 *   block forwarded signals
 *   cgroup_create()              [stage 4]
 *   container_clone(flags)       [stage 1] -> die with the parent (PR_SET_PDEATHSIG)
 *   cgroup_add(child)            [stage 4]    uts_setup()                 [stage 1]
 *   net_setup_host(child)        [stage 5]    mounts_make_private()       [stage 2]
 *                                             rootfs_enter() with --rootfs [stage 3]
 *                                               or proc_remount()         [stage 2]
 *                                             security_harden_proc()      [stage 6]
 *   release the child  ---------------------> wait on the release pipe
 *   start the cleanup guard                   net_setup_container()       [stage 5]
 *                                             clean environment, signals
 *                                             security_apply()            [stage 6]
 *   read the report pipe <------------------- execvp(COMMAND), or report why not
 *   forward signals, container_wait() [1]
 *   teardown: net, cgroup
 *
 * Why a release pipe: everything the parent sets up from outside (the cgroup, the host end of the
 * veth) must be in place before the child configures eth0 and runs a single instruction of
 * COMMAND. Until then, the two work side by side.
 * Why a report pipe: it is close-on-exec, so the parent reads EOF exactly when execve(2)
 * succeeded, or one struct report saying what failed in the child and with which exit status.
 *
 * Error contract: runtime_run() prints every failure itself, as one "container: " line, cleans up
 * everything it created, and returns the exit status of the runtime.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

struct report {
	int status;
	char message[1020];
};

struct child_args {
	const struct config *cfg;
	int release_rd, release_wr; /* the child reads; the parent writes one byte */
	int report_wr;		    /* close-on-exec: EOF in the parent means exec succeeded */
	sigset_t old_mask;	    /* the signal mask to restore before exec */
};

struct runtime {
	char name[64];
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
	struct report r = {.status = status};

	snprintf(r.message, sizeof(r.message), "%s", fail_message());
	/* One write below PIPE_BUF is atomic: the parent reads all of it or nothing. */
	if (write(a->report_wr, &r, sizeof(r)) < 0)
		fprintf(stderr, "container: %s\n", r.message);
	_exit(status);
}

static int clean_environment(const struct config *cfg)
{
	const char *term = getenv("TERM");
	char *term_copy = term != NULL ? strdup(term) : NULL;

	/* Nothing of the caller's environment leaks in but TERM (as docker run does). */
	if (clearenv() != 0 ||
	    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 ||
	    setenv("HOME", "/root", 1) < 0 || setenv("HOSTNAME", cfg->hostname, 1) < 0 ||
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

	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		if (sigaction(forwarded_signals[i], &dfl, NULL) < 0)
			return fail(errno, NULL, "sigaction");
	if (sigprocmask(SIG_SETMASK, old_mask, NULL) < 0)
		return fail(errno, NULL, "sigprocmask");
	return 0;
}

static int child_main(void *arg)
{
	struct child_args *a = arg;
	const struct config *cfg = a->cfg;
	/* A copy the child may change: with --image, stage 8 points its rootfs at the overlay. */
	struct config root = *cfg;
	bool setup_failed;
	char byte;

	/*
	 * Die with the runtime, even if it is SIGKILLed: the kernel sends us SIGKILL, and once PID 1
	 * of a PID namespace is gone the kernel kills everything else in it.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(a, EXIT_RUNTIME_FAILED);
	close(a->release_wr);

	/*
	 * What needs nothing from the parent is done while the parent works from outside (cgroup,
	 * veth): the two overlap instead of taking turns (make bench). A failure is reported
	 * only once we are released, so that the parent's steps meet a living child, and its report
	 * is the one message.
	 */
	setup_failed =
	    uts_setup(cfg) < 0 || mounts_make_private() < 0 ||
	    /* Stage 8: the overlay and the volumes, in our namespace, before the pivot. */
	    image_prepare(&root) < 0 ||
	    (root.rootfs != NULL ? rootfs_enter(&root) < 0 : proc_remount() < 0) ||
	    security_harden_proc() < 0;
	/* EOF instead of the byte: the runtime failed (or died) before releasing us. */
	if (read(a->release_rd, &byte, 1) != 1)
		_exit(EXIT_RUNTIME_FAILED);
	close(a->release_rd);
	if (setup_failed)
		child_fail(a, EXIT_RUNTIME_FAILED);

	/* Released: the cgroup holds us and the host end of the veth exists. */
	if (net_setup_container(cfg) < 0 || clean_environment(cfg) < 0 ||
	    restore_signals(&a->old_mask) < 0)
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

/* Reap pid without looking at why it ended: used only on the failure paths. */
static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int runtime_run(const struct config *cfg)
{
	struct runtime rt = {0};
	struct child_args args = {.cfg = cfg};
	struct report report;
	struct guard guard = {.pid = -1, .fd = -1};
	int release[2], reportp[2], status;
	sigset_t block;
	pid_t pid;
	ssize_t n;

	if (geteuid() != 0) {
		fail(0, NULL, "must run as root (try sudo)");
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	if (check_rootfs(cfg->rootfs) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);
	if (container_name(rt.name, sizeof(rt.name)) < 0)
		return print_failure(EXIT_RUNTIME_FAILED);

	/*
	 * Signals to forward stay blocked until the container's pid is known; the child unblocks
	 * them just before exec, so one that arrives during setup is delivered to COMMAND.
	 */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&block, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &block, &args.old_mask) < 0) {
		fail(errno, NULL, "sigprocmask");
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	if (pipe2(release, O_CLOEXEC) < 0) {
		fail(errno, NULL, "pipe");
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	if (pipe2(reportp, O_CLOEXEC) < 0) {
		fail(errno, NULL, "pipe");
		close(release[0]);
		close(release[1]);
		return print_failure(EXIT_RUNTIME_FAILED);
	}
	args.release_rd = release[0];
	args.release_wr = release[1];
	args.report_wr = reportp[1];

	if (cgroup_create(&rt.cg, cfg, rt.name) < 0)
		goto fail_before_clone;
	pid = container_clone(child_main, &args,
			      uts_clone_flags() | pid_clone_flags() | net_clone_flags());
	if (pid < 0)
		goto fail_before_clone;
	close(release[0]);
	close(reportp[1]);
	if (cgroup_add(&rt.cg, pid) < 0 || net_setup_host(&rt.net, cfg, pid, rt.name) < 0)
		goto fail_after_clone;
	if (write(release[1], "x", 1) != 1) {
		fail(errno, NULL, "releasing the container");
		goto fail_after_clone;
	}
	close(release[1]);
	/*
	 * From here on, a SIGKILLed runtime still gets its cgroup and veth removed. Started after the
	 * release, so that the fork overlaps the child's setup instead of delaying it (make bench).
	 */
	if (guard_start(&guard, teardown_hook, &rt) < 0)
		goto fail_released;

	n = read(reportp[0], &report, sizeof(report));
	close(reportp[0]);
	if (n == (ssize_t)sizeof(report)) {
		/* The child failed before or at exec and has _exit()ed with report.status. */
		reap(pid);
		fail(0, NULL, "%.*s", (int)sizeof(report.message), report.message);
		status = report.status;
		goto fail_reaped;
	}

	container_pid = pid;
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++) {
		struct sigaction sa = {.sa_handler = forward_signal};

		/* No SA_RESTART: a forwarded signal interrupts waitpid(2) with EINTR. */
		sigaction(forwarded_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &args.old_mask, NULL);

	status = container_wait(pid);
	if (status < 0) {
		/* Nothing may outlive the runtime: take the container down before reporting. */
		kill(pid, SIGKILL);
		reap(pid);
		print_failure(0);
	}
	if (teardown(&rt) < 0) {
		print_failure(0);
		status = EXIT_RUNTIME_FAILED;
	}
	guard_stop(&guard);
	return status < 0 ? EXIT_RUNTIME_FAILED : status;

fail_after_clone:
	close(release[1]);
fail_released:
	kill(pid, SIGKILL);
	reap(pid);
	close(reportp[0]);
	status = EXIT_RUNTIME_FAILED;
	goto fail_reaped;
fail_before_clone:
	close(release[0]);
	close(release[1]);
	close(reportp[0]);
	close(reportp[1]);
	status = EXIT_RUNTIME_FAILED;
fail_reaped:
	print_failure(status);
	/* The message above is the one that matters; teardown can only add "and also". */
	teardown(&rt);
	guard_stop(&guard);
	return status;
}
