#!/usr/bin/env bats
# Stage 7 — a user namespace: the rootless container
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md).
#
# The grader is root; the runtime is run by an unprivileged user of the grader's choosing: a uid
# picked at random above 100000 that has no entry in the host's user database (nothing is added
# to it), through setpriv(1), on a copy of the rootfs that uid owns (one for the file), in a
# scratch directory it can reach. What the tests look at from outside: /proc/PID/{uid_map,gid_map,setgroups} and the
# owners of /proc/PID/ns/* (lsns(8)'s ONS column: ioctl(NS_GET_USERNS), man 2 ioctl_ns), the
# owner of a file the container wrote, the cgroup tree.

load helpers

# One user and one rootfs copy for the whole file: copying and chowning the rootfs for every test
# took most of a test's time in the VM (no KVM there).
setup_file() {
	[ "$(id -u)" = 0 ] && [ -f "$ROOTFS/etc/container-lab-rootfs" ] || return 0
	# A uid nobody has: not in the user database, and running no process.
	RUID=$((100000 + RANDOM * 2 + RANDOM % 2))
	while cut -d: -f3 /etc/passwd /etc/group | grep -qx "$RUID" ||
		[ -n "$(ps -o pid= -u "$RUID" 2>/dev/null)" ]; do
		RUID=$((RUID + 1))
	done
	# The file's scratch directory (bats' is private to root): reachable, not listable.
	RDIR=$(mktemp -d "${TMPDIR:-/tmp}/container-lab-rootless.XXXXXX")
	chmod 711 "$RDIR"
	RFS=$RDIR/rootfs
	cp -a "$ROOTFS" "$RFS"
	chown -R "$RUID:$RUID" "$RFS"
	export RUID RDIR RFS
}

teardown_file() {
	[ -z "${RDIR:-}" ] || rm -rf "$RDIR"
}

setup() {
	common_setup
	requires root rootfs tool:setpriv
	DELEGATED=()
	setpriv --reuid="$RUID" --regid="$RUID" --clear-groups -- test -x "$CONTAINER" ||
		fail_with "the runtime $CONTAINER cannot be run by an unprivileged user: put it where every user may read and execute it"
}

teardown() {
	local d
	# Background runtimes first (see _stop_bg), so that a delegated cgroup they ran in can go
	# before common_teardown looks for leaks.
	_untraced _stop_bg
	# Delegated cgroups this test made (the runtime's own leaf first, then the delegated one).
	for d in "${DELEGATED[@]}"; do
		rmdir "$d/run" "$d" 2>/dev/null || true
	done
	common_teardown
}

# as_user CMD...: CMD run by the test's unprivileged user (no supplementary groups).
as_user() {
	setpriv --reuid="$RUID" --regid="$RUID" --clear-groups -- "$@"
}

# rctr ARGS...: the runtime, rootless (use with bats' `run`), killed after $CTR_TIMEOUT s.
rctr() {
	_log_cmd "$@"
	timeout --kill-after=5 "$CTR_TIMEOUT" setpriv --reuid="$RUID" --regid="$RUID" --clear-groups \
		-- "$CONTAINER" "$@" 3>&-
}

# rctr_bg ARGS...: the same in the background (setpriv execs the runtime: $CTR_PID is its pid).
rctr_bg() {
	_log_cmd "$@"
	CTR_OUT=$BATS_TEST_TMPDIR/bg-rootless.out
	setpriv --reuid="$RUID" --regid="$RUID" --clear-groups -- "$CONTAINER" "$@" \
		>"$CTR_OUT" 2>&1 3>&- </dev/null &
	track_bg $! "$CTR_OUT"
}

# rootless_refused ARGS...: run rootless, it must exit 125 with one 'container: ' line on stderr
# matching $REFUSAL (an extended regex), and nothing on stdout.
rootless_refused() {
	run --separate-stderr rctr "$@"
	# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
	if [ "$status" != 125 ] || [ "$(wc -l <<<"$stderr")" != 1 ] || [[ $stderr != "container: "* ]] ||
		[ -n "$output" ]; then
		fail_with "rootless: container $* -> status $status (expected 125), stderr: '$stderr', stdout: '$output' (expected one 'container: ...' line on stderr, nothing on stdout)"
	fi
	[[ $stderr =~ $REFUSAL ]] ||
		fail_with "rootless: container $*: the message '$stderr' does not say why (expected it to match /$REFUSAL/)"
}

# ---- a user namespace, mapped ----

# bats test_tags=points:3
@test "a user who is not root gets a container, and is root in it: id -u is 0" {
	hint "rootless: clone(2) with CLONE_NEWUSER together with the other namespaces, and write the maps from the parent before the child goes on; the 'must run as root' check belongs to stages 1-6 only (user_namespaces(7))"
	run -0 rctr run --rootfs "$RFS" -- sh -c 'id -u; id -g'
	assert_output $'0\n0'
}

# bats test_tags=points:3
@test "uid_map is '0 UID 1', gid_map '0 GID 1', setgroups 'deny'" {
	hint "write '0 UID 1' to /proc/PID/uid_map, 'deny' to /proc/PID/setgroups, then '0 GID 1' to /proc/PID/gid_map, with UID and GID the runtime's own (user_namespaces(7): 'Defining user and group ID mappings', and why setgroups comes first: CVE-2014-8989)"
	run -0 rctr run --rootfs "$RFS" -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
	assert_equal "$(awk '{$1 = $1; print}' <<<"$output")" "0 $RUID 1
0 $RUID 1
deny"
}

# bats test_tags=points:3
@test "every other namespace of the container is owned by its user namespace" {
	local init userns ns t owner bad=""
	requires tool:lsns
	hint "create the user namespace first: in the same clone(2) as the others (the kernel makes it first), or before them; a namespace created before it stays owned by the host's (ioctl_ns(2): NS_GET_USERNS)"
	rctr_bg run --rootfs "$RFS" -- sleep 1000
	init=$(ctr_init_pid)
	userns=$(stat -Lc %i "/proc/$init/ns/user")
	[ "$userns" != "$(stat -Lc %i /proc/self/ns/user)" ] ||
		fail_with "the container (pid $init) is in the grader's user namespace"
	for t in uts ipc mnt pid net; do
		ns=$(stat -Lc %i "/proc/$init/ns/$t")
		owner=$(lsns -n -r -o NS,ONS -t "$t" | awk -v n="$ns" '$1 == n { print $2 }')
		[ "$owner" = "$userns" ] || bad+=" $t (owner ${owner:-unknown}, not $userns)"
	done
	[ -z "$bad" ] || fail_with "namespaces of the container not owned by its user namespace:$bad"
}

# bats test_tags=points:2
@test "files the container makes belong to the user on the host; its own files are root's inside" {
	hint "with uid_map '0 UID 1' root inside is UID on the host: nothing to do but map (no chown; user_namespaces(7), 'User and group ID mappings')"
	rm -f "$RFS/root/made-inside"
	run -0 rctr run --rootfs "$RFS" -- sh -c 'echo made > /root/made-inside; stat -c "%u:%g" /etc/passwd'
	assert_output "0:0"
	assert_equal "$(stat -c %u:%g "$RFS/root/made-inside")" "$RUID:$RUID"
}

# ---- stages 1-3 and 6, rootless ----

# bats test_tags=points:3
@test "rootless: the hostname, PID 1, a fresh /proc, pivot_root" {
	hint "rootless, the child does what stages 1-3 did, after the maps are written; in a user namespace proc and sysfs can only be mounted while the host's are visible (mount_too_revealing): make them before pivot_root, attach them after (user_namespaces(7))"
	run -0 rctr run --hostname rootless-box --rootfs "$RFS" -- sh -c 'hostname; echo $$; ls /proc | grep -c "^[0-9]"; [ -f /etc/container-lab-rootfs ] && [ ! -e "'"$RDIR"'" ] && echo marker; awk "\$5 == \"/sys\" { print \$6 }" /proc/self/mountinfo | cut -d, -f1'
	assert_equal "${lines[0]}" rootless-box
	assert_equal "${lines[1]}" 1
	# sh and ls, and maybe grep: a /proc of the container's own PID namespace.
	[ "${lines[2]}" -le 3 ] || fail_with "/proc inside shows ${lines[2]} processes: not a fresh proc of the container's PID namespace"
	hint "pivot_root into the rootfs and unmount the old root: the grader's scratch directory must not be reachable (pivot_root(2))"
	assert_equal "${lines[3]}" marker
	hint "sysfs must be mounted read-only, rootless too (mount(2))"
	assert_equal "${lines[4]}" ro
}

# bats test_tags=points:3
@test "rootless: /dev has working null, zero, full, random, urandom, tty, pts, shm and the links" {
	hint "mknod(2) is never allowed in a user namespace: bind-mount the host's nodes into the container's /dev tmpfs (open_tree(2) before pivot_root, move_mount(2) after); devpts without gid=5, which the map lacks"
	run -0 rctr run --rootfs "$RFS" -- sh -c '
		for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo "missing $d"; done
		for l in fd stdin stdout stderr ptmx; do [ -L /dev/$l ] || echo "missing link $l"; done
		echo x > /dev/null || echo "null: not writable"
		[ "$(head -c 3 /dev/zero | od -An -tx1 | tr -d " ")" = 000000 ] || echo "zero: not zeros"
		[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] || echo "urandom: short read"
		echo x 2>/dev/null > /dev/full && echo "full: write succeeded"
		grep -q " /dev/pts .* - devpts " /proc/self/mountinfo || echo "no devpts on /dev/pts"
		grep -q " /dev/shm .* - tmpfs " /proc/self/mountinfo || echo "no tmpfs on /dev/shm"
		echo all-checked'
	assert_output all-checked
}

# bats test_tags=points:3
@test "rootless: the stage 6 capability sets, no_new_privs and the seccomp filter hold" {
	hint "stage 6 is done in the child exactly as with root: the sets are relative to the container's user namespace (capabilities(7), user_namespaces(7))"
	run -0 rctr run --rootfs "$RFS" -- cat /proc/self/status
	assert_equal "$(awk '/^(CapBnd|CapEff|CapPrm|CapInh|CapAmb|NoNewPrivs|Seccomp):/ { printf "%s %s\n", $1, $2 }' <<<"$output")" \
		"CapInh: 0000000000000000
CapPrm: $CAPS_WANTED
CapEff: $CAPS_WANTED
CapBnd: $CAPS_WANTED
CapAmb: 0000000000000000
NoNewPrivs: 1
Seccomp: 2"
}

# ---- root inside is not root outside ----

# bats test_tags=points:3
@test "root inside cannot write a root-owned host file, read the host's /etc/shadow, load a module or mknod" {
	local victim=$RDIR/root-owned
	echo original >"$victim"
	chmod 644 "$victim"
	hint "the container's root is the user on the host: its capabilities work only over what its user namespace owns (ns_capable(), not capable()); if this fails, the container was not in a user namespace at all (user_namespaces(7), 'Capabilities')"
	run rctr run -- sh -c "echo changed > $victim; cat /etc/shadow"
	assert_equal "$(cat "$victim")" original
	refute_output --partial 'root:'
	[ "$status" != 0 ]
	run -0 rctr run --rootfs "$RFS" -- env TMPDIR=/dev/shm probe-syscalls finit_module init_module mknod_chr mknod_blk
	assert_output $'finit_module=EPERM\ninit_module=EPERM\nmknod_chr=EPERM\nmknod_blk=EPERM'
}

# bats test_tags=points:1
@test "root inside cannot signal a host process of root's" {
	local victim
	sleep 1000 3>&- &
	victim=$!
	_BG_PIDS+=("$victim")
	hint "the container's processes must be in their own PID and user namespaces (user_namespaces(7), pid_namespaces(7))"
	run rctr run -- kill -0 "$victim"
	[ "$status" != 0 ] || fail_with "kill -0 $victim (a root process of the host) succeeded from inside"
	kill -0 "$victim"
}

# ---- what needs root: refused ----

# bats test_tags=points:2
@test "rootless --net: 125 and a message that says it needs root; nothing made" {
	hint "refuse --net before anything is created: the host end of the veth would be in the host's network namespace, which the user cannot change (network_namespaces(7), user_namespaces(7))"
	REFUSAL='root'
	rootless_refused run --net 10.200.77.2/24 -- true
}

# bats test_tags=points:3
@test "rootless limits without a cgroup the user may write: 125, and the message names delegation" {
	local opt
	hint "rootless, a limit needs a cgroup the user may write (delegated); none: refuse, never drop the limit silently (the contract, stage 7; cgroups(7), 'Cgroups v2 delegation')"
	REFUSAL='[Dd]elegat'
	for opt in "--pids-limit 5" "--memory 64M" "--cpus 0.5"; do
		# shellcheck disable=SC2086 # split the option from its value on purpose
		rootless_refused run --rootfs "$RFS" $opt -- true
	done
	hint "without a limit the container needs no cgroup: rootless, it runs (cgroups(7))"
	run -0 rctr run --rootfs "$RFS" -- true
}

# delegate: make a cgroup the test's user may write, in every hierarchy limits need, with a leaf
# "run" in it for the runtime (on v2 a cgroup holding a process cannot hand controllers down).
# The directories go into DELEGATED; the teardown removes them.
delegate() {
	local name c mnt d
	name=container-lab-deleg-$RUID
	if [ "$(cgroup_mode)" = v2 ]; then
		d=/sys/fs/cgroup/$name
		mkdir "$d"
		DELEGATED+=("$d")
		for c in pids memory cpu; do
			grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control || echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
		done
		echo "+pids +memory +cpu" >"$d/cgroup.subtree_control"
		# What systemd's Delegate=yes hands over: the directory and these three files.
		chown "$RUID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
		mkdir "$d/run"
		chown "$RUID" "$d/run" "$d/run/cgroup.procs"
	else
		for c in pids memory cpu; do
			mnt=$(hierarchy_mount "$c")
			d=$mnt/$name
			[ -d "$d" ] && continue # co-mounted with one done already
			mkdir "$d"
			DELEGATED+=("$d")
			# v1 has no delegation model: a subtree chowned to the user is the way.
			chown -R "$RUID" "$d"
			mkdir "$d/run"
			chown -R "$RUID" "$d/run"
		done
	fi
}

# in_delegated CMD...: CMD run by a shell that moves itself into the delegated leaves first and
# then becomes CMD (exec): as a background job, $! is CMD's pid.
# shellcheck disable=SC2016 # $$ and "$@" are the inner shell's
_IN_DELEGATED='for d; do [ "$d" = -- ] && break; echo $$ > "$d/run/cgroup.procs"; done
	while [ "$1" != -- ]; do shift; done; shift; exec "$@"'
in_delegated() {
	sh -c "$_IN_DELEGATED" sh "${DELEGATED[@]}" -- "$@"
}

# bats test_tags=points:4
@test "rootless limits in a delegated cgroup: --pids-limit 20 stops a fork bomb" {
	local forks d
	hint "rootless, make the container's cgroup in the cgroup above the runtime's own when the user may write it (/proc/self/cgroup; on v2 enable the controllers in its cgroup.subtree_control), and write the limits there (cgroups(7), 'Cgroups v2 delegation')"
	delegate
	run -0 in_delegated timeout 30 setpriv --reuid="$RUID" --regid="$RUID" --clear-groups -- \
		"$CONTAINER" run --rootfs "$RFS" --pids-limit 20 -- probe-forkbomb
	assert_output --regexp '^forks=[0-9]+ eagain=1 errno=EAGAIN$'
	forks=$(sed -n 's/^forks=\([0-9]*\).*/\1/p' <<<"$output")
	[ "$forks" -le 19 ] && [ "$forks" -ge 15 ] ||
		fail_with "the probe made $forks children besides itself; with --pids-limit 20 it should make 19 (at most 20 tasks)"
	hint "the container's cgroup must be removed when it ends, rootless too (rmdir(2))"
	for d in "${DELEGATED[@]}"; do
		assert_equal "$(find "$d" -mindepth 1 -type d)" "$d/run"
	done
}

# bats test_tags=points:2
@test "rootless limits in a delegated cgroup: --memory 32M OOM-kills (137)" {
	hint "rootless, the memory limit goes into the container's cgroup under the delegated one, as with root (cgroups(7))"
	delegate
	run in_delegated timeout 30 setpriv --reuid="$RUID" --regid="$RUID" --clear-groups -- \
		"$CONTAINER" run --rootfs "$RFS" --memory 32M -- probe-mem 64
	assert_equal "$status" 137
}

# bats test_tags=points:2
@test "rootless, SIGKILL to the runtime: the container and its delegated cgroup are gone" {
	local d
	hint "rootless too, the container dies with the runtime (PR_SET_PDEATHSIG) and its cgroup is removed by whatever cleans up after a killed runtime; the user may rmdir what it created (prctl(2))"
	delegate
	_log_cmd run --rootfs "$RFS" --pids-limit 20 -- sleep 1000
	sh -c "$_IN_DELEGATED" sh "${DELEGATED[@]}" -- setpriv --reuid="$RUID" --regid="$RUID" \
		--clear-groups -- "$CONTAINER" run --rootfs "$RFS" --pids-limit 20 -- sleep 1000 3>&- &
	CTR_PID=$!
	_BG_PIDS+=("$CTR_PID")
	ctr_init_pid >/dev/null
	kill -KILL "$CTR_PID"
	ctr_wait
	for d in "${DELEGATED[@]}"; do
		wait_for "the container's cgroup under $d to be removed" only_run_left "$d"
	done
}

# only_run_left DIR: the delegated cgroup DIR holds nothing but the runtime's own cgroup, run
# (looked at anew each time wait_for asks: the cleanup after a killed runtime takes a moment).
only_run_left() {
	[ "$(find "$1" -mindepth 1 -type d)" = "$1/run" ]
}

# ---- user namespaces off ----

# in_other_userns PID: PID is in a user namespace other than ours (polled: read anew each time).
in_other_userns() {
	local theirs
	theirs=$(stat -Lc %i "/proc/$1/ns/user" 2>/dev/null) && [ -n "$theirs" ] &&
		[ "$theirs" != "$(stat -Lc %i /proc/self/ns/user)" ]
}

# bats test_tags=points:2
@test "user namespaces disabled (user.max_user_namespaces 0): 125 and a message naming the switch" {
	local p
	hint "say which switch is off: read /proc/sys/user/max_user_namespaces (and kernel.apparmor_restrict_unprivileged_userns) before clone(2), which would only say ENOSPC or EPERM"
	# The switch is turned off inside a user namespace of the test's own (never on the host): it
	# maps root and the test's user to themselves, and its root sets the sysctl there.
	rm -f "$RDIR/go"
	mkfifo "$RDIR/go"
	# The shell that sets it is started (exec) only once the maps are written: a process that was
	# unmapped at its execve(2) keeps no capabilities, in that namespace either.
	unshare --user -- sh -c "read -r _ < '$RDIR/go' && exec sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
		exec setpriv --reuid=$RUID --regid=$RUID --clear-groups -- \"\$0\" run -- true' '$CONTAINER'" \
		>"$RDIR/out" 2>"$RDIR/err" 3>&- &
	p=$!
	_BG_PIDS+=("$p")
	wait_for "the test's user namespace" in_other_userns "$p"
	# A map goes in one write(2), which bash's printf does not promise for two lines: dd
	# collects its whole input (fullblock) and writes it once.
	printf '0 0 1\n%s %s 1\n' "$RUID" "$RUID" | dd of="/proc/$p/uid_map" bs=4096 iflag=fullblock status=none
	printf '0 0 1\n%s %s 1\n' "$RUID" "$RUID" | dd of="/proc/$p/gid_map" bs=4096 iflag=fullblock status=none
	echo go >"$RDIR/go"
	ctr_wait "$p"
	assert_equal "$status" 125
	assert_equal "$(wc -l <"$RDIR/err")" 1
	assert_regex "$(cat "$RDIR/err")" '^container: .*max_user_namespaces'
}
