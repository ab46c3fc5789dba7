#!/usr/bin/env bats
# Stage 2 — PID namespace, private mount namespace and a fresh /proc
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): COMMAND is
# PID 1 of a new PID namespace, /proc inside is a proc of that namespace, the grader's mounts are
# never changed, and nothing the container started outlives it.
#
# These tests run without --rootfs: the container sees the grader's file tree, so the probes are
# run from $PROBES and the tests synchronise with the container through files in
# $BATS_TEST_TMPDIR.

load helpers

setup() {
	common_setup
	# A script whose path is unique to this test: its processes can be found (pgrep -f) and
	# killed without touching anything else. It loops, so that killing it leaves no orphan.
	LINGERER=$BATS_TEST_TMPDIR/lingerer
	printf '#!/bin/sh\nwhile :; do sleep 1; done\n' >"$LINGERER"
	chmod 755 "$LINGERER"
	GO=$BATS_TEST_TMPDIR/go
}

teardown() {
	local p kids lingering
	# A runtime without a PID namespace leaves lingerers behind: kill them by pid, each with the
	# `sleep 1` it waits for (stopped first, so that it starts no other; a sleep left behind
	# would show as a leak of its own for up to a second).
	lingering=$(pgrep -f "^/bin/sh $LINGERER\$" 2>/dev/null) || true
	for p in $lingering; do
		kill -STOP "$p" 2>/dev/null
	done
	for p in $lingering; do
		kids=$(cat "/proc/$p/task/"*/children 2>/dev/null) || true
		# shellcheck disable=SC2086 # one pid per word
		kill -KILL "$p" $kids 2>/dev/null
	done
	common_teardown
}

# lingerers: how many processes run $LINGERER (the runtime and the shell that started them
# have the path in their command lines too: match the script's own command line only).
lingerers() {
	pgrep -fc "^/bin/sh $LINGERER\$" 2>/dev/null || true
}

# lingerers_are N: exactly N processes run $LINGERER (for wait_for, which polls it).
lingerers_are() {
	[ "$(lingerers)" = "$1" ]
}

# wait_dead DESCRIPTION CMD...: wait_for, for processes to die once what kills them (the end of
# their runtime) has happened: a SIGKILLed process is gone in milliseconds, so 3 s is ample even
# on a loaded machine, and a runtime without the kill fails in 3 s, not 10.
wait_dead() {
	WAIT_TIMEOUT=3 wait_for "$@"
}

# gone PID: PID has ended: it is a zombie, or not there at all (kill -0 succeeds on a zombie).
gone() {
	_read_stat "$1" || return 0
	[[ $_ST == [ZX] ]]
}

# no_lingerers_after WHAT: once PID 1 of a PID namespace has ended (WHAT), the other processes
# in it are gone already: the kernel SIGKILLs them and waits until they are reaped before PID 1's
# own end completes (pid_namespaces(7); zap_pid_ns_processes in the kernel), and the runtime
# learns of COMMAND's end only after that. So there is nothing to wait for: any process still
# there outlived its PID 1 for good, because there was no PID namespace.
no_lingerers_after() {
	local n
	n=$(lingerers)
	[ "$n" = 0 ] || fail_with "$n process(es) COMMAND started were still running after $1"
}

# A container that waits for the test to create $GO, polling (COMMAND must be ready to be told).
WAIT_GO='until [ -e "$0" ]; do sleep 0.05; done'

# ---- PID 1 ----

# bats test_tags=points:3
@test "COMMAND is PID 1, with no parent, in a PID namespace of its own" {
	hint "pass CLONE_NEWPID to clone(2) (pid_clone_flags): the child is then PID 1 of a new PID namespace and getppid() is 0 there (pid_namespaces(7))"
	run -0 ctr run -- "$PROBES/probe-pidinfo"
	assert_output "pid=1 ppid=0"
	run -0 ctr run -- sh -c 'echo $$'
	assert_output 1
}

# "Small": below 100. The namespace holds COMMAND (PID 1) and what it starts; a runtime may have
# had a process or two in it before COMMAND's exec, but not a hundred.
# bats test_tags=points:2
@test "a process COMMAND starts gets a small PID and COMMAND as parent" {
	hint "the container's processes are numbered in its own PID namespace, from 1 (CLONE_NEWPID, pid_namespaces(7))"
	run -0 ctr run -- sh -c "'$PROBES/probe-pidinfo'; exit 0"
	assert_output --regexp '^pid=([2-9]|[1-9][0-9]) ppid=1$'
}

# bats test_tags=points:1
@test "the PID and mount namespaces differ from the grader's" {
	hint "clone(2) needs CLONE_NEWPID and CLONE_NEWNS (pid_clone_flags), and /proc must be the container's for /proc/self to be COMMAND (namespaces(7))"
	run -0 ctr run -- readlink /proc/self/ns/pid /proc/self/ns/mnt
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" '^pid:\[[0-9]+\]$'
	assert_regex "${lines[1]}" '^mnt:\[[0-9]+\]$'
	assert_not_equal "${lines[0]}" "$(readlink /proc/self/ns/pid)"
	assert_not_equal "${lines[1]}" "$(readlink /proc/self/ns/mnt)"
}

# bats test_tags=points:3
@test "the grader sees COMMAND under its global PID, and NSpid shows both numbers" {
	local init inner child outer c
	ctr_bg run -- sh -c "sleep 1000 & echo ready \$\$ \$!; $WAIT_GO; kill \$!" "$GO"
	wait_output '^ready '
	read -r _ inner child <"$CTR_OUT"
	init=$(ctr_init_pid)
	hint "COMMAND must be PID 1 inside (CLONE_NEWPID) while the grader sees it under its own pid; NSpid in /proc/PID/status lists the pid in each namespace, outermost first (proc(5))"
	assert_equal "$inner" 1
	assert_not_equal "$init" 1
	run -0 grep '^NSpid:' "/proc/$init/status"
	assert_output "$(printf 'NSpid:\t%s\t1' "$init")"
	# The sleep, as the grader sees it: the child of COMMAND whose NSpid ends in the inner pid
	# the shell printed (COMMAND's other children come and go: its polling sleeps).
	outer=""
	# shellcheck disable=SC2013 # the file holds pids separated by spaces
	for c in $(cat "/proc/$init/task/"*/children); do
		if grep -qE "^NSpid:[[:space:]]+${c}[[:space:]]+${child}\$" "/proc/$c/status" 2>/dev/null; then
			outer=$c
		fi
	done
	[ -n "$outer" ] || fail_with "no child of COMMAND (pid $init) has 'NSpid: <its pid> $child' in /proc/<pid>/status (the sleep the container started as pid $child)"
	touch "$GO"
	ctr_wait
	assert_equal "$status" 0
}

# ---- /proc ----

# Relies on: nothing but COMMAND in its PID namespace when it starts (the contract makes COMMAND
# PID 1; a runtime's helpers, if any, stay in the grader's namespace).
# bats test_tags=points:3
@test "ps inside lists only the container's processes" {
	requires tool:ps
	hint "/proc inside still shows the grader's processes: mount a new proc on /proc in the child, after it is in the new PID namespace (proc_remount, CLONE_NEWPID; pid_namespaces(7), '/proc and PID namespaces')"
	run -0 ctr run -- ps -e -o pid=
	[[ $output =~ ^\ *1$ ]] || hint_proc
	assert_output --regexp '^ *1$'
	run -0 ctr run -- find /proc -maxdepth 1 -name '[0-9]*'
	[ "$output" = /proc/1 ] || hint_proc
	assert_output /proc/1
}

# hint_proc: the container's /proc lists more than COMMAND: tell the two causes apart. NSpid of
# /proc/self/status, read inside, has two numbers ending in 1 when COMMAND is PID 1 of a new PID
# namespace, even through the grader's proc; then only the fresh proc is missing.
hint_proc() {
	local nspid
	nspid=$(ctr run -- grep '^NSpid:' /proc/self/status 2>/dev/null) || return 0
	if [[ $nspid =~ ^NSpid:[[:space:]]+[0-9]+[[:space:]]+1$ ]]; then
		hint "COMMAND is PID 1 of a new PID namespace, but its /proc is the grader's (it lists the grader's processes): mount a new proc on /proc from inside that namespace (proc_remount; pid_namespaces(7), '/proc and PID namespaces')"
	else
		hint "COMMAND is in the grader's PID namespace ('$nspid' has one number): pass CLONE_NEWPID to clone(2) (pid_clone_flags; pid_namespaces(7))"
	fi
}

# bats test_tags=points:2
@test "/proc/self inside is COMMAND itself" {
	hint "/proc/self resolves in the PID namespace of the proc that was mounted: a proc mounted by the host names the global pid. Mount a fresh proc from inside the new PID namespace (proc_remount; pid_namespaces(7), '/proc and PID namespaces')"
	run -0 ctr run -- readlink /proc/self
	assert_output 1
	run -0 ctr run -- grep '^NSpid:' /proc/self/status
	assert_output "$(printf 'NSpid:\t1')"
}

# bats test_tags=points:4
@test "the grader's /proc and mount table are unchanged while the container runs and after" {
	requires sandbox
	local before
	before=$(cat /proc/self/mountinfo)
	ctr_bg run -- sh -c "echo ready; $WAIT_GO" "$GO"
	wait_output '^ready$'
	hint "a mount made in the container reached the grader: is CLONE_NEWNS in the clone flags, and is / made private with MS_REC|MS_PRIVATE before any mount (mounts_make_private)? On a host where / is shared, a new mount namespace is a peer of the old one (mount_namespaces(7), 'Shared subtrees')"
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	# Our own proc still shows us: a proc of the container's PID namespace would not.
	[ -r "/proc/$$/status" ] || fail_with "/proc/$$ (the grader's shell) vanished from the grader's /proc while the container ran"
	touch "$GO"
	ctr_wait
	assert_equal "$status" 0
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

# ---- nothing outlives the container ----

# bats test_tags=points:3
@test "what COMMAND leaves running dies when COMMAND exits" {
	requires tool:pgrep
	hint "processes of the container outlived COMMAND: when PID 1 of a PID namespace exits, the kernel kills every other process in it — but only if there is a new PID namespace (CLONE_NEWPID; pid_namespaces(7))"
	run -0 ctr run -- sh -c "'$LINGERER' >/dev/null 2>&1 </dev/null & '$LINGERER' >/dev/null 2>&1 </dev/null & echo started"
	assert_output started
	no_lingerers_after "the runtime returned"
}

# bats test_tags=points:3
@test "SIGKILL to the runtime takes the whole container down" {
	requires tool:pgrep
	local init
	ctr_bg run -- sh -c "'$LINGERER' & '$LINGERER' & echo ready; wait"
	wait_output '^ready$'
	init=$(ctr_init_pid)
	wait_for "the container's two background processes" lingerers_are 2
	kill -KILL "$CTR_PID"
	ctr_wait
	hint "the runtime's death kills COMMAND (PR_SET_PDEATHSIG), and COMMAND's death kills the rest only if COMMAND is PID 1 of its own PID namespace (CLONE_NEWPID; pid_namespaces(7))"
	wait_dead "COMMAND (pid $init) to die with the runtime" gone "$init"
	no_lingerers_after "COMMAND (pid $init) died"
}

# bats test_tags=points:2
@test "SIGKILL from the grader to COMMAND: status 137, and its children die too" {
	requires tool:pgrep
	local init
	ctr_bg run -- sh -c "'$LINGERER' & echo ready; wait"
	wait_output '^ready$'
	init=$(ctr_init_pid)
	wait_for "the container's background process" lingerers_are 1
	kill -KILL "$init"
	ctr_wait
	hint "COMMAND killed by signal N gives 128 + N (container_wait), and the rest of the container dies with its PID 1 (CLONE_NEWPID, pid_namespaces(7))"
	hint_status "$status" 137 "$(cat "$CTR_OUT")"
	assert_equal "$status" 137
	no_lingerers_after "the runtime reported COMMAND's end"
}

# ---- signals reach PID 1 ----

# bats test_tags=points:2
@test "SIGINT and SIGHUP sent to the runtime reach COMMAND, PID 1, whose traps run" {
	ctr_bg run -- sh -c '
		trap "echo got-INT" INT
		trap "echo got-HUP; kill \$p; exit 4" HUP
		sleep 1000 & p=$!
		echo ready $$
		while :; do wait $p; done'
	wait_output '^ready [0-9]+$'
	hint "COMMAND must be PID 1 of a PID namespace of its own (CLONE_NEWPID, pid_namespaces(7))"
	grep -q '^ready 1$' "$CTR_OUT" || fail_with "COMMAND is not PID 1: it printed '$(head -1 "$CTR_OUT")'"
	kill -INT "$CTR_PID"
	wait_output '^got-INT$'
	kill -HUP "$CTR_PID"
	ctr_wait
	hint "the runtime forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to COMMAND; PID 1 gets only the signals it has a handler for, and a shell's trap is one (pid_namespaces(7), 'The namespace init process')"
	hint_status "$status" 4 "$(cat "$CTR_OUT")"
	assert_equal "$status" 4
	run grep -c '^got-HUP$' "$CTR_OUT"
	assert_output 1
}
