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

/* Step 1: a descriptor for every host directory we will need, before anything covers it. */
static int open_host_paths(const struct config *cfg, struct host_fds *fds)
{
	/* TODO(stage 8): open each layer, the --upper directory and each volume's */
	/* host directory into fds now, as descriptors that stay valid once mounts */
	/* cover the host's paths; later steps reach them as /proc/self/fd/N (man 2 */
	/* open: which flags open a directory only to name it, and never leak it). */
	(void)cfg;
	(void)fds;
	return todo("--image: opening the layers");
}

/* Step 2: the writable layer (a tmpfs, or --upper DIR) and the overlay on MERGED. */
static int mount_overlay(const struct config *cfg, const struct host_fds *fds)
{
	/* TODO(stage 8): the container's / at MERGED: an overlay of the layers, top */
	/* first, with a writable layer -- in a tmpfs of the container's own at SCRATCH, */
	/* or with --upper in fds->upper as upper/ and work/ (the contract). What an */
	/* overlay needs of its directories: overlayfs.rst in the kernel's docs, man 2 */
	/* mount. */
	(void)cfg;
	(void)fds;
	return todo("--image: mounting the overlay");
}

/* Step 3: each --volume bound into the new root, before stage 3 pivots into it. */
static int bind_volumes(const struct config *cfg, const struct host_fds *fds, const char *root)
{
	/* TODO(stage 8): each volume's host directory (fds->volume[i]) at its CTR */
	/* inside root, made if missing, read-only with :ro -- a bind mount takes */
	/* its flags only when remounted (man 2 mount). Find CTR inside root, never */
	/* on the host: a symlink in the image must not lead out (man 2 openat2). */
	(void)cfg;
	(void)fds;
	(void)root;
	return todo("--volume");
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
