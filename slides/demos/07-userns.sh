# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 7 — a user namespace: the rootless container — the live demo of stage 7, sourced by slides/demo.
#
# implements_7: does the runtime under test do stage 7? Asked through the contract only.
# demo_7: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...;
# `student CMD` runs CMD as the demo's unprivileged user, uid $DEMO_UID).

implements_7() {
	[ "$(timeout 30 student container run -- id -u 2>/dev/null </dev/null)" = 0 ]
}

demo_7() {
	title "Stage 7 — a user namespace: the rootless container"
	[ -d student-rootfs ] || { cp -a rootfs student-rootfs && chown -R "$DEMO_UID:$DEMO_UID" student-rootfs; }
	needs 1 2 3 7 || return 0
	say "No sudo: 'student' runs a command as uid $DEMO_UID, a user with no privilege at all."
	side "student id" "student container run --rootfs student-rootfs -- id" "student"
	expect host "^uid=$DEMO_UID" "on the host, the student is uid $DEMO_UID"
	expect ctr '^uid=0\(root\)' "inside, the same process is root"
	pause
	say "The map: uid 0 inside is uid $DEMO_UID outside, one id, and setgroups is denied."
	side "id; cat /proc/self/uid_map" \
		"student container run --rootfs student-rootfs -- cat /proc/self/uid_map /proc/self/setgroups" "host root"
	expect ctr "^ +0 +$DEMO_UID +1\$" "uid_map: 0 $DEMO_UID 1"
	expect ctr '^deny$' "setgroups: deny"
	pause
	say "Root inside makes a file: on the host, it belongs to the student."
	ctr "student container run --rootfs student-rootfs -- sh -c 'echo hi > /root/made-inside; ls -ln /root/made-inside'"
	side "ls -ln student-rootfs/root/made-inside" \
		"student container run --rootfs student-rootfs -- ls -ln /root/made-inside" "host root"
	expect host " $DEMO_UID +$DEMO_UID .*made-inside" "the host sees uid $DEMO_UID"
	expect ctr " 0 +0 .*made-inside" "the container sees root"
	pause
	say "Host root against container root: the host's /etc/shadow (without --rootfs)."
	side "ls -ln /etc/shadow; wc -l < /etc/shadow" \
		"student container run -- sh -c 'ls -ln /etc/shadow; wc -l < /etc/shadow'" "host root"
	expect host '^[0-9]+$' "host root reads it"
	expect ctr '65534.*shadow' "inside, the host's root shows as 65534: unmapped"
	expect ctr 'Permission denied' "container root cannot read it"
	pause
	say "What needs the host's root is refused, with a reason."
	ctr "student container run --net 10.200.43.2/24 -- true; echo \"exit status: \$?\""
	expect ctr 'exit status: 125' "--net needs root: 125"
	ctr "student container run --pids-limit 10 -- true; echo \"exit status: \$?\""
	expect ctr 'delegat' "a limit needs a delegated cgroup: 125 and why"
	pause
}
