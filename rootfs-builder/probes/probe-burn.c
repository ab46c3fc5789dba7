/*
 * probe-burn — burn CPU for a given wall-clock time and report the CPU share.
 *
 * Used to check a CPU quota (cgroup cpu.max): a single thread busy-loops for
 * SECONDS of wall time; without a limit cpu/wall is close to 1.000, under a
 * quota of e.g. "50000 100000" it is close to 0.500.
 *
 * Usage: probe-burn SECONDS        (SECONDS may be fractional, e.g. 1.5)
 *
 * The hot loop is pure arithmetic; CLOCK_MONOTONIC is read (vDSO, no real
 * syscall) only once every 1M iterations. CPU time is this process's
 * CLOCK_PROCESS_CPUTIME_ID, measured over the same interval as the wall time.
 *
 * Output (stdout): wall_ms=<n> cpu_ms=<n> ratio=<cpu/wall, 3 decimals>
 * Exit codes:
 *   0  done
 *   1  clock_gettime failed
 *   2  usage error
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SECONDS 86400.0
#define BATCH	    1000000UL

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-burn SECONDS\n"
		   "  busy-loop on one CPU for SECONDS of wall time (fractions allowed),\n"
		   "  then print 'wall_ms=<n> cpu_ms=<n> ratio=<cpu/wall>'.\n"
		   "  exit codes: 0 ok, 1 clock error, 2 usage error.\n");
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) != 0) {
		fprintf(stderr, "probe-burn: clock_gettime: %s\n", strerror(errno));
		exit(1);
	}
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int64_t target_ns, wall0, cpu0, wall_ns, cpu_ns;
	uint64_t x = 88172645463325252ULL;
	double seconds, ratio;
	char *end;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	errno = 0;
	seconds = strtod(argv[1], &end);
	if (errno != 0 || end == argv[1] || *end != '\0' || !isfinite(seconds) || seconds < 0 ||
	    seconds > MAX_SECONDS) {
		fprintf(stderr, "probe-burn: invalid SECONDS: %s (0 .. %.0f)\n", argv[1],
			MAX_SECONDS);
		usage(stderr);
		return 2;
	}
	target_ns = (int64_t)(seconds * 1e9);

	wall0 = now_ns(CLOCK_MONOTONIC);
	cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (unsigned long i = 0; i < BATCH; i++) {
			/* xorshift64: cheap, and the asm keeps it from being folded */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			__asm__ __volatile__("" : "+r"(x));
		}
		wall_ns = now_ns(CLOCK_MONOTONIC) - wall0;
	} while (wall_ns < target_ns);
	cpu_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

	ratio = wall_ns > 0 ? (double)cpu_ns / (double)wall_ns : 0.0;
	printf("wall_ms=%lld cpu_ms=%lld ratio=%.3f\n", (long long)(wall_ns / 1000000),
	       (long long)(cpu_ns / 1000000), ratio);
	return fflush(stdout) == 0 ? 0 : 1;
}
