# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 5 — a network namespace and a veth pair — the live demo of stage 5, sourced by slides/demo.
#
# implements_5: does the runtime under test do stage 5? Asked through the contract only.
# demo_5: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_5() {
	local n
	n=$(q run -- readlink /proc/self/ns/net)
	[ -n "$n" ] && [ "$n" != "$(readlink /proc/self/ns/net)" ]
}

demo_5() {
	title "Stage 5 — a network namespace and a veth pair"
	needs 1 2 3 5 || return 0
	say "CLONE_NEWNET: a new network namespace has nothing but lo."
	side "ip -br addr" "container run --rootfs rootfs -- ip addr"
	expect ctr 'lo:.*UP' "lo is up"
	pause
	say "--net 10.200.42.2/24: eth0 inside, the host end of the veth pair gets 10.200.42.1."
	ctr "container run --rootfs rootfs --net 10.200.42.2/24 -- sh -c 'ip -4 addr show eth0; ip route; ping -c 2 10.200.42.1'"
	expect ctr '2 packets received' "the container reaches the host"
	pause
	say "And the other way round: a web server in the container, a client on the host."
	ctr_bg "container run --rootfs rootfs --net 10.200.42.2/24 -- httpd -f -p 8080 -h /etc"
	wait_for "httpd to answer" rootfs/bin/busybox wget -qO /dev/null http://10.200.42.2:8080/container-lab-rootfs
	host "ip -br addr | grep 10.200.42.1"
	host "rootfs/bin/busybox wget -qO- http://10.200.42.2:8080/container-lab-rootfs"
	expect host 'container-lab-rootfs-marker' "the host fetched a file from the container"
	ctr_stop
	if [ -z "$session" ]; then
		host "ip -br addr | grep 10.200.42.1 || echo 'the host end is gone with the container'"
		expect host 'gone' "nothing left behind"
	fi
	pause
}
