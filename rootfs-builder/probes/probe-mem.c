/*
 * probe-mem — allocate memory and touch every page of it.
 *
 * Used to trigger a memory-cgroup OOM kill: run inside a container whose
 * memory.max is below MiB and it should be killed (SIGKILL, shell status 137)
 * before it prints anything; with enough memory it prints "touched=<MiB>".
 *
 * Usage: probe-mem MiB
 *
 * The memory is allocated in 1 MiB chunks, each filled with memset (so every
 * page is faulted in and charged to the cgroup) and kept until exit.
 *
 * Output (stdout): touched=<MiB>
 * Exit codes:
 *   0  all MiB allocated and touched
 *   1  malloc failed (prints "touched=<n> error=malloc" with the MiB done so far)
 *   2  usage error
 *   (killed by SIGKILL: the OOM killer got it)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK	(1024UL * 1024UL)
#define MAX_MIB (1024UL * 1024UL) /* 1 TiB: a sanity limit only */

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-mem MiB\n"
		   "  allocate MiB mebibytes in 1 MiB chunks, touch every page,\n"
		   "  then print 'touched=<MiB>' and exit 0.\n"
		   "  exit codes: 0 ok, 1 malloc failed, 2 usage error;\n"
		   "  killed by SIGKILL when a memory limit (OOM killer) stops it.\n");
}

int main(int argc, char **argv)
{
	unsigned long mib, i;
	char *end;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] < '0' || argv[1][0] > '9') {
		usage(stderr);
		return 2;
	}
	errno = 0;
	mib = strtoul(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || mib > MAX_MIB) {
		fprintf(stderr, "probe-mem: invalid MiB: %s\n", argv[1]);
		usage(stderr);
		return 2;
	}

	for (i = 0; i < mib; i++) {
		char *p = malloc(CHUNK);

		if (p == NULL) {
			printf("touched=%lu error=malloc\n", i);
			fflush(stdout);
			return 1;
		}
		memset(p, 0x5a, CHUNK);
		/* The chunk is never freed or read: keep the compiler from
		 * treating the memset as a dead store. */
		__asm__ __volatile__("" : : "r"(p) : "memory");
	}
	printf("touched=%lu\n", mib);
	return fflush(stdout) == 0 ? 0 : 1;
}
