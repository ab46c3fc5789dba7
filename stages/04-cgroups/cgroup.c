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
	/* TODO(stage 4): statfs(2) /sys/fs/cgroup and look at f_type (man 2 statfs, */
	/* <linux/magic.h>): CGROUP2_SUPER_MAGIC is CGROUP_V2; TMPFS_MAGIC holds v1 */
	/* hierarchies: CGROUP_HYBRID if /sys/fs/cgroup/unified is a cgroup2, else */
	/* CGROUP_V1. Anything else: CGROUP_NONE. Remember the answer. */
	return CGROUP_NONE;
}

int cgroup_create(struct cgroup *cg, const struct config *cfg, const char *name)
{
	/* TODO(stage 4): the steps are in README.md (man 7 cgroups, man 2 mkdir). */
	/* Set cg->mode = cgroup_detect(). mkdir <hierarchy>/container-lab/<name>: */
	/* on v2 one, under /sys/fs/cgroup, with pids, memory and cpu enabled in the */
	/* parents' cgroup.subtree_control; on v1 and hybrid one in each of the pids, */
	/* memory and cpu hierarchies (find them in /proc/self/mountinfo). Record */
	/* each directory in cg->dirs (cg->ndirs++) BEFORE its mkdir, and forget it */
	/* if mkdir fails: the cleanup guard removes what is recorded if the runtime */
	/* is SIGKILLed, even right after the mkdir. Then write the limits cfg */
	/* asks for (0: none): pids.max, memory.max + memory.swap.max, cpu.max (v2); */
	/* pids.max, memory.limit_in_bytes + memory.memsw.limit_in_bytes, */
	/* cpu.cfs_period_us + cpu.cfs_quota_us (v1). */
	(void)cg;
	(void)cfg;
	(void)name;
	return 0;
}

int cgroup_add(const struct cgroup *cg, pid_t pid)
{
	/* TODO(stage 4): write pid into the cgroup.procs file of each of cg->dirs */
	/* (man 7 cgroups). The child waits on the release pipe until this is done. */
	(void)cg;
	(void)pid;
	return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
	/* TODO(stage 4): for each of cg->dirs, newest first: kill what is left in */
	/* it (v2: write 1 to cgroup.kill; else read cgroup.procs and kill(2) each */
	/* pid until it is empty), then rmdir(2) it, retrying on EBUSY for up to */
	/* about 2 s (nanosleep(2)). Then rmdir the container-lab parent, ignoring */
	/* EBUSY: another container may use it. Forget each directory (cg->ndirs--) */
	/* only once it and its parent are gone: this may be called twice, after a */
	/* failed create, and from the cleanup guard after a SIGKILL at any moment. */
	(void)cg;
	return 0;
}
