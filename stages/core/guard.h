/*
 * guard.h — the cleanup guard (guard.c): what makes "nothing outlives the runtime" true even when
 * the runtime is SIGKILLed, which no code of its own can catch.
 */
#ifndef GUARD_H
#define GUARD_H

#include <sys/types.h>

/*
 * A small process, forked before the runtime creates anything on the host, that outlives a killed
 * runtime just long enough to undo what it created (a cgroup or a veth cannot remove itself).
 * It waits for EOF on a pipe whose only writer is the runtime: EOF comes when the runtime is gone,
 * however it died, and then the guard calls fn(arg). fn must find what to undo in memory the
 * runtime shares with it (MAP_SHARED), since the guard's own copy stops at the fork. It lives
 * in a process group of its own, so that a signal to the runtime's group does not reach it.
 */
struct guard {
	pid_t pid; /* -1: not started */
	int fd;	   /* the pipe's write end, held by the runtime only */
};
#define GUARD_INIT                                                                                 \
	{                                                                                          \
		.pid = -1, .fd = -1                                                                \
	}

/* 0, or -1 with fail() set. */
int guard_start(struct guard *g, void (*fn)(void *), void *arg);
/* The runtime has cleaned up itself: end the guard and reap it. Safe on a guard never started. */
void guard_stop(struct guard *g);

#endif
