/*
 * Stage 8 — layered images: an overlayfs root that is never written, and volumes.
 *
 * With --image TOP:...:BASE the container's / is an overlay: the layers, read-only, stacked with
 * the first on top, and over them a writable layer of the container's own. A file is looked up
 * from the top down; the first write to a lower file copies it up into the writable layer;
 * deleting one leaves a whiteout there (a character device 0/0) that hides it. The layers
 * themselves never change, so any number of containers share them — and share their page cache.
 *
 * The writable layer is a tmpfs mounted in the container's own mount namespace: when the
 * container ends, however it ends (even if the runtime is SIGKILLed), the namespace dies and the
 * tmpfs with it. With --upper DIR it goes to DIR/upper instead, and stays. --volume HOST:CTR
 * bind-mounts a host directory into the root, read-only with :ro.
 *
 * Read: the kernel's Documentation/filesystems/overlayfs.rst, man 2 mount ("Creating a bind
 * mount", "Remounting an existing mount"), man 2 openat2 (RESOLVE_IN_ROOT), man 5 tmpfs.
 *
 * Error contract: image_prepare() returns -1 after fail() (see container.h). It runs in the
 * child, in the container's private mount namespace: whatever it mounted before failing dies
 * with that namespace.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Where the writable layer's tmpfs goes, in the container's mount namespace only: the host's
 * /tmp is covered there, never on the host, and only until pivot_root takes the old root away.
 * Every host path is opened before it is covered (step 1), so a layer under /tmp still works.
 */
#define SCRATCH	    "/tmp"
#define MERGED	    SCRATCH "/merged"
#define OPTIONS_MAX 4096 /* overlayfs takes its options in one page */

/* Descriptors of the host paths, opened once, before anything is mounted over them. */
struct host_fds {
	int layer[MAX_LAYERS];
	int upper; /* --upper DIR, or -1 */
	int volume[MAX_VOLUMES];
};

//@@ BEGIN SOLUTION
/* "/proc/self/fd/N": a path that leads to what fd N is open on, wherever that is mounted now. */
static const char *fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

/* open(2) a directory as an O_PATH descriptor: a handle on it, for mounting, not for reading. */
static int open_dir(const char *what, const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fail(errno, NULL, "%s %s", what, path);
	return fd;
}

/* openat2(2) path inside the tree at rootfd, as a process chrooted there would see it. */
static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    /* An absolute symlink in the image (/data -> /etc) must lead to the image's /etc,
	     * never to the host's: resolve "/" and ".." as the container will. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* mkdir -p path inside the tree at rootfd (a volume's CTR is created if missing). */
static int mkdir_in_root(int rootfd, const char *path)
{
	char buf[4096];

	if (strlen(path) >= sizeof(buf))
		return fail(ENAMETOOLONG, NULL, "--volume: %s", path);
	/* Each component in turn: open its parent inside the root, then mkdirat(2) it there. */
	for (const char *p = path + 1;; p++) {
		char *name;

		if (*p != '/' && *p != '\0')
			continue;
		memcpy(buf, path, (size_t)(p - path));
		buf[p - path] = '\0';
		name = strrchr(buf, '/');
		*name++ = '\0';
		if (*name != '\0') {
			int parent = open_in_root(rootfd, buf[0] != '\0' ? buf : "/");

			if (parent < 0)
				return fail(errno, NULL, "--volume: %s inside the container", buf);
			if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
				close(parent);
				return fail(errno, NULL,
					    "--volume: mkdir %s/%s inside the container", buf,
					    name);
			}
			close(parent);
		}
		if (*p == '\0')
			return 0;
	}
}
//@@ END SOLUTION

/* Step 1: a descriptor for every host directory we will need, before anything covers it. */
static int open_host_paths(const struct config *cfg, struct host_fds *fds)
{
	//@@ BEGIN SOLUTION
	for (int i = 0; i < cfg->nlayers; i++)
		if ((fds->layer[i] = open_dir("--image: layer", cfg->layers[i])) < 0)
			return -1;
	if (cfg->upper != NULL && (fds->upper = open_dir("--upper", cfg->upper)) < 0)
		return -1;
	for (int i = 0; i < cfg->nvolumes; i++)
		if ((fds->volume[i] = open_dir("--volume", cfg->volumes[i].host)) < 0)
			return -1;
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 8): open each layer, the --upper directory and each volume's */
	//@@ STARTER(standard,challenge) /* host directory into fds now, as descriptors that stay valid once mounts */
	//@@ STARTER(standard,challenge) /* cover the host's paths; later steps reach them as /proc/self/fd/N (man 2 */
	//@@ STARTER(standard,challenge) /* open: which flags open a directory only to name it, and never leak it). */
	//@@ STARTER(guided) /* TODO(stage 8): open(2) each layer, the --upper directory and each */
	//@@ STARTER(guided) /* volume's host directory with O_PATH | O_DIRECTORY | O_CLOEXEC into fds. */
	//@@ STARTER(guided) /* Later steps reach them as /proc/self/fd/N, even once /tmp is covered. */
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)fds;
	//@@ STARTER return todo("--image: opening the layers");
}

/* Step 2: the writable layer (a tmpfs, or --upper DIR) and the overlay on MERGED. */
static int mount_overlay(const struct config *cfg, const struct host_fds *fds)
{
	//@@ BEGIN SOLUTION
	char options[OPTIONS_MAX], path[64];

	/*
	 * One tmpfs holds the writable layer and overlayfs's work directory — they must be on the
	 * same filesystem: a copy-up is prepared in work/ and then rename(2)d into upper/, atomically
	 * — and MERGED, the mount point. Mounted in our own mount namespace, it vanishes with it.
	 */
	if (mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0)
		return fail(errno, NULL, "mounting the writable layer's tmpfs on %s", SCRATCH);
	if (mkdir(MERGED, 0755) < 0)
		return fail(errno, NULL, "mkdir %s", MERGED);
	if (cfg->upper != NULL) {
		/* --upper DIR: the layer is kept, in DIR/upper (what docker commit would save). */
		if (mkdirat(fds->upper, "upper", 0755) < 0 || mkdirat(fds->upper, "work", 0755) < 0)
			return fail(errno, NULL, "--upper: mkdir %s/upper, %s/work", cfg->upper,
				    cfg->upper);
		snprintf(options, sizeof(options), "upperdir=%s/upper,workdir=%s/work,lowerdir=",
			 fd_path(path, sizeof(path), fds->upper), path);
	} else {
		if (mkdir(SCRATCH "/upper", 0755) < 0 || mkdir(SCRATCH "/work", 0755) < 0)
			return fail(errno, NULL, "mkdir %s/upper, %s/work", SCRATCH, SCRATCH);
		snprintf(options, sizeof(options),
			 "upperdir=" SCRATCH "/upper,workdir=" SCRATCH "/work,lowerdir=");
	}
	/* lowerdir=TOP:...:BASE — overlayfs looks a name up in this order, the first one wins. */
	for (int i = 0; i < cfg->nlayers; i++) {
		size_t len = strlen(options);

		snprintf(options + len, sizeof(options) - len, "%s%s", i > 0 ? ":" : "",
			 fd_path(path, sizeof(path), fds->layer[i]));
	}
	if (mount("overlay", MERGED, "overlay", 0, options) < 0)
		return fail(errno,
			    errno == EINVAL ? "is a layer on an overlay, or not a directory? "
					      "the kernel log (dmesg) names the reason"
					    : NULL,
			    "mounting the overlay (%s)", options);
	return 0;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 8): the container's / at MERGED: an overlay of the layers, top */
	//@@ STARTER(standard,challenge) /* first, with a writable layer -- in a tmpfs of the container's own at SCRATCH, */
	//@@ STARTER(standard,challenge) /* or with --upper in fds->upper as upper/ and work/ (the contract). What an */
	//@@ STARTER(standard,challenge) /* overlay needs of its directories: overlayfs.rst in the kernel's docs, man 2 */
	//@@ STARTER(standard,challenge) /* mount. */
	//@@ STARTER(guided) /* TODO(stage 8): mount a tmpfs on SCRATCH and mkdir MERGED in it. Without */
	//@@ STARTER(guided) /* --upper, mkdir SCRATCH/upper and SCRATCH/work; with it, mkdirat(2) "upper" */
	//@@ STARTER(guided) /* and "work" in fds->upper. Then mount("overlay", MERGED, "overlay", 0, */
	//@@ STARTER(guided) /* "upperdir=U,workdir=W,lowerdir=L0:L1:...") with the layers as */
	//@@ STARTER(guided) /* /proc/self/fd/N, top first. Read overlayfs.rst in the kernel's docs. */
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)fds;
	//@@ STARTER return todo("--image: mounting the overlay");
}

/* Step 3: each --volume bound into the new root, before stage 3 pivots into it. */
static int bind_volumes(const struct config *cfg, const struct host_fds *fds, const char *root)
{
	//@@ BEGIN SOLUTION
	char src[64], dst[64];
	int rootfd, target = -1, rc = -1;

	if (cfg->nvolumes == 0)
		return 0;
	rootfd = open_dir("root", root);
	if (rootfd < 0)
		return -1;
	for (int i = 0; i < cfg->nvolumes; i++) {
		const struct volume *v = &cfg->volumes[i];

		if (mkdir_in_root(rootfd, v->ctr) < 0)
			goto out;
		if ((target = open_in_root(rootfd, v->ctr)) < 0) {
			fail(errno, NULL, "--volume: %s inside the container", v->ctr);
			goto out;
		}
		/*
		 * Bound now, into the new root: stage 3's recursive bind of the root carries it
		 * along through pivot_root. After pivot_root the host's tree, and HOST with it, is
		 * no longer in this mount namespace, and mount(2) refuses to bind from outside it.
		 * Not MS_REC: mounts below HOST would not be read-only with :ro.
		 */
		if (mount(fd_path(src, sizeof(src), fds->volume[i]),
			  fd_path(dst, sizeof(dst), target), NULL, MS_BIND, NULL) < 0) {
			fail(errno, NULL, "--volume: binding %s to %s", v->host, v->ctr);
			goto out;
		}
		close(target);
		target = -1;
		if (v->readonly) {
			/*
			 * A bind mount ignores MS_RDONLY: it takes a second call, a remount of the
			 * bind mount itself. Reopened, so that the path leads to the new mount on top
			 * of CTR, not to the directory it covers.
			 */
			if ((target = open_in_root(rootfd, v->ctr)) < 0 ||
			    mount(NULL, fd_path(dst, sizeof(dst), target), NULL,
				  MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
				fail(errno, NULL, "--volume: making %s read-only", v->ctr);
				goto out;
			}
			close(target);
			target = -1;
		}
	}
	rc = 0;
out:
	if (target >= 0)
		close(target);
	close(rootfd);
	return rc;
	//@@ END SOLUTION
	//@@ STARTER(standard,challenge) /* TODO(stage 8): each volume's host directory (fds->volume[i]) at its CTR */
	//@@ STARTER(standard,challenge) /* inside root, made if missing, read-only with :ro -- a bind mount takes */
	//@@ STARTER(standard,challenge) /* its flags only when remounted (man 2 mount). Find CTR inside root, never */
	//@@ STARTER(standard,challenge) /* on the host: a symlink in the image must not lead out (man 2 openat2). */
	//@@ STARTER(guided) /* TODO(stage 8): for each volume, create CTR inside root if missing, bind */
	//@@ STARTER(guided) /* mount /proc/self/fd/N (the host directory) onto it with MS_BIND, and with */
	//@@ STARTER(guided) /* :ro remount that bind mount MS_BIND | MS_REMOUNT | MS_RDONLY (man 2 mount). */
	//@@ STARTER(guided) /* Resolve CTR inside root, not on the host: openat2(2) with RESOLVE_IN_ROOT. */
	//@@ STARTER (void)cfg;
	//@@ STARTER (void)fds;
	//@@ STARTER (void)root;
	//@@ STARTER return todo("--volume");
}

int image_prepare(struct config *cfg)
{
	struct host_fds fds;
	int rc = -1;

	if (cfg->nlayers == 0 && cfg->nvolumes == 0)
		return 0;
	memset(&fds, -1, sizeof(fds));
	if (open_host_paths(cfg, &fds) < 0)
		goto out;
	if (cfg->nlayers > 0) {
		if (mount_overlay(cfg, &fds) < 0)
			goto out;
		/* Stage 3 pivots into the merged tree as into any --rootfs. */
		cfg->rootfs = MERGED;
	}
	if (bind_volumes(cfg, &fds, cfg->rootfs) < 0)
		goto out;
	rc = 0;
out:
	/* The mounts hold what they need: the descriptors go (COMMAND must not inherit them). */
	for (int i = 0; i < MAX_LAYERS; i++)
		if (fds.layer[i] >= 0)
			close(fds.layer[i]);
	for (int i = 0; i < MAX_VOLUMES; i++)
		if (fds.volume[i] >= 0)
			close(fds.volume[i]);
	if (fds.upper >= 0)
		close(fds.upper);
	return rc;
}
