/*
 * runtime.h — the core's internal interface to main.c (not used by the stage modules).
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include "container.h"

/* Run the container described by cfg; prints its own errors. Returns the runtime's exit status. */
int runtime_run(const struct config *cfg);
/* Run cfg->argv in the running container cfg->name (stage 9); the same contract as runtime_run. */
int runtime_exec(const struct config *cfg);

#endif
