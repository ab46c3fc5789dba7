/*
 * Stage 6 — capabilities, no_new_privs and a seccomp filter.
 * (skeleton: the solution regions are written in the stage-6 issue)
 */
#define _GNU_SOURCE
#include "container.h"

int security_harden_proc(void)
{
	return 0;
}

int security_apply(void)
{
	return 0;
}
