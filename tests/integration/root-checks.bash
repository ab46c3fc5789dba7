# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # sh -c scripts are for the container; $output, $status: bats run
# root-checks.bash — checks of the container's root that hold whatever the root is made from:
# stage 3 runs them with --rootfs DIR, stage 8 with --image LAYERS. Load after lib/helpers.
#
# Each check_* takes the runtime's root options (e.g. --rootfs "$RFS") as its arguments, runs
# containers with them, and fails the test saying what it saw. The caller sets the hint.

# mount_field MOUNTPOINT N: field N of the line for MOUNTPOINT in $output, a copy of a
# /proc/PID/mountinfo (5: mount point, 6: per-mount options). The last line wins: it is the
# mount on top.
mount_field() {
	awk -v m="$1" -v n="$2" '$5 == m { f = $n } END { print f }' <<<"$output"
}

# mount_type MOUNTPOINT: the filesystem type of the mount on top at MOUNTPOINT, in $output: the
# field after " - " (optional fields such as shared:N come before it, and the source after it
# is the runtime's choice: "none", "overlay", "tmpfs"...).
mount_type() {
	awk -v m="$1" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") { f = $(i + 1); break } }
		END { print f }' <<<"$output"
}

# expect NAME=REGEX...: each NAME's value in $output (NAME=VALUE lines) matches ^(REGEX)$;
# otherwise fail, listing every mismatch.
expect() {
	local want name got bad=""
	for want in "$@"; do
		name=${want%%=*}
		got=$(sed -n "s|^$name=||p" <<<"$output" | head -1)
		if ! [[ $got =~ ^(${want#*=})$ ]]; then
			bad+="  $name: expected ${want#*=}, got ${got:-nothing}"$'\n'
		fi
	done
	[ -z "$bad" ] || fail_with "inside the container:"$'\n'"$bad"
}

# check_old_root_gone ROOT_OPTS...: one mount at / inside, and it is not the grader's root.
check_old_root_gone() {
	local root_mount
	# The grader's / as mountinfo names it: device and the root of the mount in its filesystem.
	root_mount=$(awk '$5 == "/" { m = $3 " " $4 } END { print m }' /proc/self/mountinfo)
	run -0 ctr run "$@" -- cat /proc/self/mountinfo
	[ "$(awk '$5 == "/"' <<<"$output" | wc -l)" = 1 ] ||
		fail_with "expected one mount at / inside, the root; mountinfo inside:"$'\n'"$output"
	! awk -v r="$root_mount" '$3 " " $4 == r { found = 1 } END { exit !found }' <<<"$output" ||
		fail_with "the grader's root filesystem ($root_mount in mountinfo) is still mounted inside:"$'\n'"$output"
}

# check_no_chroot_escape ROOT_OPTS...: chroot("dir"), chdir("..") x 64, chroot(".") finds
# nothing of the grader's. The root must be writable (the probe makes a directory in /tmp).
check_no_chroot_escape() {
	echo host-only >"$BATS_TEST_TMPDIR/host-only"
	run ctr run "$@" -- sh -c "cd /tmp && probe-chroot-escape '$BATS_TEST_TMPDIR/host-only'"
	if [ "$status" = 2 ]; then
		fail_with "probe-chroot-escape could not run its steps (status 2): $output"
	fi
	assert_output escaped=no
	assert_equal "$status" 1
}

# check_proc ROOT_OPTS...: /proc inside is a proc of the container's PID namespace.
check_proc() {
	run -0 ctr run "$@" -- cat /proc/self/mountinfo
	assert_equal "$(mount_type /proc)" proc
	run -0 ctr run "$@" -- readlink /proc/self
	assert_output 1
	run -0 ctr run "$@" -- find /proc -maxdepth 1 -name '[0-9]*'
	assert_output /proc/1
}

# check_sys_readonly ROOT_OPTS...: /sys is sysfs, mounted read-only.
check_sys_readonly() {
	run -0 ctr run "$@" -- cat /proc/self/mountinfo
	assert_equal "$(mount_type /sys)" sysfs
	assert_regex "$(mount_field /sys 6)" '^ro(,|$)'
	# access(2) asks the kernel without writing anything: EROFS on a read-only mount.
	run -0 ctr run "$@" -- probe-writable /sys/kernel /sys/class
	assert_output "$(printf '%s\n' /sys/kernel=EROFS /sys/class=EROFS)"
	run -0 ctr run "$@" -- ls /sys/class
	assert_line net
}

# check_dev_nodes ROOT_OPTS...: null, zero, full, random, urandom and tty, with the right
# numbers and mode 0666; written to only once their numbers were checked.
check_dev_nodes() {
	umask 022 # mknod's mode goes through the umask: the runtime must not leave 0644 nodes
	run -0 ctr run "$@" -- sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	assert_output "$(printf '%s character special file %s 666\n' /dev/null 1:3 /dev/zero 1:5 \
		/dev/full 1:7 /dev/random 1:8 /dev/urandom 1:9 /dev/tty 5:0)"
	# Only now that the numbers are known to be right: use them.
	run -0 ctr run "$@" -- sh -c 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 &&
		head -c 16 /dev/urandom | wc -c && head -c 16 /dev/random | wc -c
		if echo x 2>/dev/null >/dev/full; then echo full-accepted; else echo full-refused; fi'
	assert_equal "$(tr -s ' \n' ' ' <<<"$output")" " 00 00 00 00 16 16 full-refused "
}

# check_dev_tmpfs ROOT_OPTS...: /dev is a tmpfs that holds none of the grader's devices.
check_dev_tmpfs() {
	run -0 ctr run "$@" -- cat /proc/self/mountinfo
	assert_equal "$(mount_type /dev)" tmpfs
	run -0 ctr run "$@" -- find /dev -type b
	assert_output ""
	run -0 ctr run "$@" -- sh -c 'for d in mem kmem port kmsg; do [ -e /dev/$d ] && echo "/dev/$d"; done; true'
	assert_output ""
}

# The /proc paths the contract makes read-only / masks, those this kernel has, as files to test:
# /proc/sys itself is a directory procfs never lets anyone write, so test a file inside it.
readonly_proc_paths() {
	local p
	echo /proc/sys/kernel/hostname
	for p in /proc/sysrq-trigger /proc/irq /proc/bus; do
		[ -e "$p" ] && echo "$p"
	done
	return 0
}
masked_proc_paths() {
	local p
	for p in /proc/kcore /proc/keys /proc/timer_list; do
		[ -e "$p" ] && echo "$p"
	done
	return 0
}

# check_proc_readonly ROOT_OPTS...: /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus are
# read-only inside (ROOT_OPTS may be empty: the host's tree). COMMAND is found on PATH, or
# through $PROBES without a root.
check_proc_readonly() {
	local paths probe=probe-writable
	[ $# -gt 0 ] || probe=$PROBES/probe-writable
	paths=$(readonly_proc_paths | tr '\n' ' ')
	# shellcheck disable=SC2086 # one argument per path
	run -0 ctr run "$@" -- "$probe" $paths
	# shellcheck disable=SC2046,SC2086
	expect $(printf '%s=EROFS ' $paths)
}

# check_proc_masked ROOT_OPTS...: /proc/kcore, /proc/keys, /proc/timer_list read as empty.
check_proc_masked() {
	local p paths=() script=""
	while read -r p; do
		paths+=("$p")
		script+="printf '%s=%s\n' $p \$(head -c 64 $p | wc -c); "
	done < <(masked_proc_paths)
	[ ${#paths[@]} -gt 0 ] || skip "this kernel has none of /proc/kcore, /proc/keys, /proc/timer_list"
	run -0 ctr run "$@" -- sh -c "$script"
	expect "${paths[@]/%/=0}"
}
