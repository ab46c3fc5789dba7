#!/usr/bin/env bats
# Stage 8 — layered images: an overlayfs root that is never written, and volumes
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): with
# --image LAYER[:LAYER...] the container's / is an overlay of the layers (the first on top) and a
# writable layer of its own; no write reaches a layer; the writable layer is gone when the
# container ends, or kept in DIR/upper with --upper DIR; --volume HOST:CTR[:ro] binds HOST at CTR.
#
# The image is the stage's two-layer busybox image (make image): the app layer $IMAGE_APP on top
# of the busybox rootfs $ROOTFS as its base layer. Tests in which the container writes (or might
# write, if the runtime is broken) use private copies of both (fresh_image).

load helpers
load root-checks

: "${IMAGE_APP:=$_KIT_DIR/build/image/app}"

# Where the kit's app layer was not built (a fresh clone graded by tests/grade, a class's
# copies), build one for this file with the kit's own builder.
setup_file() {
	if [ ! -f "$IMAGE_APP/etc/container-lab-image" ] && [ -x "$_KIT_DIR/rootfs-builder/image" ]; then
		"$_KIT_DIR/rootfs-builder/image" "$BATS_FILE_TMPDIR/app" 2>/dev/null
	fi
}

setup() {
	common_setup
	requires root rootfs
	[ -f "$IMAGE_APP/etc/container-lab-image" ] || IMAGE_APP=$BATS_FILE_TMPDIR/app
	[ -f "$IMAGE_APP/etc/container-lab-image" ] ||
		fail_with "no app layer at $IMAGE_APP: run make image"
	IMAGE=$IMAGE_APP:$ROOTFS
}

teardown() {
	common_teardown
}

# fresh_image: private copies of the two layers, $APP on top of $BASE; "--image $IMG" uses them.
fresh_image() {
	APP=$BATS_TEST_TMPDIR/app
	BASE=$BATS_TEST_TMPDIR/base
	cp -a "$IMAGE_APP" "$APP"
	cp -a "$ROOTFS" "$BASE"
	IMG=$APP:$BASE
}

# layer_sum DIR: one line that changes if anything in DIR does: a name, type, mode, owner, size,
# mtime, link count, link target or content (a whiteout is a new character device: it shows
# too). Each inode's content is read once: the base's ~270 busybox applets are one inode.
layer_sum() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %m %U:%G %s %n %T@ %l\n' | LC_ALL=C sort
		find . -type f -printf '%i\t%p\n' | sort -n -u -t "$(printf '\t')" -k1,1 | cut -f2 |
			LC_ALL=C sort | tr '\n' '\0' | xargs -0r md5sum
	) | md5sum | cut -d' ' -f1
}

# The places a runtime keeps state, which a writable layer left behind would be in. Not the whole
# disk: that takes minutes on a shared machine.
STATE_DIRS=(/tmp /var/tmp /run /dev/shm /var/lib /srv /mnt /home /opt)

# ---- the layers ----

# bats test_tags=points:3
@test "the layers stack in order: the top one wins, a file only in the base is visible" {
	local l
	hint "mount overlayfs with lowerdir=TOP:...:BASE — overlayfs looks a name up from the left, so the first --image layer must come first (Documentation/filesystems/overlayfs.rst, 'Multiple lower layers'; mount(8), 'Mount options for overlay')"
	run -0 ctr run --image "$IMAGE" -- sh -c 'cat /etc/container-lab-image /etc/container-lab-rootfs; grep ^ID= /etc/os-release; cat /srv/www/index.html | grep -c "app layer"'
	assert_output "$(printf '%s\n' container-lab-image-app container-lab-rootfs-marker ID=container-lab-app 2)"
	# Three layers of our own, in both orders: the same name in each, and one file only in each.
	for l in one two; do
		mkdir -p "$BATS_TEST_TMPDIR/$l/etc"
		echo "$l" >"$BATS_TEST_TMPDIR/$l/etc/layer"
		echo "only-$l" >"$BATS_TEST_TMPDIR/$l/etc/only-$l"
	done
	run -0 ctr run --image "$BATS_TEST_TMPDIR/one:$BATS_TEST_TMPDIR/two:$ROOTFS" -- \
		cat /etc/layer /etc/only-one /etc/only-two /etc/container-lab-rootfs
	assert_output "$(printf '%s\n' one only-one only-two container-lab-rootfs-marker)"
	run -0 ctr run --image "$BATS_TEST_TMPDIR/two:$BATS_TEST_TMPDIR/one:$ROOTFS" -- cat /etc/layer
	assert_output two
}

# bats test_tags=points:2
@test "/ inside is an overlay, and the grader's root is gone" {
	fresh_image
	hint "mount the overlay before stage 3's pivot_root and make it the new root: pivot_root into the merged directory, then unmount the old root as with --rootfs (pivot_root(2))"
	run -0 ctr run --image "$IMG" -- cat /proc/self/mountinfo
	assert_equal "$(mount_type /)" overlay
	check_old_root_gone --image "$IMG"
	check_no_chroot_escape --image "$IMG"
}

# bats test_tags=points:4
@test "writes inside never change a layer: new, changed, deleted, renamed files and directories" {
	local app_before base_before
	fresh_image
	app_before=$(layer_sum "$APP")
	base_before=$(layer_sum "$BASE")
	hint "every write must land in the container's writable layer (upperdir), never in a --image layer: the layers are lowerdirs, which overlayfs never writes (copy-up on first write; mount(8), 'Mount options for overlay')"
	run -0 ctr run --image "$IMG" -- sh -c '
		echo new >/new-file && mkdir -p /new/dir &&
		echo changed >>/etc/os-release && echo changed >>/etc/hosts &&
		rm /etc/passwd /etc/container-lab-image && rm -r /srv/www &&
		mv /etc/group /etc/group.moved && chmod 600 /etc/container-lab-rootfs &&
		cat /new-file && tail -1 /etc/hosts && ls /etc/passwd /srv/www 2>&1 | wc -l &&
		stat -c %a /etc/container-lab-rootfs'
	assert_output "$(printf '%s\n' new changed 2 600)"
	[ "$(layer_sum "$APP")" = "$app_before" ] || fail_with "the app layer ($APP) changed: $(find "$APP" -newer "$BASE/etc/container-lab-rootfs" | head -30)"
	[ "$(layer_sum "$BASE")" = "$base_before" ] || fail_with "the base layer ($BASE) changed"
	[ -f "$BASE/etc/passwd" ] && [ -f "$APP/srv/www/index.html" ] ||
		fail_with "a file deleted inside is gone from its layer"
}

# bats test_tags=points:3
@test "--upper DIR keeps the writable layer: new and changed files, a whiteout for each deleted one" {
	local up=$BATS_TEST_TMPDIR/up base_before
	fresh_image
	mkdir "$up"
	base_before=$(layer_sum "$BASE")
	hint "with --upper DIR, upperdir=DIR/upper and workdir=DIR/work (mkdir them; overlayfs needs both on one filesystem); overlayfs itself writes the whiteout (a character device 0:0) when a lower file is deleted (mount(8))"
	run -0 ctr run --image "$IMG" --upper "$up" -- sh -c \
		'rm /etc/passwd; echo new >/new-file; echo changed >>/etc/hosts; [ -e /etc/passwd ] || echo passwd-gone'
	assert_output passwd-gone
	[ -d "$up/upper" ] && [ -d "$up/work" ] ||
		fail_with "expected DIR/upper and DIR/work after the run; DIR has: $(ls -A "$up")"
	assert_equal "$(cat "$up/upper/new-file" 2>&1)" new
	assert_equal "$(tail -1 "$up/upper/etc/hosts" 2>&1)" changed
	assert_equal "$(stat -c '%F %t:%T' "$up/upper/etc/passwd" 2>&1)" "character special file 0:0"
	[ -f "$BASE/etc/passwd" ] || fail_with "the deleted file is gone from the base layer too"
	assert_equal "$(layer_sum "$BASE")" "$base_before"
}

# bats test_tags=points:1
@test "a directory deleted and made again inside is empty: the layers' files stay hidden" {
	fresh_image
	hint "overlayfs marks a directory made again over a deleted one opaque (the xattr trusted.overlay.opaque): nothing of the lower layers shows through it — that is the kernel's work, as long as / is the overlay (xattr(7))"
	run -0 ctr run --image "$IMG" -- sh -c 'rm -r /srv/www && mkdir /srv/www && echo mine >/srv/www/mine && ls /srv/www'
	assert_output mine
}

# bats test_tags=points:3
@test "two containers on the same image at once each see only their own writes" {
	local a b
	fresh_image
	hint "each container needs a writable layer of its own (its own upperdir and workdir): two overlays sharing one upper dir see each other's writes, and overlayfs refuses to share a workdir (mount(8))"
	ctr_bg run --image "$IMG" -- sh -c '
		echo A >/etc/who; rm /etc/hosts; echo ready
		until [ -e /go ]; do sleep 0.05; done
		cat /etc/who; [ -e /etc/hosts ] && echo hosts-there; [ -e /etc/b-only ] && echo sees-b; true'
	a=$CTR_PID
	wait_output '^ready$'
	ctr_bg run --image "$IMG" -- sh -c '
		echo B >/etc/who; echo b >/etc/b-only; echo ready
		until [ -e /go ]; do sleep 0.05; done
		cat /etc/who; [ -e /etc/hosts ] && echo hosts-there; [ -e /etc/a-only ] && echo sees-a; true'
	b=$CTR_PID
	wait_output '^ready$'
	# Both are running, both have written: let them look. /proc/PID/root is each one's own /.
	touch "/proc/$(ctr_init_pid "$a")/root/go" "/proc/$(ctr_init_pid "$b")/root/go"
	ctr_wait "$a"
	assert_equal "$status" 0
	ctr_wait "$b"
	assert_equal "$status" 0
	assert_equal "$(grep -v ready "$BATS_TEST_TMPDIR/bg1.out")" A
	assert_equal "$(grep -v ready "$BATS_TEST_TMPDIR/bg2.out")" "$(printf '%s\n' B hosts-there)"
}

# bats test_tags=points:3
@test "the writable layer is gone after exit without --upper; the next container starts clean" {
	local marker
	fresh_image
	marker=lab-writable-layer-$RANDOM$RANDOM
	hint "without --upper the writable layer is the container's alone and is deleted when it ends: a tmpfs mounted in the container's own mount namespace goes by itself; a directory on disk must be removed (tmpfs(5))"
	run -0 ctr run --image "$IMG" -- sh -c "echo x >/$marker && mkdir /$marker.d && rm /etc/passwd"
	run ctr run --image "$IMG" -- sh -c "ls /$marker /etc/passwd 2>&1"
	assert_output "$(printf '%s\n' "ls: /$marker: No such file or directory" /etc/passwd)"
	# A machine may lack some of the STATE_DIRS (the VM has no /srv): only what is found counts.
	output=$(find "${STATE_DIRS[@]}" "$BATS_TEST_TMPDIR" "$(dirname "$CONTAINER")" -xdev -name "$marker*" -print 2>/dev/null || true)
	[ -z "$output" ] || fail_with "the writable layer outlived the container: $output"
}

# ---- volumes ----

# bats test_tags=points:3
@test "--volume HOST:CTR binds HOST read-write: the host sees the writes; a missing CTR is made" {
	local vol=$BATS_TEST_TMPDIR/vol app_before
	fresh_image
	mkdir "$vol"
	echo from-host >"$vol/from-host"
	app_before=$(layer_sum "$APP")
	hint "bind-mount HOST onto CTR inside the new root (MS_BIND) before pivot_root, mkdir -p CTR first; after pivot_root the host's tree is no longer in the container's mount namespace (mount(2), 'Creating a bind mount')"
	run -0 ctr run --image "$IMG" --volume "$vol:/data" --volume "$vol:/deep/new/dir" -- sh -c \
		'cat /data/from-host; echo from-ctr >/data/from-ctr; ls /deep/new/dir | wc -l'
	assert_output "$(printf '%s\n' from-host 2)"
	assert_equal "$(cat "$vol/from-ctr" 2>&1)" from-ctr
	assert_equal "$(layer_sum "$APP")" "$app_before"
}

# bats test_tags=points:2
@test "--volume HOST:CTR:ro refuses writes inside with EROFS, and the host directory is unchanged" {
	local vol=$BATS_TEST_TMPDIR/vol
	fresh_image
	mkdir "$vol"
	echo keep >"$vol/f"
	hint "a bind mount ignores MS_RDONLY: bind first, then remount the bind mount with MS_BIND|MS_REMOUNT|MS_RDONLY (mount(2))"
	run -0 ctr run --image "$IMG" --volume "$vol:/ro:ro" -- sh -c 'probe-writable /ro; cat /ro/f; { echo x >/ro/f; } 2>/dev/null || echo refused'
	assert_output "$(printf '%s\n' /ro=EROFS keep refused)"
	assert_equal "$(ls -A "$vol")" f
	assert_equal "$(cat "$vol/f")" keep
}

# bats test_tags=points:1
@test "--volume works with --rootfs too" {
	local vol=$BATS_TEST_TMPDIR/vol
	fresh_rootfs
	mkdir "$vol"
	hint "volumes are bound into whichever root the container gets: --rootfs as well as --image (mount(2))"
	run -0 ctr run --rootfs "$RFS" --volume "$vol:/data" --volume "$vol:/ro:ro" -- sh -c 'echo w >/data/w; probe-writable /data /ro'
	assert_output "$(printf '%s\n' /data=ok /ro=EROFS)"
	assert_equal "$(cat "$vol/w" 2>&1)" w
}

# ---- bad input ----

# bats test_tags=points:2
@test "bad --image, --upper and --volume values: 125 and one line, nothing left behind" {
	local d=$BATS_TEST_TMPDIR before
	mkdir "$d/full" "$d/empty" "$d/vol"
	touch "$d/full/x" "$d/a-file"
	before=$(cat /proc/self/mountinfo)
	hint "check every --image layer, --upper (an empty directory) and --volume (HOST:CTR[:ro], CTR absolute, HOST a directory) before creating anything, and say what is wrong in one 'container: ' line (stat(2))"
	check_usage_error run --image "$d/no-such-layer:$ROOTFS" -- true
	assert_regex "$stderr" "no-such-layer"
	check_usage_error run --image "$IMAGE_APP:$d/a-file" -- true
	check_usage_error run --image "$IMAGE" --upper "$d/full" -- true
	check_usage_error run --image "$IMAGE" --upper "$d/no-such-dir" -- true
	check_usage_error run --image "$IMAGE" --rootfs "$ROOTFS" -- true
	check_usage_error run --image "$IMAGE" --volume "$d/vol:relative/path" -- true
	check_usage_error run --image "$IMAGE" --volume "$d/no-such-dir:/data" -- true
	check_usage_error run --image "$IMAGE" --volume "$d/vol" -- true
	assert_equal "$(ls -A "$d/empty")" ""
	assert_equal "$(ls -A "$d/full")" x
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

# ---- the grader's mounts ----

# bats test_tags=points:3
@test "nothing is mounted on the host during or after the run, not even after SIGKILL of the runtime" {
	local before up=$BATS_TEST_TMPDIR/up vol=$BATS_TEST_TMPDIR/vol init
	fresh_image
	mkdir "$up" "$vol"
	before=$(cat /proc/self/mountinfo)
	hint "mount the overlay, its writable layer and the volumes only in the container's own mount namespace (after / was made private): they die with it, even when the runtime is SIGKILLed (mount_namespaces(7))"
	ctr_bg run --image "$IMG" --upper "$up" --volume "$vol:/data" -- sh -c 'echo ready; exec sleep 600'
	wait_output '^ready$'
	init=$(ctr_init_pid)
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	kill -KILL "$CTR_PID"
	ctr_wait
	wait_for "the container's first process (pid $init) to die with its runtime" \
		eval "! kill -0 $init 2>/dev/null"
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	ctr_bg run --image "$IMG" --volume "$vol:/data" -- sh -c 'echo ready'
	wait_output '^ready$'
	ctr_wait
	assert_equal "$status" 0
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

# ---- the root holds what stages 3 and 6 promised ----

# bats test_tags=points:2
@test "with --image, /proc, /sys and /dev are as with --rootfs" {
	hint "stage 3's rootfs_enter must run on the merged overlay just as on a --rootfs directory: /proc, read-only /sys, a tmpfs /dev with its nodes (pivot_root(2))"
	check_proc --image "$IMAGE"
	check_sys_readonly --image "$IMAGE"
	check_dev_nodes --image "$IMAGE"
	check_dev_tmpfs --image "$IMAGE"
}

# bats test_tags=points:1
@test "with --image, stage 6's read-only and masked /proc paths hold" {
	hint "security_harden_proc() runs after /proc is mounted in the new root, whatever the root is made of (proc(5))"
	check_proc_readonly --image "$IMAGE"
	check_proc_masked --image "$IMAGE"
}
