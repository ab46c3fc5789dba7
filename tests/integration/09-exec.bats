#!/usr/bin/env bats
# Stage 9 — exec into a running container (setns), ps and kill
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): `run
# --name`, `exec`, `ps`, `kill`, and what can be seen from outside (/proc/PID/ns/*, /proc/PID/
# cgroup, /proc/PID/status). The runtime's record of its names is its own business: no test reads
# it or knows where it is; a stale record is made the only way a user makes one, by SIGKILLing
# a runtime.

load helpers

setup() {
	common_setup
	requires root rootfs
	# A name of this test's own. Names are global to the machine's runtimes (their records), and
	# gradings side by side each have a PID namespace of their own, where $$ is the same number:
	# a random number from getrandom(2) keeps two gradings' names apart.
	NAME=t$BATS_TEST_NUMBER-$SRANDOM
	STARTED=()
}

# Each named container still running is ended with `kill` (its runtime then cleans up and
# exits 137); common_teardown stops whatever else runs (an unnamed or a rootless container)
# and checks for leaks. The rootless state directory goes last: its runtime may still use it.
teardown() {
	local n rc=0
	for n in "${STARTED[@]}"; do
		ctr kill "$n" >/dev/null 2>&1 || true
	done
	common_teardown || rc=$?
	[ -z "${XDG:-}" ] || rm -rf "$XDG"
	return $rc
}

# start NAME [RUN OPTIONS...] -- COMMAND...: `run --name NAME` in the background; returns once
# `ps` lists NAME, with $CTR_PID the runtime, $INIT the container's first process.
start() {
	local name=$1
	shift
	STARTED+=("$name")
	ctr_bg run --name "$name" "$@"
	wait_running "container ps to list $name" listed "$name"
	INIT=$(ctr_init_pid)
}

# listed NAME: `container ps` has a line for NAME.
listed() {
	ctr ps 2>/dev/null | awk -v n="$1" '$1 == n { found = 1 } END { exit !found }'
}

# descendants PID: every process below PID, children first.
descendants() {
	local c
	for c in $(_children "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# in_container PID REGEX: the host pid of the process of PID's PID namespace whose command line
# matches REGEX (not PID itself).
in_container() {
	local want p
	want=$(readlink "/proc/$1/ns/pid")
	for p in $(_snap_pids); do
		[ "$p" != "$1" ] && [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$want" ] &&
			[[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) =~ $2 ]] && { echo "$p"; return 0; }
	done
	return 1
}

# ns_of PID: "name=link" for each namespace of the contract's exec, one a line.
NS_TYPES=(ipc mnt net pid uts user)
ns_of() {
	local n
	for n in "${NS_TYPES[@]}"; do
		echo "$n=$(readlink "/proc/$1/ns/$n")"
	done
}

# status_field NAME: the value of NAME in $output, a copy of /proc/PID/status.
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$output"
}

# ---- what exec sees ----

# bats test_tags=points:3
@test "exec sees the container's hostname, a file it wrote, its eth0 address and its mount table" {
	local init_mounts
	fresh_rootfs
	start "$NAME" --rootfs "$RFS" --hostname exec-host --net 10.200.9.2/24 -- \
		sh -c 'echo written-inside > /tmp/note; echo ready; exec sleep 1000'
	wait_output '^ready$'
	hint "exec must join the container's UTS, mount and network namespaces (setns(2) on /proc/PID/ns/uts, mnt, net of the container's first process, or on a pidfd), mount last"
	run -0 ctr exec "$NAME" hostname
	assert_output exec-host
	run -0 ctr exec "$NAME" cat /tmp/note
	assert_output written-inside
	run -0 ctr exec "$NAME" ip -4 addr show eth0
	assert_output --partial 10.200.9.2/24
	# Mount ids and mount points, as the container's first process sees them.
	init_mounts=$(awk '{print $1, $5}' "/proc/$INIT/mountinfo")
	run -0 ctr exec "$NAME" cat /proc/self/mountinfo
	assert_equal "$(awk '{print $1, $5}' <<<"$output")" "$init_mounts"
}

# bats test_tags=points:2
@test "ps inside an exec shows the container's PID 1, and the exec'd process has a PID > 1" {
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "joining a PID namespace (setns CLONE_NEWPID) changes only where the CHILDREN go (/proc/self/ns/pid_for_children): exec must fork after joining, and the child runs COMMAND (setns(2))"
	run -0 ctr exec "$NAME" sh -c 'echo self=$$; ps -o pid,args'
	assert_line --regexp '^ *1 +sleep 1000$'
	[[ $(sed -n 's/^self=//p' <<<"$output") -gt 1 ]] ||
		fail_with "the exec'd process has PID $(sed -n 's/^self=//p' <<<"$output") inside, expected > 1"
}

# bats test_tags=points:3
@test "every namespace of the exec'd process is the container's first process's" {
	local want
	start "$NAME" --rootfs "$ROOTFS" --net 10.200.9.2/24 -- sleep 1000
	want=$(ns_of "$INIT")
	hint "join ${NS_TYPES[*]} of the container's first process (a missing one stays the host's); the user namespace only if it differs from yours (setns into your own is EINVAL; setns(2))"
	# The exec'd shell reads its own links: the grader's `readlink` would be another process.
	run -0 ctr exec "$NAME" sh -c 'for n in '"${NS_TYPES[*]}"'; do echo "$n=$(readlink /proc/$$/ns/$n)"; done'
	assert_equal "$output" "$want"
}

# bats test_tags=points:2
@test "the exec'd process is in the container's cgroup" {
	start "$NAME" --rootfs "$ROOTFS" --pids-limit 50 --memory 64M -- sleep 1000
	hint "write the exec'd process's pid to cgroup.procs of every cgroup of the container's first process (/proc/PID/cgroup names them), before it runs COMMAND, and from outside the container's mount namespace (cgroups(7))"
	run -0 ctr exec "$NAME" cat /proc/self/cgroup
	assert_equal "$output" "$(cat "/proc/$INIT/cgroup")"
}

# bats test_tags=points:2
@test "the exec'd process counts against --pids-limit" {
	start "$NAME" --rootfs "$ROOTFS" --pids-limit 3 -- sleep 1000
	hint "the exec'd process must be in the container's cgroup before it forks: 1 (sleep) + 1 (the exec'd sh) + 1 (its background sleep) is the limit of 3, so its next fork fails (cgroups(7))"
	# A fork under the limit works (the control); with a background sleep, the next one fails.
	# (The sleep must not hold our output pipe: `run` would wait for it.)
	run ctr exec "$NAME" sh -c '/bin/true && echo one-fork-ok; sleep 100 </dev/null >/dev/null 2>&1 & /bin/true && echo second-fork-ok; kill $!'
	assert_output --partial one-fork-ok
	refute_output --partial second-fork-ok
}

# bats test_tags=points:3
@test "the exec'd process is confined like the container's: CapBnd, CapEff, NoNewPrivs, Seccomp 2, a denied syscall" {
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "the exec'd process must go through the same security_apply() as run's COMMAND (capabilities, no_new_privs, the seccomp filter), last, after every setns (the filter denies setns; seccomp(2), setns(2))"
	run -0 ctr exec "$NAME" cat /proc/self/status
	assert_equal "CapBnd=$(status_field CapBnd) CapEff=$(status_field CapEff) CapPrm=$(status_field CapPrm) NoNewPrivs=$(status_field NoNewPrivs) Seccomp=$(status_field Seccomp)" \
		"CapBnd=00000000a00425fb CapEff=00000000a00425fb CapPrm=00000000a00425fb NoNewPrivs=1 Seccomp=2"
	run -0 ctr exec "$NAME" env TMPDIR=/dev/shm probe-syscalls keyctl unshare setns mount
	assert_equal "$(tr '\n' ' ' <<<"$output")" "keyctl=EPERM unshare=EPERM setns=EPERM mount=EPERM "
}

# bats test_tags=points:1
@test "the exec'd process gets the clean environment, with the container's hostname" {
	start "$NAME" --rootfs "$ROOTFS" --hostname envhost -- sleep 1000
	hint "the same environment as run's COMMAND: PATH, HOME=/root, HOSTNAME=<the container's hostname>, TERM if set; nothing else of the caller's (environ(7))"
	run -0 env -i FOO=leak TERM=xterm-test "$CONTAINER" exec "$NAME" env
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" \
		"HOME=/root HOSTNAME=envhost PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm-test "
}

# ---- streams, statuses, signals ----

# bats test_tags=points:2
@test "exit statuses pass through exec: 0, N, 126, 127, 128+N" {
	local got=""
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "exec reports its COMMAND's status as run does: its exit code, 128+N if signal N killed it, 127 not found, 126 not executable (with one 'container: ' line; waitpid(2))"
	run ctr exec "$NAME" true
	got+="$status "
	run ctr exec "$NAME" sh -c 'exit 42'
	got+="$status "
	run ctr exec "$NAME" /etc
	got+="$status "
	run ctr exec "$NAME" no-such-command
	got+="$status "
	run ctr exec "$NAME" sh -c 'kill -USR1 $$'
	got+="$status"
	# The first status that differs says most about the bug: explain that one.
	local want=(0 42 126 127 138) seen i=0
	for seen in $got; do
		[ "$seen" = "${want[i]}" ] || { hint_status "$seen" "${want[i]}"; break; }
		i=$((i + 1))
	done
	assert_equal "$got" "0 42 126 127 138"
}

# bats test_tags=points:1
@test "stdin and stdout pass through exec" {
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "the exec'd COMMAND gets exec's own stdin, stdout and stderr (execve(2))"
	run -0 bash -c 'printf "line one\nline two\n" | "$CONTAINER" exec "$1" -- sh -c "tr a-z A-Z; echo to-stderr >&2" 2>/dev/null' _ "$NAME"
	assert_equal "$output" $'LINE ONE\nLINE TWO'
}

# bats test_tags=points:2
@test "SIGTERM to exec reaches its COMMAND" {
	local run_pid
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	run_pid=$CTR_PID
	ctr_bg exec "$NAME" sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
	wait_output '^ready$'
	hint "exec forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT to its COMMAND, as run does (sigaction(2))"
	kill -TERM "$CTR_PID"
	ctr_wait
	assert_equal "$status" 7
	grep -q got-term "$CTR_OUT" || fail_with "COMMAND did not get the SIGTERM (output: $(cat "$CTR_OUT"))"
	kill -0 "$run_pid" || fail_with "the container itself ended"
}

# bats test_tags=points:2
@test "the exec'd process dies when the container's first process exits" {
	local run_pid exec_pid
	fresh_rootfs
	mkfifo "$RFS/go"
	start "$NAME" --rootfs "$RFS" -- sh -c 'read x < /go'
	run_pid=$CTR_PID
	ctr_bg exec "$NAME" sh -c 'echo ready; exec sleep 1000'
	exec_pid=$CTR_PID
	wait_output '^ready$'
	echo go >"$RFS/go"
	ctr_wait "$run_pid"
	assert_equal "$status" 0
	hint "the exec'd process must be in the container's PID namespace (fork after setns): when its PID 1 exits, the kernel kills every process in it (pid_namespaces(7))"
	wait_for "exec to end with the container" bash -c "! kill -0 $exec_pid 2>/dev/null"
	ctr_wait "$exec_pid"
	assert_equal "$status" 137
}

# bats test_tags=points:1
@test "SIGKILL to exec takes its COMMAND down, and the container keeps running" {
	local exec_pid cmd_pid
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	ctr_bg exec "$NAME" sh -c 'echo ready; exec sleep 1001'
	exec_pid=$CTR_PID
	wait_output '^ready$'
	wait_for "the exec'd sleep 1001 in the container" in_container "$INIT" '^sleep 1001'
	cmd_pid=$(in_container "$INIT" '^sleep 1001')
	kill -KILL "$exec_pid"
	hint "as the container dies with run, the exec'd process dies with exec, even if exec is SIGKILLed: PR_SET_PDEATHSIG in the exec'd child (nothing may outlive a grader's timeout; prctl(2))"
	wait_for "the exec'd process to die with its exec" bash -c "! kill -0 $cmd_pid 2>/dev/null"
	kill -0 "$INIT" || fail_with "the container died with the exec"
}

# ---- ps and kill ----

# bats test_tags=points:3
@test "ps lists exactly the running named containers, with the host PID of the first process" {
	local a=a-$NAME b=b-$NAME init_a init_b
	start "$a" --rootfs "$ROOTFS" -- sleep 1000
	init_a=$INIT
	start "$b" --rootfs "$ROOTFS" -- sleep 1001
	init_b=$INIT
	# Unnamed: never in ps. It ends on the TERM teardown sends (a sleep as PID 1 would ignore it,
	# and be SIGKILLed: not what this test is about).
	ctr_bg run --rootfs "$ROOTFS" -- sh -c 'trap "exit 0" TERM; sleep 1002 & wait'
	hint "ps prints 'NAME PID COMMAND' for each running named container, PID as the host sees the container's first process (proc(5))"
	run -0 ctr ps
	assert_equal "$(awk '{print $1, $2}' <<<"$output" | sort)" "$(printf '%s %s\n%s %s' "$a" "$init_a" "$b" "$init_b" | sort)"
	assert_line --regexp "^$a $init_a .*sleep 1000"
	run -0 ctr kill "$a"
	wait_for "$a to end" bash -c "! kill -0 $init_a 2>/dev/null"
	run -0 ctr ps
	assert_equal "$(awk '{print $1, $2}' <<<"$output")" "$b $init_b"
}

# bats test_tags=points:2
@test "kill NAME ends the container: its run exits 137" {
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "kill sends SIGKILL by default (as docker kill) to the container's first process (kill(2))"
	run -0 ctr kill "$NAME"
	ctr_wait
	assert_equal "$status" 137
	! listed "$NAME" || fail_with "ps still lists $NAME after its container ended"
}

# bats test_tags=points:2
@test "kill NAME TERM reaches a first process that traps TERM: its run exits 143" {
	start "$NAME" --rootfs "$ROOTFS" -- sh -c 'trap "exit 143" TERM; echo ready; while :; do sleep 0.05; done'
	wait_output '^ready$'
	hint "kill NAME SIGNAL takes names (TERM, SIGTERM) and numbers; PID 1 of a namespace gets only the signals it has a handler for (signal(7), pid_namespaces(7))"
	run -0 ctr kill "$NAME" TERM
	ctr_wait
	assert_equal "$status" 143
}

# ---- errors ----

# bats test_tags=points:1
@test "exec and kill of a name that is not running: 125 and one 'container: ' line" {
	hint "look the name up; not found is a usage error: exit 125 with one message (exit(3))"
	check_usage_error exec "$NAME" true
	check_usage_error kill "$NAME"
	check_usage_error kill "$NAME" TERM
}

# bats test_tags=points:2
@test "run --name with a running container's name: 125, and the running one is untouched" {
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	hint "check the name before creating anything; a name is taken while its container runs (kill(2))"
	check_usage_error run --name "$NAME" --rootfs "$ROOTFS" -- true
	kill -0 "$INIT" || fail_with "the first container died"
	run -0 ctr exec "$NAME" true
}

# bats test_tags=points:1
@test "bad names and bad signals are usage errors" {
	local n
	hint "a name is [a-z0-9][a-z0-9_.-]{0,62}; anything else is refused before anything is created (regex(7))"
	for n in "" Upper -dash .dot a/b "a b" ../x "$(printf 'a%.0s' {1..64})"; do
		check_usage_error run --name "$n" -- true
		check_usage_error exec "$n" true
	done
	check_usage_error kill "$NAME" NOSUCHSIGNAL
	check_usage_error exec "$NAME"
}

# bats test_tags=points:3
@test "after its runtime is SIGKILLed, the name is free, not in ps, and exec of it fails" {
	local other
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	kill -KILL "$CTR_PID"
	ctr_wait
	wait_for "the container to die with its runtime" bash -c "! kill -0 $INIT 2>/dev/null"
	# Other processes run meanwhile: a reused pid must never send exec into a stranger.
	start "other-$NAME" --rootfs "$ROOTFS" -- sleep 1001
	other=$INIT
	hint "the record of a SIGKILLed runtime stays behind: check on every read that the process it names is alive AND the same (its start time, or a pidfd), not just that its pid exists (pidfd_open(2), proc(5))"
	! listed "$NAME" || fail_with "ps lists $NAME, whose runtime was SIGKILLed: $(ctr ps)"
	check_usage_error exec "$NAME" true
	check_usage_error kill "$NAME"
	kill -0 "$other" || fail_with "kill of a dead name killed another container"
	run -0 ctr run --name "$NAME" --rootfs "$ROOTFS" -- echo name-reused
	assert_output name-reused
}

# bats test_tags=points:2
@test "a record left by a runtime killed with everything it started is stale: the name is free" {
	local victims
	start "$NAME" --rootfs "$ROOTFS" -- sleep 1000
	# SIGKILL to the runtime and every process below it (a kill -9 of the whole tree): no
	# cleanup of the runtime's may run, so whatever record it keeps stays behind. SIGSTOP first,
	# runtime first: a process that saw another die would otherwise clean up before its turn.
	kill -STOP "$CTR_PID"
	victims=$(descendants "$CTR_PID")
	# shellcheck disable=SC2086 # a list of pids
	kill -STOP $victims
	# shellcheck disable=SC2086
	kill -KILL "$CTR_PID" $victims
	ctr_wait
	wait_for "the container to be gone" bash -c "! kill -0 $INIT 2>/dev/null"
	# With its cleanup killed too, the runtime's cgroup stays: not what this test is about.
	# Remove the cgroups made since setup (deepest first); rmdir(2) refuses one in use.
	_new_cgroups | sort -r | while read -r c; do
		rmdir "$c" 2>/dev/null || true
	done
	start "other-$NAME" --rootfs "$ROOTFS" -- sleep 1001
	hint "never trust a record: on every read check that the runtime it names is alive AND the same process (pid + start time from /proc/PID/stat, or a pidfd); a record of a dead runtime is stale (pidfd_open(2), proc(5))"
	! listed "$NAME" || fail_with "ps lists $NAME, whose runtime is dead: $(ctr ps)"
	check_usage_error exec "$NAME" true
	run -0 ctr run --name "$NAME" --rootfs "$ROOTFS" -- echo name-free
	assert_output name-free
}

# ---- security: the two ways out of real runtimes ----

# bats test_tags=points:3
@test "a process in the container cannot get at the runtime's binary or a host descriptor (CVE-2019-5736, CVE-2024-21626)" {
	local copy=$BATS_TEST_TMPDIR/runtime-copy sum i
	fresh_rootfs
	# The attack: COMMAND is a script whose interpreter is /proc/self/exe, which the kernel
	# resolves in the process exec forked - the runtime's own binary.
	printf '#!/proc/self/exe\n' >"$RFS/evil"
	chmod +x "$RFS/evil"
	# exec runs from a copy: the probe may write to it (its first byte, unchanged), never to
	# the runtime under test; and when the execs end, nothing runs the copy any more.
	cp "$CONTAINER" "$copy"
	sum=$(sha256sum <"$copy")
	start "$NAME" --rootfs "$RFS" -- probe-exec-escape /stop
	wait_output '^ready$'
	for i in $(seq 8); do
		_log_cmd exec "$NAME" /evil
		timeout 30 "$copy" exec "$NAME" /evil >/dev/null 2>&1 3>&- || true
		timeout 30 "$copy" exec "$NAME" sh -c 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); done' 3>&-
	done
	touch "$RFS/stop"
	ctr_wait
	assert_equal "$status" 0
	hint "until it execs COMMAND, exec's child is the runtime: make it non-dumpable before joining (prctl PR_SET_DUMPABLE 0), run exec from a sealed memfd copy of itself (memfd_create, F_ADD_SEALS, fexecve), and keep no descriptor but 0-2 open; see the stage README (memfd_create(2), fcntl(2), prctl(2))"
	run cat "$CTR_OUT"
	refute_line --partial ESCAPE
	assert_line --regexp '^seen=[1-9]'
	assert_equal "$(sha256sum <"$copy")" "$sum"
}

# bats test_tags=points:2
@test "the exec'd process holds no descriptor but 0-2 and starts in the container's /" {
	fresh_rootfs
	touch "$RFS/inside-marker"
	start "$NAME" --rootfs "$RFS" -- sleep 1000
	hint "close every descriptor but 0-2 (close_range) before COMMAND, and after joining the mount namespace chdir to its / : a host directory left open or as the working directory is a way out (CVE-2024-21626; close_range(2))"
	# ls, a child, lists the shell's descriptors (a glob, a pipe or $(...) would open more).
	run -0 ctr exec "$NAME" sh -c 'ls /proc/$$/fd; echo cwd; readlink /proc/$$/cwd; ls ../../..'
	assert_equal "$(sed '/^cwd$/,$d' <<<"$output" | tr '\n' ' ')" "0 1 2 "
	assert_equal "$(sed -n '/^cwd$/{n;p;q}' <<<"$output")" /
	assert_line inside-marker
}

# ---- stage 7: rootless ----

# bats test_tags=points:1
@test "rootless (stage 7): a user execs into their own container, in its user namespace" {
	local user=nobody want
	requires tool:setpriv
	# A user's session has a runtime directory of its own, as a login gives one: somewhere the
	# user can reach (bats' own temporary directories are root's, mode 0700). teardown removes it.
	XDG=$(mktemp -d "${TMPDIR:-/tmp}/container-lab-xdg.XXXXXX")
	local xdg=$XDG rfs=$XDG/rootfs
	chown "$user" "$xdg"
	# A rootfs the user owns, as stage 7's tests give it: a runtime may need to write in it.
	cp -a "$ROOTFS" "$rfs"
	chown -R "$user:" "$rfs"
	as_user() { setpriv --reuid="$user" --regid=nogroup --clear-groups env XDG_RUNTIME_DIR="$xdg" timeout 30 "$CONTAINER" "$@" 3>&-; }
	if ! as_user run --rootfs "$rfs" -- true >/dev/null 2>&1; then
		skip "the runtime under test has no stage 7 (rootless run refused): exec into a rootless container cannot be tried"
	fi
	setpriv --reuid="$user" --regid=nogroup --clear-groups env XDG_RUNTIME_DIR="$xdg" \
		"$CONTAINER" run --name "$NAME" --rootfs "$rfs" -- sleep 1000 >"$BATS_TEST_TMPDIR/rl.out" 2>&1 3>&- </dev/null &
	track_bg $! "$BATS_TEST_TMPDIR/rl.out"
	wait_running "the rootless container to be listed" bash -c "setpriv --reuid=$user --regid=nogroup --clear-groups env XDG_RUNTIME_DIR=$xdg $CONTAINER ps | grep -q '^$NAME '"
	INIT=$(ctr_init_pid)
	want=$(ns_of "$INIT")
	hint "join the user namespace FIRST when it is not yours: it gives the capabilities the other joins need (setns(2), user_namespaces(7))"
	run -0 as_user exec "$NAME" sh -c 'for n in '"${NS_TYPES[*]}"'; do echo "$n=$(readlink /proc/$$/ns/$n)"; done'
	assert_equal "$output" "$want"
}
