/*
 * config.c — the command line ("container run [OPTIONS] [--] COMMAND [ARG...]", and from stage 9
 * "exec NAME [--] COMMAND [ARG...]", "ps", "kill NAME [SIGNAL]") into a validated struct config.
 *
 * Every value is checked here, before anything is created, so that a bad command line costs
 * nothing and leaves nothing behind. Error contract: config_parse() returns -1 with one fail()
 * message that quotes the bad value and says what would be accepted (fail() writes the value's
 * control characters out, so that a --hostname $'a\nb' still gives one line).
 */
#include "container.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE	   "usage: container run [OPTIONS] [--] COMMAND [ARG...]"
#define USAGE_EXEC "usage: container exec NAME [--] COMMAND [ARG...]"
#define USAGE_KILL "usage: container kill NAME [SIGNAL]"

/*
 * A container's name: [a-z0-9][a-z0-9_.-]{0,62}. It becomes a file name, so no '/', no leading
 * '.' (no "..", no hidden files), and a length any file system takes.
 */
static int parse_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 63)
		return fail(0, NULL, "name \"%s\" must be 1 to 63 characters long", s);
	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return fail(0, NULL, "name \"%s\" must start with a-z or 0-9", s);
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    strchr("_.-", s[i]) == NULL)
			return fail(0, NULL,
				    "name \"%s\" may only contain a-z, 0-9, '_', '.' and '-'", s);
	return 0;
}

/* SIGNAL: a number (9) or a name with or without SIG (KILL, SIGTERM), as kill(1) takes them. */
static int parse_signal(const char *s, int *out)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
	    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
	    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"BUS", SIGBUS},	   {"FPE", SIGFPE},
	    {"KILL", SIGKILL},	   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
	    {"PIPE", SIGPIPE},	   {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
	    {"CONT", SIGCONT},	   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
	    {"TTOU", SIGTTOU},	   {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
	    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"SYS", SIGSYS},
	};
	const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;

	if (isdigit((unsigned char)s[0])) {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 1 && v <= SIGRTMAX) {
			*out = (int)v;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(n, names[i].name) == 0) {
			*out = names[i].sig;
			return 0;
		}
	return fail(0, NULL, "kill: \"%s\" is not a signal (try TERM, KILL or a number)", s);
}

/* "exec NAME [--] COMMAND [ARG...]", "ps", "kill NAME [SIGNAL]": no options of their own. */
static int parse_other(struct config *cfg, int argc, char *const argv[])
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "ps") == 0) {
		cfg->command = CMD_PS;
		if (argc > 2)
			return fail(0, NULL, "ps takes no arguments (usage: container ps)");
		return 0;
	}
	if (strcmp(cmd, "exec") == 0) {
		int i = 3;

		cfg->command = CMD_EXEC;
		if (argc < 3)
			return fail(0, NULL, "exec: no NAME given (%s)", USAGE_EXEC);
		cfg->name = argv[2];
		if (parse_name(cfg->name) < 0)
			return -1;
		if (i < argc && strcmp(argv[i], "--") == 0)
			i++;
		if (i >= argc)
			return fail(0, NULL, "exec: no COMMAND given (%s)", USAGE_EXEC);
		cfg->argv = &argv[i];
		return 0;
	}
	if (strcmp(cmd, "kill") == 0) {
		cfg->command = CMD_KILL;
		cfg->signal = SIGKILL;
		if (argc < 3 || argc > 4)
			return fail(0, NULL, "kill: %s", USAGE_KILL);
		cfg->name = argv[2];
		if (parse_name(cfg->name) < 0)
			return -1;
		return argc == 4 ? parse_signal(argv[3], &cfg->signal) : 0;
	}
	return fail(0, NULL, "unknown command \"%s\" (%s)", cmd, USAGE);
}

/* RFC 1123 label: 1-63 of [A-Za-z0-9-], not starting or ending with '-'. */
static int parse_hostname(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 63)
		return fail(0, NULL, "--hostname: \"%s\" must be 1 to 63 characters long", s);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return fail(0, NULL,
				    "--hostname: \"%s\" may only contain letters, digits and '-'",
				    s);
	if (s[0] == '-' || s[len - 1] == '-')
		return fail(0, NULL, "--hostname: \"%s\" must not start or end with '-'", s);
	return 0;
}

static int parse_pids(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || !isdigit((unsigned char)s[0]))
		return fail(0, NULL, "--pids-limit: \"%s\" is not a whole number of at least 1", s);
	*out = v;
	return 0;
}

/* SIZE: digits with an optional K, M or G (powers of 1024); at least 4M. */
static int parse_memory(const char *s, long long *out)
{
	char *end;
	unsigned long long v, mult = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || !isdigit((unsigned char)s[0]))
		return fail(0, NULL, "--memory: \"%s\" is not a size (try 64M)", s);
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	default:
		return fail(0, NULL, "--memory: \"%s\" is not a size (try 64M)", s);
	}
	if (*end != '\0')
		return fail(0, NULL, "--memory: \"%s\" is not a size (try 64M)", s);
	if (v > (unsigned long long)LLONG_MAX / mult)
		return fail(0, NULL, "--memory: \"%s\" is too large", s);
	v *= mult;
	if (v < 4ULL << 20)
		return fail(0, NULL, "--memory: \"%s\" is below the minimum of 4M", s);
	*out = (long long)v;
	return 0;
}

/* X CPUs: a decimal > 0 ("0.25", "1.5") as a quota of X * CPU_PERIOD_US per period. */
static int parse_cpus(const char *s, long *quota_us)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isdigit((unsigned char)s[0]) || !(v > 0))
		return fail(0, NULL,
			    "--cpus: \"%s\" is not a number of CPUs greater than 0 (try 0.5)", s);
	/* The kernel refuses quotas under 1 ms (cpu.max / cpu.cfs_quota_us: EINVAL). */
	if (v < 0.01 || v > 1024)
		return fail(0, NULL, "--cpus: \"%s\" is out of range (0.01 to 1024)", s);
	*quota_us = (long)(v * CPU_PERIOD_US + 0.5);
	return 0;
}

/* A.B.C.D/P, 8 <= P <= 30; the host end takes the subnet's first usable address. */
static int parse_net(const char *s, struct net_config *net)
{
	char buf[32];
	char *slash, *end;
	struct in_addr in;
	unsigned long prefix;
	uint32_t mask, addr;

	if (strlen(s) >= sizeof(buf) || (slash = strchr(strcpy(buf, s), '/')) == NULL)
		return fail(0, NULL,
			    "--net: \"%s\" is not an IPv4 address/prefix (try 10.200.7.2/24)", s);
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		return fail(0, NULL, "--net: \"%s\": \"%s\" is not an IPv4 address", s, buf);
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (errno != 0 || end == slash + 1 || *end != '\0' || prefix < 8 || prefix > 30)
		return fail(0, NULL, "--net: \"%s\": the prefix must be a number from 8 to 30", s);
	addr = ntohl(in.s_addr);
	mask = ~0U << (32 - prefix);
	if ((addr & ~mask) == 0 || (addr & ~mask) == ~mask)
		return fail(
		    0, NULL,
		    "--net: \"%s\" is the subnet's network or broadcast address, not a host", s);
	net->host_addr = (addr & mask) + 1;
	if (net->host_addr == addr)
		return fail(0, NULL,
			    "--net: \"%s\" is the subnet's first address, which the host end takes "
			    "(try .2)",
			    s);
	net->enabled = true;
	net->addr = addr;
	net->prefix = (unsigned int)prefix;
	return 0;
}

/* what must be an existing directory: a --rootfs, a --image layer, a --volume's HOST. */
static int check_dir(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return fail(errno, NULL, "%s %s", what, path);
	if (!S_ISDIR(st.st_mode))
		return fail(ENOTDIR, NULL, "%s %s", what, path);
	return 0;
}

/* LAYER[:LAYER...], top layer first, as overlayfs's lowerdir= lists them. */
static int parse_image(const char *s, struct config *cfg)
{
	char *copy = strdup(s), *layer, *rest;

	if (copy == NULL)
		return fail(errno, NULL, "--image");
	cfg->nlayers = 0;
	for (rest = copy; (layer = strsep(&rest, ":")) != NULL;) {
		if (layer[0] == '\0')
			return fail(0, NULL,
				    "--image: \"%s\" has an empty layer (LAYER[:LAYER...])", s);
		if (cfg->nlayers == MAX_LAYERS)
			return fail(0, NULL, "--image: \"%s\" has more than %d layers", s,
				    MAX_LAYERS);
		/* overlayfs would read a ',' as the end of the option and '=' is ambiguous. */
		if (strpbrk(layer, ",=") != NULL)
			return fail(0, NULL, "--image: layer \"%s\" may not contain ',' or '='",
				    layer);
		if (check_dir("--image: layer", layer) < 0)
			return -1;
		cfg->layers[cfg->nlayers++] = layer;
	}
	return 0;
}

/* --upper DIR: an existing, empty directory (the layer goes in DIR/upper, the work dir in DIR/work). */
static int check_upper(const char *dir)
{
	struct dirent *e;
	DIR *d;

	if (check_dir("--upper:", dir) < 0)
		return -1;
	if (strpbrk(dir, ",=:") != NULL)
		return fail(0, NULL, "--upper: \"%s\" may not contain ',', '=' or ':'", dir);
	d = opendir(dir);
	if (d == NULL)
		return fail(errno, NULL, "--upper: %s", dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			closedir(d);
			return fail(0, NULL,
				    "--upper: %s is not empty (give an empty directory: the layer "
				    "goes in DIR/upper, overlayfs's work directory in DIR/work)",
				    dir);
		}
	closedir(d);
	return 0;
}

/* HOST:CTR[:ro] — HOST an existing directory, CTR an absolute path inside. */
static int parse_volume(const char *s, struct config *cfg)
{
	struct volume *v = &cfg->volumes[cfg->nvolumes];
	char *copy, *ctr, *opt;

	if (cfg->nvolumes == MAX_VOLUMES)
		return fail(0, NULL, "--volume: at most %d volumes", MAX_VOLUMES);
	if (s[0] == ':' || strchr(s, ':') == NULL)
		return fail(0, NULL, "--volume: \"%s\" is not HOST:CTR[:ro] (try /srv/data:/data)",
			    s);
	copy = strdup(s);
	if (copy == NULL)
		return fail(errno, NULL, "--volume");
	/* Kept for the life of the runtime, as argv is: the config points into it. */
	v->host = copy;
	ctr = strchr(copy, ':');
	*ctr++ = '\0';
	v->ctr = ctr;
	opt = strchr(ctr, ':');
	if (opt != NULL) {
		*opt++ = '\0';
		if (strcmp(opt, "ro") == 0)
			v->readonly = true;
		else if (strcmp(opt, "rw") != 0)
			return fail(0, NULL, "--volume: \"%s\": unknown mode \"%s\" (ro or rw)", s,
				    opt);
	}
	if (v->ctr[0] != '/')
		return fail(0, NULL,
			    "--volume: \"%s\": the path inside, \"%s\", must be absolute (try /%s)",
			    s, v->ctr, v->ctr);
	if (check_dir("--volume: host directory", v->host) < 0)
		return -1;
	cfg->nvolumes++;
	return 0;
}

int config_parse(struct config *cfg, int argc, char *const argv[])
{
	enum {
		OPT_HOSTNAME = 256,
		OPT_ROOTFS,
		OPT_PIDS,
		OPT_MEMORY,
		OPT_CPUS,
		OPT_NET,
		OPT_IMAGE,
		OPT_UPPER,
		OPT_VOLUME,
		OPT_NAME
	};
	static const struct option options[] = {
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"rootfs", required_argument, NULL, OPT_ROOTFS},
	    {"pids-limit", required_argument, NULL, OPT_PIDS},
	    {"memory", required_argument, NULL, OPT_MEMORY},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"net", required_argument, NULL, OPT_NET},
	    {"image", required_argument, NULL, OPT_IMAGE},
	    {"upper", required_argument, NULL, OPT_UPPER},
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"name", required_argument, NULL, OPT_NAME},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(cfg, 0, sizeof(*cfg));
	cfg->hostname = "container";
	if (argc < 2)
		return fail(0, NULL, USAGE);
	if (strcmp(argv[1], "run") != 0)
		return parse_other(cfg, argc, argv);

	/* "+": stop at COMMAND, so that its own options (ls -l) are not ours; ":": report a
	 * missing value as ':' rather than as an unknown option. */
	opterr = 0;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "+:", options, NULL)) != -1) {
		int rc = 0;

		switch (opt) {
		case OPT_HOSTNAME:
			rc = parse_hostname(optarg);
			cfg->hostname = optarg;
			break;
		case OPT_ROOTFS:
			cfg->rootfs = optarg;
			break;
		case OPT_PIDS:
			rc = parse_pids(optarg, &cfg->pids_limit);
			break;
		case OPT_MEMORY:
			rc = parse_memory(optarg, &cfg->memory_bytes);
			break;
		case OPT_CPUS:
			rc = parse_cpus(optarg, &cfg->cpu_quota_us);
			break;
		case OPT_NET:
			rc = parse_net(optarg, &cfg->net);
			break;
		case OPT_IMAGE:
			rc = parse_image(optarg, cfg);
			break;
		case OPT_UPPER:
			rc = check_upper(optarg);
			cfg->upper = optarg;
			break;
		case OPT_VOLUME:
			rc = parse_volume(optarg, cfg);
			break;
		case OPT_NAME:
			rc = parse_name(optarg);
			cfg->name = optarg;
			break;
		case ':':
			return fail(0, NULL, "%s needs a value (%s)", argv[optind - 1], USAGE);
		default:
			return fail(0, NULL, "unknown option \"%s\" (%s)", argv[optind - 1], USAGE);
		}
		if (rc < 0)
			return -1;
	}
	if (optind >= argc)
		return fail(0, NULL, "no COMMAND given (%s)", USAGE);
	if (cfg->rootfs != NULL && cfg->rootfs[0] == '\0')
		return fail(0, NULL, "--rootfs: the path is empty");
	if (cfg->rootfs != NULL && cfg->nlayers > 0)
		return fail(0, NULL, "--rootfs and --image do not go together: give one root");
	if (cfg->upper != NULL && cfg->nlayers == 0)
		return fail(0, NULL, "--upper needs --image: it keeps the image's writable layer");
	if (cfg->nvolumes > 0 && cfg->rootfs == NULL && cfg->nlayers == 0)
		return fail(0, NULL, "--volume needs --rootfs or --image: a root to bind it into");
	cfg->argv = &argv[optind];
	return 0;
}
