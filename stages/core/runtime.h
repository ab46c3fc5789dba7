/*
 * runtime.h — the core's internal interface to main.c (not used by the stage modules).
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include "container.h"

/* Run the container described by cfg; prints its own errors. Returns the runtime's exit status. */
int runtime_run(const struct config *cfg);

#endif
