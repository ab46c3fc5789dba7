# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 6 — capabilities, no_new_privs, seccomp — the live demo of stage 6, sourced by slides/demo.
#
# implements_6: does the runtime under test do stage 6? Asked through the contract only.
# demo_6: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_6() {
	q run -- cat /proc/self/status | grep -Eq '^Seccomp:[[:space:]]+2'
}

demo_6() {
	title "Stage 6 — capabilities, no_new_privs, seccomp"
	needs 1 2 3 6 || return 0
	say "Root inside, but with fewer capabilities, no way to gain more, and a syscall filter."
	side "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status" \
		"container run --rootfs rootfs -- grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status"
	expect ctr 'Seccomp:[[:space:]]+2' "a seccomp filter is on"
	expect ctr 'CapEff:[[:space:]]+00000000a00425fb' "Docker's capabilities minus MKNOD"
	pause
	say "A blocked syscall: the same probe on the host and in the container."
	side "rootfs/usr/local/bin/probe-syscalls mount keyctl unshare clone_newns clone3 fork" \
		"container run --rootfs rootfs -- probe-syscalls mount keyctl unshare clone_newns clone3 fork"
	expect ctr 'mount=EPERM' "mount(2): EPERM"
	expect ctr 'clone3=ENOSYS' "clone3(2): ENOSYS, so glibc falls back to clone(2)"
	expect ctr 'fork=ok' "ordinary fork still works"
	pause
	say "What root could do before, and cannot now."
	ctr 'container run --rootfs rootfs -- hostname evil; echo "exit status: $?"'
	expect ctr 'exit status: 1' "no CAP_SYS_ADMIN: hostname refused"
	ctr 'container run --rootfs rootfs -- mknod /tmp/sda b 8 0; echo "exit status: $?"'
	expect ctr 'exit status: 1' "no CAP_MKNOD: no raw disk"
	ctr 'container run --rootfs rootfs -- sh -c ": > /proc/sysrq-trigger"; echo "exit status: $?"'
	expect ctr 'exit status: [1-9]' "/proc/sysrq-trigger is read-only"
	pause
}
