/*
 * Stage 2 — PID and mount namespaces, and a /proc for the new PID namespace.
 * (skeleton: the solution regions are written in the stage-2 issue)
 */
#define _GNU_SOURCE
#include "container.h"

unsigned long pid_clone_flags(void)
{
	return 0;
}

int mounts_make_private(void)
{
	return 0;
}

int proc_remount(void)
{
	return 0;
}
