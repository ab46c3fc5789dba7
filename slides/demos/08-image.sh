# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 8 — layered images: overlayfs, copy-up, whiteouts, volumes — the live demo of stage 8,
# sourced by slides/demo. `app` is the image's app layer (make image), copied into the scratch
# directory by slides/demo; `rootfs` is its base layer.
#
# implements_8: does the runtime under test do stage 8? Asked through the contract only.
# demo_8: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_8() {
	[ -d app ] && [ "$(q run --image app:rootfs -- cat /etc/container-lab-image)" = container-lab-image-app ]
}

demo_8() {
	title "Stage 8 — layered images: overlayfs, copy-up, whiteouts, volumes"
	needs 1 2 3 8 || return 0
	say "An image is a stack of read-only layers: the app layer on top of the busybox base layer."
	host "find app -type f"
	side "head -1 rootfs/etc/os-release" "container run --image app:rootfs -- head -1 /etc/os-release"
	expect ctr 'app image' "the top layer wins"
	expect host 'busybox' "the base layer keeps its own"
	pause
	say "Two containers on one image: one deletes a file, the other still has it."
	ctr_bg "container run --image app:rootfs -- sh -c 'trap \"exit 0\" INT; rm /etc/hosts; sleep 60 & wait'"
	host 'until [ ! -e /proc/$(ctrpid)/root/etc/hosts ]; do sleep 0.1; done; echo "container 1: /etc/hosts deleted"'
	expect host 'deleted' "gone in the first container"
	ctr "container run --image app:rootfs -- cat /etc/hosts"
	expect ctr '127\.0\.0\.1' "the second container still has it"
	ctr_stop
	host "cat rootfs/etc/hosts"
	expect host '127\.0\.0\.1' "and the base layer was never written"
	pause
	say "--upper DIR keeps the writable layer: copied-up and new files, a whiteout per deleted file."
	host "mkdir -p keep"
	ctr "container run --image app:rootfs --upper keep -- sh -c 'rm /etc/hosts; echo hi >/hello; echo x >>/etc/os-release'"
	host "ls -l keep/upper/etc"
	expect host '^c.* 0, +0 .* hosts$' "the whiteout: a character device 0/0"
	expect host 'os-release$' "the copy-up of the changed file"
	pause
	say "--volume HOST:CTR binds a host directory in; :ro remounts the bind read-only."
	host "mkdir -p data"
	ctr "container run --image app:rootfs --volume data:/data -- sh -c 'echo saved >/data/note'"
	host "cat data/note"
	expect host '^saved$' "the write reached the host directory"
	ctr 'container run --image app:rootfs --volume data:/data:ro -- sh -c "echo x >/data/note"; echo "exit status: $?"'
	expect ctr 'Read-only file system' "EROFS with :ro"
	pause
}
