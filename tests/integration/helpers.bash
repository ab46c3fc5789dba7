# shellcheck shell=bash
# helpers.bash — loaded by every test file: `load lib/helpers`.
#
# What it gives a test:
#   $CONTAINER              the runtime under test (any executable that follows the contract)
#   $ROOTFS                 the pristine busybox rootfs (never write into it: use fresh_rootfs)
#   $PROBES                 the rootfs's /usr/local/bin, for running probes without --rootfs
#   ctr ARGS...             run the runtime (with a timeout) — use with bats' `run`
#   ctr_bg ARGS...          start the runtime in the background: $CTR_PID, output in $CTR_OUT
#   ctr_init_pid [PID]      the global pid of the container's first process (COMMAND)
#   fresh_rootfs            a private copy of the rootfs for this test, in $RFS
#   wait_for DESC CMD...    poll CMD until it succeeds (fails the test after $WAIT_TIMEOUT s)
#   wait_output PATTERN     poll $CTR_OUT until a line matches PATTERN
#   hint TEXT               what the student probably got wrong, printed if the test fails
#   requires KEYWORD...     skip, saying why, unless the run can check this (see requires())
#   fail_with TEXT          fail the test with TEXT (plus the hint)
#
# Hygiene: setup() records the mount table, cgroup tree, network links and processes; teardown()
# stops background runtimes, waits (polling) for everything to return to that state, and fails
# the test naming whatever leaked, after cleaning it up so that the next test starts clean.
# A file that needs its own setup/teardown calls common_setup / common_teardown from them.

bats_require_minimum_version 1.5.0

_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_KIT_DIR=$(cd "$_HELPERS_DIR/../.." && pwd)
load "$_KIT_DIR/node_modules/bats-support/load"
load "$_KIT_DIR/node_modules/bats-assert/load"

: "${CONTAINER:?set CONTAINER to the runtime to test (or use tests/grade --impl PATH)}"
CONTAINER=$(realpath "$CONTAINER")
export CONTAINER
: "${ROOTFS:=$_KIT_DIR/build/rootfs}"
PROBES=$ROOTFS/usr/local/bin
: "${CTR_TIMEOUT:=30}"   # seconds one `ctr` may take before it is killed
: "${WAIT_TIMEOUT:=10}"  # seconds wait_for / wait_output poll before giving up
: "${SETTLE_TIMEOUT:=5}" # seconds teardown waits for the machine to return to its state
export ROOTFS PROBES

# The contract's capability set (stage 6), as /proc/PID/status prints it.
# shellcheck disable=SC2034 # used by the test files
CAPS_WANTED=00000000a00425fb

# ---- running the runtime ----

# Every runtime call is logged, so a failing test shows exactly what was run.
_log_cmd() {
	{
		printf '$ container'
		printf ' %q' "$@"
		printf '\n'
	} >>"$BATS_TEST_TMPDIR/commands"
}

# ctr ARGS...: the runtime, killed after $CTR_TIMEOUT s (TERM, then KILL 5 s later).
# fd 3 is bats' own: a container that kept it open would hang the run.
ctr() {
	_log_cmd "$@"
	timeout --kill-after=5 "$CTR_TIMEOUT" "$CONTAINER" "$@" 3>&-
}

# ctr_bg ARGS...: start the runtime in the background, stdout+stderr to $CTR_OUT.
# Sets CTR_PID; teardown kills it if the test did not wait for it.
ctr_bg() {
	_log_cmd "$@"
	_ctr_bg_n=$((${_ctr_bg_n:-0} + 1))
	CTR_OUT=$BATS_TEST_TMPDIR/bg$_ctr_bg_n.out
	: >"$CTR_OUT"
	"$CONTAINER" "$@" >"$CTR_OUT" 2>&1 3>&- </dev/null &
	CTR_PID=$!
	_BG_PIDS+=("$CTR_PID")
}

# ctr_wait [PID]: wait for a background runtime; sets $status to its exit status.
ctr_wait() {
	local pid=${1:-$CTR_PID} rc=0
	wait "$pid" || rc=$?
	# shellcheck disable=SC2034 # $status is bats' own: the tests read it
	status=$rc
}

# ctr_init_pid [RUNTIME_PID]: the global pid of the container's first process (COMMAND), found
# through its namespaces and never through the shape of the runtime's process tree: COMMAND may
# be the runtime's child, or a deeper descendant (a helper that unshares and forks, like runc's
# nsexec, or a monitor process like bubblewrap's). The contract gives two ways to tell it:
#  1. from stage 2, COMMAND is PID 1 of a PID namespace of its own: the descendant whose NSpid
#     (/proc/PID/status) has more than one number and ends in 1. A helper stays in our PID
#     namespace (one number); COMMAND's own children are not 1 there.
#  2. a stage-1 runtime makes no PID namespace. Then COMMAND's process is the one in another UTS
#     namespace (stage 1's) that runs COMMAND [ARG...]: its command line is a proper tail of the
#     runtime's own, which ends with COMMAND [ARG...]. A helper forked from the runtime still
#     has the runtime's whole command line (or one of its own); a process in another UTS
#     namespace that COMMAND started is deeper down.
# The shallowest match wins: a descendant of COMMAND may have made namespaces of its own.
# Polls until COMMAND has exec'd (before that, it has the runtime's command line).
ctr_init_pid() {
	local rt=${1:-$CTR_PID} deadline=$((SECONDS + WAIT_TIMEOUT)) found
	while [ $SECONDS -le $deadline ]; do
		found=$(_init_pid_of "$rt") && { echo "$found"; return 0; }
		kill -0 "$rt" 2>/dev/null || break
		sleep 0.02
	done
	echo "no process found under the runtime (pid $rt) that is PID 1 of a PID namespace of its own, or (stage 1) that runs COMMAND in a UTS namespace other than the grader's" >&2
	return 1
}

# _init_pid_of RUNTIME_PID: one look for ctr_init_pid (see there); fails if there is none yet.
_init_pid_of() {
	local rt=$1 level next p nspid myuts tail_pid="" rtcmd cmd
	myuts=$(readlink /proc/$$/ns/uts)
	rtcmd=$(_cmdline "$rt") || return 1
	level=$(_children "$rt")
	while [ -n "${level// /}" ]; do
		next=""
		for p in $level; do
			nspid=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null)
			if [[ $nspid =~ [[:space:]]1$ ]]; then
				echo "$p"
				return 0
			fi
			if [ -z "$tail_pid" ] && [ "$(readlink "/proc/$p/ns/uts" 2>/dev/null || echo "$myuts")" != "$myuts" ]; then
				cmd=$(_cmdline "$p") || continue
				[ -n "$cmd" ] && [ "$cmd" != "$rtcmd" ] && [[ $rtcmd == *"$cmd" ]] && tail_pid=$p
			fi
			next+=" $(_children "$p")"
		done
		# A PID-1 process is at most as deep as COMMAND: finish this level's NSpid check first.
		[ -n "$tail_pid" ] && { echo "$tail_pid"; return 0; }
		level=$next
	done
	return 1
}

# _cmdline PID: PID's arguments, each NUL turned into a space and each argument %q-quoted (so
# that an argument holding a space cannot fake an argument boundary).
_cmdline() {
	local -a args
	mapfile -d '' args <"/proc/$1/cmdline" 2>/dev/null || return 1
	[ ${#args[@]} -gt 0 ] || return 1
	printf ' %q' "${args[@]}"
}

# fresh_rootfs: a copy of the rootfs this test may write into; its path in $RFS.
fresh_rootfs() {
	[ -f "$ROOTFS/etc/container-lab-rootfs" ] || fail_with "no rootfs at $ROOTFS: run make rootfs"
	RFS=$BATS_TEST_TMPDIR/rootfs
	cp -a "$ROOTFS" "$RFS"
}

# check_usage_error ARGS...: the runtime exits 125 with exactly one "container: " line on stderr
# and nothing on stdout.
check_usage_error() {
	run --separate-stderr ctr "$@"
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	if [ "$status" != 125 ] || [ "$(wc -l <<<"$stderr")" != 1 ] || [[ $stderr != "container: "* ]] ||
		[ -n "$output" ]; then
		fail_with "container $* -> status $status (expected 125), stderr: '$stderr', stdout: '$output' (expected one 'container: ...' line on stderr, nothing on stdout)"
	fi
}

# ---- waiting without sleeping for a fixed time ----

# wait_for DESCRIPTION CMD...: poll CMD every 20 ms until it succeeds.
wait_for() {
	local desc=$1 deadline=$((SECONDS + WAIT_TIMEOUT))
	shift
	until "$@"; do
		if [ $SECONDS -gt $deadline ]; then
			fail_with "timed out after ${WAIT_TIMEOUT}s waiting for: $desc"
		fi
		sleep 0.02
	done
}

# wait_output PATTERN [FILE]: poll the background runtime's output for a line matching PATTERN.
wait_output() {
	local file=${2:-$CTR_OUT}
	wait_for "output matching '$1' in $(basename "$file") (so far: $(head -c 300 "$file" | tr '\n' '|'))" \
		grep -qE -- "$1" "$file"
}

# ---- messages ----

# hint TEXT: the likely mistake (and man page) if the next assertions fail.
hint() {
	HINT=$*
}

fail_with() {
	fail "$*"
}

# requires KEYWORD...: skip the test, with the reason, unless this run can check it.
#   root       running as root
#   sandbox    inside the grader's sandbox (tests/grade): / is rshared in a private namespace
#   rootfs     the busybox rootfs has been built
#   cgroup-v1 | cgroup-v2 | cgroup-hybrid   the host's cgroup mode
#   tool:NAME  NAME is on the grader's PATH
requires() {
	local k
	for k in "$@"; do
		case $k in
		root) [ "$(id -u)" = 0 ] || skip "requires root" ;;
		sandbox) [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] || skip "requires the grader's sandbox (run through tests/grade)" ;;
		rootfs) [ -f "$ROOTFS/etc/container-lab-rootfs" ] || skip "requires the rootfs (make rootfs)" ;;
		cgroup-v1 | cgroup-v2 | cgroup-hybrid)
			[ "$(cgroup_mode)" = "${k#cgroup-}" ] || skip "requires $k (this host: $(cgroup_mode))" ;;
		tool:*) command -v "${k#tool:}" >/dev/null || skip "requires ${k#tool:} on the grader's PATH" ;;
		*) fail "requires: unknown keyword '$k'" ;;
		esac
	done
}

# cgroup_path CONTROLLER < /proc/PID/cgroup: the path of the cgroup for CONTROLLER: from the v1
# line that names it, else from the unified ("0::") line.
cgroup_path() {
	awk -v c="$1" '
		/^0::/ { unified = substr($0, 4) }
		!/^0::/ {
			i = index($0, ":"); rest = substr($0, i + 1); j = index(rest, ":")
			n = split(substr(rest, 1, j - 1), names, ",")
			for (k = 1; k <= n; k++)
				if (names[k] == c) { print substr(rest, j + 1); found = 1; exit }
		}
		END { if (!found) print unified }'
}

# hierarchy_mount CONTROLLER: where the hierarchy holding CONTROLLER is mounted here.
hierarchy_mount() {
	awk -v c="$1" '
		{ for (i = 7; $i != "-"; i++); fs = $(i + 1); n = split($(i + 3), o, ",") }
		fs == "cgroup" { for (k = 1; k <= n; k++) if (o[k] == c) { print $5; found = 1; exit } }
		fs == "cgroup2" && v2 == "" { v2 = $5 }
		END { if (!found) print v2 }' /proc/self/mountinfo
}

# cgroup_mode: v2, hybrid or v1, as the host mounts /sys/fs/cgroup.
cgroup_mode() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo v2
	elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		echo hybrid
	else
		echo v1
	fi
}

# ---- hygiene ----

_snap_mounts() { awk '{print $1, $5, $9}' /proc/self/mountinfo | sort; }
_snap_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
# _new_cgroups: cgroups made since setup, less those in use by processes outside this grading.
# Inside the sandbox's PID namespace such a process shows as pid 0 in cgroup.procs: another
# grading, or the machine's own services, whose cgroups come and go and are not this test's.
_new_cgroups() {
	local c
	comm -13 "$BATS_TEST_TMPDIR/.cgroups.before" "$BATS_TEST_TMPDIR/.cgroups.after" | while read -r c; do
		if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && grep -qx 0 "$c/cgroup.procs" 2>/dev/null; then
			continue
		fi
		printf '%s\n' "$c"
	done
}
# links: the names of this network namespace's links, one a line, sorted.
links() { ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | sort; }
# Processes, read without forking (a fork would itself show up as a new process).
_snap_pids() {
	local d
	for d in /proc/[0-9]*; do
		printf '%s\n' "${d#/proc/}"
	done
}

common_setup() {
	HINT=""
	_BG_PIDS=()
	_snap_mounts >"$BATS_TEST_TMPDIR/.mounts.before"
	_snap_cgroups >"$BATS_TEST_TMPDIR/.cgroups.before"
	links >"$BATS_TEST_TMPDIR/.links.before"
	_BEFORE_PIDS=" $(_snap_pids | tr '\n' ' ') "
}

_ppid() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # the command name may hold spaces and parentheses: cut after the last ')'
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $stat
	echo "$2"
}

# _children PID: the pids whose parent is PID.
_children() {
	local p
	if [ -r "/proc/$1/task/$1/children" ]; then
		cat "/proc/$1/task/"*/children 2>/dev/null
		return
	fi
	for p in $(_snap_pids); do
		[ "$(_ppid "$p")" = "$1" ] && printf '%s ' "$p"
	done
}

# _new_pids: processes started since setup, other than this shell's own subshells and whatever
# they run (e.g. the cat below): those descend from a process in our ancestry. One read of every
# /proc/PID/stat, so that the check is cheap and sees one moment.
_new_pids() {
	local p q line own=" " ours
	local -A ppid state
	while read -r line; do
		p=${line%% *}
		line=${line##*) } # the command name may hold spaces and ')': cut after the last ')'
		state[$p]=${line%% *}
		line=${line#* }
		ppid[$p]=${line%% *}
	done < <(cat /proc/[0-9]*/stat 2>/dev/null)
	q=$BASHPID
	while [ -n "$q" ] && [ "$q" -gt 1 ] && [ "$q" != "$$" ]; do
		own+="$q "
		q=${ppid[$q]:-}
	done
	for p in "${!ppid[@]}"; do
		[[ $_BEFORE_PIDS == *" $p "* ]] && continue
		# Dead already (a zombie waits only for its reaper), or a kernel thread.
		case ${state[$p]} in Z | X) continue ;; esac
		[ "${ppid[$p]}" = 2 ] && continue
		ours=0
		q=$p
		while [ -n "$q" ] && [ "$q" -gt 1 ] && [ "$q" != "$$" ]; do
			[[ $own == *" $q "* ]] && { ours=1; break; }
			q=${ppid[$q]:-}
		done
		[ $ours = 1 ] && continue
		[ -e "/proc/$p" ] || continue # exited while we looked
		printf '%s (%s)\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}

# _leaks: what is on the machine now and was not at setup (and what vanished). Snapshots go
# through files, not <(...), whose subshells would themselves show up as new processes.
_leaks() {
	local d=$BATS_TEST_TMPDIR
	_snap_mounts >"$d/.mounts.after"
	_snap_cgroups >"$d/.cgroups.after"
	links >"$d/.links.after"
	comm -13 "$d/.mounts.before" "$d/.mounts.after" | sed 's/^/  new mount: /'
	comm -23 "$d/.mounts.before" "$d/.mounts.after" | sed 's/^/  mount gone: /'
	_new_cgroups | sed 's/^/  cgroup: /'
	comm -13 "$d/.links.before" "$d/.links.after" | sed 's/^/  network link: /'
	comm -23 "$d/.links.before" "$d/.links.after" | sed 's/^/  network link gone: /'
	# Outside the sandbox the machine's other processes come and go: only the sandbox, where
	# every process is the grader's, can tell a leaked one.
	if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ]; then
		_new_pids | sed 's/^/  process: /'
	fi
}

# Undo what leaked, so the next test starts from a clean machine.
# Only what is provably this grading's is touched: processes of the sandbox's PID namespace,
# mounts of its mount namespace, links of its network namespace, and cgroups that hold nothing
# (or only the sandbox's processes). Outside the sandbox nothing is killed or removed: a pid in a
# cgroup.procs there could be anyone's.
_clean_leaks() {
	local p m c l d=$BATS_TEST_TMPDIR
	[ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] || return 0
	for p in $(_new_pids | cut -d' ' -f1); do kill -9 "$p" 2>/dev/null; done
	for c in $(_new_cgroups | sort -r); do
		while read -r p; do
			# 0: a process outside the sandbox (never ours); kill 0 would hit our own group.
			[ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
		done <"$c/cgroup.procs" 2>/dev/null
		rmdir "$c" 2>/dev/null || { sleep 0.1; rmdir "$c" 2>/dev/null; }
	done
	for m in $(comm -13 "$d/.mounts.before" "$d/.mounts.after" | awk '{print $2}' | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	for l in $(comm -13 "$d/.links.before" "$d/.links.after"); do
		ip link del "$l" 2>/dev/null
	done
	return 0
}

common_teardown() {
	local p leaks deadline=$((SECONDS + SETTLE_TIMEOUT)) rc=0 proc_covered=0
	# A container's /proc that leaked onto the sandbox's (mounts not private) shows a PID namespace
	# that is gone: /proc/self then leads nowhere and every later test would fail for it. Report
	# it here, then uncover the grader's own /proc so that the next tests see again.
	if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && [ ! -r /proc/self/mountinfo ]; then
		proc_covered=1
		# umount(8) itself needs /proc/self/mountinfo: make the system call directly.
		while [ ! -r /proc/self/mountinfo ] &&
			python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None, use_errno=True).umount2(b"/proc", 2) != 0)'; do :; done
	fi
	# A test that failed midway may leave its background runtimes running: stop them the way a
	# user would (TERM), then for good. The runtime must clean up after itself either way.
	for p in "${_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_BG_PIDS[@]}"; do
		timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# Exiting processes, a cgroup's rmdir, a netns going away: give the machine a moment.
	while leaks=$(_leaks) && [ -n "$leaks" ] && [ $SECONDS -le $deadline ]; do
		sleep 0.05
	done
	if [ $proc_covered = 1 ]; then
		leaks="  new mount: a proc of the container's PID namespace, on the grader's /proc
$leaks"
	fi
	if [ -n "$leaks" ]; then
		echo "LEAK: the runtime left this behind (the contract: nothing outlives the container):"
		echo "$leaks"
		echo "hint: a process left over means the container was not killed with its runtime (PR_SET_PDEATHSIG, PID namespace); a cgroup, that cgroup_destroy did not run or rmdir failed; a mount, that mounts were not private (mounts_make_private) or not undone; a link, that the host end of the veth was not deleted."
		_clean_leaks
		rc=1
	fi
	if [ -z "${BATS_TEST_COMPLETED:-}" ] || [ $rc != 0 ]; then
		if [ -s "$BATS_TEST_TMPDIR/commands" ]; then
			echo "commands run:"
			sed 's/^/  /' "$BATS_TEST_TMPDIR/commands"
		fi
		for p in "$BATS_TEST_TMPDIR"/bg*.out; do
			[ -s "$p" ] && { echo "output of $(basename "$p" .out):"; head -20 "$p" | sed 's/^/  /'; }
		done
		[ -n "$HINT" ] && echo "hint: $HINT"
	fi
	return $rc
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# ---- what an observed exit status means ----

# hint_status SEEN WANT [OUTPUT]: when the runtime exited SEEN where the contract wants WANT, put
# into the hint what SEEN most likely means, so that the hint follows the bug that was observed,
# not the one the test expected. Where SEEN names its cause (the raw wait status, a bare signal
# number, a crash, a seccomp kill, the grader's timeout) that replaces the test's own hint; where
# it only narrows it down, the test's hint follows. OUTPUT (optional): what the runtime printed,
# whose 'container: ' line is quoted. Call it after `hint`, before the assertion on $status.
hint_status() {
	local seen=$1 want=$2 out=${3:-} why="" sure=1 line sig
	local said=" and its 'container: ' line on stderr says which step"
	[ "$seen" = "$want" ] && return 0
	# (A status is 0-255: a raw wait status, a multiple of 256 for an exit, shows as its low byte.)
	line=$(grep -m1 '^container: ' <<<"$out") || true # bats runs tests under set -e
	[ -n "$line" ] && said=": it said \"$line\""
	sig=$([ "$seen" -gt 128 ] 2>/dev/null && kill -l "$((seen - 128))" 2>/dev/null) || true
	if [ "$want" -gt 128 ] && [ "$seen" = $((want - 128)) ]; then
		# A signal death's raw wait status is the signal number (plus 128 with a core dump).
		why="that is the signal number itself (SIG$(kill -l "$seen")): the runtime returned WTERMSIG(status), or the raw wait status, where the contract wants 128 + WTERMSIG(status) (waitpid(2))"
	elif [ "$seen" = 0 ] && { [ "$want" -le 124 ] || [ "$want" = 255 ]; }; then
		# exit(N) puts N in bits 8-15 of the wait status; exit() keeps the low 8 bits: 0.
		why="what the raw wait status gives: COMMAND's exit $want is $((want * 256)) in it, and the runtime's exit(3) keeps only the low 8 bits, 0. Return WEXITSTATUS(status) (waitpid(2))"
	elif [ "$seen" = 0 ] && [ "$want" -gt 128 ]; then
		why="COMMAND was killed, yet the runtime reported success: WIFSIGNALED(status) -> 128 + WTERMSIG(status) (waitpid(2))"
	elif [ "$seen" = 0 ] && [ "$want" = 125 ]; then
		why="the runtime went ahead where the contract refuses: check every option's value before anything is created, and exit 125 with one 'container: ' line (getopt_long(3), exit(3))"
	elif [ "$seen" = 0 ] && { [ "$want" = 126 ] || [ "$want" = 127 ]; }; then
		why="execvp(3) failed in the child, but the runtime did not say so: the child must _exit(126) when it finds COMMAND but cannot execute it (EACCES, ENOEXEC) and _exit(127) when there is none (ENOENT), or tell the parent (execve(2), ERRORS)"
	elif [ "$seen" = 124 ]; then
		why="124 is timeout(1)'s: the runtime still ran after the grader's ${CTR_TIMEOUT}s and ended on its SIGTERM. Something hangs: waitpid(2) on the wrong pid, a pipe end left open in the parent, a child blocked on a step that never comes"
	elif [ "$seen" = 137 ]; then
		why="137 is 128 + SIGKILL: the grader's timeout(1) killed a runtime that survived its SIGTERM, or the OOM killer killed COMMAND (signal(7))"
		sure=0
	elif [[ $sig =~ ^(SEGV|ABRT|BUS|FPE|ILL)$ ]]; then
		why="$seen is 128 + SIG$sig: a crash, of COMMAND or (more likely) of the runtime or its child before execve(2): a too-small clone stack, a NULL pointer, a double free. Run the command under gdb(1) or valgrind(1)"
	elif [ "$sig" = SYS ]; then
		why="$seen is 128 + SIGSYS: the seccomp filter killed COMMAND. A rule (or the default action) is SCMP_ACT_KILL where the contract wants an errno, SCMP_ACT_ERRNO(EPERM) (seccomp(2), seccomp_rule_add(3))"
	elif [ -n "$sig" ]; then
		why="$seen is 128 + SIG$sig: COMMAND, or the runtime, was killed by SIG$sig (signal(7))"
		sure=0
	elif [ "$seen" = 125 ] && [[ $line == *"Interrupted system call"* ]]; then
		why="the runtime failed (125) with \"$line\": a signal handler interrupted a blocking call (EINTR); call it again instead of failing (signal(7), 'Interruption of system calls')"
	elif [ "$seen" = 125 ]; then
		why="125 is the runtime's own failure (a usage error, a bad value, a setup step that failed)$said; the errno in it is the clue (errno(3))"
		sure=0
	elif [ "$seen" = 126 ]; then
		why="126 is the contract's 'COMMAND exists but cannot be executed' (execve(2) failed with EACCES or ENOEXEC)${line:+: \"$line\"}"
		[ "$want" = 127 ] && why+="; ENOENT means there is no such COMMAND: 127"
		sure=0
	elif [ "$seen" = 127 ]; then
		why="127 is the contract's 'COMMAND not found' (execvp(3) failed with ENOENT)${line:+: \"$line\"}"
		[ "$want" = 126 ] && why+="; EACCES means COMMAND was found but cannot be executed: 126"
		[ "$want" = 126 ] || why+=": is PATH set inside, and is COMMAND in the container's file tree?"
		sure=0
	elif [ "$seen" = 255 ]; then
		why="255 is exit(-1): a failure path returned -1 as the exit status; the contract's code for the runtime's own failures is 125 (exit(3))"
	elif [ "$want" -ge 125 ] && [ "$want" -le 127 ]; then
		why="$seen is none of the contract's failure codes: 125 for the runtime's own failure, 126 for a COMMAND that cannot be executed, 127 for one that does not exist (exit(3))"
	else
		why="COMMAND's own status must come out unchanged: WEXITSTATUS(status) (waitpid(2)). Is $seen COMMAND's status at all, or one of the runtime's own?"
		sure=0
	fi
	if [ $sure = 1 ] || [ -z "$HINT" ]; then
		HINT="exit status $seen where the contract wants $want: $why."
	else
		HINT="exit status $seen where the contract wants $want: $why. $HINT"
	fi
}
