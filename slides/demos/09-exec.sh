# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 9 — exec into a running container — the live demo of stage 9, sourced by slides/demo.
#
# implements_9: does the runtime under test do stage 9? Asked through the contract only.
# demo_9: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).
# The container runs in the container pane; exec, ps and kill are typed on the host (an exec is
# a second process entering from outside), so the web server keeps its pane to itself.

implements_9() {
	# ps answers (an empty list is fine) and exec of an unknown name is a usage error.
	timeout 30 container ps >/dev/null 2>&1 </dev/null &&
		! timeout 30 container exec no-such-demo-name true >/dev/null 2>&1 </dev/null
}

# The web container is stopped from the host (kill ... TERM): its PID 1 traps TERM.
demo_9_stop() {
	host "container kill web TERM"
	if [ -n "$session" ]; then
		pane_wait 2
		pane_capture 2 "$last_ctr"
	else
		wait "$bg_pid" 2>/dev/null || true
		cat "$last_ctr"
	fi
}

demo_9() {
	title "Stage 9 — exec into a running container"
	needs 1 2 3 5 9 || return 0
	say "A named container serving over --net; its web server logs to /tmp/httpd.log, inside."
	ctr_bg "container run --name web --rootfs rootfs --net 10.200.49.2/24 -- sh -c 'trap \"exit 143\" TERM; httpd -f -vv -p 8080 -h /etc 2>/tmp/httpd.log & wait'"
	wait_for "httpd to answer" rootfs/bin/busybox wget -qO /dev/null http://10.200.49.2:8080/container-lab-rootfs
	host "container ps"
	expect host '^web [0-9]+ ' "ps lists web with the host pid of its first process"
	pause
	say "exec: a second process enters it - its files, its processes, its hostname, its eth0."
	host "rootfs/bin/busybox wget -qO- http://10.200.49.2:8080/container-lab-rootfs"
	host "container exec web -- sh -c 'cat /tmp/httpd.log; ps; hostname; ip -4 -o addr show eth0'"
	expect host 'response:200' "exec reads the log the container wrote"
	expect host '^ +1 root +sh -c trap' "and sees the container's PID 1"
	pause
	say "The same namespaces as PID 1 (setns), the same cgroup, the same confinement."
	host 'p=$(ctrpid); for n in mnt pid net uts; do echo "$n: $(readlink /proc/$p/ns/$n) | $(container exec web readlink /proc/self/ns/$n)"; done'
	expect host 'pid: (pid:\[[0-9]+\]) \| \1' "the exec'd process is in the container's PID namespace"
	host "container exec web grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status"
	expect host 'Seccomp:.2' "and under its seccomp filter"
	pause
	say "kill web TERM: PID 1 traps it and exits 143; the name is free again."
	demo_9_stop
	host 'container ps; echo "ps lists $(container ps | wc -l) containers"'
	expect host 'ps lists 0 containers' "nothing left running"
	pause
}
