/*
 * Stage 9 — exec into a running container: setns(2), a record of named containers, ps and kill.
 *
 * `docker exec` starts a second process inside a container that already runs. Nothing is
 * created: every namespace the container has is a kernel object that a process can *join* with
 * setns(2), given a handle to it, and its cgroup is joined by writing a pid to cgroup.procs.
 * The handles are the files /proc/PID/ns/{user,ipc,uts,net,pid,mnt} of any process inside.
 * So `exec` needs three things, each a section below:
 *
 *   the record   which process is the container "web"? `run --name web` writes the answer
 *                under /run when COMMAND starts and removes it when the container ends. A
 *                SIGKILLed runtime cannot remove it, so every reader checks that the runtime it
 *                names is still alive - the same pid AND the same start time, because pids are
 *                reused;
 *   joining      open every handle first, then setns(2) in a sound order (user first when it
 *                differs, mount last), then fork: joining a PID namespace changes only the
 *                namespace of our *children* (/proc/self/ns/pid_for_children);
 *   safety       the exec'd process is in the container but was forked from the runtime, a host
 *                binary: until it execs COMMAND it must not hand the container a way out
 *                (CVE-2019-5736: /proc/PID/exe; CVE-2024-21626: a leaked descriptor). See
 *                run_from_sealed_copy() and exec_enter().
 *
 * Read: man 2 setns, man 7 namespaces, man 1 nsenter, man 2 pidfd_open, man 2 pidfd_send_signal,
 * man 2 memfd_create, man 2 fcntl (F_ADD_SEALS), man 2 prctl (PR_SET_DUMPABLE), man 5 proc
 * (/proc/PID/stat field 22: starttime), man 7 cgroups (cgroup.procs), man 2 flock, man 2 rename.
 *
 * Error contract: each function returns -1 after fail() has recorded what failed and why; see
 * container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

//@@ BEGIN SOLUTION
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; older headers lack it (see run_from_sealed_copy) */
#endif

/* ---- the record ---- */

/*
 * What a record says. The runtime's identity answers "is it still running?"; the first process's
 * identity is what exec joins and kill signals (0 until COMMAND runs).
 */
struct entry {
	pid_t runtime;
	unsigned long long runtime_start;
	pid_t init;
	unsigned long long init_start;
	char command[512];
};

/*
 * The start time of a process (field 22 of /proc/PID/stat, in clock ticks since boot): with the
 * pid, it names one process for good. A pid alone is reused after its process is reaped.
 * path is relative to dirfd ("stat" in a /proc/PID directory, or AT_FDCWD and a full path).
 * 0, or -1 with errno set (ENOENT, ESRCH: no such process).
 */
static int start_time_at(int dirfd, const char *path, unsigned long long *out)
{
	char buf[1024];
	char *p;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n < 0 ? errno : ESRCH;
		return -1;
	}
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': count fields after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				"%*d %*d %*d %*d %llu",
				out) != 1) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int start_time(pid_t pid, unsigned long long *out)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return start_time_at(AT_FDCWD, path, out);
}

/* Is the process pid, started at start, still running? */
static bool is_running(pid_t pid, unsigned long long start)
{
	unsigned long long now;

	return pid > 0 && start_time(pid, &now) == 0 && now == start;
}

/*
 * The directory of this PID namespace's records. One per PID namespace, named after its inode:
 * the pids in a record mean something only there (two graders in two sandboxes each have a
 * "pid 7", and must not see each other's names). Root's go under /run; from stage 7 another
 * user's go under their own $XDG_RUNTIME_DIR. Only a writer creates it (and the last remover
 * removes it): readers find no directory where no container runs.
 */
static int record_dir(char *buf, size_t size, bool create)
{
	const char *base = "/run";
	char top[PATH_MAX];
	struct stat st;

	if (geteuid() != 0 && getenv("XDG_RUNTIME_DIR") != NULL)
		base = getenv("XDG_RUNTIME_DIR");
	if (stat("/proc/self/ns/pid", &st) < 0)
		return fail(errno, NULL, "stat /proc/self/ns/pid");
	snprintf(top, sizeof(top), "%s/container-lab", base);
	if ((size_t)snprintf(buf, size, "%s/pidns-%llu", top, (unsigned long long)st.st_ino) >=
	    size)
		return fail(ENAMETOOLONG, NULL, "%s", top);
	if (!create)
		return 0;
	if (mkdir(top, 0755) < 0 && errno != EEXIST)
		return fail(errno, NULL, "mkdir %s", top);
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return fail(errno, NULL, "mkdir %s", buf);
	return 0;
}

/*
 * Lock the directory of records (flock(2) on the directory itself): whoever checks a name and
 * then writes it holds the lock in between, so two `run --name web` cannot both win. Readers
 * (ps, exec, kill) need no lock: a record is replaced with rename(2), all at once.
 * The fd, or -1 with fail() set.
 */
static int lock_dir(char *dir, size_t size)
{
	for (int tries = 0; tries < 10; tries++) {
		struct stat st;
		int fd;

		if (record_dir(dir, size, true) < 0)
			return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return fail(errno, NULL, "open %s", dir);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return fail(errno, NULL, "flock %s", dir);
		}
		/* The last record's remover rmdirs it: if that happened while we waited, again. */
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	return fail(EAGAIN, NULL, "locking %s", dir);
}

static int record_read(const char *path, struct entry *e)
{
	char buf[sizeof(e->command) + 128];
	const char *cmd;
	ssize_t n;
	int fd;

	memset(e, 0, sizeof(*e));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "runtime %d %llu\ninit %d %llu\n", &e->runtime, &e->runtime_start, &e->init,
		   &e->init_start) != 4) {
		errno = EINVAL;
		return -1;
	}
	cmd = strstr(buf, "\ncommand ");
	if (cmd != NULL)
		snprintf(e->command, sizeof(e->command), "%.*s", (int)strcspn(cmd + 9, "\n"),
			 cmd + 9);
	return 0;
}

/*
 * Write the record whole: into a temporary file, then rename(2) over the old one. A reader sees
 * the old record or the new one, never half of one.
 */
static int record_write(const char *path, const struct entry *e)
{
	char tmp[PATH_MAX], buf[sizeof(e->command) + 128];
	int fd, len;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	len = snprintf(buf, sizeof(buf), "runtime %d %llu\ninit %d %llu\ncommand %s\n", e->runtime,
		       e->runtime_start, e->init, e->init_start, e->command);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(errno, NULL, "creating %s", tmp);
	if (write(fd, buf, (size_t)len) != len) {
		fail(errno, NULL, "writing %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		fail(errno, NULL, "rename %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A record whose runtime is gone (SIGKILLed: its guard did not get to remove it) is stale. */
static bool record_live(const struct entry *e)
{
	return is_running(e->runtime, e->runtime_start);
}

/* Find the running container `name`: its record, with the first process known. */
static int find_running(const char *name, struct entry *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 72];

	if (record_dir(dir, sizeof(dir), false) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (record_read(path, e) < 0 || !record_live(e) || e->init <= 0)
		return fail(0, "container ps lists the running ones",
			    "no running container named %s", name);
	return 0;
}

/*
 * A handle on the container's first process: /proc/PID as a directory fd. It stays bound to that
 * one process (opening files in it fails once the process is gone), so after the start time
 * read through it matches the record, everything opened through it is the container's, even if
 * the pid is reused a moment later.
 */
static int open_init(const char *name, const struct entry *e)
{
	unsigned long long start;
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d", (int)e->init);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && start_time_at(fd, "stat", &start) == 0 && start == e->init_start)
		return fd;
	if (fd >= 0)
		close(fd);
	return fail(0, "container ps lists the running ones",
		    "no running container named %s (its first process is gone)", name);
}

/* ---- joining: cgroup ---- */

#define MAX_CGROUP_FDS 16

/* Is every comma-separated word of want one of the comma-separated words of opts? */
static bool has_all_words(const char *opts, const char *want)
{
	for (const char *w = want; *w != '\0'; w += strcspn(w, ","), w += (*w == ',')) {
		size_t len = strcspn(w, ",");
		bool found = false;

		for (const char *p = opts; *p != '\0' && !found;
		     p += strcspn(p, ","), p += (*p == ','))
			found = strncmp(p, w, len) == 0 && (p[len] == ',' || p[len] == '\0');
		if (!found)
			return false;
	}
	return true;
}

/*
 * Where the hierarchy of a /proc/PID/cgroup line is mounted: "" (the v2 line "0::/path") is the
 * cgroup2 mount; "pids" or "cpu,cpuacct" or "name=systemd" the v1 mount whose super options
 * hold every one of those words.
 */
static int cgroup_mount_point(const char *ctrls, char *out, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -1;

	if (f == NULL)
		return fail(errno, NULL, "/proc/self/mountinfo");
	while (rc < 0 && fgets(line, sizeof(line), f) != NULL) {
		char mnt[PATH_MAX], type[64], opts[1024];
		const char *sep = strstr(line, " - ");

		if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", type, opts) != 2)
			continue;
		if (ctrls[0] == '\0' ? strcmp(type, "cgroup2") == 0
				     : strcmp(type, "cgroup") == 0 && has_all_words(opts, ctrls)) {
			snprintf(out, size, "%s", mnt);
			rc = 0;
		}
	}
	fclose(f);
	if (rc < 0)
		return fail(ENOENT, NULL, "no mount of the cgroup hierarchy \"%s\"", ctrls);
	return 0;
}

/*
 * Open cgroup.procs of every cgroup the container's first process is in and we are not (v1:
 * one per hierarchy; v2: one), through the host's /sys/fs/cgroup: so before joining the mount
 * namespace, where that path leads elsewhere. The fds are written after the fork, with the
 * child's pid, from here: the child never holds a descriptor of the host's cgroupfs (runc's
 * CVE-2024-21626 was one such fd, left open, used as the working directory).
 */
static int open_cgroups(int procfd, int fds[], int *n)
{
	char line[4096], mine[16384] = "";
	FILE *f;
	int rc = 0;

	*n = 0;
	f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return fail(errno, NULL, "/proc/self/cgroup");
	while (fgets(line, sizeof(line), f) != NULL && strlen(mine) + strlen(line) < sizeof(mine))
		strcat(mine, line);
	fclose(f);

	int fd = openat(procfd, "cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "re")) == NULL) {
		if (fd >= 0)
			close(fd);
		return fail(errno, NULL, "the container's /proc/PID/cgroup");
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char ctrls[256] = "", path[PATH_MAX], mnt[PATH_MAX], file[2 * PATH_MAX + 32];
		char *c1 = strchr(line, ':'), *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;

		/* Already there (e.g. a hierarchy the runtime does not use): nothing to join. */
		if (c2 == NULL || strstr(mine, line) != NULL)
			continue;
		snprintf(ctrls, sizeof(ctrls), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(c2 + 1, "\n"), c2 + 1);
		if (cgroup_mount_point(ctrls, mnt, sizeof(mnt)) < 0) {
			rc = -1;
			break;
		}
		snprintf(file, sizeof(file), "%s%s/cgroup.procs", mnt, path);
		if (*n == MAX_CGROUP_FDS) {
			rc = fail(E2BIG, NULL, "more than %d cgroup hierarchies", MAX_CGROUP_FDS);
			break;
		}
		fds[*n] = open(file, O_WRONLY | O_CLOEXEC);
		if (fds[*n] < 0) {
			rc = fail(errno, NULL, "opening %s", file);
			break;
		}
		(*n)++;
	}
	fclose(f);
	return rc;
}

/* ---- joining: namespaces ---- */

/*
 * The order of the joins. user first: in a rootless container (stage 7) it is what gives us the
 * capabilities the other joins need (joining raises privilege; leaving one would drop it).
 * mnt last: it moves our root and working directory into the container, so nothing after it
 * may need a host path (all handles are open by then anyway). pid changes only our children's
 * namespace. No cgroup namespace: the contract gives the container none.
 */
static const struct {
	const char *name;
	int type;
} namespaces[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
};
#define NNAMESPACES (sizeof(namespaces) / sizeof(namespaces[0]))

/* Are fd and path the same namespace? (Its inode and device name it.) */
static bool same_ns(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* Open every namespace handle of the container, all before the first join. */
static int open_namespaces(int procfd, int fds[NNAMESPACES])
{
	for (size_t i = 0; i < NNAMESPACES; i++) {
		char path[32];

		snprintf(path, sizeof(path), "ns/%s", namespaces[i].name);
		fds[i] = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return fail(errno, NULL, "opening the container's %s namespace", path);
		/* setns(2) into our own user namespace is EINVAL: root's containers share ours. */
		if (namespaces[i].type == CLONE_NEWUSER && same_ns(fds[i], "/proc/self/ns/user")) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	return 0;
}

static int join_namespaces(const int fds[NNAMESPACES])
{
	for (size_t i = 0; i < NNAMESPACES; i++) {
		if (fds[i] < 0)
			continue;
		/*
		 * The kernel's setns: ns->ops->install() for this type swaps one pointer of our
		 * nsproxy (the task's set of namespaces). Mount and user need a single-threaded
		 * caller (the runtime never makes a thread).
		 */
		if (setns(fds[i], namespaces[i].type) < 0)
			return fail(errno,
				    errno == EPERM
					? "joining namespaces needs CAP_SYS_ADMIN in their "
					  "owning user namespace: root, or the container's "
					  "own user (stage 7)"
					: NULL,
				    "joining the container's %s namespace", namespaces[i].name);
	}
	return 0;
}

/* ---- safety: a sealed copy of ourselves ---- */

/*
 * CVE-2019-5736 (runc): the process `exec` forks into the container is, until it execs COMMAND,
 * the runtime - a host binary. If COMMAND is a script starting "#!/proc/self/exe", the kernel
 * resolves that in the forked process: it execs the *runtime's binary* again, now as a process
 * of the container, dumpable, whose /proc/PID/exe any process in there may open; once it exits,
 * reopening that for writing overwrites the host's runtime.
 * So `exec` first re-executes itself from a copy in a sealed memfd: /proc/self/exe is then that
 * copy, which no one can write (F_SEAL_WRITE), and the host binary is out of reach.
 */
static int run_from_sealed_copy(void)
{
	const unsigned int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	char args[65536], *argv[256];
	extern char **environ;
	int exe, mfd, argc = 0;
	struct stat st;
	ssize_t n;
	int fd;

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return fail(errno, NULL, "open /proc/self/exe");
	/* Already the sealed copy (this is the re-executed runtime): go on. */
	if (fcntl(exe, F_GET_SEALS) == (int)seals) {
		close(exe);
		return 0;
	}
	/* Our own command line, to run it again. */
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, args, sizeof(args) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		close(exe);
		return fail(errno, NULL, "reading /proc/self/cmdline");
	}
	args[n] = '\0';
	for (char *p = args; p < args + n && argc < 255; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	/* MFD_EXEC: kernels with vm.memfd_noexec (6.3) want it said; older ones refuse the flag. */
	mfd = memfd_create("container", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("container", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		close(exe);
		return fail(errno, NULL, "memfd_create");
	}
	if (fstat(exe, &st) < 0) {
		fail(errno, NULL, "fstat /proc/self/exe");
		goto out;
	}
	for (off_t left = st.st_size; left > 0; left -= n) {
		n = sendfile(mfd, exe, NULL, (size_t)left);
		if (n <= 0) {
			fail(n < 0 ? errno : EIO, NULL, "copying the runtime into a memfd");
			goto out;
		}
	}
	if (fcntl(mfd, F_ADD_SEALS, seals) < 0) {
		fail(errno, NULL, "sealing the memfd");
		goto out;
	}
	close(exe);
	/* Close-on-exec is fine for an ELF binary: the kernel has it mapped before it closes it. */
	fexecve(mfd, argv, environ);
	fail(errno, NULL, "re-executing the runtime from its sealed copy");
	close(mfd);
	return -1;
out:
	close(exe);
	close(mfd);
	return -1;
}
//@@ END SOLUTION
//@@ STARTER /* TODO(stage 9): your static helper functions go here, one job each. */

int record_claim(struct record *rec, const struct config *cfg)
{
	//@@ BEGIN SOLUTION
	char dir[PATH_MAX];
	struct entry old, e = {.runtime = getpid()};
	int lock, rc = 0;

	if (cfg->name == NULL)
		return 0;
	if (start_time(e.runtime, &e.runtime_start) < 0)
		return fail(errno, NULL, "reading our own /proc/self/stat");
	lock = lock_dir(dir, sizeof(dir));
	if (lock < 0)
		return -1;
	if ((size_t)snprintf(rec->path, sizeof(rec->path), "%s/%s", dir, cfg->name) >=
	    sizeof(rec->path)) {
		close(lock);
		return fail(ENAMETOOLONG, NULL, "the record of %s", cfg->name);
	}
	/* A record of a dead runtime is stale (SIGKILLed before it could remove it): take over. */
	if (record_read(rec->path, &old) == 0 && record_live(&old))
		rc = fail(0, "pick another name, or end that one: container kill NAME",
			  "--name %s: a container of that name is running", cfg->name);
	else if (record_write(rec->path, &e) == 0) {
		rec->claimed = true;
		rec->owner = e.runtime;
		rec->start = e.runtime_start;
	} else
		rc = -1;
	close(lock);
	return rc;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): with --name, write a record of this runtime (its pid and start */
	//@@ STARTER /* time) unless a running container has the name (README: "The record"). */
	//@@ STARTER (void)rec;
	//@@ STARTER if (cfg->name == NULL)
	//@@ STARTER return 0;
	//@@ STARTER return todo("--name (stage 9)");
}

int record_publish(struct record *rec, const struct config *cfg, pid_t pid)
{
	//@@ BEGIN SOLUTION
	struct entry e = {.runtime = rec->owner, .runtime_start = rec->start, .init = pid};
	size_t len = 0;

	if (!rec->claimed)
		return 0;
	if (start_time(pid, &e.init_start) < 0)
		return fail(errno, NULL, "reading /proc/%d/stat", (int)pid);
	/* The command line for ps, as one line. */
	for (char *const *a = cfg->argv; *a != NULL && len + 1 < sizeof(e.command); a++)
		len += (size_t)snprintf(e.command + len, sizeof(e.command) - len, "%s%s",
					len > 0 ? " " : "", *a);
	for (char *p = e.command; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	/* Only we write this name while we hold it: no lock needed, rename(2) is atomic. */
	return record_write(rec->path, &e);
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): add COMMAND's pid (and its start time) to the record. */
	//@@ STARTER (void)rec;
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)pid;
	//@@ STARTER return 0;
}

int record_remove(struct record *rec)
{
	//@@ BEGIN SOLUTION
	char dir[PATH_MAX];
	struct entry e;
	int lock;

	if (!rec->claimed)
		return 0;
	rec->claimed = false;
	lock = lock_dir(dir, sizeof(dir));
	if (lock < 0)
		return -1;
	/*
	 * Only if it is still ours: once we are dead (this may be our cleanup guard, after a
	 * SIGKILL), another runtime may have taken the name over already.
	 */
	if (record_read(rec->path, &e) == 0 && e.runtime == rec->owner &&
	    e.runtime_start == rec->start && unlink(rec->path) < 0) {
		close(lock);
		return fail(errno, NULL, "removing %s", rec->path);
	}
	/* The last one out removes the directory (ENOTEMPTY otherwise: fine). */
	rmdir(dir);
	close(lock);
	return 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): remove the record if it is still this runtime's. */
	//@@ STARTER (void)rec;
	//@@ STARTER return 0;
}

int exec_prepare(void)
{
	//@@ BEGIN SOLUTION
	return run_from_sealed_copy();
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): run from a sealed memfd copy of yourself (README: "Security"). */
	//@@ STARTER return 0;
}

pid_t exec_enter(const char *name, int (*fn)(void *), void *arg)
{
	//@@ BEGIN SOLUTION
	int ns[NNAMESPACES], cg[MAX_CGROUP_FDS], ncg = 0, procfd, sync[2];
	struct entry e;
	char byte = 0;
	pid_t pid;

	/*
	 * Non-dumpable before anything is joined: a process of the container may then not open
	 * our /proc/PID/{exe,fd,cwd,root,mem} (ptrace access), and neither the child's until it
	 * execs COMMAND (it inherits the flag; execve resets it for COMMAND).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(errno, NULL, "prctl(PR_SET_DUMPABLE)");
	if (find_running(name, &e) < 0)
		return -1;
	procfd = open_init(name, &e);
	if (procfd < 0)
		return -1;
	for (size_t i = 0; i < NNAMESPACES; i++)
		ns[i] = -1;
	if (open_cgroups(procfd, cg, &ncg) < 0 || open_namespaces(procfd, ns) < 0 ||
	    join_namespaces(ns) < 0)
		pid = -1;
	else
		pid = 0;
	close(procfd);
	for (size_t i = 0; i < NNAMESPACES; i++)
		if (ns[i] >= 0)
			close(ns[i]);
	if (pid < 0)
		goto out;
	/* setns(mnt) moved root and cwd to the container's /; say so rather than rely on it. */
	if (chdir("/") < 0) {
		pid = fail(errno, NULL, "chdir / in the container");
		goto out;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		pid = fail(errno, NULL, "pipe");
		goto out;
	}
	/* The fork that the PID namespace needs: only the child is in it (a PID > 1 there). */
	pid = fork();
	if (pid < 0) {
		fail(errno, errno == EAGAIN ? "the container is at its --pids-limit" : NULL,
		     "fork");
		close(sync[0]);
		close(sync[1]);
		goto out;
	}
	if (pid == 0) {
		/* No host descriptor stays with us: the cgroup files are the parent's to write. */
		for (int i = 0; i < ncg; i++)
			close(cg[i]);
		close(sync[1]);
		/* Wait until we are in the container's cgroup; EOF: the parent gave up. */
		if (read(sync[0], &byte, 1) != 1)
			_exit(EXIT_RUNTIME_FAILED);
		close(sync[0]);
		_exit(fn(arg));
	}
	close(sync[0]);
	/* Into the container's cgroup before it runs a line of COMMAND: it counts from the start. */
	for (int i = 0; i < ncg; i++) {
		char buf[16];
		int len = snprintf(buf, sizeof(buf), "%d", (int)pid);

		if (write(cg[i], buf, (size_t)len) != len) {
			fail(errno, NULL, "joining the container's cgroup (writing cgroup.procs)");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
			break;
		}
	}
	if (pid > 0 && write(sync[1], "x", 1) != 1) {
		fail(errno, NULL, "releasing the exec'd process");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(sync[1]);
out:
	for (int i = 0; i < ncg; i++)
		close(cg[i]);
	return pid;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): find the container, open its namespace handles, join its */
	//@@ STARTER /* cgroup and namespaces, fork; the child runs fn(arg) (README: "exec"). */
	//@@ STARTER (void)name;
	//@@ STARTER (void)fn;
	//@@ STARTER (void)arg;
	//@@ STARTER return todo("exec (stage 9)");
}

int ps_print(void)
{
	//@@ BEGIN SOLUTION
	char dir[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	if (record_dir(dir, sizeof(dir), false) < 0)
		return -1;
	dp = opendir(dir);
	if (dp == NULL && errno == ENOENT) /* no named container has run here */
		return 0;
	if (dp == NULL)
		return fail(errno, NULL, "opendir %s", dir);
	while ((d = readdir(dp)) != NULL) {
		char path[PATH_MAX + 260];
		struct entry e;

		/* "." and "..", and the temporary files of a record being written. */
		if (d->d_name[0] == '.' || strstr(d->d_name, ".tmp") != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		/* A stale record (its runtime is dead) or one still starting: not running. */
		if (record_read(path, &e) == 0 && record_live(&e) && e.init > 0 &&
		    is_running(e.init, e.init_start))
			printf("%s %d %s\n", d->d_name, (int)e.init, e.command);
	}
	closedir(dp);
	if (fflush(stdout) != 0)
		return fail(errno, NULL, "writing to stdout");
	return 0;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): one line "NAME PID COMMAND" per running named container. */
	//@@ STARTER return todo("ps (stage 9)");
}

int container_kill(const char *name, int sig)
{
	//@@ BEGIN SOLUTION
	unsigned long long start;
	struct entry e;
	int pidfd, rc = 0;

	if (find_running(name, &e) < 0)
		return -1;
	/*
	 * kill(2) by pid could hit whoever got the pid after the container's first process: take a
	 * pidfd (it names one process for good), then check that process is the recorded one.
	 */
	pidfd = pidfd_open(e.init, 0);
	if (pidfd < 0 || start_time(e.init, &start) < 0 || start != e.init_start) {
		if (pidfd >= 0)
			close(pidfd);
		return fail(0, "container ps lists the running ones",
			    "no running container named %s (its first process is gone)", name);
	}
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		rc = fail(errno, NULL, "sending signal %d to %s", sig, name);
	close(pidfd);
	return rc;
	//@@ END SOLUTION
	//@@ STARTER /* TODO(stage 9): signal the container's first process, through a pidfd. */
	//@@ STARTER (void)name;
	//@@ STARTER (void)sig;
	//@@ STARTER return todo("kill (stage 9)");
}
