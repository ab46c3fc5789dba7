/*
 * cgroup-test — unit tests of the stage-4 reference module (solutions/04-cgroups/cgroup.c) for
 * the paths this host cannot run natively: pure cgroup v2, v1 with cpu,cpuacct co-mounted, no swap
 * accounting, no cgroup.kill, a controller missing.
 *
 * How: the module is #included, so its static functions and its two paths (cgroup_root,
 * mountinfo_path) are reachable, and open/mkdir/rmdir/kill are redirected to a small fake
 * cgroupfs under a temporary directory. The fake models only what the module depends on:
 *   - mkdir makes the core files (cgroup.procs; on v2 cgroup.controllers, cgroup.subtree_control);
 *   - a controller's files (pids.*, memory.*, cpu.*) exist on v2 only while the controller is
 *     enabled in the parent's cgroup.subtree_control, on v1 only in that controller's hierarchy;
 *     memory.swap.max and memory.memsw.* only with swap accounting; cgroup.kill only if the
 *     "kernel" has it; writing any other file fails with ENOENT, as on the real cgroupfs;
 *   - rmdir fails with EBUSY while the cgroup has children or processes (cgroup.procs not empty
 *     and cgroup.kill not written), and kill(pid) removes pid from every cgroup.procs.
 * Every write and kill is logged, so the order of writes can be checked too.
 * Mode detection is tested against real mounts (tmpfs, cgroup2, ramfs) in a private mount
 * namespace, so it needs root; without it that test is skipped.
 *
 * Build and run (from the top of the repo):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Istages/core -o build/unit/cgroup-test \
 *       tests/kit/unit/cgroup-test.c stages/core/error.c && build/unit/cgroup-test
 * Output: TAP ("ok N - ...", "not ok N - ..."); exit 0 when all pass, 1 otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

/* ---- the fake cgroupfs ---- */

static char fix[64]; /* its root: a short path under /tmp */
static enum cgroup_mode fake_mode;
static bool fake_swap, fake_kill_file;
static char oplog[16384]; /* "W <path>\n" per write-open, "K <pid>\n" per kill, relative */

static bool in_fix(const char *p)
{
	size_t n = strlen(fix);

	return strncmp(p, fix, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static const char *rel(const char *p)
{
	return p[strlen(fix)] == '/' ? p + strlen(fix) + 1 : "";
}

static void logf_(const char *fmt, ...)
{
	size_t len = strlen(oplog);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oplog + len, sizeof(oplog) - len, fmt, ap);
	va_end(ap);
}

static void slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void spit(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(2);
	}
	close(fd);
}

static bool word_in(const char *list, const char *w)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, " ,\n", &save); t != NULL; t = strtok_r(NULL, " ,\n", &save))
		if (strcmp(t[0] == '+' ? t + 1 : t, w) == 0)
			return true;
	return false;
}

/* Would the kernel have made this interface file? */
static bool kernel_has(const char *path)
{
	char dir[PATH_MAX], ctl[PATH_MAX];
	const char *base = strrchr(path, '/') + 1;
	char prefix[64];
	size_t plen = strcspn(base, ".");

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - 1 - path), path);
	if (strcmp(base, "cgroup.kill") == 0)
		return fake_mode == CGROUP_V2 && fake_kill_file && strcmp(dir, fix) != 0;
	if (strncmp(base, "cgroup.", 7) == 0)
		return true;
	if (strncmp(base, "memory.swap.", 12) == 0 || strncmp(base, "memory.memsw.", 13) == 0) {
		if (!fake_swap)
			return false;
	}
	snprintf(prefix, sizeof(prefix), "%.*s", (int)plen, base);
	if (fake_mode == CGROUP_V2) {
		char text[512];

		/* Present while the parent enables the controller for its children. */
		if (strcmp(dir, fix) == 0)
			return false;
		snprintf(ctl, sizeof(ctl), "%.*s/cgroup.subtree_control",
			 (int)(strrchr(dir, '/') - dir), dir);
		slurp(ctl, text, sizeof(text));
		return word_in(text, prefix);
	}
	/* v1: the hierarchy is the first component under the root, named after its controllers. */
	snprintf(ctl, sizeof(ctl), "%s", rel(dir));
	ctl[strcspn(ctl, "/")] = '\0';
	return word_in(ctl, prefix);
}

static int fake_open(const char *path, int flags, ...)
{
	if (!in_fix(path))
		return open(path, flags);
	if ((flags & O_ACCMODE) != O_RDONLY) {
		logf_("W %s\n", rel(path));
		if (access(path, F_OK) < 0) {
			if (!kernel_has(path)) {
				errno = ENOENT;
				return -1;
			}
			flags |= O_CREAT;
		}
	}
	return open(path, flags, 0644);
}

static int fake_mkdir(const char *path, mode_t mode)
{
	char f[PATH_MAX];

	if (mkdir(path, mode) < 0)
		return -1;
	if (!in_fix(path))
		return 0;
	snprintf(f, sizeof(f), "%s/cgroup.procs", path);
	spit(f, "");
	if (fake_mode == CGROUP_V2) {
		char parent_ctl[PATH_MAX], text[512];

		snprintf(parent_ctl, sizeof(parent_ctl), "%.*s/cgroup.subtree_control",
			 (int)(strrchr(path, '/') - path), path);
		slurp(parent_ctl, text, sizeof(text));
		snprintf(f, sizeof(f), "%s/cgroup.controllers", path);
		spit(f, text);
		snprintf(f, sizeof(f), "%s/cgroup.subtree_control", path);
		spit(f, "");
	}
	return 0;
}

static int has_subdir;
static int find_subdir(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)p;
	(void)st;
	if (type == FTW_D && ftw->level == 1)
		has_subdir = 1;
	return 0;
}

static int fake_rmdir(const char *path)
{
	char f[PATH_MAX], procs[256], killed[16];
	DIR *d;
	const struct dirent *e;

	if (!in_fix(path))
		return rmdir(path);
	if (access(path, F_OK) < 0) {
		errno = ENOENT;
		return -1;
	}
	has_subdir = 0;
	nftw(path, find_subdir, 8, FTW_PHYS);
	snprintf(f, sizeof(f), "%s/cgroup.procs", path);
	slurp(f, procs, sizeof(procs));
	snprintf(f, sizeof(f), "%s/cgroup.kill", path);
	slurp(f, killed, sizeof(killed));
	if (has_subdir || (procs[strspn(procs, " \n")] != '\0' && killed[0] != '1')) {
		errno = EBUSY;
		return -1;
	}
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_type == DT_REG) {
			snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
			unlink(f);
		}
	if (d != NULL)
		closedir(d);
	return rmdir(path);
}

static int kill_pid;
static int kill_found;
static int drop_pid(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	char text[1024], out[1024] = "", *save = NULL;

	(void)st;
	(void)ftw;
	if (type != FTW_F || strcmp(strrchr(p, '/'), "/cgroup.procs") != 0)
		return 0;
	slurp(p, text, sizeof(text));
	for (char *t = strtok_r(text, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		if (atoi(t) == kill_pid) {
			kill_found = 1;
			continue;
		}
		strcat(out, t);
		strcat(out, "\n");
	}
	spit(p, out);
	return 0;
}

static int fake_kill(pid_t pid, int sig)
{
	(void)sig;
	logf_("K %d\n", (int)pid);
	kill_pid = pid;
	kill_found = 0;
	nftw(fix, drop_pid, 8, FTW_PHYS);
	if (!kill_found) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/*
 * Stage 7's answers for the module: run by root, never rootless. (The rootless branches are
 * graded by tests/integration/07-userns.bats, with a real delegated cgroup.)
 */
bool userns_rootless(void)
{
	return false;
}

int userns_cgroup_parent(const char *mnt, const char *controller, char *out, size_t size)
{
	(void)mnt;
	(void)controller;
	(void)out;
	(void)size;
	return 1;
}

/* From here on the module's calls go to the fake. */
#define open(...)   fake_open(__VA_ARGS__)
#define mkdir(p, m) fake_mkdir(p, m)
#define rmdir(p)    fake_rmdir(p)
#define kill(p, s)  fake_kill(p, s)
#include "../../solutions/04-cgroups/cgroup.c"
#undef open
#undef mkdir
#undef rmdir
#undef kill

/* ---- a tiny TAP harness ---- */

static int ntests, nfailed, case_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("#   %s:%d: check failed: %s\n#   ", __FILE__, __LINE__, #cond);    \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			case_failed = 1;                                                           \
		}                                                                                  \
	} while (0)

static void report(const char *name)
{
	ntests++;
	if (case_failed) {
		nfailed++;
		printf("not ok %d - %s\n", ntests, name);
		printf("#   log of writes and kills:\n");
		for (const char *p = oplog; *p != '\0'; p += strcspn(p, "\n") + 1)
			printf("#     %.*s\n", (int)strcspn(p, "\n"), p);
	} else {
		printf("ok %d - %s\n", ntests, name);
	}
	case_failed = 0;
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void cleanup(void)
{
	char mi[PATH_MAX + 16];

	if (fix[0] == '\0')
		return;
	nftw(fix, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(mi, sizeof(mi), "%s.mountinfo", fix);
	unlink(mi);
	fix[0] = '\0';
}

/* A fresh fake hierarchy. v2: a root with the given cgroup.controllers / subtree_control. */
static void fixture(enum cgroup_mode mode, const char *controllers, const char *enabled)
{
	cleanup();
	snprintf(fix, sizeof(fix), "/tmp/cgroup-test.XXXXXX");
	if (mkdtemp(fix) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	oplog[0] = '\0';
	fake_mode = mode;
	fake_swap = true;
	fake_kill_file = true;
	detected_mode = mode; /* detection has its own test, against real mounts */
	cgroup_root = fix;
	if (mode == CGROUP_V2) {
		char f[PATH_MAX];

		snprintf(f, sizeof(f), "%s/cgroup.controllers", fix);
		spit(f, controllers);
		snprintf(f, sizeof(f), "%s/cgroup.subtree_control", fix);
		spit(f, enabled);
		snprintf(f, sizeof(f), "%s/cgroup.procs", fix);
		spit(f, "1\n");
	}
}

/* v1: one directory per hierarchy (named by its controllers) and a mountinfo listing them. */
static void fixture_v1(const char *const *hierarchies)
{
	static char mi[PATH_MAX];
	char f[128], text[4096];
	int id = 30;

	fixture(CGROUP_V1, NULL, NULL);
	snprintf(text, sizeof(text),
		 "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
		 "%d 22 0:26 / %s rw,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n",
		 id++, fix);
	for (int i = 0; hierarchies[i] != NULL; i++) {
		snprintf(f, sizeof(f), "%s/%s", fix, hierarchies[i]);
		mkdir(f, 0755);
		snprintf(
		    text + strlen(text), sizeof(text) - strlen(text),
		    "%d 30 0:%d / %s rw,nosuid,nodev,noexec,relatime shared:%d - cgroup cgroup "
		    "rw,%s\n",
		    id, id, f, id, hierarchies[i]);
		id++;
	}
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
		 "%d 30 0:%d / %s/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", id, id,
		 fix);
	snprintf(mi, sizeof(mi), "%s.mountinfo", fix);
	spit(mi, text);
	mountinfo_path = mi;
}

static void content(const char *relpath, char *buf, size_t size)
{
	char f[PATH_MAX];

	snprintf(f, sizeof(f), "%s/%s", fix, relpath);
	if (access(f, F_OK) < 0)
		snprintf(buf, size, "(missing)");
	else
		slurp(f, buf, size);
	buf[strcspn(buf, "\n")] = '\0';
}

#define EXPECT_FILE(relpath, want)                                                                 \
	do {                                                                                       \
		char got_[256];                                                                    \
		content(relpath, got_, sizeof(got_));                                              \
		CHECK(strcmp(got_, want) == 0, "%s: expected \"%s\", got \"%s\"", relpath, want,   \
		      got_);                                                                       \
	} while (0)

static bool exists(const char *relpath)
{
	char f[PATH_MAX];

	snprintf(f, sizeof(f), "%s/%s", fix, relpath);
	return access(f, F_OK) == 0;
}

/* Position of "W relpath\n" (or any line) in the log; -1 if absent. */
static long logpos(const char *line)
{
	char want[PATH_MAX];
	const char *p;

	snprintf(want, sizeof(want), "%s\n", line);
	for (p = oplog; *p != '\0'; p += strcspn(p, "\n") + 1)
		if (strncmp(p, want, strlen(want)) == 0)
			return p - oplog;
	return -1;
}

static struct config limits(long pids, long long mem, long quota)
{
	struct config cfg = {.hostname = "container",
			     .pids_limit = pids,
			     .memory_bytes = mem,
			     .cpu_quota_us = quota};

	return cfg;
}

/* ---- the tests ---- */

static void test_words(void)
{
	CHECK(has_word("rw,cpu,cpuacct", "cpu", ","), "cpu is in rw,cpu,cpuacct");
	CHECK(!has_word("rw,cpuacct", "cpu", ","), "cpu is not in rw,cpuacct");
	CHECK(!has_word("rw,cpuset", "cpu", ","), "cpu is not in rw,cpuset");
	CHECK(has_word("cpuset cpu io memory pids\n", "pids", " \n"), "pids is in the list");
	CHECK(!has_word("cpuset io memory\n", "cpu", " \n"), "cpu is not in cpuset io memory");
	report("has_word matches whole controller names only");
}

static void test_v2_full(void)
{
	struct config cfg = limits(20, 32LL << 20, 25000);
	struct cgroup cg;
	char want[PATH_MAX];
	int rc;

	fixture(CGROUP_V2, "cpuset cpu io memory hugetlb pids rdma misc\n", "");
	rc = cgroup_create(&cg, &cfg, "c-1");
	CHECK(rc == 0, "cgroup_create failed: %s", fail_message());
	snprintf(want, sizeof(want), "%s/container-lab/c-1", fix);
	CHECK(cg.mode == CGROUP_V2 && cg.ndirs == 1 && strcmp(cg.dirs[0], want) == 0,
	      "expected one directory %s, got %d: %s", want, cg.ndirs, cg.dirs[0]);
	EXPECT_FILE("cgroup.subtree_control", "+pids +memory +cpu");
	EXPECT_FILE("container-lab/cgroup.subtree_control", "+pids +memory +cpu");
	EXPECT_FILE("container-lab/c-1/pids.max", "20");
	EXPECT_FILE("container-lab/c-1/memory.max", "33554432");
	EXPECT_FILE("container-lab/c-1/memory.swap.max", "0");
	EXPECT_FILE("container-lab/c-1/cpu.max", "25000 100000");
	CHECK(cgroup_add(&cg, 4242) == 0, "cgroup_add failed: %s", fail_message());
	EXPECT_FILE("container-lab/c-1/cgroup.procs", "4242");
	CHECK(cgroup_destroy(&cg) == 0, "cgroup_destroy failed: %s", fail_message());
	CHECK(logpos("W container-lab/c-1/cgroup.kill") >= 0, "cgroup.kill was not written");
	CHECK(logpos("K 4242") < 0, "kill(2) used although cgroup.kill exists");
	CHECK(!exists("container-lab"), "container-lab (or its child) left behind");
	CHECK(cg.ndirs == 0 && cgroup_destroy(&cg) == 0, "a second cgroup_destroy must be a no-op");
	report("v2: controllers enabled top-down, limits in pids.max/memory.max/memory.swap.max/"
	       "cpu.max, cgroup.kill, all removed");
}

static void test_v2_no_limits_already_enabled(void)
{
	struct config cfg = limits(0, 0, 0);
	struct cgroup cg;

	fixture(CGROUP_V2, "cpuset cpu io memory pids\n", "cpuset cpu io memory pids\n");
	CHECK(cgroup_create(&cg, &cfg, "c-2") == 0, "cgroup_create failed: %s", fail_message());
	CHECK(cg.ndirs == 1 && exists("container-lab/c-2"), "no cgroup made without limits");
	CHECK(logpos("W cgroup.subtree_control") < 0,
	      "the root's cgroup.subtree_control was written although all were enabled");
	CHECK(logpos("W container-lab/c-2/pids.max") < 0 &&
		  logpos("W container-lab/c-2/memory.max") < 0 &&
		  logpos("W container-lab/c-2/cpu.max") < 0,
	      "a limit was written although none was asked for");
	/* Accounting: the controllers are on for the container even without limits. */
	EXPECT_FILE("container-lab/cgroup.subtree_control", "+pids +memory +cpu");
	CHECK(cgroup_destroy(&cg) == 0 && !exists("container-lab"), "not removed: %s",
	      fail_message());
	report("v2: a cgroup without limits, nothing rewritten in the root");
}

static void test_v2_old_kernel_no_swap(void)
{
	struct config cfg = limits(0, 32LL << 20, 0);
	struct cgroup cg;

	fixture(CGROUP_V2, "cpu memory pids\n", "");
	fake_swap = false;
	fake_kill_file = false;
	CHECK(cgroup_create(&cg, &cfg, "c-3") == 0,
	      "cgroup_create must accept a missing memory.swap.max: %s", fail_message());
	EXPECT_FILE("container-lab/c-3/memory.max", "33554432");
	CHECK(cgroup_add(&cg, 4243) == 0, "cgroup_add failed: %s", fail_message());
	CHECK(cgroup_destroy(&cg) == 0, "cgroup_destroy without cgroup.kill failed: %s",
	      fail_message());
	CHECK(logpos("K 4243") >= 0, "pid 4243 was not killed");
	CHECK(!exists("container-lab"), "left behind");
	report("v2 without swap accounting or cgroup.kill: kill(2) each pid, then rmdir");
}

static void test_v2_missing_controller(void)
{
	struct config with = limits(0, 32LL << 20, 0), without = limits(20, 0, 0);
	struct cgroup cg;

	fixture(CGROUP_V2, "cpu pids\n", "");
	CHECK(cgroup_create(&cg, &with, "c-4") < 0, "--memory without a memory controller passed");
	CHECK(strstr(fail_message(), "memory") != NULL, "message does not name the controller: %s",
	      fail_message());
	CHECK(cgroup_destroy(&cg) == 0 && !exists("container-lab"), "a failed create left %s",
	      "container-lab");
	CHECK(cgroup_create(&cg, &without, "c-5") == 0, "without --memory it must work: %s",
	      fail_message());
	EXPECT_FILE("container-lab/cgroup.subtree_control", "+pids +cpu");
	EXPECT_FILE("container-lab/c-5/pids.max", "20");
	CHECK(cgroup_destroy(&cg) == 0 && !exists("container-lab"), "left behind");
	report("v2: a missing controller fails only when its limit is asked for");
}

static void test_v2_busy_rmdir(void)
{
	struct config cfg = limits(0, 0, 0);
	struct cgroup cg, other;

	fixture(CGROUP_V2, "cpu memory pids\n", "");
	CHECK(cgroup_create(&cg, &cfg, "c-6") == 0 && cgroup_create(&other, &cfg, "c-7") == 0,
	      "cgroup_create failed: %s", fail_message());
	CHECK(cgroup_destroy(&cg) == 0, "destroy failed: %s", fail_message());
	CHECK(!exists("container-lab/c-6") && exists("container-lab/c-7"),
	      "the other container's cgroup must stay");
	CHECK(cgroup_destroy(&other) == 0 && !exists("container-lab"), "left behind");
	report("v2: the shared parent stays while another container uses it");
}

static void test_v1_comounted(void)
{
	static const char *const h[] = {"cpuset",	"cpu,cpuacct", "memory",
					"name=systemd", "pids",	       NULL};
	struct config cfg = limits(20, 32LL << 20, 25000);
	struct cgroup cg;
	long lim, memsw, period, quota;

	fixture_v1(h);
	CHECK(cgroup_create(&cg, &cfg, "c-8") == 0, "cgroup_create failed: %s", fail_message());
	CHECK(cg.ndirs == 3, "expected 3 directories (pids, memory, cpu,cpuacct), got %d",
	      cg.ndirs);
	EXPECT_FILE("pids/container-lab/c-8/pids.max", "20");
	EXPECT_FILE("memory/container-lab/c-8/memory.limit_in_bytes", "33554432");
	EXPECT_FILE("memory/container-lab/c-8/memory.memsw.limit_in_bytes", "33554432");
	EXPECT_FILE("memory/container-lab/c-8/memory.oom_control", "0");
	EXPECT_FILE("cpu,cpuacct/container-lab/c-8/cpu.cfs_period_us", "100000");
	EXPECT_FILE("cpu,cpuacct/container-lab/c-8/cpu.cfs_quota_us", "25000");
	CHECK(!exists("cpuset/container-lab") && !exists("name=systemd/container-lab"),
	      "a cgroup was made in a hierarchy that is not ours");
	lim = logpos("W memory/container-lab/c-8/memory.limit_in_bytes");
	memsw = logpos("W memory/container-lab/c-8/memory.memsw.limit_in_bytes");
	CHECK(lim >= 0 && memsw > lim, "memsw must be written after limit_in_bytes (EINVAL)");
	period = logpos("W cpu,cpuacct/container-lab/c-8/cpu.cfs_period_us");
	quota = logpos("W cpu,cpuacct/container-lab/c-8/cpu.cfs_quota_us");
	CHECK(period >= 0 && quota > period, "cfs_period_us must be written before cfs_quota_us");
	CHECK(cgroup_add(&cg, 4244) == 0, "cgroup_add failed: %s", fail_message());
	EXPECT_FILE("pids/container-lab/c-8/cgroup.procs", "4244");
	EXPECT_FILE("memory/container-lab/c-8/cgroup.procs", "4244");
	EXPECT_FILE("cpu,cpuacct/container-lab/c-8/cgroup.procs", "4244");
	CHECK(cgroup_destroy(&cg) == 0, "cgroup_destroy failed: %s", fail_message());
	CHECK(logpos("K 4244") >= 0, "pid 4244 was not killed");
	CHECK(!exists("pids/container-lab") && !exists("memory/container-lab") &&
		  !exists("cpu,cpuacct/container-lab"),
	      "left behind");
	report("v1: cpu,cpuacct co-mounted found via mountinfo; limit_in_bytes before memsw; "
	       "period before quota");
}

static void test_v1_no_swap_no_pids(void)
{
	static const char *const h[] = {"cpu", "cpuacct", "memory", NULL};
	struct config with = limits(20, 0, 0), without = limits(0, 64LL << 20, 0);
	struct cgroup cg;

	fixture_v1(h);
	fake_swap = false;
	CHECK(cgroup_create(&cg, &with, "c-9") < 0, "--pids-limit without a pids hierarchy passed");
	CHECK(strstr(fail_message(), "pids") != NULL, "message does not name pids: %s",
	      fail_message());
	CHECK(cgroup_destroy(&cg) == 0 && !exists("memory/container-lab"),
	      "a failed create left a cgroup");
	CHECK(cgroup_create(&cg, &without, "c-10") == 0, "must work without pids and memsw: %s",
	      fail_message());
	CHECK(cg.ndirs == 2, "expected 2 directories (memory, cpu), got %d", cg.ndirs);
	EXPECT_FILE("memory/container-lab/c-10/memory.limit_in_bytes", "67108864");
	CHECK(!exists("cpuacct/container-lab"), "cpu matched the cpuacct hierarchy");
	CHECK(cgroup_destroy(&cg) == 0 && !exists("memory/container-lab") &&
		  !exists("cpu/container-lab"),
	      "left behind");
	report("v1 without a pids hierarchy or swap accounting");
}

static void test_v1_partial_create(void)
{
	static const char *const h[] = {"pids", "cpu,cpuacct", NULL};
	struct config cfg = limits(20, 32LL << 20, 0);
	struct cgroup cg;

	fixture_v1(h);
	CHECK(cgroup_create(&cg, &cfg, "c-11") < 0, "--memory without a memory hierarchy passed");
	CHECK(cg.ndirs == 1 && exists("pids/container-lab/c-11"),
	      "the pids cgroup made before the failure must be recorded in cg (ndirs %d)",
	      cg.ndirs);
	CHECK(cgroup_destroy(&cg) == 0 && !exists("pids/container-lab"),
	      "cgroup_destroy after a failed create left it");
	report("v1: what a failed create made is recorded and removed");
}

/* Detection against real filesystems, in a private mount namespace of a child process. */
static int detect_child(const char *base)
{
	/* Mount FSTYPE at MOUNT_AT (under base, in this order), then detect at LOOK_AT. */
	static const struct {
		const char *mount_at, *fstype, *look_at, *what;
		enum cgroup_mode want;
	} cases[] = {
	    {"v1", "tmpfs", "v1", "tmpfs", CGROUP_V1},
	    {"v1/unified", "cgroup2", "v1", "tmpfs + cgroup2 at unified", CGROUP_HYBRID},
	    {"v2", "cgroup2", "v2", "cgroup2", CGROUP_V2},
	    {"none", "ramfs", "none", "ramfs", CGROUP_NONE},
	};
	char d[PATH_MAX];
	enum cgroup_mode got;
	int bad = 0;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	if (mount("t", base, "tmpfs", 0, NULL) < 0)
		return 77;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(d, sizeof(d), "%s/%s", base, cases[i].mount_at);
		mkdir(d, 0755);
		if (mount("t", d, cases[i].fstype, 0, NULL) < 0)
			return 77;
		snprintf(d, sizeof(d), "%s/%s", base, cases[i].look_at);
		got = detect_at(d);
		bad |= got != cases[i].want;
		printf("#   %s: %d (want %d)\n", cases[i].what, got, cases[i].want);
	}
	/* cgroup_detect() remembers its first answer. */
	detected_mode = CGROUP_NONE;
	snprintf(d, sizeof(d), "%s/v2", base);
	cgroup_root = d;
	got = cgroup_detect();
	cgroup_root = "/nonexistent";
	bad |= got != CGROUP_V2 || cgroup_detect() != CGROUP_V2;
	return bad; /* the mounts go with this mount namespace */
}

static void test_detect(void)
{
	char base[] = "/tmp/cgroup-detect.XXXXXX";
	pid_t pid;
	int status = 0;

	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(detect_child(base));
	waitpid(pid, &status, 0);
	rmdir(base);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		ntests++;
		printf("ok %d - # SKIP mode detection: needs root to mount tmpfs/cgroup2\n",
		       ntests);
		return;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a mode was detected wrongly");
	oplog[0] = '\0';
	report("detection: tmpfs is v1, tmpfs + cgroup2 at unified is hybrid, cgroup2 is v2, "
	       "else none");
}

int main(void)
{
	printf("TAP version 13\n1..10\n");
	test_words();
	test_v2_full();
	test_v2_no_limits_already_enabled();
	test_v2_old_kernel_no_swap();
	test_v2_missing_controller();
	test_v2_busy_rmdir();
	test_v1_comounted();
	test_v1_no_swap_no_pids();
	test_v1_partial_create();
	test_detect();
	cleanup();
	return nfailed == 0 ? 0 : 1;
}
