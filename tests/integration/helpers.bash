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
#   wait_running DESC CMD...  the same, for something only a running container can do: fails at
#                           once, with the runtime's exit status and output, if $CTR_PID exits
#   wait_output PATTERN     poll $CTR_OUT until a line matches PATTERN (fails at once, the same
#                           way, if the runtime writing it has exited without printing it)
#   track_bg PID OUT        a background runtime started some other way (setpriv ...): teardown
#                           stops it, and wait_output/ctr_wait know it
#   hint TEXT               what the student probably got wrong, printed if the test fails
#   hint_status SEEN WANT [OUTPUT]  add to the hint what an exit status SEEN (not WANT) most
#                           likely means (the raw wait status, a bare signal number, 125/126/127...)
#   requires KEYWORD...     skip, saying why, unless the run can check this (see requires())
#   fail_with TEXT          fail the test with TEXT (plus the hint)
#
# Hygiene: setup() records the mount table, cgroup tree, network links and processes; teardown()
# stops background runtimes, waits (polling) for everything to return to that state, and fails
# the test naming whatever leaked, after cleaning it up so that the next test starts clean.
# A file that needs its own setup/teardown calls common_setup / common_teardown from them.
# A runtime that changed the grader's own mount table (its /proc) fails the test that saw it with
# one "SANDBOX BROKEN:" verdict, and the file's later tests are not run (see common_teardown);
# every file runs in a sandbox of its own (tests/grade), so the next stage starts clean.

bats_require_minimum_version 1.5.0

# Every test loads this file anew (bats runs each test in a process of its own): it forks
# nothing unless it must. bats-support and bats-assert are sourced file by file, not through
# their load.bash, which forks a dirname for each of its fifteen files.
_HELPERS_DIR=${BASH_SOURCE[0]%/*}
[[ $_HELPERS_DIR == /* ]] || _HELPERS_DIR=$(cd "$_HELPERS_DIR" && pwd)
_KIT_DIR=${_HELPERS_DIR%/tests/integration}
for _f in "$_KIT_DIR"/node_modules/bats-support/src/{output,error,lang}.bash \
	"$_KIT_DIR"/node_modules/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090 # the libraries' own files
	source "$_f"
done
unset _f

: "${CONTAINER:?set CONTAINER to the runtime to test (or use tests/grade --impl PATH)}"
[[ $CONTAINER == /* ]] || CONTAINER=$(realpath "$CONTAINER")
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

# _untraced FUNCTION ARGS...: FUNCTION without bats' DEBUG trap. bats runs tests with set -T, so
# every function inherits a DEBUG trap that records a stack trace before each simple command:
# a teardown's loops over /proc and the cgroup tree cost 0.4 s a test under it, 40 ms without.
# A failure still points at the test's line that called the helper (the trap runs there).
_untraced() {
	local -
	set +T
	"$@"
}

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
	track_bg $! "$CTR_OUT"
}

# track_bg PID OUT: PID (a child of this shell) is a background runtime writing OUT. Sets CTR_PID.
track_bg() {
	CTR_PID=$1
	_BG_PIDS+=("$1")
	_BG_PID_OF[$2]=$1
}

# _exited PID: PID, a background runtime of this test, has exited; its status is then in
# _BG_STATUS[PID]. bash keeps a reaped child's status for its `wait`, but only for one `wait`:
# the cache lets ctr_wait and the fail-fast waits both ask.
_exited() {
	local rc=0 st
	[ -n "${_BG_STATUS[$1]:-}" ] && return 0
	if kill -0 "$1" 2>/dev/null; then
		st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) # a zombie is exited, not reaped yet
		[ "$st" = Z ] || return 1
	fi
	wait "$1" 2>/dev/null || rc=$?
	_BG_STATUS[$1]=$rc
}

# ctr_wait [PID]: wait for a background runtime; sets $status to its exit status.
ctr_wait() {
	local pid=${1:-$CTR_PID} rc=0
	if [ -z "${_BG_STATUS[$pid]:-}" ]; then
		wait "$pid" || rc=$?
		_BG_STATUS[$pid]=$rc
	fi
	# shellcheck disable=SC2034 # $status is bats' own: the tests read it
	status=${_BG_STATUS[$pid]}
}

# _ended_early PID DESC: fail the test: the runtime PID exited before DESC happened.
_ended_early() {
	fail_with "the runtime (pid $1) exited with status ${_BG_STATUS[$1]} before $2; its output: '$(_output_of "$1" 400)'"
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
	_untraced _ctr_init_pid_body "$@"
}
_ctr_init_pid_body() {
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
	mapfile -d '' args 2>/dev/null <"/proc/$1/cmdline" || return 1
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
	_wait_while "" "$@"
}

# wait_running DESCRIPTION CMD...: wait_for something that needs the container running: a
# runtime that has exited cannot make it happen, so its exit ends the wait (and the test) at once.
wait_running() {
	_wait_while "${CTR_PID:?wait_running: no background runtime}" "$@"
}

# wait_output PATTERN [FILE]: poll the background runtime's output for a line matching PATTERN;
# stops as soon as the runtime writing FILE has exited without printing it.
wait_output() {
	local file=${2:-$CTR_OUT}
	_wait_while "${_BG_PID_OF[$file]:-}" "output matching '$1' in $(basename "$file")" \
		grep -qE -- "$1" "$file" || return 1
}

# _wait_while PID DESCRIPTION CMD...: poll CMD until it succeeds; fail after $WAIT_TIMEOUT s, or
# as soon as PID (if any) has exited -- after one last look, since it may have done its part and
# then exited in between.
_wait_while() {
	_untraced _wait_while_body "$@"
}
_wait_while_body() {
	local pid=$1 desc=$2 deadline=$((SECONDS + WAIT_TIMEOUT))
	shift 2
	until "$@"; do
		# (return 1 after fail_with: errexit does not hold where the caller tests our status)
		if [ -n "$pid" ] && _exited "$pid"; then
			"$@" && return 0
			_ended_early "$pid" "$desc"
			return 1
		fi
		if [ $SECONDS -gt $deadline ]; then
			fail_with "timed out after ${WAIT_TIMEOUT}s waiting for: $desc$(_so_far "$pid")"
			return 1
		fi
		sleep 0.02
	done
}

# _so_far PID: what the runtime PID has printed so far, for a message.
_so_far() {
	[ -n "$1" ] || return 0
	printf " (its output so far: '%s')" "$(_output_of "$1" 300)"
}

# _output_of PID BYTES: the first BYTES of what the background runtime PID printed, a line a '|'.
_output_of() {
	local f
	for f in "${!_BG_PID_OF[@]}"; do
		[ "${_BG_PID_OF[$f]}" = "$1" ] && head -c "$2" "$f" | tr '\n' '|'
	done
	return 0
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

# The machine's state, read with builtins only: a forked helper would itself show up as a new
# process, and forks were most of a test's own cost (a setup and a teardown took 1.7 s under load
# with find, ip, awk, sort and comm; they now take a few ms).
#
# _state ARRAY: this moment's mounts, cgroups and links, as the keys of the associative ARRAY:
#   "m ID MOUNTPOINT FSTYPE"   a mount of this mount namespace (/proc/self/mountinfo)
#   "c PATH"                   a cgroup directory under /sys/fs/cgroup (symlinks not followed)
#   "l NAME"                   a link of this network namespace (/proc/net/dev is per namespace)
_state() {
	local -n _st_=$1
	local id mp rest line
	_st_=()
	while read -r id _ _ _ mp rest; do
		rest=${rest#* - }
		_st_["m $id $mp ${rest%% *}"]=1
	done </proc/self/mountinfo
	_state_cgroups "$1" /sys/fs/cgroup
	{
		read -r _ && read -r _
		while read -r line; do
			line=${line%%:*}
			_st_["l ${line// /}"]=1
		done
	} </proc/net/dev
}

# _state_cgroups ARRAY DIR: DIR's cgroups below it, into ARRAY (for _state).
_state_cgroups() {
	local -n _sc_=$1
	local d
	for d in "$2"/*/; do
		d=${d%/}
		if [ ! -d "$d" ] || [ -L "$d" ]; then
			continue
		fi
		_sc_["c $d"]=1
		_state_cgroups "$1" "$d"
	done
}

# _foreign_cgroup DIR: in the sandbox, DIR is in use by a process outside this grading. Inside
# the sandbox's PID namespace such a process shows as pid 0 in cgroup.procs: another grading, or
# the machine's own services, whose cgroups come and go and are not this test's.
_foreign_cgroup() {
	[ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && grep -qx 0 "$1/cgroup.procs" 2>/dev/null
}

# _new_cgroups: cgroups made since setup, less the foreign ones (_foreign_cgroup).
_new_cgroups() {
	local -A now=()
	local k
	_state_cgroups now /sys/fs/cgroup
	for k in "${!now[@]}"; do
		[ -z "${_BEFORE[$k]:-}" ] || continue
		_foreign_cgroup "${k#c }" || printf '%s\n' "${k#c }"
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
	_untraced _common_setup_body
}
_common_setup_body() {
	local d
	HINT=""
	_COUNTDOWN_PID=${BATS_killer_pid:-} # see _new_pids
	if [ -e "$BATS_FILE_TMPDIR/.sandbox-broken" ]; then
		_NOT_RUN=1
		skip "not run: an earlier test of this stage broke the grader's sandbox (see the top of the report)"
	fi
	_BG_PIDS=()
	declare -gA _BG_PID_OF=() _BG_STATUS=() # a runtime's output file -> its pid; pid -> status
	declare -gA _BEFORE=()
	_state _BEFORE
	_BEFORE_PIDS=" "
	for d in /proc/[0-9]*; do
		_BEFORE_PIDS+="${d#/proc/} "
	done
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

# _read_stat PID: PID's state and parent pid, into _ST and _PP; fails if PID is gone.
_read_stat() {
	local line
	_ST="" _PP=""
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	line=${line##*) } # the command name may hold spaces and ')': cut after the last ')'
	_ST=${line%% *}
	line=${line#* }
	_PP=${line%% *}
}

# _new_pids: processes started since setup, other than this shell's own subshells and whatever
# they run: those descend from a process in our ancestry below $$. Builtins only.
_new_pids() {
	local d p q own=" " ours
	local -a args
	local -A parent=()
	q=$BASHPID
	while [ "$q" -gt 1 ] && [ "$q" != "$$" ] && _read_stat "$q"; do
		own+="$q "
		q=$_PP
	done
	# bats' own per-test timeout countdown (BATS_TEST_TIMEOUT): started before setup, but its
	# `sleep` may start after setup's snapshot. Killing it would make bats time the test out.
	# Its pid as setup saw it: bats 1.13 keeps it in a local that a failed test's teardown no
	# longer sees (bats-core #1206).
	[ -z "${_COUNTDOWN_PID:-}" ] || own+="$_COUNTDOWN_PID "
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[[ $_BEFORE_PIDS == *" $p "* ]] && continue
		_read_stat "$p" || continue # exited while we looked
		# Dead already (a zombie waits only for its reaper), or a kernel thread.
		case $_ST in Z | X) continue ;; esac
		[ "$_PP" = 2 ] && continue
		parent[$p]=$_PP
		ours=0
		q=$p
		while [ -n "$q" ] && [ "$q" -gt 1 ] && [ "$q" != "$$" ]; do
			[[ $own == *" $q "* ]] && { ours=1; break; }
			if [ -z "${parent[$q]:-}" ]; then
				_read_stat "$q" || break
				parent[$q]=$_PP
			fi
			q=${parent[$q]}
		done
		[ $ours = 1 ] && continue
		{ mapfile -d '' args <"/proc/$p/cmdline"; } 2>/dev/null || args=()
		printf '%s (%s)\n' "$p" "${args[*]}"
	done
}

# _leaks: what is on the machine now and was not at setup (and what vanished), into $LEAKS,
# a line each ("" if nothing). No subshell: it runs at every teardown.
_leaks() {
	local -A now=()
	local k l
	LEAKS=""
	_state now
	for k in "${!now[@]}"; do
		[ -z "${_BEFORE[$k]:-}" ] || continue
		case $k in
		m*) LEAKS+="  new mount: ${k#m }"$'\n' ;;
		l*) LEAKS+="  network link: ${k#l }"$'\n' ;;
		c*) _foreign_cgroup "${k#c }" || LEAKS+="  cgroup: ${k#c }"$'\n' ;;
		esac
	done
	for k in "${!_BEFORE[@]}"; do
		[ -z "${now[$k]:-}" ] || continue
		case $k in
		m*) LEAKS+="  mount gone: ${k#m }"$'\n' ;;
		l*) LEAKS+="  network link gone: ${k#l }"$'\n' ;;
		esac
	done
	# Outside the sandbox the machine's other processes come and go: only the sandbox, where
	# every process is the grader's, can tell a leaked one.
	if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ]; then
		while read -r l; do
			[ -z "$l" ] || LEAKS+="  process: $l"$'\n'
		done <<<"$(_new_pids)"
	fi
	LEAKS=${LEAKS%$'\n'}
}

# Undo what leaked, so the next test starts from a clean machine.
# Only what is provably this grading's is touched: processes of the sandbox's PID namespace,
# mounts of its mount namespace, links of its network namespace, and cgroups that hold nothing
# (or only the sandbox's processes). Outside the sandbox nothing is killed or removed: a pid in a
# cgroup.procs there could be anyone's.
_clean_leaks() {
	local p m c k
	local -A now=()
	[ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] || return 0
	for p in $(_new_pids | cut -d' ' -f1); do kill -9 "$p" 2>/dev/null; done
	for c in $(_new_cgroups | sort -r); do
		while read -r p; do
			# 0: a process outside the sandbox (never ours); kill 0 would hit our own group.
			[ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
		done <"$c/cgroup.procs" 2>/dev/null
		rmdir "$c" 2>/dev/null || { sleep 0.1; rmdir "$c" 2>/dev/null; }
	done
	_state now
	for k in "${!now[@]}"; do
		[[ $k == m* ]] && [ -z "${_BEFORE[$k]:-}" ] && echo "$k"
	done | while read -r _ _ m _; do echo "$m"; done | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	for k in "${!now[@]}"; do
		[[ $k == l* ]] && [ -z "${_BEFORE[$k]:-}" ] && ip link del "${k#l }" 2>/dev/null
	done
	return 0
}

# _stop_bg: stop the background runtimes a test left running (it failed midway, or it had no
# reason to end them): TERM, the way a user would, and after $STOP_GRACE s (5), SIGKILL. The
# contract has a runtime clean up after itself either way, but an end of COMMAND lets it do so on
# its own path. All runtimes are given the one grace together, not one each. Waiting for a TERM
# that cannot work only makes the grading slower, so COMMAND itself is SIGKILLed at once (the
# contract's 128 + 9 path: the runtime still sees COMMAND end, and cleans up as always) when
#  - COMMAND is PID 1 of its PID namespace and has no handler for TERM (a `sleep`): the kernel
#    drops the TERM the runtime forwards (pid_namespaces(7)), or
#  - the test has failed already: its verdict is made, and a broken runtime would otherwise make
#    each of its failing tests slower (their grace is then 1 s).
_stop_bg() {
	local p left deadline init
	for p in "${_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_BG_PIDS[@]}"; do
		_exited "$p" && continue
		init=$(_init_pid_of "$p") || continue
		if [ -z "${BATS_TEST_COMPLETED:-}" ] || _term_dropped "$init"; then
			kill -KILL "$init" 2>/dev/null
		fi
	done
	local grace=${STOP_GRACE:-5}
	[ -n "${BATS_TEST_COMPLETED:-}" ] || grace=1
	deadline=$((10#${EPOCHREALTIME/./} + grace * 1000000)) # µs
	while :; do
		left=""
		for p in "${_BG_PIDS[@]}"; do
			_exited "$p" || left+=" $p"
		done
		if [ -z "$left" ] || [ $((10#${EPOCHREALTIME/./})) -ge "$deadline" ]; then
			break
		fi
		sleep 0.02
	done
	for p in $left; do
		kill -KILL "$p" 2>/dev/null
		_exited "$p" || wait "$p" 2>/dev/null
	done
	return 0
}

# _term_dropped PID: PID is PID 1 of a PID namespace of its own with no handler for SIGTERM, so a
# SIGTERM sent to it from inside its namespace is dropped (signal 15 is bit 14 of SigCgt).
_term_dropped() {
	local line nspid="" cgt=""
	while read -r line; do
		case $line in
		NSpid:*) nspid=${line#NSpid:} ;;
		SigCgt:*) cgt=${line#SigCgt:} ;;
		esac
	done 2>/dev/null <"/proc/$1/status" || return 1
	[[ $nspid =~ [[:space:]]1$ ]] && [ -n "$cgt" ] && (((16#${cgt//[[:space:]]/} & 0x4000) == 0))
}

# The grader's sandbox is broken when the runtime changed the grader's own mount table (its
# mounts reached the grader's namespace: they were not private) or covered the grader's /proc.
# Every later test of the file would inherit that, or break it the same way again, and fail for
# it with its own unrelated message: the first test says what happened, once, with the fix, and
# the file's other tests are not run (tests/grader/report.py puts the verdict at the top of the
# report). The next file runs in a new sandbox.
_SANDBOX_VERDICT="SANDBOX BROKEN:"

common_teardown() {
	_untraced _common_teardown_body
}
_common_teardown_body() {
	local p leaks deadline=$((SECONDS + SETTLE_TIMEOUT)) rc=0 proc_covered=0 why
	# A test that has failed already is given 1 s for things to go: its verdict is made, and a
	# broken runtime would otherwise make each of its failing tests 5 s slower. What is still
	# there then is reported (and cleaned up) all the same.
	[ -n "${BATS_TEST_COMPLETED:-}" ] || deadline=$((SECONDS + 1))
	# Not run (an earlier test broke the sandbox): nothing was done, nothing to check.
	[ -z "${_NOT_RUN:-}" ] || return 0
	# A container's /proc that leaked onto the sandbox's (mounts not private) shows a PID namespace
	# that is gone: /proc/self then leads nowhere and every later test would fail for it. Report
	# it here, then uncover the grader's own /proc so that the next tests see again.
	if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && [ ! -r /proc/self/mountinfo ]; then
		proc_covered=1
		# umount(8) itself needs /proc/self/mountinfo: make the system call directly.
		while [ ! -r /proc/self/mountinfo ] &&
			python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None, use_errno=True).umount2(b"/proc", 2) != 0)'; do :; done
	fi
	_stop_bg
	# Exiting processes, a cgroup's rmdir, a netns going away: give the machine a moment.
	# A leaked mount stays where it is (nothing the runtime left running unmounts the grader's),
	# so waiting longer for one only makes a failing test slower. Processes, links and cgroups
	# can still go (an exiting process, a network namespace being torn down, a cleanup that
	# retries rmdir(2) while the last tasks exit).
	while _leaks && leaks=$LEAKS && [ -n "$leaks" ] && [ $SECONDS -le $deadline ]; do
		if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && ! grep -qvE '^  (new mount|mount gone):' <<<"$leaks"; then
			break
		fi
		# A failed test's leaks are reported as they are once nothing more can change by itself.
		[ -n "${BATS_TEST_COMPLETED:-}" ] || ! _for_good "$leaks" || break
		sleep 0.05
	done
	if [ $proc_covered = 1 ]; then
		leaks="  new mount: a proc of the container's PID namespace, on the grader's /proc
$leaks"
	fi
	if [ "${CONTAINER_LAB_SANDBOX:-}" = 1 ] && grep -qE '^  (new mount|mount gone):' <<<"$leaks"; then
		if [ $proc_covered = 1 ]; then
			why="the container's /proc covered the grader's /proc"
		else
			why="the runtime's mounts reached the grader's mount table ($(grep -cE '^  (new mount|mount gone):' <<<"$leaks") changed)"
		fi
		echo "$_SANDBOX_VERDICT $why, so this stage's later tests were not run. The mounts the container makes must stay in its own mount namespace: before mounting anything, make every mount private (mount(2) with MS_REC | MS_PRIVATE on /; man 7 mount_namespaces, 'Shared subtrees'), and make nothing in the host's namespace."
		echo "$why (in \"$BATS_TEST_DESCRIPTION\")" >"$BATS_FILE_TMPDIR/.sandbox-broken"
		HINT="" # this test's own hint is about something else
	fi
	if [ -n "$leaks" ]; then
		echo "LEAK: the runtime left this behind (the contract: nothing outlives the container):"
		echo "$leaks"
		_leak_hint "$leaks"
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

# _for_good LEAKS: nothing in LEAKS (as _leaks lists them) goes away by itself any more, once
# every runtime of the test has exited: mounts (see common_teardown), cgroups, and processes of
# the container (in a UTS namespace other than the grader's) that are neither ending nor about
# to. A process that is ending (a zombie, PF_EXITING in the flags of /proc/PID/stat) or has a
# SIGKILL pending (PR_SET_PDEATHSIG, the end of its PID namespace) may still go, and with it its
# cgroup and its network namespace's links; so may anything while a process of the grader's own
# namespaces is left (a runtime's cleanup helper at work); a link may be in a network namespace
# that is being torn down.
_for_good() {
	local l p line myuts st flags
	myuts=$(readlink /proc/$$/ns/uts)
	while read -r l; do
		case $l in
		"new mount:"* | "mount gone:"*) ;;
		"cgroup:"*) ;;
		"process: "*)
			p=${l#process: }
			p=${p%% *}
			{ read -r line <"/proc/$p/stat"; } 2>/dev/null || return 1
			line=${line##*) } # as _read_stat does; the state, then (field 9) the flags
			read -r st _ _ _ _ _ flags _ <<<"$line"
			case $st in Z | X) return 1 ;; esac
			(((flags & 0x4) == 0)) || return 1 # PF_EXITING
			while read -r line; do
				case $line in
				SigPnd:* | ShdPnd:*) (((16#${line##*[[:space:]]} & 0x100) == 0)) || return 1 ;; # SIGKILL
				esac
			done 2>/dev/null <"/proc/$p/status" || return 1
			[ "$(readlink "/proc/$p/ns/uts" 2>/dev/null)" != "$myuts" ] || return 1
			;;
		*) return 1 ;;
		esac
	done <<<"$1"
}

# _leak_hint LEAKS: what each kind of thing left behind most likely means (only the kinds seen).
_leak_hint() {
	local h=""
	grep -q '^  process:' <<<"$1" &&
		h+=" A process left over: the container was not killed with its runtime (PR_SET_PDEATHSIG, prctl(2); from stage 2 its PID namespace: pid_namespaces(7))."
	grep -q '^  cgroup:' <<<"$1" &&
		h+=" A cgroup left over: it was not removed when the container ended, or rmdir(2) failed because a process was still in it (cgroups(7))."
	grep -qE '^  (new mount|mount gone):' <<<"$1" &&
		h+=" A mount: mounts were not private or not undone (mount_namespaces(7))."
	grep -qE '^  network link' <<<"$1" &&
		h+=" A link: the host end of the veth was not deleted, or was made in the wrong namespace (veth(4), ip-link(8))."
	echo "hint:$h"
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
