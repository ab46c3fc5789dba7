/*
 * Stage 5 — a network namespace, and a veth pair configured over rtnetlink (libnl).
 * (skeleton: the solution regions are written in the stage-5 issue)
 */
#define _GNU_SOURCE
#include "container.h"

unsigned long net_clone_flags(void)
{
	return 0;
}

int net_setup_host(struct net_state *st, const struct config *cfg, pid_t pid, const char *name)
{
	(void)st;
	(void)cfg;
	(void)pid;
	(void)name;
	return 0;
}

int net_setup_container(const struct config *cfg)
{
	(void)cfg;
	return 0;
}

int net_teardown(struct net_state *st)
{
	(void)st;
	return 0;
}
