/*
 * probe-pidinfo — print this process's PID and parent PID.
 *
 * Used to check PID namespaces: run as the container's first process it
 * prints pid=1 (and ppid=0); without a new PID namespace it prints the host
 * PID.
 *
 * Usage: probe-pidinfo
 *
 * Output (stdout): pid=<getpid()> ppid=<getppid()>
 * Exit codes:
 *   0  printed
 *   1  writing the output failed
 *   2  usage error
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-pidinfo\n"
		   "  print 'pid=<pid> ppid=<ppid>' as seen by this process and exit 0.\n"
		   "  exit codes: 0 ok, 1 write error, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	printf("pid=%ld ppid=%ld\n", (long)getpid(), (long)getppid());
	return fflush(stdout) == 0 ? 0 : 1;
}
