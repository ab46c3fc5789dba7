# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 3 — pivot_root into a root filesystem — the live demo of stage 3, sourced by slides/demo.
#
# implements_3: does the runtime under test do stage 3? Asked through the contract only.
# demo_3: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_3() {
	[ "$(q run --rootfs rootfs -- cat /etc/container-lab-rootfs)" = "$(cat rootfs/etc/container-lab-rootfs)" ]
}

demo_3() {
	title "Stage 3 — pivot_root into a root filesystem"
	needs 1 2 3 || return 0
	say "pivot_root(2): the rootfs becomes /, and the host's tree is unmounted from the container."
	pause
	side 'echo $(ls /)' "container run --rootfs rootfs -- sh -c 'echo \$(ls /)'"
	expect ctr 'linuxrc' "/ is the busybox rootfs"
	pause
	side "wc -l < /proc/self/mountinfo" "container run --rootfs rootfs -- sh -c 'wc -l < /proc/self/mountinfo'"
	pause
	say "Why not chroot(2)? Root in a chroot walks out with chdir(\"..\"); after pivot_root there is no way out."
	side "chroot rootfs sh -c 'cd /tmp && probe-chroot-escape $KIT/README.md'" \
		"container run --rootfs rootfs -- sh -c 'cd /tmp && probe-chroot-escape $KIT/README.md'" chroot
	expect host 'escaped=yes' "chroot: escaped to the host's files"
	expect ctr 'escaped=no' "pivot_root: no way out"
	pause
	say "Its own /dev: a tmpfs with a few safe devices, no host disks."
	ctr "container run --rootfs rootfs -- sh -c 'echo \$(ls /dev)'"
	expect ctr 'null' "/dev/null is there"
	pause
}
