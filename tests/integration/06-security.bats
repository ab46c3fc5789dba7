#!/usr/bin/env bats
# Stage 6 — capabilities, no_new_privs, a seccomp filter, and a hardened /proc
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): the
# capability sets and flags in /proc/self/status, the errno each dangerous syscall gets, and what
# ordinary programs can still do.
#
# Safety: a runtime under test may have no filter and every capability (the stage's starter
# does). Every check here must then be harmless for the grader's machine: the probe
# probe-syscalls only makes calls that do nothing even when allowed (see its header), /proc files
# are checked with access(2) (probe-writable) and never written, nothing is ever read from a
# device node made with mknod, and the clock is only "set" (to the time it already is) after the
# container has shown it lacks CAP_SYS_TIME.

load helpers
load root-checks

setup() {
	common_setup
	requires root rootfs
}

# CAPS_WANTED, the contract's capability set: tests/integration/helpers.bash (stage 7 checks it too).

CAP_NAMES=(chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap
	linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner
	sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice
	sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap
	mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf
	checkpoint_restore)

# cap_names HEX: the capability names in the mask HEX, e.g. "sys_admin mknod".
cap_names() {
	local mask=$((16#$1)) i out=""
	for ((i = 0; i < 63; i++)); do
		if (((mask >> i) & 1)); then
			out+="${CAP_NAMES[$i]:-cap$i} "
		fi
	done
	out=${out% }
	echo "${out:-none}"
}

# status_field NAME: the value of NAME in $output, a copy of /proc/PID/status.
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$output"
}

# check_caps NAME...: each of these /proc/PID/status fields (in $output) equals $CAPS_WANTED;
# otherwise fail, naming the extra and missing capabilities.
check_caps() {
	local f got bad=""
	for f in "$@"; do
		got=$(status_field "$f")
		if [ "$got" != "$CAPS_WANTED" ]; then
			bad+="$f is '${got:-missing}', expected $CAPS_WANTED"
			if [[ $got =~ ^[0-9a-f]+$ ]]; then
				bad+=" (extra: $(cap_names "$(printf '%x' $((16#$got & ~16#$CAPS_WANTED)))")"
				bad+="; missing: $(cap_names "$(printf '%x' $((16#$CAPS_WANTED & ~16#$got)))"))"
			fi
			bad+=$'\n'
		fi
	done
	[ -z "$bad" ] || fail_with "$bad"
}

# probe ARGS...: run probe-syscalls ARGS inside a container on the busybox rootfs. The probe's
# scratch files go to /dev/shm, in the container's own /dev, so the shared rootfs stays clean.
probe() {
	run ctr run --rootfs "$ROOTFS" -- env TMPDIR=/dev/shm probe-syscalls "$@"
	hint_status "$status" 0 "$output" # 159 (SIGSYS): a rule that kills instead of failing
	assert_success
}

DENY_LIST=(keyctl add_key request_key ptrace bpf perf_event_open userfaultfd kexec_load
	kexec_file_load init_module finit_module delete_module mount umount2 pivot_root swapon
	swapoff reboot setns unshare open_by_handle_at iopl ioperm settimeofday clock_settime acct
	move_pages migrate_pages mbind set_mempolicy io_uring_setup)

CLONE_NS=(clone_newns clone_newuts clone_newipc clone_newuser clone_newpid clone_newnet
	clone_newcgroup)

# ---- capabilities, no_new_privs, the filter: /proc/self/status ----

# bats test_tags=points:2
@test "the bounding set inside is the contract's: CapBnd 00000000a00425fb" {
	hint "drop every capability not kept from the BOUNDING set (cap_drop_bound(3) or prctl PR_CAPBSET_DROP, one by one up to cap_max_bits()); for root, execve(2) fills the permitted set from the bounding set, so dropping only effective/permitted is not enough. CAP_MKNOD must go too (capabilities(7))"
	run -0 ctr run --rootfs "$ROOTFS" -- cat /proc/self/status
	check_caps CapBnd
}

# bats test_tags=points:2
@test "effective and permitted sets inside are the contract's: CapEff, CapPrm 00000000a00425fb" {
	hint "set effective = permitted = exactly the kept capabilities (cap_init(3), cap_set_flag(3) for CAP_EFFECTIVE and CAP_PERMITTED, cap_set_proc(3)); a capability missing here but kept in the contract breaks ordinary work (chown, kill, setuid...)"
	run -0 ctr run --rootfs "$ROOTFS" -- cat /proc/self/status
	check_caps CapEff CapPrm
}

# bats test_tags=points:1
@test "inheritable and ambient sets inside are empty, even when the caller's are not" {
	requires tool:setpriv
	hint "start from an empty set (cap_init(3), not cap_get_proc(3)) so that inheritable ends up empty, and clear the ambient set (cap_reset_ambient(3), prctl PR_CAP_AMBIENT_CLEAR_ALL): ambient capabilities survive execve(2) (capabilities(7))"
	run -0 setpriv --inh-caps +sys_admin,+net_admin --ambient-caps +sys_admin,+net_admin -- \
		timeout 30 "$CONTAINER" run --rootfs "$ROOTFS" -- cat /proc/self/status
	assert_equal "CapInh=$(status_field CapInh) CapAmb=$(status_field CapAmb)" \
		"CapInh=0000000000000000 CapAmb=0000000000000000"
}

# bats test_tags=points:2
@test "no_new_privs is set inside: NoNewPrivs 1" {
	hint "call prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) before loading the filter (prctl(2)): without it a setuid binary could regain what was dropped, and the kernel only accepts a filter from a process without CAP_SYS_ADMIN if no_new_privs is set"
	run -0 ctr run --rootfs "$ROOTFS" -- cat /proc/self/status
	assert_equal "NoNewPrivs=$(status_field NoNewPrivs)" "NoNewPrivs=1"
}

# bats test_tags=points:2
@test "a seccomp filter is active inside: Seccomp 2" {
	hint "build a filter with seccomp_init(3) and seccomp_rule_add(3), load it with seccomp_load(3), as the last step before execve(2) (seccomp(2): Seccomp 2 is SECCOMP_MODE_FILTER)"
	run -0 ctr run --rootfs "$ROOTFS" -- cat /proc/self/status
	assert_equal "Seccomp=$(status_field Seccomp)" "Seccomp=2"
}

# bats test_tags=points:1
@test "seen from outside, the container's running first process is confined too" {
	local init
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'"
	wait_output '^ready$'
	init=$(ctr_init_pid)
	output=$(cat "/proc/$init/status")
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
	assert_equal "$status" 0
	hint "the capabilities, no_new_privs and the filter must be in place when COMMAND runs (without --rootfs as well as with it): security_apply() is the last step before execve(2)"
	check_caps CapBnd CapEff CapPrm
	assert_equal "NoNewPrivs=$(status_field NoNewPrivs) Seccomp=$(status_field Seccomp)" \
		"NoNewPrivs=1 Seccomp=2"
}

# ---- the filter: syscalls ----

# bats test_tags=points:4
@test "every syscall on the contract's deny-list fails with EPERM inside" {
	hint "add a rule SCMP_ACT_ERRNO(EPERM) for each syscall of the contract's list (seccomp_rule_add(3)); a syscall that got another errno was let through by the filter and answered by the kernel itself"
	probe "${DENY_LIST[@]}"
	expect "${DENY_LIST[@]/%/=EPERM|skip}"
}

# bats test_tags=points:1
@test "the deny-list holds without --rootfs too" {
	hint "security_apply() must run whether or not --rootfs was given: it is the last step before execve(2) in both cases"
	run ctr run -- "$PROBES/probe-syscalls" "${DENY_LIST[@]}"
	hint_status "$status" 0 "$output"
	assert_success
	expect "${DENY_LIST[@]/%/=EPERM|skip}"
}

# bats test_tags=points:2
@test "clone(2) with any namespace flag fails with EPERM" {
	hint "clone's flags are its argument 0 on x86_64: one rule per CLONE_NEW* flag, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag), because 'any of these bits' is not a single comparison (seccomp_rule_add(3))"
	probe "${CLONE_NS[@]}"
	expect "${CLONE_NS[@]/%/=EPERM}"
}

# bats test_tags=points:2
@test "clone3 fails with ENOSYS, not EPERM" {
	hint "seccomp cannot look into clone3's struct clone_args, so refuse clone3 altogether, with SCMP_ACT_ERRNO(ENOSYS): libc then falls back to clone(2), whose flags the filter can check; with EPERM, libc gives up"
	probe clone3
	expect clone3=ENOSYS
}

# bats test_tags=points:2
@test "fork, clone without namespace flags, threads and posix_spawn still work" {
	hint "thread or spawn failing with EPERM: clone3 gets EPERM instead of ENOSYS (glibc >= 2.34 tries clone3 first and falls back to clone only on ENOSYS). fork or clone_plain failing: the clone rule matches flags it should not (compare each CLONE_NEW* bit with SCMP_CMP_MASKED_EQ; clone(2), seccomp_rule_add(3))"
	probe clone_plain fork thread spawn
	expect clone_plain=ok fork=ok thread=ok spawn=ok
}

# bats test_tags=points:2
@test "chmod, fchmod and fchmodat refuse setuid and setgid bits with EPERM; a plain chmod works" {
	hint "the mode is argument 1 of chmod and fchmod but argument 2 of fchmodat; one rule per bit: SCMP_A1(SCMP_CMP_MASKED_EQ, S_ISUID, S_ISUID), the same with S_ISGID (a plain chmod must still work; chmod(2), seccomp_rule_add(3))"
	probe chmod_plain chmod_setuid chmod_setgid fchmod_setuid fchmodat_setuid
	expect chmod_plain=ok chmod_setuid=EPERM chmod_setgid=EPERM fchmod_setuid=EPERM \
		fchmodat_setuid=EPERM
}

# bats test_tags=points:1
@test "chmod u+s in a shell fails, and the file keeps its mode" {
	hint "chmod(1) may use chmod, fchmod or fchmodat: filter all three for S_ISUID and S_ISGID"
	run ctr run --rootfs "$ROOTFS" -- sh -c \
		'touch /dev/shm/f && chmod 755 /dev/shm/f && { chmod u+s /dev/shm/f; echo status=$?; stat -c mode=%a /dev/shm/f; }'
	assert_line --regexp '^status=[1-9]'
	assert_line mode=755
}

# bats test_tags=points:2
@test "ioctl TIOCSTI fails with EPERM" {
	hint "add SCMP_ACT_ERRNO(EPERM) for ioctl when argument 1 is TIOCSTI (ioctl_tty(2): TIOCSTI fakes terminal input)"
	probe ioctl_tiocsti
	expect ioctl_tiocsti=EPERM
}

# bats test_tags=points:1
@test "ioctl TIOCSTI with the high 32 bits of the request set fails too" {
	hint "the kernel reads ioctl's request as a 32-bit int and ignores the upper half of the register, which an equality test compares too: match the low 32 bits only, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff, TIOCSTI) (CVE-2019-10063; ioctl(2), seccomp_rule_add(3))"
	probe ioctl_tiocsti_hibits
	expect ioctl_tiocsti_hibits=EPERM
}

# bats test_tags=points:2
@test "other terminal ioctls get through the filter: TIOCGWINSZ, TCGETS" {
	hint "match TIOCSTI exactly: TIOCGWINSZ (0x5413) differs from TIOCSTI (0x5412) in one bit, so a mask that drops low bits blocks it too (the mask is 0xffffffff, the value TIOCSTI). EBADF on fd -1 means the filter let the request through (ioctl_tty(2))"
	probe ioctl_tiocgwinsz_badfd ioctl_tcgets_badfd pty_tiocgwinsz
	expect ioctl_tiocgwinsz_badfd=EBADF ioctl_tcgets_badfd=EBADF pty_tiocgwinsz='ok|skip'
}

# bats test_tags=points:1
@test "on a terminal, stty can set and read the window size inside" {
	requires tool:script
	hint "stty uses TIOCSWINSZ and TIOCGWINSZ: the TIOCSTI rule must match TIOCSTI only (SCMP_CMP_MASKED_EQ with mask 0xffffffff; ioctl_tty(2))"
	# script(1) runs the runtime on a new pseudo-terminal: the container's stdin is a terminal.
	run timeout 30 script -qec "'$CONTAINER' run --rootfs '$ROOTFS' -- sh -c 'stty rows 24 cols 80 && stty size'" /dev/null </dev/null
	assert_success
	assert_line --regexp $'^24 80\r?$'
}

# ---- privileges: what root inside can no longer do ----

# bats test_tags=points:2
@test "mknod of a block or character device fails (no CAP_MKNOD); a FIFO still works" {
	hint "CAP_MKNOD must not be in any set (the contract drops it: no device cgroup is set up, so a device node of the host's disk would give raw access to it). A FIFO needs no capability (capabilities(7), mknod(2))"
	probe mknod_blk mknod_chr mknod_fifo
	expect mknod_blk=EPERM mknod_chr=EPERM mknod_fifo=ok
	run ctr run --rootfs "$ROOTFS" -- sh -c 'mknod /dev/shm/disk b 8 0; echo status=$?; rm -f /dev/shm/disk'
	assert_line --regexp '^status=[1-9]'
}

# bats test_tags=points:1
@test "mount fails inside: mount -t tmpfs" {
	hint "mount(2) is on the deny-list, and CAP_SYS_ADMIN must be dropped from every set"
	run ctr run --rootfs "$ROOTFS" -- sh -c 'mount -t tmpfs lab-tmpfs /mnt; echo status=$?; grep -c lab-tmpfs /proc/mounts'
	assert_line --regexp '^status=[1-9]'
	assert_line 0
}

# bats test_tags=points:1
@test "the hostname cannot be changed from inside" {
	hint "sethostname(2) needs CAP_SYS_ADMIN: drop it from the bounding, effective and permitted sets"
	run ctr run --rootfs "$ROOTFS" --hostname fixed-name -- sh -c 'hostname changed-name; echo status=$?; hostname'
	assert_line --regexp '^status=[1-9]'
	assert_line fixed-name
	refute_line changed-name
}

# bats test_tags=points:1
@test "a kernel module cannot be loaded: insmod fails with 'Operation not permitted'" {
	hint "init_module, finit_module and delete_module are on the deny-list (EPERM), and CAP_SYS_MODULE must be dropped (init_module(2), capabilities(7))"
	# Junk, not a module: even a runtime that allowed it would only get "invalid module format".
	run ctr run --rootfs "$ROOTFS" -- sh -c 'echo junk >/dev/shm/x.ko; insmod /dev/shm/x.ko 2>&1; echo status=$?'
	assert_line --regexp '^status=[1-9]'
	assert_output --partial "not permitted"
}

# bats test_tags=points:1
@test "the clock cannot be set: date -s fails with 'Operation not permitted'" {
	hint "settimeofday and clock_settime are on the deny-list, and CAP_SYS_TIME must be dropped: the clock is not namespaced, a container that sets it sets the host's (settimeofday(2), capabilities(7))"
	# Only "set" the clock if the container lacks CAP_SYS_TIME (bit 25): then the kernel refuses
	# whatever the filter does. And even then, to the time it already is.
	run ctr run --rootfs "$ROOTFS" -- sh -c '
		eff=$(awk "/^CapEff/ { print \$2 }" /proc/self/status)
		if [ $(( (0x$eff >> 25) & 1 )) = 1 ]; then echo "still has CAP_SYS_TIME: not trying"; exit 0; fi
		date -s "@$(date +%s)" 2>&1'
	assert_output --partial "not permitted"
}

# ---- /proc (and /sys) ----

# bats test_tags=points:2
@test "/proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus are read-only inside" {
	local paths
	paths=$(readonly_proc_paths | tr '\n' ' ')
	hint "bind-mount each path onto itself, then remount that bind mount with MS_BIND|MS_REMOUNT|MS_RDONLY: the first bind ignores MS_RDONLY (mount(2), 'Creating a bind mount'). The seccomp filter cannot protect files: writes to them act on the host's kernel"
	check_proc_readonly --rootfs "$ROOTFS"
}

# bats test_tags=points:1
@test "/proc/sys and friends are read-only without --rootfs too" {
	local paths
	paths=$(readonly_proc_paths | tr '\n' ' ')
	hint "security_harden_proc() runs after /proc is mounted, with or without --rootfs: harden the new /proc, never the host's (proc(5))"
	check_proc_readonly
}

# bats test_tags=points:1
@test "/sys is read-only inside, as in stage 3" {
	hint "stage 3 mounts /sys read-only (MS_RDONLY on the sysfs mount in rootfs_enter): the hardened container relies on it (sysfs(5))"
	run -0 ctr run --rootfs "$ROOTFS" -- probe-writable /sys/kernel /sys/fs
	expect /sys/kernel=EROFS /sys/fs=EROFS
}

# bats test_tags=points:2
@test "/proc/kcore, /proc/keys and /proc/timer_list read as empty inside, with and without --rootfs" {
	hint "bind-mount /dev/null over each of them (skip those this kernel does not have): they leak the host's memory, keys and timers (mount(2), 'Creating a bind mount')"
	check_proc_masked --rootfs "$ROOTFS"
	check_proc_masked
}

# ---- ordinary work still works ----

# bats test_tags=points:2
@test "ordinary work: a shell script with pipes, subshells and jobs, ps and top -b -n1" {
	hint "a filter that breaks ordinary programs is too broad: check the argument rules (clone flags, chmod modes, ioctl requests) match only what the contract lists (seccomp_rule_add(3))"
	run -0 ctr run --rootfs "$ROOTFS" -- sh -c '
		set -e
		n=$(for i in 1 2 3; do echo $i; done | wc -l); [ "$n" -eq 3 ]
		x=$( (echo sub) ); [ "$x" = sub ]
		sleep 0.1 & wait $!
		echo data >/dev/shm/t; grep -q data /dev/shm/t; chmod 600 /dev/shm/t
		ps | grep -q "^ *1 "
		top -b -n1 | grep -q "^Mem:"
		echo all-ok'
	assert_line all-ok
}

# http_get_has HOST PORT TEXT: GET / from HOST:PORT (bash's /dev/tcp, no client needed) and
# find TEXT in the answer.
http_get_has() {
	timeout 3 bash -c 'exec 5<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\r\n\r\n" >&5 && cat <&5' \
		_ "$1" "$2" 2>/dev/null | grep -q "$3"
}

# bats test_tags=points:1
@test "httpd inside serves a page over --net" {
	requires sandbox
	hint "a web server needs socket, bind, listen, accept, fork: none may be blocked (and --net is stage 5; socket(2))"
	ctr_bg run --rootfs "$ROOTFS" --net 10.206.1.2/24 -- sh -c '
		trap "exit 0" TERM
		mkdir -p /dev/shm/www && echo hello-from-httpd >/dev/shm/www/index.html
		httpd -f -p 8080 -h /dev/shm/www & echo ready; wait'
	wait_output '^ready$'
	wait_for "the page at http://10.206.1.2:8080/" \
		http_get_has 10.206.1.2 8080 hello-from-httpd
	kill -TERM "$CTR_PID"
	ctr_wait
}
