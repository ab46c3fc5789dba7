/*
 * probe-pty — check that the container's /dev/ptmx, /dev/pts and /dev/tty work.
 *
 * Used to test the /dev a container gets: opens /dev/ptmx, unlocks the new pseudo-terminal,
 * checks that its slave appears under /dev/pts, then in a child process (a new session) makes
 * the slave its controlling terminal, opens /dev/tty (which means "my controlling terminal") and
 * writes a line through it; the parent reads the line back from the master side.
 *
 * Usage: probe-pty
 *
 * Output (stdout), one key=value per line:
 *   ptmx=ok|error       opening /dev/ptmx, grantpt, unlockpt
 *   pts=/dev/pts/N      the slave's path (ptsname); pts_exists=yes|no (stat of that path)
 *   tty=ok|error        /dev/tty opened and written to by the child
 *   echo=ok|error       the line written through /dev/tty arrived on the master
 *   error=<step>: <message>  for the first step that failed
 * Exit codes:
 *   0  all of the above worked
 *   1  a step failed (see error=)
 *   2  usage error
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MESSAGE "probe-pty-ping"

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-pty\n"
		   "  open /dev/ptmx, check the slave under /dev/pts, make it the controlling\n"
		   "  terminal of a child, write through /dev/tty and read it back on the master.\n"
		   "  prints ptmx= pts= pts_exists= tty= echo= lines; exit 0 if all ok, 1 if a\n"
		   "  step failed (error=<step>: <message>), 2 on usage errors.\n");
}

static int failed(const char *key, const char *step)
{
	printf("%s=error\nerror=%s: %s\n", key, step, strerror(errno));
	fflush(stdout);
	return 1;
}

/* In the child: new session, slave as controlling terminal, write through /dev/tty. */
static int child(const char *slave)
{
	int fd, tty;
	char c;

	/* As the terminal's controlling process we get SIGHUP when the master closes. */
	signal(SIGHUP, SIG_IGN);
	if (setsid() < 0)
		return 10;
	fd = open(slave, O_RDWR | O_NOCTTY);
	if (fd < 0)
		return 11;
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return 12;
	tty = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (tty < 0)
		return 13;
	if (write(tty, MESSAGE "\n", sizeof(MESSAGE)) != (ssize_t)sizeof(MESSAGE))
		return 14;
	/*
	 * Keep the slave open until the parent has read the line: it then closes the master and
	 * this read returns (EIO or 0: the terminal hung up).
	 */
	if (read(fd, &c, 1) < 0 && errno != EIO)
		return 15;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const child_steps[] = {"setsid",	  "open-slave",	   "TIOCSCTTY",
						  "open-dev-tty", "write-dev-tty", "wait-hangup"};
	char buf[256], slave[128];
	size_t got = 0;
	struct stat st;
	int master, wstatus, code;
	pid_t pid;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		usage(stderr);
		return 2;
	}

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return failed("ptmx", "open /dev/ptmx");
	if (grantpt(master) < 0)
		return failed("ptmx", "grantpt");
	if (unlockpt(master) < 0)
		return failed("ptmx", "unlockpt");
	if (ptsname_r(master, slave, sizeof(slave)) != 0)
		return failed("ptmx", "ptsname");
	printf("ptmx=ok\npts=%s\npts_exists=%s\n", slave, stat(slave, &st) == 0 ? "yes" : "no");
	fflush(stdout);

	pid = fork();
	if (pid < 0)
		return failed("tty", "fork");
	if (pid == 0) {
		/* Only the parent may hold the master: the child's read waits for its close. */
		close(master);
		_exit(child(slave));
	}

	/* Read until the message shows up (the line discipline turns "\n" into "\r\n"). */
	buf[0] = '\0';
	while (got < sizeof(buf) - 1 && strstr(buf, MESSAGE) == NULL) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(master, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
	close(master);
	if (waitpid(pid, &wstatus, 0) < 0)
		return failed("tty", "waitpid");
	code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	if (code != 0) {
		const char *step = code >= 10 && code <= 15 ? child_steps[code - 10] : "child";

		printf("tty=error\nerror=%s: failed in the child (status %d)\n", step, code);
		return 1;
	}
	printf("tty=ok\n");
	if (strstr(buf, MESSAGE) == NULL) {
		printf(
		    "echo=error\nerror=read-master: the line written to /dev/tty did not arrive\n");
		return 1;
	}
	printf("echo=ok\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
