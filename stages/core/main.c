/*
 * main.c — the command line: "container run [OPTIONS] [--] COMMAND [ARG...]", and from stage 9
 * "container exec NAME [--] COMMAND [ARG...]", "container ps", "container kill NAME [SIGNAL]".
 *
 * Exit statuses (the runtime contract): COMMAND's own; 128+N if COMMAND was killed by signal N;
 * 125 if the runtime failed; 126 if COMMAND cannot be executed; 127 if it was not found.
 */
#include "runtime.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: container run [OPTIONS] [--] COMMAND [ARG...]\n"
    "       container exec NAME [--] COMMAND [ARG...]   run COMMAND in a running container\n"
    "       container ps                                list the running named containers\n"
    "       container kill NAME [SIGNAL]                signal its first process (default KILL)\n"
    "\n"
    "  --hostname NAME    hostname in the container's UTS namespace (default: container)\n"
    "  --rootfs DIR       pivot_root into DIR (default: keep the host's file tree)\n"
    "  --pids-limit N     at most N tasks\n"
    "  --memory SIZE      memory limit, e.g. 64M (K, M, G; at least 4M), no extra swap\n"
    "  --cpus X           CPU bandwidth, e.g. 0.5 (X * 100ms per 100ms)\n"
    "  --net CIDR         eth0 on a veth pair, e.g. 10.200.7.2/24 (host end: 10.200.7.1)\n"
    "  --image L1[:L2...] / is an overlay of these read-only layers (L1 on top) and a\n"
    "                     writable layer that is deleted at exit (instead of --rootfs)\n"
    "  --upper DIR        with --image: keep the writable layer in the empty DIR\n"
    "  --volume H:C[:ro]  bind the host directory H at C inside (repeatable)\n"
    "  --name NAME        name the container for exec, ps and kill ([a-z0-9][a-z0-9_.-]*)\n";

int main(int argc, char *argv[])
{
	struct config cfg;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(help, stdout);
		return 0;
	}
	if (config_parse(&cfg, argc, argv) < 0) {
		fprintf(stderr, "container: %s\n", fail_message());
		return EXIT_RUNTIME_FAILED;
	}
	switch (cfg.command) {
	case CMD_EXEC:
		return runtime_exec(&cfg);
	case CMD_PS:
		if (ps_print() < 0)
			break;
		return 0;
	case CMD_KILL:
		if (container_kill(cfg.name, cfg.signal) < 0)
			break;
		return 0;
	default:
		return runtime_run(&cfg);
	}
	fprintf(stderr, "container: %s\n", fail_message());
	return EXIT_RUNTIME_FAILED;
}
