#!/usr/bin/env bats
# Stage 3 — mount namespace and pivot_root into the busybox rootfs
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): with
# --rootfs DIR, DIR is / inside, the grader's tree is unmounted and unreachable, and the container
# gets /proc, a read-only /sys and a /dev of its own; the grader's mounts never change.
#
# Every test needs the busybox rootfs ($ROOTFS, `make rootfs`). Tests in which the container
# writes (or might write, if the runtime is broken) use a private copy of it (fresh_rootfs).
# Device nodes are only written to after their major:minor numbers were checked.

load helpers
load root-checks

setup() {
	common_setup
	requires root rootfs
}

# in_rootfs ARGS...: run ARGS as COMMAND in a container on the pristine rootfs (read only use).
in_rootfs() {
	ctr run --rootfs "$ROOTFS" -- "$@"
}

# mounts_under DIR: the grader's mount points at or below DIR.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# ---- / is the rootfs ----

# bats test_tags=points:3
@test "/ inside is the rootfs: its marker is there, the grader's files are not" {
	local marker
	marker=$(cat "$ROOTFS/etc/container-lab-rootfs")
	hint "the container must see --rootfs as / (pivot_root into it, rootfs_enter), not the host's tree (pivot_root(2))"
	run -0 in_rootfs sh -c "cat /etc/container-lab-rootfs; if [ -e '$BATS_TEST_FILENAME' ]; then echo grader-file-visible; fi"
	assert_output "$marker"
}

# bats test_tags=points:2
@test "files the container writes land in the rootfs directory" {
	fresh_rootfs
	echo from-grader >"$RFS/tmp/from-grader"
	hint "/ inside must be the --rootfs directory itself (bind-mounted onto itself, then pivot_root), not a copy or another directory (pivot_root(2))"
	run -0 ctr run --rootfs "$RFS" -- sh -c 'cat /tmp/from-grader; echo from-container >/tmp/from-container'
	assert_output from-grader
	[ "$(cat "$RFS/tmp/from-container" 2>/dev/null)" = from-container ] ||
		fail_with "the container wrote /tmp/from-container, but $RFS/tmp/from-container is not there"
}

# ---- the old root is gone ----

# bats test_tags=points:4
@test "the old root is gone from the container's mount table" {
	hint "the old root is still mounted inside: after pivot_root, unmount it with umount2(old, MNT_DETACH) — with pivot_root(\".\", \".\") it sits on top of the new / (pivot_root(2), NOTES)"
	check_old_root_gone --rootfs "$ROOTFS"
}

# bats test_tags=points:4
@test "no path leads back to the grader's files: the chroot escape finds nothing" {
	fresh_rootfs
	hint "the container reached the grader's files by chroot(\"dir\"), chdir(\"..\") x 64, chroot(\".\"): chroot(2) only changes where / resolves, so a root user walks out of it. Use pivot_root(2) and unmount the old root (chroot(2), pivot_root(2))"
	check_no_chroot_escape --rootfs "$RFS"
}

# ---- /proc, /sys ----

# bats test_tags=points:3
@test "/proc inside is a proc of the container's PID namespace" {
	hint "mount a new proc on /proc inside the rootfs (proc(5)); it must be mounted from the container's PID namespace to show only its processes"
	check_proc --rootfs "$ROOTFS"
}

# bats test_tags=points:3
@test "/sys is sysfs, mounted read-only" {
	hint "mount sysfs on /sys with MS_RDONLY: a container must not change the machine's settings through /sys (sysfs(5), mount(2))"
	check_sys_readonly --rootfs "$ROOTFS"
}

# ---- /dev ----

# bats test_tags=points:3
@test "/dev has null, zero, full, random, urandom and tty, with the right numbers, mode 0666" {
	hint "mknod(2) each device in a tmpfs /dev with its major:minor (null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0) and chmod it to 0666: mknod's mode is filtered by the umask (mknod(2), null(4), random(4), tty(4))"
	check_dev_nodes --rootfs "$ROOTFS"
}

# bats test_tags=points:1
@test "/dev/fd, /dev/stdin, /dev/stdout and /dev/stderr lead to the process's own descriptors" {
	hint "make the symlinks fd -> /proc/self/fd, stdin -> /proc/self/fd/0, stdout -> .../1, stderr -> .../2 in /dev (symlink(2))"
	run -0 in_rootfs sh -c 'cat /dev/stdin; echo via-stdout >/dev/stdout; echo via-stderr >/dev/stderr
		ls /dev/fd/ | grep -qx 0 && echo fd-ok' <<<"via-stdin"
	assert_output "$(printf '%s\n' via-stdin via-stdout via-stderr fd-ok)"
}

# bats test_tags=points:3
@test "/dev/ptmx, /dev/pts and /dev/tty work: a pseudo-terminal can be made and used inside" {
	hint "mount a new devpts instance on /dev/pts (\"newinstance,ptmxmode=0666\") and make /dev/ptmx a symlink to pts/ptmx; /dev/tty is the character device 5:0 (pts(4), tty(4), pty(7))"
	run -0 in_rootfs cat /proc/self/mountinfo
	assert_equal "$(mount_type /dev/pts)" devpts
	run in_rootfs probe-pty
	assert_line ptmx=ok
	assert_line --regexp '^pts=/dev/pts/[0-9]+$'
	assert_line pts_exists=yes
	assert_line tty=ok
	assert_line echo=ok
	assert_equal "$status" 0
}

# bats test_tags=points:2
@test "/dev/shm is a writable tmpfs of the container's own" {
	fresh_rootfs
	hint "mount a tmpfs on /dev/shm (mode=1777) for POSIX shared memory (shm_overview(7), tmpfs(5))"
	run -0 ctr run --rootfs "$RFS" -- sh -c 'cat /proc/self/mountinfo >/tmp/mountinfo; echo data >/dev/shm/f && cat /dev/shm/f'
	assert_output data
	output=$(cat "$RFS/tmp/mountinfo")
	assert_equal "$(mount_type /dev/shm)" tmpfs
	[ ! -e "$RFS/dev/shm/f" ] || fail_with "the container's /dev/shm/f landed in the rootfs directory: /dev/shm is not a tmpfs"
}

# bats test_tags=points:3
@test "/dev is a tmpfs that holds none of the grader's devices" {
	hint "mount a fresh tmpfs on /dev and create only the devices the contract lists: binding the host's /dev (or mounting devtmpfs) hands the container the host's disks (tmpfs(5))"
	check_dev_tmpfs --rootfs "$ROOTFS"
}

# ---- the grader's mounts ----

# bats test_tags=points:4
@test "the grader's mount table is unchanged during and after the run; the rootfs has no mounts left" {
	local before
	fresh_rootfs
	before=$(cat /proc/self/mountinfo)
	ctr_bg run --rootfs "$RFS" -- sh -c 'echo ready; until [ -e /go ]; do sleep 0.05; done'
	wait_output '^ready$'
	hint "the container's mounts reached the grader: every mount must happen in the container's own mount namespace (CLONE_NEWNS) after / was made private (MS_REC|MS_PRIVATE), and the old root is detached only inside it (mount_namespaces(7))"
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	touch "$RFS/go"
	ctr_wait
	assert_equal "$status" 0
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	assert_equal "$(mounts_under "$RFS")" ""
}

# ---- bad input ----

# The reason in the message is strerror's or the like: any of a few wordings of "missing" and
# "not a directory" (the contract: the line names what failed and why).
# bats test_tags=points:2
@test "a missing or non-directory --rootfs: 125 and one line naming the path and the reason" {
	local before
	before=$(cat /proc/self/mountinfo)
	hint "check --rootfs before creating anything: stat(2) it, and say why it cannot be used (strerror)"
	run --separate-stderr ctr run --rootfs "$BATS_TEST_TMPDIR/no-such-dir" -- true
	hint_status "$status" 125 "$stderr"
	assert_equal "$status" 125
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" "^container: .*$BATS_TEST_TMPDIR/no-such-dir.*([Nn]o such file|does not exist|not found|missing)"
	touch "$BATS_TEST_TMPDIR/a-file"
	run --separate-stderr ctr run --rootfs "$BATS_TEST_TMPDIR/a-file" -- true
	hint_status "$status" 125 "$stderr"
	assert_equal "$status" 125
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_regex "$stderr" "^container: .*$BATS_TEST_TMPDIR/a-file.*([Nn]ot a directory|is not a dir)"
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

# bats test_tags=points:2
@test "COMMAND is looked up in the rootfs: missing 127, not executable 126, empty rootfs 127" {
	local before
	fresh_rootfs
	before=$(cat /proc/self/mountinfo)
	printf '#!/bin/sh\necho ran-on-the-grader\n' >"$BATS_TEST_TMPDIR/grader-only"
	chmod 755 "$BATS_TEST_TMPDIR/grader-only"
	echo "just text" >"$RFS/not-executable"
	chmod 644 "$RFS/not-executable"
	mkdir "$BATS_TEST_TMPDIR/empty"
	hint "execvp(3) runs after pivot_root, so COMMAND is found in the rootfs; ENOENT -> 127, EACCES -> 126, and the failed container's mounts die with its mount namespace"
	run -127 --separate-stderr ctr run --rootfs "$RFS" -- "$BATS_TEST_TMPDIR/grader-only"
	assert_regex "$stderr" '^container: .*grader-only'
	run -126 --separate-stderr ctr run --rootfs "$RFS" -- /not-executable
	assert_regex "$stderr" '^container: .*not-executable'
	run -127 --separate-stderr ctr run --rootfs "$BATS_TEST_TMPDIR/empty" -- /bin/sh -c true
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	assert_equal "$(mounts_under "$BATS_TEST_TMPDIR")" ""
}

# ---- using it ----

# bats test_tags=points:3
@test "interactive: sh in the rootfs, driven through stdin, runs each line and exits with 'exit'" {
	hint "COMMAND keeps the runtime's stdin; the shell must start in the rootfs with /proc mounted (pivot_root(2))"
	run in_rootfs sh <<-'EOF'
		echo hi
		cd /proc && pwd
		echo "pid $$ on $(cat /etc/container-lab-rootfs)"
		exit 3
	EOF
	hint_status "$status" 3 "$output"
	assert_equal "$status" 3
	assert_output "$(printf '%s\n' hi /proc "pid 1 on $(cat "$ROOTFS/etc/container-lab-rootfs")")"
}

# bats test_tags=points:2
@test "stages 1-2 still hold with --rootfs: hostname, PID 1, exit status, clean environment" {
	hint "rootfs_enter comes after uts_setup and instead of proc_remount: the rest of the runtime must not change with --rootfs (pivot_root(2))"
	run ctr run --rootfs "$ROOTFS" --hostname rootfs-box -- sh -c 'hostname; echo $$; echo "$HOME $PATH"; exit 7'
	hint_status "$status" 7 "$output"
	assert_equal "$status" 7
	assert_output "$(printf '%s\n' rootfs-box 1 '/root /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')"
}
