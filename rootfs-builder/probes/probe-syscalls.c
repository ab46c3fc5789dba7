/*
 * probe-syscalls — try dangerous syscalls, harmlessly, and say what the kernel answered.
 *
 * Used to check a container's seccomp filter and capabilities (stage 6): each check calls one
 * syscall through syscall(2) (so libc cannot hide or emulate it) and prints one line
 *
 *     NAME=ok          the call succeeded
 *     NAME=EPERM       it failed with that errno (its symbolic name)
 *     NAME=skip        it could not be tried here (why: on stderr)
 *
 * Every call is made so that it does nothing even when NOTHING blocks it (root with every
 * capability, no filter, on the grader's own machine): bad magic numbers, invalid flags, NULL
 * pointers, negative file descriptors, paths that do not exist, fs types that do not exist.
 * What does succeed there affects only this probe (a child that exits at once in a new
 * namespace, a file in its own temporary directory that is removed again). Never add a check
 * that would change the system if it succeeded.
 *
 * Checks (NAME):
 *   the contract's deny-list, one per syscall: keyctl add_key request_key ptrace bpf
 *     perf_event_open userfaultfd kexec_load kexec_file_load init_module finit_module
 *     delete_module mount umount2 pivot_root swapon swapoff reboot setns unshare
 *     open_by_handle_at iopl ioperm settimeofday clock_settime acct move_pages migrate_pages
 *     mbind set_mempolicy io_uring_setup
 *   clone_newns clone_newuts clone_newipc clone_newuser clone_newpid clone_newnet
 *     clone_newcgroup   clone(2) with that namespace flag (a child that _exits at once)
 *   clone3            clone3(2) with a NULL argument (EINVAL if not filtered)
 *   clone_plain fork thread spawn   ordinary process and thread creation (must be ok)
 *   chmod_plain chmod_setuid chmod_setgid fchmod_setuid fchmodat_setuid fchmodat2_setuid
 *                     on a file of our own in a fresh temporary directory
 *   ioctl_tiocsti ioctl_tiocsti_hibits ioctl_tiocgwinsz_badfd ioctl_tcgets_badfd
 *                     on fd -1: EBADF means the filter let the request through;
 *                     _hibits is TIOCSTI with bit 32 set (the kernel ignores the high half)
 *   ioctl_tiocgwinsz  TIOCGWINSZ on stdin (ok on a terminal, ENOTTY otherwise)
 *   pty_tiocgwinsz    TIOCGWINSZ on a pty master from posix_openpt(3) (skip: no /dev/ptmx)
 *   mknod_blk mknod_chr mknod_fifo   mknod(2) of a block device (the disk holding /), of
 *                     /dev/null's char device, and of a FIFO, in the temporary directory
 *
 * Usage: probe-syscalls [NAME...]     (no NAME: every check, in the order above)
 *        probe-syscalls --list        print the check names
 * Environment: TMPDIR (default /tmp) is where the temporary directory is made.
 * Exit codes:
 *   0  every check asked for was run (whatever it printed)
 *   1  writing the output failed
 *   2  usage error (unknown NAME)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/reboot.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SKIP	(-1)
#define NOWHERE "/nonexistent-probe-syscalls/x" /* a path that must not exist */

static char tmpdir[PATH_MAX];  /* "" until made; made on first use */
static const char *tmp_reason; /* why the temporary directory could not be made */
extern char **environ;

/* 0 if the call succeeded, else its errno. */
static int result(long rc)
{
	return rc < 0 ? errno : 0;
}

static const char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	if (tmp_reason != NULL)
		return NULL;
	snprintf(tmpdir, sizeof(tmpdir), "%s/probe-syscalls.XXXXXX",
		 base != NULL && base[0] != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		tmp_reason = strerror(errno);
		tmpdir[0] = '\0';
		return NULL;
	}
	return tmpdir;
}

/* A fresh regular file (mode 0644) of our own in the temporary directory, or SKIP. */
static int new_file(char *path, size_t size)
{
	const char *dir = make_tmpdir();
	int fd;

	if (dir == NULL) {
		fprintf(stderr, "probe-syscalls: no temporary directory: %s\n", tmp_reason);
		return SKIP;
	}
	snprintf(path, size, "%s/file", dir);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "probe-syscalls: creating %s: %s\n", path, strerror(errno));
		return SKIP;
	}
	return fd;
}

/* ---- the deny-list ---- */

static int c_keyctl(void)
{
	return result(syscall(SYS_keyctl, 0xffff /* no such operation */, 0, 0, 0, 0));
}

static int c_add_key(void)
{
	return result(syscall(SYS_add_key, NULL, NULL, NULL, 0, 0)); /* EFAULT */
}

static int c_request_key(void)
{
	return result(syscall(SYS_request_key, NULL, NULL, NULL, 0)); /* EFAULT */
}

static int c_ptrace(void)
{
	/* PTRACE_PEEKDATA (not TRACEME) on pid 0, which no one has: ESRCH. */
	return result(syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, 0, NULL, NULL));
}

static int c_bpf(void)
{
	return result(syscall(SYS_bpf, 0xffff /* no such command */, NULL, 0));
}

static int c_perf_event_open(void)
{
	return result(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)); /* EFAULT */
}

static int c_userfaultfd(void)
{
	return result(syscall(SYS_userfaultfd, ~0U /* invalid flags */));
}

static int c_kexec_load(void)
{
	/*
	 * Never nr_segments == 0 with valid flags: that UNLOADS a loaded kexec kernel. Here both
	 * the segment count (> KEXEC_SEGMENT_MAX) and the architecture field are invalid.
	 */
	return result(syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0xffff0000UL));
}

static int c_kexec_file_load(void)
{
#ifdef SYS_kexec_file_load
	/* An undefined flag bit (never KEXEC_FILE_UNLOAD) and no file descriptors: EINVAL. */
	return result(syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, 0x80000000UL));
#else
	return SKIP;
#endif
}

static int c_init_module(void)
{
	return result(syscall(SYS_init_module, NULL, 0UL, "")); /* no image: ENOEXEC/EFAULT */
}

static int c_finit_module(void)
{
	return result(syscall(SYS_finit_module, -1, "", 0)); /* EBADF */
}

static int c_delete_module(void)
{
	return result(syscall(SYS_delete_module, "probe_syscalls_no_such_module", O_NONBLOCK));
}

static int c_mount(void)
{
	/* A target that does not exist and a filesystem type that does not exist. */
	return result(syscall(SYS_mount, "none", NOWHERE, "probe-syscalls-nofs", 0UL, NULL));
}

static int c_umount2(void)
{
	return result(syscall(SYS_umount2, NOWHERE, 0x80000000 /* invalid flag: EINVAL */));
}

static int c_pivot_root(void)
{
	return result(syscall(SYS_pivot_root, NOWHERE, NOWHERE));
}

static int c_swapon(void)
{
	return result(syscall(SYS_swapon, NOWHERE, 0));
}

static int c_swapoff(void)
{
	return result(syscall(SYS_swapoff, NOWHERE));
}

static int c_reboot(void)
{
	/* Wrong magic numbers AND an unknown command: the kernel refuses before anything. */
	return result(syscall(SYS_reboot, 0, 0, 0x0badc0de, NULL));
}

static int c_setns(void)
{
	return result(syscall(SYS_setns, -1, 0)); /* EBADF */
}

static int c_unshare(void)
{
	return result(syscall(SYS_unshare, 0x1 /* not an unshare flag: EINVAL */));
}

static int c_open_by_handle_at(void)
{
	return result(syscall(SYS_open_by_handle_at, -1, NULL, 0));
}

static int c_iopl(void)
{
#ifdef SYS_iopl
	return result(syscall(SYS_iopl, 4 /* levels are 0-3: EINVAL */));
#else
	return SKIP;
#endif
}

static int c_ioperm(void)
{
#ifdef SYS_ioperm
	/* Beyond the 65536 I/O ports (EINVAL), and turn_on = 0 anyway. */
	return result(syscall(SYS_ioperm, 0x10000UL, 1UL, 0));
#else
	return SKIP;
#endif
}

static int c_settimeofday(void)
{
	/* Neither a time nor a timezone: changes nothing even when allowed. */
	return result(syscall(SYS_settimeofday, NULL, NULL));
}

static int c_clock_settime(void)
{
	struct timespec now;

	/* CLOCK_MONOTONIC cannot be set at all: EINVAL. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	return result(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &now));
}

static int c_acct(void)
{
	/* Never acct(NULL): that would switch the host's process accounting off. */
	return result(syscall(SYS_acct, NOWHERE));
}

static int c_move_pages(void)
{
	return result(syscall(SYS_move_pages, 0, 0UL, NULL, NULL, NULL, 1 << 7 /* bad flag */));
}

static int c_migrate_pages(void)
{
	unsigned long nodes = 0;

	/* maxnode far beyond any node mask: EINVAL before anything is read. */
	return result(syscall(SYS_migrate_pages, 0, 1UL << 20, &nodes, &nodes));
}

static int c_mbind(void)
{
	return result(syscall(SYS_mbind, NULL, 0UL, 0xff /* no such mode */, NULL, 0UL, 0U));
}

static int c_set_mempolicy(void)
{
	return result(syscall(SYS_set_mempolicy, 0xff /* no such mode */, NULL, 0UL));
}

static int c_io_uring_setup(void)
{
	return result(syscall(SYS_io_uring_setup, 0U, NULL)); /* EFAULT */
}

/* ---- process and thread creation ---- */

/* clone(2) like fork (no stack: the child runs on a copy of ours) with extra flags. */
static int clone_with(unsigned long flags)
{
	int status;
	long pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0UL);

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	if (waitpid((pid_t)pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static int c_clone_newns(void)
{
	return clone_with(CLONE_NEWNS);
}

static int c_clone_newuts(void)
{
	return clone_with(CLONE_NEWUTS);
}

static int c_clone_newipc(void)
{
	return clone_with(CLONE_NEWIPC);
}

static int c_clone_newuser(void)
{
	return clone_with(CLONE_NEWUSER);
}

static int c_clone_newpid(void)
{
	return clone_with(CLONE_NEWPID);
}

static int c_clone_newnet(void)
{
	return clone_with(CLONE_NEWNET);
}

static int c_clone_newcgroup(void)
{
	return clone_with(CLONE_NEWCGROUP);
}

static int c_clone_plain(void)
{
	return clone_with(0);
}

static int c_clone3(void)
{
#ifdef SYS_clone3
	return result(syscall(SYS_clone3, NULL, 0UL)); /* EINVAL: size 0 */
#else
	return result(syscall(435, NULL, 0UL));
#endif
}

static int c_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static void *thread_main(void *arg)
{
	return arg;
}

static int c_thread(void)
{
	/* glibc >= 2.34 tries clone3 first and falls back to clone only on ENOSYS. */
	static int token;
	pthread_t t;
	void *ret;
	int err = pthread_create(&t, NULL, thread_main, &token);

	if (err != 0)
		return err;
	err = pthread_join(t, &ret);
	if (err != 0)
		return err;
	return ret == &token ? 0 : EPROTO;
}

static int c_spawn(void)
{
	/* posix_spawn(3) uses clone3/clone(CLONE_VM|CLONE_VFORK) in glibc: run ourselves. */
	char *const argv[] = {"probe-syscalls", "--exit0", NULL};
	int status, err;
	pid_t pid;

	err = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
	if (err != 0)
		return err;
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

/* ---- chmod with setuid/setgid bits, on a file of our own ---- */

enum chmod_call { CHMOD, FCHMOD, FCHMODAT, FCHMODAT2 };

static int chmod_test(enum chmod_call call, mode_t mode)
{
	char path[PATH_MAX + 16];
	int fd = new_file(path, sizeof(path));
	int rc;

	if (fd < 0)
		return SKIP;
	switch (call) {
	case CHMOD:
		rc = result(syscall(SYS_chmod, path, mode));
		break;
	case FCHMOD:
		rc = result(syscall(SYS_fchmod, fd, mode));
		break;
	case FCHMODAT:
		rc = result(syscall(SYS_fchmodat, AT_FDCWD, path, mode));
		break;
	default:
		/* fchmodat2 (Linux 6.6) is 452 on every architecture's table. */
		rc = result(syscall(452, AT_FDCWD, path, mode, 0));
		break;
	}
	close(fd);
	unlink(path);
	return rc;
}

static int c_chmod_plain(void)
{
	return chmod_test(CHMOD, 0640);
}

static int c_chmod_setuid(void)
{
	return chmod_test(CHMOD, 04755);
}

static int c_chmod_setgid(void)
{
	return chmod_test(CHMOD, 02755);
}

static int c_fchmod_setuid(void)
{
	return chmod_test(FCHMOD, 04755);
}

static int c_fchmodat_setuid(void)
{
	return chmod_test(FCHMODAT, 04755);
}

static int c_fchmodat2_setuid(void)
{
	return chmod_test(FCHMODAT2, 04755);
}

/* ---- terminal ioctls ---- */

static int c_ioctl_tiocsti(void)
{
	char c = 'x';

	return result(
	    syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, &c)); /* EBADF if let through */
}

static int c_ioctl_tiocsti_hibits(void)
{
	char c = 'x';

	/* The kernel takes the request as an unsigned int: this is TIOCSTI to it. */
	return result(syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI | 1UL << 32, &c));
}

static int c_ioctl_tiocgwinsz_badfd(void)
{
	struct winsize ws;

	return result(syscall(SYS_ioctl, -1, (unsigned long)TIOCGWINSZ, &ws));
}

static int c_ioctl_tcgets_badfd(void)
{
	char buf[256]; /* struct termios, generously */

	return result(syscall(SYS_ioctl, -1, (unsigned long)TCGETS, buf));
}

static int c_ioctl_tiocgwinsz(void)
{
	struct winsize ws;

	return result(syscall(SYS_ioctl, 0, (unsigned long)TIOCGWINSZ, &ws));
}

static int c_pty_tiocgwinsz(void)
{
	struct winsize ws;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		fprintf(stderr, "probe-syscalls: posix_openpt: %s\n", strerror(errno));
		return SKIP;
	}
	rc = result(syscall(SYS_ioctl, fd, (unsigned long)TIOCGWINSZ, &ws));
	close(fd);
	return rc;
}

/* ---- mknod ---- */

static int mknod_test(mode_t mode, dev_t dev)
{
	const char *dir = make_tmpdir();
	char path[PATH_MAX + 16];
	int rc;

	if (dir == NULL) {
		fprintf(stderr, "probe-syscalls: no temporary directory: %s\n", tmp_reason);
		return SKIP;
	}
	snprintf(path, sizeof(path), "%s/node", dir);
	unlink(path);
	/* Created, never opened, removed at once. */
	rc = result(syscall(SYS_mknodat, AT_FDCWD, path, mode | 0600, dev));
	unlink(path);
	return rc;
}

static int c_mknod_blk(void)
{
	struct stat st;
	dev_t dev = makedev(8, 0); /* sda, if / is on no real disk (overlay, tmpfs) */

	if (stat("/", &st) == 0 && major(st.st_dev) != 0)
		dev = st.st_dev;
	return mknod_test(S_IFBLK, dev);
}

static int c_mknod_chr(void)
{
	return mknod_test(S_IFCHR, makedev(1, 3));
}

static int c_mknod_fifo(void)
{
	return mknod_test(S_IFIFO, 0);
}

/* ---- driver ---- */

static const struct check {
	const char *name;
	int (*fn)(void);
} checks[] = {
    {"keyctl", c_keyctl},
    {"add_key", c_add_key},
    {"request_key", c_request_key},
    {"ptrace", c_ptrace},
    {"bpf", c_bpf},
    {"perf_event_open", c_perf_event_open},
    {"userfaultfd", c_userfaultfd},
    {"kexec_load", c_kexec_load},
    {"kexec_file_load", c_kexec_file_load},
    {"init_module", c_init_module},
    {"finit_module", c_finit_module},
    {"delete_module", c_delete_module},
    {"mount", c_mount},
    {"umount2", c_umount2},
    {"pivot_root", c_pivot_root},
    {"swapon", c_swapon},
    {"swapoff", c_swapoff},
    {"reboot", c_reboot},
    {"setns", c_setns},
    {"unshare", c_unshare},
    {"open_by_handle_at", c_open_by_handle_at},
    {"iopl", c_iopl},
    {"ioperm", c_ioperm},
    {"settimeofday", c_settimeofday},
    {"clock_settime", c_clock_settime},
    {"acct", c_acct},
    {"move_pages", c_move_pages},
    {"migrate_pages", c_migrate_pages},
    {"mbind", c_mbind},
    {"set_mempolicy", c_set_mempolicy},
    {"io_uring_setup", c_io_uring_setup},
    {"clone_newns", c_clone_newns},
    {"clone_newuts", c_clone_newuts},
    {"clone_newipc", c_clone_newipc},
    {"clone_newuser", c_clone_newuser},
    {"clone_newpid", c_clone_newpid},
    {"clone_newnet", c_clone_newnet},
    {"clone_newcgroup", c_clone_newcgroup},
    {"clone3", c_clone3},
    {"clone_plain", c_clone_plain},
    {"fork", c_fork},
    {"thread", c_thread},
    {"spawn", c_spawn},
    {"chmod_plain", c_chmod_plain},
    {"chmod_setuid", c_chmod_setuid},
    {"chmod_setgid", c_chmod_setgid},
    {"fchmod_setuid", c_fchmod_setuid},
    {"fchmodat_setuid", c_fchmodat_setuid},
    {"fchmodat2_setuid", c_fchmodat2_setuid},
    {"ioctl_tiocsti", c_ioctl_tiocsti},
    {"ioctl_tiocsti_hibits", c_ioctl_tiocsti_hibits},
    {"ioctl_tiocgwinsz_badfd", c_ioctl_tiocgwinsz_badfd},
    {"ioctl_tcgets_badfd", c_ioctl_tcgets_badfd},
    {"ioctl_tiocgwinsz", c_ioctl_tiocgwinsz},
    {"pty_tiocgwinsz", c_pty_tiocgwinsz},
    {"mknod_blk", c_mknod_blk},
    {"mknod_chr", c_mknod_chr},
    {"mknod_fifo", c_mknod_fifo},
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-syscalls [NAME...] | --list\n"
		   "  try each dangerous syscall harmlessly and print NAME=ok, NAME=<errno name>\n"
		   "  (e.g. keyctl=EPERM, clone3=ENOSYS) or NAME=skip; no NAME: every check.\n"
		   "  --list prints the check names. TMPDIR: where the scratch directory goes.\n"
		   "  exit codes: 0 ran, 1 write error, 2 usage error (unknown NAME).\n");
}

static void run(const struct check *c)
{
	int rc = c->fn();

	if (rc == SKIP)
		printf("%s=skip\n", c->name);
	else if (rc == 0)
		printf("%s=ok\n", c->name);
	else
		printf("%s=%s\n", c->name, strerrorname_np(rc) ? strerrorname_np(rc) : "E?");
	/* Flush before the next check forks, or the child's exit would print it twice. */
	fflush(stdout);
}

static const struct check *find(const char *name)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--exit0") == 0) /* the child of the spawn check */
		return 0;
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < NCHECKS; i++)
			printf("%s\n", checks[i].name);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	for (int i = 1; i < argc; i++) {
		if (find(argv[i]) == NULL) {
			fprintf(stderr, "probe-syscalls: unknown check: %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (argc == 1)
		for (size_t i = 0; i < NCHECKS; i++)
			run(&checks[i]);
	else
		for (int i = 1; i < argc; i++)
			run(find(argv[i]));
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
	return ferror(stdout) || fflush(stdout) != 0 ? 1 : 0;
}
