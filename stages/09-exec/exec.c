/*
 * Stage 9 — exec into a running container: setns(2), a record of named containers, ps and kill.
 *
 * `docker exec` starts a second process inside a container that already runs. Nothing is
 * created: every namespace the container has is a kernel object that a process can *join* with
 * setns(2), given a handle to it, and its cgroup is joined by writing a pid to cgroup.procs.
 * The handles are the files /proc/PID/ns/{user,ipc,uts,net,pid,mnt} of any process inside.
 * So `exec` needs three things, each a section below:
 *
 *   the record   which process is the container "web"? `run --name web` writes the answer
 *                under /run when COMMAND starts and removes it when the container ends. A
 *                SIGKILLed runtime cannot remove it, so every reader checks that the runtime it
 *                names is still alive - the same pid AND the same start time, because pids are
 *                reused;
 *   joining      open every handle first, then setns(2) in a sound order (user first when it
 *                differs, mount last), then fork: joining a PID namespace changes only the
 *                namespace of our *children* (/proc/self/ns/pid_for_children);
 *   safety       the exec'd process is in the container but was forked from the runtime, a host
 *                binary: until it execs COMMAND it must not hand the container a way out
 *                (CVE-2019-5736: /proc/PID/exe; CVE-2024-21626: a leaked descriptor). See
 *                run_from_sealed_copy() and exec_enter().
 *
 * Read: man 2 setns, man 7 namespaces, man 1 nsenter, man 2 pidfd_open, man 2 pidfd_send_signal,
 * man 2 memfd_create, man 2 fcntl (F_ADD_SEALS), man 2 prctl (PR_SET_DUMPABLE), man 5 proc
 * (/proc/PID/stat field 22: starttime), man 7 cgroups (cgroup.procs), man 2 flock, man 2 rename.
 *
 * Error contract: each function returns -1 after fail() has recorded what failed and why; see
 * container.h.
 */
#define _GNU_SOURCE
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* TODO(stage 9): your static helper functions go here, one job each. */

int record_claim(struct record *rec, const struct config *cfg)
{
	/* TODO(stage 9): with --name, write a record of this runtime (its pid and start */
	/* time) unless a running container has the name (README: "The record"). */
	(void)rec;
	if (cfg->name == NULL)
		return 0;
	return todo("--name (stage 9)");
}

int record_publish(struct record *rec, const struct config *cfg, pid_t pid)
{
	/* TODO(stage 9): add COMMAND's pid (and its start time) to the record. */
	(void)rec;
	(void)cfg;
	(void)pid;
	return 0;
}

int record_remove(struct record *rec)
{
	/* TODO(stage 9): remove the record if it is still this runtime's. */
	(void)rec;
	return 0;
}

int exec_prepare(void)
{
	/* TODO(stage 9): run from a sealed memfd copy of yourself (README: "Security"). */
	return 0;
}

pid_t exec_enter(const char *name, int (*fn)(void *), void *arg)
{
	/* TODO(stage 9): find the container, open its namespace handles, join its */
	/* cgroup and namespaces, fork; the child runs fn(arg) (README: "exec"). */
	(void)name;
	(void)fn;
	(void)arg;
	return todo("exec (stage 9)");
}

int ps_print(void)
{
	/* TODO(stage 9): one line "NAME PID COMMAND" per running named container. */
	return todo("ps (stage 9)");
}

int container_kill(const char *name, int sig)
{
	/* TODO(stage 9): signal the container's first process, through a pidfd. */
	(void)name;
	(void)sig;
	return todo("kill (stage 9)");
}
