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

enum cgroup_mode cgroup_detect(void)
{
	/* TODO(stage 4): how does this host mount cgroups: v2, hybrid, v1, or not at */
	/* all (enum cgroup_mode)? Tell it from the filesystems at /sys/fs/cgroup */
	/* (man 2 statfs, man 7 cgroups: "Cgroups version 1 and version 2"). Remember */
	/* the answer. */
	return CGROUP_NONE;
}

int cgroup_create(struct cgroup *cg, const struct config *cfg, const char *name)
{
	/* TODO(stage 4): the contract is in container.h, the files in README.md. Make */
	/* the container's cgroup under <hierarchy>/container-lab/ (v2: one directory, */
	/* with the controllers it needs enabled above it; v1 and hybrid: one in each */
	/* controller's hierarchy), record each directory in cg->dirs BEFORE it exists */
	/* (the cleanup guard removes what is recorded if the runtime is SIGKILLed, */
	/* even right after the mkdir), then set the limits cfg asks for (0: none). */
	/* man 7 cgroups. */
	(void)cg;
	(void)cfg;
	(void)name;
	return 0;
}

int cgroup_add(const struct cgroup *cg, pid_t pid)
{
	/* TODO(stage 4): pid joins every cgroup of cg (man 7 cgroups). The child waits */
	/* on the release pipe until this is done: why does that matter? */
	(void)cg;
	(void)pid;
	return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
	/* TODO(stage 4): end whatever is left in each of cg's cgroups and remove */
	/* them, newest first, then the shared container-lab parent if it is empty. A */
	/* cgroup stays busy for a moment while its tasks exit. Forget a directory only */
	/* once it is gone: this is called twice, after a failed create, and by the */
	/* cleanup guard after a SIGKILL at any moment (man 7 cgroups, man 2 rmdir). */
	(void)cg;
	return 0;
}
