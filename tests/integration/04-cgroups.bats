#!/usr/bin/env bats
# Stage 4 — a cgroup per container: --pids-limit, --memory, --cpus; nothing left behind
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): no test
# knows the name or place of the container's cgroup. It is found from outside, the way an admin
# would: /proc/PID/cgroup of the container's processes gives its path in each hierarchy, and
# /proc/self/mountinfo says where that hierarchy is mounted (v1: the "cgroup" mount whose options
# name the controller; v2, or a controller not on v1: the cgroup2 mount). So the same tests run
# on v1, hybrid and v2 hosts. Limits are checked by what they do (a fork bomb, an OOM kill, CPU
# time), and the probes that do it live in the busybox rootfs (rootfs-builder/probes/).

load helpers
load startup-kill

setup() {
	common_setup
	requires root
}

# ---- finding a process's cgroup from outside ----

# cgroup_path and hierarchy_mount: tests/integration/helpers.bash (stage 7 uses them too).

# cgroup_dir PID CONTROLLER: the directory of PID's cgroup for CONTROLLER.
cgroup_dir() {
	local path
	path=$(cgroup_path "$2" <"/proc/$1/cgroup") || return 1
	echo "$(hierarchy_mount "$2")$path"
}

# own_cgroups PID: check that PID is, for pids, memory and cpu, in a cgroup other than the
# grader's own, and that its directory exists; the directories go into CG_DIRS.
own_cgroups() {
	local c mine theirs dir
	CG_DIRS=()
	for c in pids memory cpu; do
		mine=$(cgroup_path "$c" <"/proc/$$/cgroup")
		theirs=$(cgroup_path "$c" <"/proc/$1/cgroup")
		[ "$theirs" != "$mine" ] ||
			fail_with "the container (pid $1) is in the grader's own $c cgroup '$mine': it got no cgroup of its own (/proc/$1/cgroup: $(tr '\n' ' ' <"/proc/$1/cgroup"))"
		dir=$(hierarchy_mount "$c")$theirs
		[ -d "$dir" ] || fail_with "the container's $c cgroup $dir is not a directory"
		CG_DIRS+=("$dir")
	done
}

# all_gone: every directory in CG_DIRS has been removed (waits for it).
all_gone() {
	local d
	for d in "${CG_DIRS[@]}"; do
		wait_for "the container's cgroup $d to be removed" test ! -d "$d"
	done
}

# ---- the container's cgroup ----

# Relies on: "a cgroup of its own" means, on a v1 or hybrid host, one in each of the pids, memory
# and cpu hierarchies, limits or not (the contract's stage 4; on v2 they are one directory).
# bats test_tags=points:3
@test "COMMAND runs in a cgroup of its own (pids, memory, cpu), removed when it exits" {
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'"
	wait_output '^ready$'
	hint "create the cgroup in cgroup_create, and write the child's pid into cgroup.procs of each directory in cgroup_add (cgroups(7))"
	own_cgroups "$(ctr_init_pid)"
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
	assert_equal "$status" 0
	hint "cgroup_destroy must rmdir(2) every directory cgroup_create made"
	all_gone
}

# bats test_tags=points:1
@test "processes that COMMAND forks are in the same cgroup" {
	local init kid
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run -- sh -c "sleep 1000 & echo ready; read x < '$BATS_TEST_TMPDIR/go'; kill \$!"
	wait_output '^ready$'
	init=$(ctr_init_pid)
	hint "a child inherits its parent's cgroups: move the container's first process before it runs COMMAND, and it takes all its descendants along (cgroups(7), 'Creating cgroups and moving processes')"
	own_cgroups "$init"
	kid=$(_children "$init" | awk '{print $1}')
	[ -n "$kid" ] || fail_with "COMMAND (pid $init) has no child, though it started sleep"
	assert_equal "$(cat "/proc/$kid/cgroup")" "$(cat "/proc/$init/cgroup")"
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
}

# bats test_tags=points:3
@test "the very first instructions of COMMAND run in the container's cgroup" {
	local rootfs_arg c out
	requires rootfs
	hint "the child must be in the cgroup before it is released to exec COMMAND: cgroup_add runs in the parent while the child waits on the release pipe (cgroups(7), pipe(2))"
	for rootfs_arg in "" "--rootfs=$ROOTFS"; do
		run -0 ctr run ${rootfs_arg:+"$rootfs_arg"} -- cat /proc/self/cgroup
		out=$output
		for c in pids memory cpu; do
			[ "$(cgroup_path $c <<<"$out")" != "$(cgroup_path $c <"/proc/$$/cgroup")" ] ||
				fail_with "cat /proc/self/cgroup ${rootfs_arg:-without --rootfs} shows the grader's own $c cgroup: $(tr '\n' ' ' <<<"$out")"
		done
	done
}

# bats test_tags=points:2
@test "two containers at once get two different cgroups" {
	local a b
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'"
	a=$CTR_PID
	wait_output '^ready$'
	ctr_bg run -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'"
	b=$CTR_PID
	hint "name each container's cgroup after the name cgroup_create is given (unique per runtime): a fixed name makes the second mkdir fail with EEXIST (mkdir(2))"
	wait_output '^ready$'
	assert_not_equal "$(cat "/proc/$(ctr_init_pid "$a")/cgroup")" \
		"$(cat "/proc/$(ctr_init_pid "$b")/cgroup")"
	echo go go >"$BATS_TEST_TMPDIR/go"
	ctr_wait "$a"
	ctr_wait "$b"
}

# ---- --pids-limit ----

# bats test_tags=points:4
@test "--pids-limit 20: a fork bomb inside is stopped by EAGAIN at 20 tasks" {
	local forks
	requires rootfs
	hint "write the limit to pids.max in the container's cgroup (v1: in the pids hierarchy), and move the child in before it runs (cgroups(7): 'pids')"
	run -0 ctr run --rootfs "$ROOTFS" --pids-limit 20 -- probe-forkbomb
	assert_output --regexp '^forks=[0-9]+ eagain=1 errno=EAGAIN$'
	forks=$(sed -n 's/^forks=\([0-9]*\).*/\1/p' <<<"$output")
	# COMMAND is PID 1 and the only other process: 1 + forks tasks, and the limit is 20. Down to
	# 15: a runtime may keep a few processes of its own in the cgroup (a helper on its way out).
	[ "$forks" -le 19 ] && [ "$forks" -ge 15 ] ||
		fail_with "the probe made $forks children besides itself; with --pids-limit 20 it should make 19 (at most 20 tasks)"
}

# bats test_tags=points:3
@test "a held fork bomb never has more than 20 tasks, the host can still fork, and it can be ended" {
	local dir n
	requires rootfs
	ctr_bg run --rootfs "$ROOTFS" --pids-limit 20 -- probe-forkbomb --hold
	wait_output '^forks='
	own_cgroups "$(ctr_init_pid)"
	dir=${CG_DIRS[0]}
	hint "pids.max must be set before the first process of the container can fork (cgroups(7): the pids controller)"
	for _ in $(seq 20); do
		n=$(grep -c . "$dir/cgroup.procs")
		[ "$n" -le 20 ] || fail_with "$n processes in the container's cgroup $dir with --pids-limit 20"
	done
	hint "the grader could not fork while the container was at its limit: was the limit set on the grader's cgroup instead of the container's? (cgroups(7))"
	run -0 sh -c 'true & wait'
	kill -TERM "$CTR_PID"
	ctr_wait
	hint "SIGTERM sent to the runtime must reach COMMAND, and the cgroup must go when the container ends (sigaction(2), rmdir(2))"
	assert_equal "$status" 0
	all_gone
}

# ---- --memory ----

# bats test_tags=points:3
@test "--memory 32M: a process that touches 64 MiB is OOM-killed (137)" {
	requires rootfs
	hint "write the limit to memory.max (v2) or memory.limit_in_bytes (v1) of the container's cgroup; 137 is 128 + SIGKILL, the OOM killer's signal (cgroups(7))"
	run ctr run --rootfs "$ROOTFS" --memory 32M -- probe-mem 64
	refute_output --partial "touched=64"
	hint_status "$status" 137 "$output"
	assert_equal "$status" 137
}

# bats test_tags=points:2
@test "--memory 32M: a process that touches 16 MiB runs to the end" {
	requires rootfs
	hint "the limit is in bytes: 32M is 33554432 (a unit mistake makes it far too small; cgroups(7))"
	run -0 ctr run --rootfs "$ROOTFS" --memory 32M -- probe-mem 16
	assert_output "touched=16"
}

# bats test_tags=points:1
@test "--memory grants no swap beyond the limit" {
	local dir mem
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run --memory 32M -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'"
	wait_output '^ready$'
	own_cgroups "$(ctr_init_pid)"
	dir=${CG_DIRS[1]}
	hint "v2: write 0 to memory.swap.max; v1: write the limit to memory.memsw.limit_in_bytes too, after memory.limit_in_bytes (cgroups(7))"
	if [ -e "$dir/memory.swap.max" ]; then
		assert_equal "$(cat "$dir/memory.swap.max")" 0
	elif [ -e "$dir/memory.memsw.limit_in_bytes" ]; then
		mem=$(cat "$dir/memory.limit_in_bytes")
		assert_equal "$mem" 33554432
		assert_equal "$(cat "$dir/memory.memsw.limit_in_bytes")" "$mem"
	else
		echo go >"$BATS_TEST_TMPDIR/go"
		ctr_wait
		skip "this host does not account swap (no memory.swap.max or memory.memsw.*)"
	fi
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
}

# bats test_tags=points:2
@test "after an OOM kill the container's cgroup is removed" {
	requires rootfs
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run --memory 32M -- sh -c "echo ready; read x < '$BATS_TEST_TMPDIR/go'; exec '$PROBES/probe-mem' 64"
	wait_output '^ready$'
	own_cgroups "$(ctr_init_pid)"
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
	hint "an OOM kill is 128 + 9, and the cgroup is removed as after any other end (rmdir(2) once the cgroup is empty)"
	hint_status "$status" 137 "$(cat "$CTR_OUT")"
	assert_equal "$status" 137
	all_gone
}

# ---- --cpus ----

# burn ARGS...: run probe-burn for 1.5 s of wall time in a container started with ARGS; its
# cpu/wall ratio goes into RATIO, its cpu cgroup's directory into CPU_DIR, that cgroup's
# bandwidth into BANDWIDTH (see cpu_bandwidth), and into THROTTLED the number of periods in which
# the kernel throttled it (nr_throttled in its cpu.stat; empty if the cgroup has no CPU bandwidth
# control at all). Both are read once the burn is done, while the container still exists.
burn() {
	mkfifo "$BATS_TEST_TMPDIR/go"
	ctr_bg run "$@" -- sh -c "'$PROBES/probe-burn' 1.5; read x < '$BATS_TEST_TMPDIR/go'"
	wait_output '^wall_ms='
	CPU_DIR=$(cgroup_dir "$(ctr_init_pid)" cpu)
	THROTTLED=$(awk '$1 == "nr_throttled" { print $2 }' "$CPU_DIR/cpu.stat" 2>/dev/null)
	BANDWIDTH=$(cpu_bandwidth "$CPU_DIR")
	echo go >"$BATS_TEST_TMPDIR/go"
	ctr_wait
	assert_equal "$status" 0
	RATIO=$(sed -n 's/^wall_ms=[0-9]* cpu_ms=[0-9]* ratio=\([0-9.]*\)$/\1/p' "$CTR_OUT")
	[ -n "$RATIO" ] || fail_with "probe-burn printed no ratio: $(cat "$CTR_OUT")"
}

# cpu_bandwidth DIR: the CPU bandwidth of the cgroup at DIR as "QUOTA PERIOD" in microseconds
# ("max PERIOD" when unlimited): v2's cpu.max, or v1's cpu.cfs_quota_us and cpu.cfs_period_us.
cpu_bandwidth() {
	if [ -e "$1/cpu.max" ]; then
		cat "$1/cpu.max"
	elif [ -e "$1/cpu.cfs_quota_us" ]; then
		echo "$(sed 's/^-1$/max/' "$1/cpu.cfs_quota_us") $(cat "$1/cpu.cfs_period_us")"
	else
		echo "none"
	fi
}

# Timing alone cannot grade a quota on a shared machine: other load also keeps a busy loop under
# a quarter of a CPU, and under enough load a loop never even reaches its quota (so the kernel
# never throttles it). So the tests combine what the contract says the quota is (X x 100000 us
# per 100000 us, read from the container's own cgroup) with what the loop got: at most 0.40 of
# a CPU, a generous bound over 1.5 s (15 periods of 100 ms, 0.25 plus the first period's slack,
# on a 2-core CI machine). Without --cpus, "not throttled" is the kernel's own count, which does
# not depend on load: nr_throttled in cpu.stat stays 0.

# bats test_tags=points:3
@test "--cpus 0.25: a quota of 25000 us per 100000 us holds a busy loop to at most 0.40 of a CPU" {
	requires rootfs
	hint "v2: write '25000 100000' to cpu.max; v1: 100000 to cpu.cfs_period_us, then 25000 to cpu.cfs_quota_us, in the container's own cpu cgroup (Documentation/scheduler/sched-bwc.rst; cgroups(7))"
	burn --cpus 0.25
	[ "$CPU_DIR" != "$(cgroup_dir $$ cpu)" ] ||
		fail_with "the container ran in the grader's own cpu cgroup $CPU_DIR: it got no cpu cgroup of its own"
	assert_equal "$BANDWIDTH" "25000 100000"
	awk -v r="$RATIO" 'BEGIN { exit !(r <= 0.40) }' ||
		fail_with "with --cpus 0.25 the busy loop used $RATIO of a CPU (expected at most 0.40)"
}

# bats test_tags=points:1
@test "without --cpus a busy loop is not throttled" {
	requires rootfs
	hint "write a CPU quota only when --cpus is given (cgroups(7))"
	burn
	[ "${THROTTLED:-0}" -eq 0 ] ||
		fail_with "without --cpus the kernel throttled the container $THROTTLED times (nr_throttled in $CPU_DIR/cpu.stat, bandwidth $BANDWIDTH; ratio $RATIO)"
}

# ---- nothing left behind ----

# bats test_tags=points:2
@test "after SIGKILL to the runtime, the container dies and its cgroup is removed" {
	local init
	ctr_bg run -- sh -c 'echo ready; exec sleep 1000'
	wait_output '^ready$'
	init=$(ctr_init_pid)
	own_cgroups "$init"
	kill -KILL "$CTR_PID"
	ctr_wait
	hint "nothing may outlive the runtime: the cleanup guard calls cgroup_destroy, which must kill what is left and retry rmdir(2) while the dying processes leave the cgroup (EBUSY)"
	wait_for "the container's first process (pid $init) to die" eval "! kill -0 $init 2>/dev/null"
	all_gone
}

# cgroup_tree: every cgroup directory of the machine, one a line.
cgroup_tree() {
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null || : # other gradings' cgroups come and go meanwhile
}

# bats test_tags=points:2
@test "after SIGKILL during start-up, once its cgroup exists, the cgroup is removed all the same" {
	hint "a runtime killed between making the cgroup and exec must still have it removed: the cleanup guard must exist BEFORE the first mkdir(2), and each directory be recorded in cg->dirs before it is made (a record written after the mkdir comes too late for a SIGKILL in between)"
	startup_kill cgroup_tree run --pids-limit 20 --memory 64M --cpus 0.5
}

# bats test_tags=points:1
@test "a failed start leaves no cgroup behind (127, 126, missing rootfs)" {
	echo "just text" >"$BATS_TEST_TMPDIR/not-executable"
	chmod 644 "$BATS_TEST_TMPDIR/not-executable"
	hint "on every failure path, cgroup_destroy must remove what cgroup_create made (the teardown checks the cgroup tree; rmdir(2))"
	run ctr run --pids-limit 5 --memory 16M --cpus 0.5 -- no-such-command-xyz
	hint_status "$status" 127 "$output"
	assert_equal "$status" 127
	run ctr run --pids-limit 5 --memory 16M --cpus 0.5 -- "$BATS_TEST_TMPDIR/not-executable"
	hint_status "$status" 126 "$output"
	assert_equal "$status" 126
	run ctr run --rootfs /nonexistent-rootfs --pids-limit 5 -- true
	hint_status "$status" 125 "$output"
	assert_equal "$status" 125
	# The hygiene check in teardown compares the whole cgroup tree with the one before the test.
}

# bats test_tags=points:2
@test "bad limits exit 125 with one 'container: ' line: --memory 12Q/1K, --cpus 0/abc, --pids-limit 0" {
	local bad
	hint "refuse bad values before anything is created; --memory is at least 4M, --cpus above 0, --pids-limit at least 1 (the contract; strtoul(3))"
	for bad in "--memory 12Q" "--memory 1K" "--memory -4M" "--cpus 0" "--cpus abc" "--cpus -1" \
		"--pids-limit 0" "--pids-limit -3" "--pids-limit x"; do
		# shellcheck disable=SC2086 # option and value, split on purpose
		check_usage_error run $bad -- true
	done
}
