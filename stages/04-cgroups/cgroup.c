/*
 * Stage 4 — a cgroup per container: pids, memory and cpu limits.
 * (skeleton: the solution regions are written in the stage-4 issue)
 */
#define _GNU_SOURCE
#include "container.h"

enum cgroup_mode cgroup_detect(void)
{
	return CGROUP_NONE;
}

int cgroup_create(struct cgroup *cg, const struct config *cfg, const char *name)
{
	(void)cg;
	(void)cfg;
	(void)name;
	return 0;
}

int cgroup_add(const struct cgroup *cg, pid_t pid)
{
	(void)cg;
	(void)pid;
	return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
	(void)cg;
	return 0;
}
