/*
 * Stage 4 — a cgroup per container: pids, memory and cpu limits, on cgroup v1, hybrid and v2 hosts.
 *
 * A cgroup is a directory in a cgroup filesystem. Making the directory makes the group; writing a
 * pid into its cgroup.procs moves that process (and, from then on, every child it forks) into
 * it; writing its interface files (pids.max, memory.max, cpu.max...) sets the limits the kernel
 * enforces on all of them together. Which files exist, and where, depends on how the host mounts
 * cgroups, so the mode is detected once, at run time:
 *
 *   v2 (unified)  one cgroup2 hierarchy at /sys/fs/cgroup; controllers are switched on for a
 *                 cgroup's children in its cgroup.subtree_control
 *   v1 (legacy)   a tmpfs at /sys/fs/cgroup with one hierarchy per controller mounted inside
 *                 (/sys/fs/cgroup/pids, /sys/fs/cgroup/memory, /sys/fs/cgroup/cpu,cpuacct...)
 *   hybrid        v1 controllers as above, plus an (often empty) cgroup2 at /sys/fs/cgroup/unified
 *
 * Every container gets a cgroup (even without limits, so that it is accounted and can be killed
 * as a whole) named after the runtime, under a shared parent "container-lab" in each hierarchy.
 *
 * Read: man 7 cgroups, man 2 statfs, man 5 proc (/proc/PID/cgroup, /proc/PID/mountinfo), and the
 * kernel's Documentation/admin-guide/cgroup-v2.rst, cgroup-v1/memory.rst, cgroup-v1/pids.rst,
 * Documentation/scheduler/sched-bwc.rst.
 *
 * Error contract: cgroup_create(), cgroup_add() and cgroup_destroy() return -1 after fail() has
 * recorded what failed and why; cgroup_detect() cannot fail (CGROUP_NONE: not recognised).
 * Whatever cgroup_create() made before failing is recorded in the struct cgroup, so that
 * cgroup_destroy() removes it; see container.h.
 */
#define _GNU_SOURCE
#include "container.h"

//@@ BEGIN SOLUTION
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

/* Each container's cgroup is <hierarchy>/container-lab/<name>: one place to look for all of them. */
#define CGROUP_PARENT	 "container-lab"
#define RETRY_STEP_MS	 10
#define RMDIR_TIMEOUT_MS 2000 /* exiting tasks leave the cgroup a little after they are killed */
#define KILL_ROUNDS	 200  /* x RETRY_STEP_MS: how long a fork bomb may keep us killing */

/* Where the host mounts cgroups, and where to read its mount table (the unit test moves both). */
static const char *cgroup_root = "/sys/fs/cgroup";
static const char *mountinfo_path = "/proc/self/mountinfo";
static enum cgroup_mode detected_mode = CGROUP_NONE;

enum controller { PIDS, MEMORY, CPU, NCONTROLLERS };
static const char *const controller_name[NCONTROLLERS] = {"pids", "memory", "cpu"};

/* Is controller c needed for a limit of cfg's? (Without one it is enabled only if available.) */
static bool limit_wanted(const struct config *cfg, enum controller c)
{
	switch (c) {
	case PIDS:
		return cfg->pids_limit > 0;
	case MEMORY:
		return cfg->memory_bytes > 0;
	default:
		return cfg->cpu_quota_us > 0;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Write value to dir/file. The kernel parses each write(2) to an interface file as one value,
 * so it goes out in one call. Returns 0, or -1 with errno set (no message: callers know what
 * an errno means for their file).
 */
static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, value, len);
	saved = n < 0 ? errno : EIO;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = saved;
	return -1;
}

/* Read dir/file into buf (NUL-terminated, at most size - 1 bytes). -1 with errno on failure. */
static int read_file(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Write one limit; a failure becomes the runtime's message, with a hint where it helps. */
static int set_limit(const char *dir, const char *file, const char *value, const char *hint)
{
	if (write_file(dir, file, value) < 0)
		return fail(
		    errno, errno == ENOENT ? "the controller is not enabled for this cgroup" : hint,
		    "writing \"%s\" to %s/%s", value, dir, file);
	return 0;
}

/* Is tok one of the words of list (separated by any of seps)? "cpu" is not in "cpuacct,cpuset". */
static bool has_word(const char *list, const char *tok, const char *seps)
{
	size_t len = strlen(tok);

	for (const char *p = list; *p != '\0'; p += strcspn(p, seps), p += strspn(p, seps))
		if (strncmp(p, tok, len) == 0 && (p[len] == '\0' || strchr(seps, p[len]) != NULL))
			return true;
	return false;
}

static const char *mkdir_hint(int err)
{
	switch (err) {
	case EROFS:
		return "/sys/fs/cgroup is read-only: inside a container? (docker run --privileged "
		       "--cgroupns=host)";
	case EACCES:
	case EPERM:
		return "creating cgroups needs root";
	case EEXIST:
		return "a stale cgroup of an earlier runtime with the same pid: rmdir it";
	default:
		return NULL;
	}
}

/*
 * Where this container's cgroup goes in the hierarchy mounted at base (controller: v1's, or
 * NULL on v2): base/container-lab; rootless (stage 7), the delegated cgroup above the
 * runtime's own. 0 with it in parent, 1 if a rootless user has none, -1 on error.
 */
static int parent_dir(const char *base, const char *controller, char *parent, size_t size)
{
	if (userns_rootless())
		return userns_cgroup_parent(base, controller, parent, size);
	snprintf(parent, size, "%s/%s", base, CGROUP_PARENT);
	return 0;
}

/*
 * Rootless (stage 7) with no cgroup the user may write: without limits the container simply has
 * no cgroup; a limit asked for is refused, never silently dropped.
 */
static int no_writable_cgroup(const struct config *cfg, const char *where)
{
	for (int c = 0; c < NCONTROLLERS; c++)
		if (limit_wanted(cfg, c))
			return fail(
			    0,
			    "delegate one to this user: systemd-run --user -p Delegate=yes, or "
			    "chown a cgroup with its cgroup.procs and cgroup.subtree_control",
			    "rootless: --pids-limit, --memory and --cpus need a cgroup you may "
			    "write above your own in %s, and there is none",
			    where);
	return 0;
}

/*
 * mkdir parent/name, recorded in cg first: cgroup_destroy() removes what is recorded,
 * after a later step fails or, from the cleanup guard, after the runtime was SIGKILLed — even
 * right after this mkdir(2), before the next line could have recorded it. A failed mkdir made
 * nothing, so its record goes again. The shared parent is removed by the last container to leave
 * it, which may happen between our two mkdirs: then the second one fails with ENOENT and we make
 * both again. Returns the index of the new directory in cg->dirs, or -1.
 */
static int make_cgroup_dir(struct cgroup *cg, const char *parent, const char *name)
{
	const char *failed;
	char *dir;
	int i = cg->ndirs, err;

	if (i >= CGROUP_MAX_DIRS)
		return fail(0, NULL, "more than %d cgroup directories", CGROUP_MAX_DIRS);
	dir = cg->dirs[i];
	if ((size_t)snprintf(dir, sizeof(cg->dirs[0]), "%s/%s", parent, name) >=
	    sizeof(cg->dirs[0]))
		return fail(ENAMETOOLONG, NULL, "cgroup %s/%s", parent, name);
	cg->ndirs++; /* recorded: from here on, dir and its parent are removed whatever happens */
	for (int tries = 0;; tries++) {
		failed = parent;
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			break;
		failed = dir;
		if (mkdir(dir, 0755) == 0)
			return i;
		if (errno != ENOENT || tries == 3)
			break;
	}
	err = errno;
	cg->ndirs--;
	return fail(err, mkdir_hint(err), "mkdir %s", failed);
}

/* ---- detection ---- */

/*
 * The filesystem type under the mount point tells the modes apart, as crun's detect_cgroup_mode()
 * does: cgroup2 at the top is v2; a tmpfs at the top holds v1 hierarchies, and a cgroup2 at
 * "unified" inside it makes the host hybrid.
 */
static enum cgroup_mode detect_at(const char *root)
{
	char unified[PATH_MAX];
	struct statfs st;

	if (statfs(root, &st) < 0)
		return CGROUP_NONE;
	if (st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_V2;
	if (st.f_type != TMPFS_MAGIC)
		return CGROUP_NONE;
	snprintf(unified, sizeof(unified), "%s/unified", root);
	if (statfs(unified, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_HYBRID;
	return CGROUP_V1;
}
//@@ END SOLUTION

enum cgroup_mode cgroup_detect(void)
{
	//@@ BEGIN SOLUTION
	if (detected_mode == CGROUP_NONE)
		detected_mode = detect_at(cgroup_root);
	return detected_mode;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 4): how does this host mount cgroups: v2, hybrid, v1, or not at */
	//@@ STARTER(standard,challenge) /* all (enum cgroup_mode)? Tell it from the filesystems at /sys/fs/cgroup */
	//@@ STARTER(standard,challenge) /* (man 2 statfs, man 7 cgroups: "Cgroups version 1 and version 2"). Remember */
	//@@ STARTER(standard,challenge) /* the answer. */
	//@@ STARTER(guided) /* TODO(stage 4): statfs(2) /sys/fs/cgroup and look at f_type (man 2 statfs, */
	//@@ STARTER(guided) /* <linux/magic.h>): CGROUP2_SUPER_MAGIC is CGROUP_V2; TMPFS_MAGIC holds v1 */
	//@@ STARTER(guided) /* hierarchies: CGROUP_HYBRID if /sys/fs/cgroup/unified is a cgroup2, else */
	//@@ STARTER(guided) /* CGROUP_V1. Anything else: CGROUP_NONE. Remember the answer. */
	//@@ STARTER return CGROUP_NONE;
}

//@@ BEGIN SOLUTION
/* ---- v2: one hierarchy, controllers switched on from the top down ---- */

/*
 * Enable the controllers in want[] for dir's children, writing only those not enabled yet.
 * The "no internal processes" rule: a cgroup other than the root may not both hold processes
 * and enable controllers for its children (EBUSY). That is why the container's processes live
 * in a leaf under container-lab, and container-lab itself holds none.
 */
static int enable_controllers(const char *dir, const bool want[NCONTROLLERS])
{
	char enabled[512], add[64] = "";

	if (read_file(dir, "cgroup.subtree_control", enabled, sizeof(enabled)) < 0)
		return fail(errno, NULL, "reading %s/cgroup.subtree_control", dir);
	for (int c = 0; c < NCONTROLLERS; c++)
		if (want[c] && !has_word(enabled, controller_name[c], " \n")) {
			strcat(add, add[0] != '\0' ? " +" : "+");
			strcat(add, controller_name[c]);
		}
	if (add[0] == '\0')
		return 0;
	if (write_file(dir, "cgroup.subtree_control", add) < 0)
		return fail(errno,
			    errno == EBUSY ? "no internal processes: a cgroup that holds processes "
					     "cannot enable controllers for its children"
					   : NULL,
			    "writing \"%s\" to %s/cgroup.subtree_control", add, dir);
	return 0;
}

static int create_v2(struct cgroup *cg, const struct config *cfg, const char *name)
{
	char avail[512], value[64], parent[PATH_MAX];
	bool want[NCONTROLLERS];
	const char *dir, *top;
	int i;

	i = parent_dir(cgroup_root, NULL, parent, sizeof(parent));
	if (i != 0)
		return i < 0 ? -1 : no_writable_cgroup(cfg, cgroup_root);
	/*
	 * Which controllers the hierarchy offers (on a hybrid host v1 may have taken them); for a
	 * rootless container, which ones the delegated parent was given.
	 */
	top = userns_rootless() ? parent : cgroup_root;
	if (read_file(top, "cgroup.controllers", avail, sizeof(avail)) < 0)
		return fail(errno, NULL, "reading %s/cgroup.controllers", top);
	for (int c = 0; c < NCONTROLLERS; c++) {
		want[c] = has_word(avail, controller_name[c], " \n");
		if (!want[c] && limit_wanted(cfg, c))
			return fail(0,
				    "is it bound to a v1 hierarchy, or disabled on the kernel "
				    "command line?",
				    "cgroup v2: the %s controller is not in %s/cgroup.controllers",
				    controller_name[c], top);
	}
	/* The root is exempt from the no-internal-process rule; systemd usually did this already. */
	if (!userns_rootless() && enable_controllers(cgroup_root, want) < 0)
		return -1;
	i = make_cgroup_dir(cg, parent, name);
	if (i < 0)
		return -1;
	dir = cg->dirs[i];
	/*
	 * Now that our leaf exists, container-lab cannot be removed under us: enable the controllers
	 * there, which gives the leaf its pids.*, memory.* and cpu.* files.
	 */
	if (enable_controllers(parent, want) < 0)
		return -1;

	if (cfg->pids_limit > 0) {
		snprintf(value, sizeof(value), "%ld", cfg->pids_limit);
		if (set_limit(dir, "pids.max", value, NULL) < 0)
			return -1;
	}
	if (cfg->memory_bytes > 0) {
		snprintf(value, sizeof(value), "%lld", cfg->memory_bytes);
		if (set_limit(dir, "memory.max", value, NULL) < 0)
			return -1;
		/* No swap beyond the limit. No file: no swap accounting, so nothing to deny. */
		if (write_file(dir, "memory.swap.max", "0") < 0 && errno != ENOENT)
			return fail(errno, NULL, "writing \"0\" to %s/memory.swap.max", dir);
	}
	if (cfg->cpu_quota_us > 0) {
		snprintf(value, sizeof(value), "%ld %ld", cfg->cpu_quota_us, CPU_PERIOD_US);
		if (set_limit(dir, "cpu.max", value, "the quota must be at least 1000 us") < 0)
			return -1;
	}
	return 0;
}

/* ---- v1: one hierarchy per controller ---- */

/*
 * Where is the v1 hierarchy that has controller c mounted? Usually /sys/fs/cgroup/<c>, but
 * "cpu" is often co-mounted with cpuacct (/sys/fs/cgroup/cpu,cpuacct), so ask the mount table:
 * a line of mountinfo is "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPEROPTS",
 * and a v1 hierarchy's super options name its controllers. 0 and out set, 1 if no hierarchy has
 * the controller, -1 on error.
 */
static int v1_mount_point(const char *c, char *out, size_t size)
{
	char mnt[PATH_MAX], fstype[32], opts[512];
	char *line = NULL;
	size_t cap = 0;
	int rc = 1;
	FILE *f;

	f = fopen(mountinfo_path, "re");
	if (f == NULL)
		return fail(errno, NULL, "%s", mountinfo_path);
	while (rc == 1 && getline(&line, &cap, f) > 0) {
		const char *sep = strstr(line, " - ");

		if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%31s %*s %511s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup") == 0 && has_word(opts, c, ",")) {
			snprintf(out, size, "%s", mnt);
			rc = 0;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static int set_limits_v1(const char *dir, enum controller c, const struct config *cfg)
{
	char value[32];

	if (c == PIDS) {
		snprintf(value, sizeof(value), "%ld", cfg->pids_limit);
		return set_limit(dir, "pids.max", value, NULL);
	}
	if (c == MEMORY) {
		snprintf(value, sizeof(value), "%lld", cfg->memory_bytes);
		/* oom_kill_disable is inherited from the parent: make sure the OOM killer acts. */
		if (set_limit(dir, "memory.oom_control", "0", NULL) < 0 ||
		    set_limit(dir, "memory.limit_in_bytes", value, NULL) < 0)
			return -1;
		/*
		 * memsw (memory + swap) must never be below limit_in_bytes, so it is written second:
		 * written first, it would be under the (unlimited) memory limit: EINVAL. Equal to it,
		 * no swap is granted beyond the limit. No file: swap accounting is off.
		 */
		if (write_file(dir, "memory.memsw.limit_in_bytes", value) < 0 && errno != ENOENT)
			return fail(errno, NULL, "writing \"%s\" to %s/memory.memsw.limit_in_bytes",
				    value, dir);
		return 0;
	}
	/* The period first: the quota is checked against it. */
	snprintf(value, sizeof(value), "%ld", cfg->cpu_quota_us);
	if (set_limit(dir, "cpu.cfs_period_us", "100000", NULL) < 0 ||
	    set_limit(dir, "cpu.cfs_quota_us", value, "the quota must be at least 1000 us") < 0)
		return -1;
	return 0;
}

static int create_v1(struct cgroup *cg, const struct config *cfg, const char *name)
{
	char mnt[NCONTROLLERS][PATH_MAX], parent[PATH_MAX];
	int dir_of[NCONTROLLERS]; /* controller -> index in cg->dirs */

	for (int c = 0; c < NCONTROLLERS; c++) {
		int rc = v1_mount_point(controller_name[c], mnt[c], sizeof(mnt[c]));

		dir_of[c] = -1;
		if (rc == 0)
			rc = parent_dir(mnt[c], controller_name[c], parent, sizeof(parent));
		if (rc < 0)
			return -1;
		if (rc == 1 && userns_rootless()) {
			if (no_writable_cgroup(cfg, mnt[c]) < 0)
				return -1;
			continue;
		}
		if (rc == 1) {
			if (!limit_wanted(cfg, c))
				continue;
			return fail(0, "mount one: mount -t cgroup -o <controller> cgroup <dir>",
				    "cgroup v1: no hierarchy has the %s controller",
				    controller_name[c]);
		}
		/* Controllers co-mounted in one hierarchy share one directory. */
		for (int d = 0; d < c; d++)
			if (dir_of[d] >= 0 && strcmp(mnt[d], mnt[c]) == 0)
				dir_of[c] = dir_of[d];
		if (dir_of[c] < 0)
			dir_of[c] = make_cgroup_dir(cg, parent, name);
		if (dir_of[c] < 0)
			return -1;
		if (limit_wanted(cfg, c) && set_limits_v1(cg->dirs[dir_of[c]], c, cfg) < 0)
			return -1;
	}
	return 0;
}
//@@ END SOLUTION

int cgroup_create(struct cgroup *cg, const struct config *cfg, const char *name)
{
	//@@ BEGIN SOLUTION
	memset(cg, 0, sizeof(*cg));
	cg->mode = cgroup_detect();
	switch (cg->mode) {
	case CGROUP_V2:
		return create_v2(cg, cfg, name);
	case CGROUP_V1:
	case CGROUP_HYBRID:
		/* Hybrid: the controllers are on the v1 side; the cgroup2 there has none of ours. */
		return create_v1(cg, cfg, name);
	default:
		return fail(
		    0, "see man 7 cgroups: mount cgroup2 there, or a tmpfs with v1 hierarchies",
		    "%s: neither a cgroup2 nor a tmpfs of cgroup v1 hierarchies", cgroup_root);
	}
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 4): the contract is in container.h, the files in README.md. Make */
	//@@ STARTER(standard,challenge) /* the container's cgroup under <hierarchy>/container-lab/ (v2: one directory, */
	//@@ STARTER(standard,challenge) /* with the controllers it needs enabled above it; v1 and hybrid: one in each */
	//@@ STARTER(standard,challenge) /* controller's hierarchy), record each directory in cg->dirs BEFORE it exists */
	//@@ STARTER(standard,challenge) /* (the cleanup guard removes what is recorded if the runtime is SIGKILLed, */
	//@@ STARTER(standard,challenge) /* even right after the mkdir), then set the limits cfg asks for (0: none). */
	//@@ STARTER(standard,challenge) /* man 7 cgroups. */
	//@@ STARTER(guided) /* TODO(stage 4): the steps are in README.md (man 7 cgroups, man 2 mkdir). */
	//@@ STARTER(guided) /* Set cg->mode = cgroup_detect(). mkdir <hierarchy>/container-lab/<name>: */
	//@@ STARTER(guided) /* on v2 one, under /sys/fs/cgroup, with pids, memory and cpu enabled in the */
	//@@ STARTER(guided) /* parents' cgroup.subtree_control; on v1 and hybrid one in each of the pids, */
	//@@ STARTER(guided) /* memory and cpu hierarchies (find them in /proc/self/mountinfo). Record */
	//@@ STARTER(guided) /* each directory in cg->dirs (cg->ndirs++) BEFORE its mkdir, and forget it */
	//@@ STARTER(guided) /* if mkdir fails: the cleanup guard removes what is recorded if the runtime */
	//@@ STARTER(guided) /* is SIGKILLed, even right after the mkdir. Then write the limits cfg */
	//@@ STARTER(guided) /* asks for (0: none): pids.max, memory.max + memory.swap.max, cpu.max (v2); */
	//@@ STARTER(guided) /* pids.max, memory.limit_in_bytes + memory.memsw.limit_in_bytes, */
	//@@ STARTER(guided) /* cpu.cfs_period_us + cpu.cfs_quota_us (v1). */
	//@@ STARTER (void)cg;
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)name;
	//@@ STARTER return 0;
}

int cgroup_add(const struct cgroup *cg, pid_t pid)
{
	//@@ BEGIN SOLUTION
	char value[32];

	/*
	 * What this write costs: moving a pid takes the kernel's cgroup_threadgroup_rwsem for
	 * writing, and the writer of a per-CPU rwsem first waits for a normal RCU grace period
	 * (rcu_sync_enter; 8-20 ms on the kit's machine) unless another writer came less than a
	 * grace period before. Containers started back to back share that wait; one started alone
	 * (or after a --net run, whose veth deletion outlasts a grace period) pays it. The kernel
	 * skips the lock for a task that moves itself, one thread at a time (v1: "0" into tasks),
	 * and v2 has clone3(CLONE_INTO_CGROUP), which starts the child in its cgroup.
	 *
	 * The child has not been released yet (it waits on the release pipe before exec): moved
	 * now, everything it runs and forks is charged to the container from the first
	 * instruction of COMMAND.
	 */
	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int i = 0; i < cg->ndirs; i++)
		if (write_file(cg->dirs[i], "cgroup.procs", value) < 0)
			return fail(errno,
				    errno == EBUSY ? "no internal processes: is this a leaf cgroup?"
						   : NULL,
				    "moving pid %s into %s", value, cg->dirs[i]);
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 4): pid joins every cgroup of cg (man 7 cgroups). The child waits */
	//@@ STARTER(standard,challenge) /* on the release pipe until this is done: why does that matter? */
	//@@ STARTER(guided) /* TODO(stage 4): write pid into the cgroup.procs file of each of cg->dirs */
	//@@ STARTER(guided) /* (man 7 cgroups). The child waits on the release pipe until this is done. */
	//@@ STARTER (void)cg;
	//@@ STARTER (void)pid;
	//@@ STARTER return 0;
}

//@@ BEGIN SOLUTION
/*
 * Kill every process left in dir. v2 (Linux 5.14+) has cgroup.kill: one write kills the whole
 * cgroup, and nothing can fork its way out. Elsewhere: read cgroup.procs and SIGKILL each pid
 * until it is empty; a child forked in between shows up in the next round, and a process with
 * SIGKILL pending cannot fork any more, so this ends (bounded anyway).
 */
static int kill_all(const struct cgroup *cg, const char *dir)
{
	char path[PATH_MAX];

	if (cg->mode == CGROUP_V2 && write_file(dir, "cgroup.kill", "1") == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	for (int round = 0; round < KILL_ROUNDS; round++) {
		FILE *f = fopen(path, "re");
		int pid, found = 0;

		if (f == NULL)
			return errno == ENOENT ? 0 : fail(errno, NULL, "%s", path);
		while (fscanf(f, "%d", &pid) == 1)
			/* 0: a process outside our PID namespace; kill(0) would hit our own group. */
			if (pid > 0 && kill(pid, SIGKILL) == 0)
				found++;
		fclose(f);
		if (found == 0)
			return 0;
		sleep_ms(RETRY_STEP_MS);
	}
	return fail(EBUSY, "processes keep appearing: a fork bomb without --pids-limit?",
		    "killing what is left in %s", dir);
}

/* rmdir a cgroup whose tasks were just killed: they leave it as they finish exiting (EBUSY). */
static int remove_dir(const char *dir)
{
	for (int waited = 0;; waited += RETRY_STEP_MS) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || waited >= RMDIR_TIMEOUT_MS)
			return fail(errno, errno == EBUSY ? "processes are still in it" : NULL,
				    "rmdir %s", dir);
		sleep_ms(RETRY_STEP_MS);
	}
}

/*
 * Usually nothing is left in dir: the runtime has reaped the container's first process, and the
 * kernel took the rest of its PID namespace down with it. Then one rmdir(2) does it (reading
 * each cgroup.procs first made the teardown take twice as long: 0.4 instead of 0.2 ms); only a
 * cgroup still in use (EBUSY) has its processes killed first.
 */
static int empty_and_remove(const struct cgroup *cg, const char *dir)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno == EBUSY && kill_all(cg, dir) < 0)
		return -1;
	return remove_dir(dir); /* any other error: remove_dir's rmdir reports it */
}
//@@ END SOLUTION

int cgroup_destroy(struct cgroup *cg)
{
	//@@ BEGIN SOLUTION
	/*
	 * Newest first; each directory is forgotten only once it and its parent are gone: the
	 * cleanup guard, after a runtime killed in the middle of this, redoes what was not done
	 * (ENOENT for what was), and a second call has nothing to do.
	 */
	while (cg->ndirs > 0) {
		const char *dir = cg->dirs[cg->ndirs - 1];
		char parent[sizeof(cg->dirs[0])];
		char *slash;

		if (empty_and_remove(cg, dir) < 0)
			return -1;
		/*
		 * The shared parent goes too, unless another container still uses it (EBUSY) -- but
		 * never a rootless container's: that is the user's delegated cgroup.
		 */
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash != NULL && !userns_rootless()) {
			*slash = '\0';
			if (rmdir(parent) < 0) {
				/* In use (EBUSY, ENOTEMPTY) or gone already: either way not ours to fix. */
			}
		}
		cg->ndirs--;
	}
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 4): end whatever is left in each of cg's cgroups and remove */
	//@@ STARTER(standard,challenge) /* them, newest first, then the shared container-lab parent if it is empty. A */
	//@@ STARTER(standard,challenge) /* cgroup stays busy for a moment while its tasks exit. Forget a directory only */
	//@@ STARTER(standard,challenge) /* once it is gone: this is called twice, after a failed create, and by the */
	//@@ STARTER(standard,challenge) /* cleanup guard after a SIGKILL at any moment (man 7 cgroups, man 2 rmdir). */
	//@@ STARTER(guided) /* TODO(stage 4): for each of cg->dirs, newest first: kill what is left in */
	//@@ STARTER(guided) /* it (v2: write 1 to cgroup.kill; else read cgroup.procs and kill(2) each */
	//@@ STARTER(guided) /* pid until it is empty), then rmdir(2) it, retrying on EBUSY for up to */
	//@@ STARTER(guided) /* about 2 s (nanosleep(2)). Then rmdir the container-lab parent, ignoring */
	//@@ STARTER(guided) /* EBUSY: another container may use it. Forget each directory (cg->ndirs--) */
	//@@ STARTER(guided) /* only once it and its parent are gone: this may be called twice, after a */
	//@@ STARTER(guided) /* failed create, and from the cleanup guard after a SIGKILL at any moment. */
	//@@ STARTER (void)cg;
	//@@ STARTER return 0;
}
