/*
 * probe-forkbomb — fork until fork(2) fails, and report how far it got.
 *
 * Used to check a task limit (cgroup pids.max): every child just waits, so
 * the number of tasks only grows; under "pids.max = 20" the 20th task cannot
 * be created and fork fails with EAGAIN. MAX is a safety cap for hosts (and
 * runtimes) without a limit: the probe stops there and reports eagain=0.
 *
 * Usage: probe-forkbomb [--hold] [MAX]      (MAX: 1..100000, default 1000)
 *
 * Without --hold the probe kills and reaps its children as soon as it has
 * printed its result and exits. With --hold it keeps them alive until it gets
 * SIGTERM, SIGINT or SIGHUP (it installs handlers, so it can be ended even as
 * PID 1 of a PID namespace), then kills and reaps them and exits 0.
 * Children die with the probe (PR_SET_PDEATHSIG) whatever happens.
 *
 * Output (stdout, one line, flushed before holding):
 *   forks=<children created> eagain=<1 if fork failed with EAGAIN, else 0> errno=<name or 0>
 * Exit codes:
 *   0  done (whatever the result: the caller judges forks= and eagain=)
 *   2  usage error
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_MAX 1000L
#define LIMIT_MAX   100000L

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: probe-forkbomb [--hold] [MAX]\n"
		"  fork children that only wait, until fork fails or MAX (default %ld) exist;\n"
		"  print 'forks=<n> eagain=<0|1> errno=<name|0>'. With --hold, keep the\n"
		"  children until SIGTERM/SIGINT/SIGHUP. exit codes: 0 done, 2 usage error.\n",
		DEFAULT_MAX);
}

static const char *errno_name(int err)
{
	switch (err) {
	case 0:
		return "0";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	default:
		return "other";
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	long max = DEFAULT_MAX, forks = 0;
	int hold = 0, err = 0, argi = 1;
	pid_t *kids, self = getpid();
	sigset_t block, old;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argi < argc && strcmp(argv[argi], "--hold") == 0) {
		hold = 1;
		argi++;
	}
	if (argi < argc) {
		char *end;

		errno = 0;
		max = strtol(argv[argi], &end, 10);
		if (errno != 0 || end == argv[argi] || *end != '\0' || max < 1 || max > LIMIT_MAX) {
			fprintf(stderr, "probe-forkbomb: invalid MAX: %s\n", argv[argi]);
			usage(stderr);
			return 2;
		}
		argi++;
	}
	if (argi != argc) {
		usage(stderr);
		return 2;
	}
	kids = calloc((size_t)max, sizeof(*kids));
	if (kids == NULL) {
		fprintf(stderr, "probe-forkbomb: out of memory\n");
		return 2;
	}

	/* Handlers now, signals blocked until we wait for them: none is lost in between. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	fflush(stdout);
	while (forks < max) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			/* Stay until the probe goes, and take no part in its signals. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self) /* the probe died before prctl */
				_exit(0);
			for (;;)
				pause();
		}
		kids[forks++] = pid;
	}
	printf("forks=%ld eagain=%d errno=%s\n", forks, err == EAGAIN, errno_name(err));
	fflush(stdout);

	if (hold)
		while (!stop)
			sigsuspend(&old);
	for (long i = 0; i < forks; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < forks; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(kids);
	return 0;
}
