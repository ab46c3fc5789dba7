/*
 * runtime.h — the core's internal interfaces (not used by the stage modules).
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include "container.h"

/* Run the container described by cfg; prints its own errors. Returns the runtime's exit status. */
int runtime_run(const struct config *cfg);
/* Run cfg->argv in the running container cfg->name (stage 9); the same contract as runtime_run. */
int runtime_exec(const struct config *cfg);

/*
 * The cleanup guard: a small process that outlives a SIGKILLed runtime just long enough to undo
 * what the runtime created (a cgroup cannot remove itself). It waits on a pipe: a byte means the
 * runtime cleaned up itself; EOF means the runtime died, and the guard calls fn(arg).
 */
struct guard {
	pid_t pid;
	int fd;
};
/* 0, or -1 with fail() set. */
int guard_start(struct guard *g, void (*fn)(void *), void *arg);
/* Tell the guard all is clean and reap it. Safe on a guard that was never started. */
void guard_stop(struct guard *g);

#endif
