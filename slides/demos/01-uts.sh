# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 1 — clone(2) into new UTS and IPC namespaces — the live demo of stage 1, sourced by slides/demo.
#
# implements_1: does the runtime under test do stage 1? Asked through the contract only.
# demo_1: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_1() {
	[ "$(q run --hostname demo-probe -- hostname)" = demo-probe ]
}

demo_1() {
	title "Stage 1 — clone(2) into new UTS and IPC namespaces"
	needs 1 || return 0
	say "A container is a process. clone(2) with CLONE_NEWUTS gives it a hostname of its own."
	pause
	side "hostname" "container run --hostname box -- hostname"
	expect ctr '^box$' "the container's hostname is box"
	expect host '.' "the host kept its own"
	pause
	say "Each process is in one namespace of each kind: /proc/PID/ns names them (inode = identity)."
	side "readlink /proc/self/ns/uts /proc/self/ns/ipc" \
		"container run -- readlink /proc/self/ns/uts /proc/self/ns/ipc"
	if [ -z "$session" ] && ! cmp -s "$last_host" "$last_ctr"; then
		printf '%s  ✓ different namespaces%s\n' "$GREEN" "$R"
	fi
	pause
	say "The runtime exits with COMMAND's status; 127 if it does not exist."
	ctr 'container run -- sh -c "exit 7"; echo "exit status: $?"'
	expect ctr 'exit status: 7' "status 7 passed on"
	ctr 'container run -- no-such-command; echo "exit status: $?"'
	expect ctr 'exit status: 127' "127: command not found"
	pause
}
