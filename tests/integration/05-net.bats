#!/usr/bin/env bats
# Stage 5 — a network namespace of its own; with --net, a veth pair to the host
#
# Every test carries its points in a `# bats test_tags=points:N` line. The runtime under test is
# $CONTAINER; nothing here depends on how it is written, only on the contract (LAB.md): no test
# knows the name of the host end of the veth — it is found by its address.
#
# Everything happens in the grader's own network namespace (tests/grade's sandbox starts with
# only lo), so no packet leaves the machine; the tests that create links or addresses, or start
# a container with --net (which creates a link on "the host"), require that sandbox. Each test
# uses its own subnet 10.205.N.0/24, whose host end is 10.205.N.1.

# shellcheck disable=SC2030,SC2031,SC2154 # each test and its teardown share one subshell; bats' run sets $stderr
load helpers
load startup-kill

setup() {
	common_setup
	requires root rootfs
	_SERVERS=() _TEST_LINKS=() _LO_ADDRS=() _NS_FDS=()
}

teardown() {
	local x
	for x in "${_SERVERS[@]}"; do
		kill -KILL "$x" 2>/dev/null
		wait "$x" 2>/dev/null
	done
	for x in "${_NS_FDS[@]}"; do
		eval "exec $x<&-"
	done
	for x in "${_TEST_LINKS[@]}"; do
		ip link del "$x" 2>/dev/null
	done
	for x in "${_LO_ADDRS[@]}"; do
		ip addr del "$x" dev lo 2>/dev/null
	done
	common_teardown
}

# ---- helpers ----

# host_if_with ADDR: the name of the grader-side interface that has the IPv4 address ADDR.
host_if_with() {
	ip -o -4 addr show | awk -v a="$1/" 'index($4, a) == 1 { print $2; exit }'
}

# is_up IFNAME: the interface is administratively up (UP among its flags).
is_up() {
	ip -o link show dev "$1" 2>/dev/null | grep -qE '<([^>]*,)?UP(,[^>]*)?>'
}

# start_ctr CIDR: a container on the busybox rootfs with --net CIDR that says "ready" and waits
# until the runtime is sent SIGTERM (which it forwards). $CTR_PID, $CTR_OUT as for ctr_bg.
start_ctr() {
	ctr_bg run --rootfs "$ROOTFS" --net "$1" -- sh -c 'trap "exit 0" TERM; echo ready; sleep 1000 & wait'
	wait_output '^ready$'
}

# has_host_end ADDR: an interface on the host has ADDR (the host end's address) now that COMMAND
# runs; else the test fails at once: nothing could reach the container, and waiting 10 s for a
# ping to answer would only make the failure slower (the host end is set up before COMMAND
# starts: the test of the host end's address checks that right after "ready" too).
has_host_end() {
	[ -n "$(host_if_with "$1")" ] ||
		fail_with "no interface on the host has $1 (the host end's address) while the container runs: nothing on the host can reach it (net_setup_host; veth(4), ip-address(8))"
}

# pings ADDR: ADDR answers one ping within a second (quietly: wait_for polls it).
pings() {
	ping -c1 -W1 "$1" >/dev/null 2>&1
}

# http_has HOST PORT PATH LINE: an HTTP/1.0 GET of PATH answers with LINE among its lines. Through
# busybox nc: the wget of Debian's busybox-static crashes.
http_has() {
	printf 'GET /%s HTTP/1.0\r\n\r\n' "$3" | busybox nc -w 2 "$1" "$2" 2>/dev/null | grep -qxF -- "$4"
}

# stop_ctr [RUNTIME_PID]: SIGTERM to the runtime, which forwards it; $status is its exit status.
stop_ctr() {
	kill -TERM "${1:-$CTR_PID}"
	ctr_wait "${1:-$CTR_PID}"
}

# hold_netns PID: keep PID's network namespace alive (an open /proc/PID/ns/net) after PID dies,
# as any process that joined it or a bind mount of it would: the kernel then keeps the container's
# eth0 — and with it the host end of the pair — until the runtime deletes the host end itself.
hold_netns() {
	local fd
	exec {fd}<"/proc/$1/ns/net"
	_NS_FDS+=("$fd")
}

# expect_refused ARGS...: 125, one "container: " line on stderr, nothing on stdout, no new link.
expect_refused() {
	local before
	before=$(links)
	check_usage_error "$@"
	if [ "$(links)" != "$before" ]; then
		fail_with "container $* was refused but left a link behind: $(comm -13 <(echo "$before") <(links) | tr '\n' ' ')"
	fi
}

# ---- without --net: a namespace of its own, with only lo in it ----

# bats test_tags=points:2
@test "the container has a network namespace of its own" {
	hint "the container shares the host's network namespace: add CLONE_NEWNET to the clone flags (net_clone_flags; network_namespaces(7))"
	run -0 ctr run --rootfs "$ROOTFS" -- readlink /proc/self/ns/net
	assert_output --regexp '^net:\[[0-9]+\]$'
	refute_output "$(readlink /proc/self/ns/net)"
}

# bats test_tags=points:3
@test "without --net, lo is the only interface inside: the host's are not visible" {
	requires sandbox
	# The sandbox has only lo: give "the host" a link of its own that must not show inside.
	ip link add cl-test2a type veth peer name cl-test2b
	_TEST_LINKS+=(cl-test2a)
	hint "the host's links are visible inside: the container must get a new network namespace, which holds only lo (CLONE_NEWNET; network_namespaces(7)); and without --net nothing is added to it"
	run -0 ctr run --rootfs "$ROOTFS" -- ip -o link show
	assert_equal "$(awk -F': ' '{print $2}' <<<"$output" | cut -d@ -f1 | tr '\n' ' ')" "lo "
}

# bats test_tags=points:2
@test "without --net, lo is up inside: 127.0.0.1 answers ping" {
	hint "a new namespace's lo starts DOWN, and until it is up even 127.0.0.1 is unreachable: bring lo up in net_setup_container (IFF_UP with rtnl_link_change; netdevice(7))"
	run -0 ctr run --rootfs "$ROOTFS" -- sh -c 'readlink /proc/self/ns/net; ip -o link show lo'
	[ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ] ||
		fail_with "the container shares the grader's network namespace (and its lo): add CLONE_NEWNET to the clone flags"
	assert_line --index 1 --regexp '<([^>]*,)?UP(,[^>]*)?>'
	run ctr run --rootfs "$ROOTFS" -- ping -c1 -W2 127.0.0.1
	assert_success
}

# ---- with --net: eth0, the host end, a route, and traffic ----

# bats test_tags=points:3
@test "--net: eth0 inside has the address and is up" {
	requires sandbox
	hint "inside the container (net_setup_container): bring eth0 up (rtnl_link_change with IFF_UP) and give it cfg->net.addr/prefix (rtnl_addr_add); the peer of the veth must be named eth0 and created in the child's namespace (rtnl_link_set_ns_pid; veth(4), rtnetlink(7))"
	run -0 ctr run --rootfs "$ROOTFS" --net 10.205.5.2/24 -- sh -c 'ip -o -4 addr show dev eth0; ip -o link show dev eth0'
	assert_line --regexp '^[0-9]+: eth0 +inet 10\.205\.5\.2/24 '
	assert_line --regexp '^[0-9]+: eth0(@[^:]*)?: <([^>]*,)?UP(,[^>]*)?>'
}

# bats test_tags=points:2
@test "--net: the default route inside goes via the host end" {
	requires sandbox
	# An address of the host's outside the container's subnet: reachable only through the route.
	ip addr add 10.205.99.1/32 dev lo
	_LO_ADDRS+=(10.205.99.1/32)
	hint "add a default route in the container: destination 0.0.0.0/0, gateway cfg->net.host_addr, via eth0 (rtnl_route_add; ip-route(8)) — after eth0 is up with its address"
	run -0 ctr run --rootfs "$ROOTFS" --net 10.205.6.2/24 -- sh -c 'ip route show; ping -c1 -W2 10.205.99.1 >/dev/null && echo reached'
	assert_line --regexp '^default via 10\.205\.6\.1 dev eth0'
	assert_line reached
}

# bats test_tags=points:3
@test "--net: the host end has the subnet's first address and is up" {
	requires sandbox
	local hif
	start_ctr 10.205.7.2/24
	hif=$(host_if_with 10.205.7.1)
	hint "the host end (net_setup_host) gets the subnet's first usable address, cfg->net.host_addr (10.205.7.1 for 10.205.7.2/24), with the same prefix, and must be brought up (rtnetlink(7))"
	[ -n "$hif" ] || fail_with "no interface on the host has 10.205.7.1 while the container runs; the host's IPv4 addresses: $(ip -o -4 addr show | awk '{print $2, $4}' | tr '\n' ' ')"
	run -0 ip -o -4 addr show dev "$hif"
	assert_output --partial "inet 10.205.7.1/24 "
	is_up "$hif" || fail_with "the host end $hif is not up: $(ip -o link show dev "$hif")"
	stop_ctr
	assert_equal "$status" 0
}

# bats test_tags=points:2
@test "--net: the container pings the host end" {
	requires sandbox
	hint "both ends must be up with their addresses: eth0 inside (net_setup_container), the host end outside (net_setup_host; veth(4))"
	run ctr run --rootfs "$ROOTFS" --net 10.205.8.2/24 -- ping -c1 -W2 10.205.8.1
	assert_success
}

# bats test_tags=points:2
@test "--net: the host pings the container" {
	requires sandbox
	start_ctr 10.205.9.2/24
	hint "both ends must be up with their addresses: eth0 inside (net_setup_container), the host end outside (net_setup_host; veth(4))"
	has_host_end 10.205.9.1
	wait_for "10.205.9.2 to answer ping from the host" pings 10.205.9.2
	stop_ctr
	assert_equal "$status" 0
}

# bats test_tags=points:3
@test "--net: an HTTP server inside answers a client on the host" {
	requires sandbox tool:busybox
	ctr_bg run --rootfs "$ROOTFS" --net 10.205.10.2/24 -- \
		sh -c 'trap "exit 0" TERM; httpd -f -p 8080 -h /etc & echo ready; wait'
	wait_output '^ready$'
	hint "TCP must flow from the host to eth0 inside and back: both ends up, addresses on both, the route inside (veth(4), ip-route(8))"
	has_host_end 10.205.10.1
	wait_for "the container's httpd at 10.205.10.2:8080 to serve /container-lab-rootfs" \
		http_has 10.205.10.2 8080 container-lab-rootfs container-lab-rootfs-marker
	stop_ctr
	assert_equal "$status" 0
}

# bats test_tags=points:2
@test "--net: a server on the host answers a client inside" {
	requires sandbox tool:busybox
	local token=token-$RANDOM$RANDOM
	mkdir "$BATS_TEST_TMPDIR/www"
	echo "$token" >"$BATS_TEST_TMPDIR/www/token"
	busybox httpd -f -p 8080 -h "$BATS_TEST_TMPDIR/www" 3>&- &
	_SERVERS+=($!)
	wait_for "the host's httpd to listen on port 8080" http_has 127.0.0.1 8080 token "$token"
	hint "TCP must flow from eth0 inside to the host end and back: both ends up, addresses on both (veth(4))"
	run -0 ctr run --rootfs "$ROOTFS" --net 10.205.11.2/24 -- \
		sh -c 'printf "GET /token HTTP/1.0\r\n\r\n" | nc -w 5 10.205.11.1 8080'
	assert_line "$token"
}

# bats test_tags=points:3
@test "two containers at once, on different subnets: both work, each sees only its own links" {
	requires sandbox tool:nsenter
	local a b init_a init_b n
	start_ctr 10.205.12.2/24
	a=$CTR_PID
	start_ctr 10.205.13.2/24
	b=$CTR_PID
	init_a=$(ctr_init_pid "$a")
	init_b=$(ctr_init_pid "$b")
	hint "each container needs its own veth pair with a host end of its own (a name unique to this runtime, at most 15 characters), created in its own namespace (veth(4); IFNAMSIZ in netdevice(7))"
	has_host_end 10.205.12.1
	has_host_end 10.205.13.1
	wait_for "10.205.12.2 to answer ping" pings 10.205.12.2
	wait_for "10.205.13.2 to answer ping" pings 10.205.13.2
	# Look into each container's namespace from here (nsenter), now that both pairs exist.
	for n in a b; do
		if [ $n = a ]; then set -- "$init_a" 10.205.12.2/24; else set -- "$init_b" 10.205.13.2/24; fi
		run -0 nsenter --net="/proc/$1/ns/net" ip -o link show
		assert_equal "$(awk -F': ' '{print $2}' <<<"$output" | cut -d@ -f1 | sort | tr '\n' ' ')" "eth0 lo "
		run -0 nsenter --net="/proc/$1/ns/net" ip -o -4 addr show dev eth0
		assert_output --partial "inet $2 "
	done
	stop_ctr "$a"
	assert_equal "$status" 0
	stop_ctr "$b"
	assert_equal "$status" 0
}

# ---- nothing left behind ----

# bats test_tags=points:3
@test "the host end is gone when the container exits, even while its namespace is held open" {
	requires sandbox
	local hif
	start_ctr 10.205.14.2/24
	hold_netns "$(ctr_init_pid)"
	hif=$(host_if_with 10.205.14.1)
	[ -n "$hif" ] || fail_with "no interface on the host has 10.205.14.1 while the container runs (net_setup_host gives the host end the subnet's first address)"
	stop_ctr
	assert_equal "$status" 0
	hint "delete the host end yourself in net_teardown (rtnl_link_delete): the kernel deletes the pair only when the container's namespace dies, which is later (a kernel workqueue), or never while something holds the namespace (veth(4), network_namespaces(7))"
	run links
	refute_line "$hif"
}

# bats test_tags=points:2
@test "the host end is gone after the runtime is killed with SIGKILL" {
	requires sandbox
	local hif
	start_ctr 10.205.15.2/24
	hold_netns "$(ctr_init_pid)"
	hif=$(host_if_with 10.205.15.1)
	[ -n "$hif" ] || fail_with "no interface on the host has 10.205.15.1 while the container runs (net_setup_host gives the host end the subnet's first address)"
	kill -KILL "$CTR_PID"
	ctr_wait
	hint "a SIGKILLed runtime cannot clean up; the core's cleanup guard calls net_teardown for it, which must delete the host end named in st->host_if (written before the pair is made; veth(4))"
	wait_for "the host end $hif to be deleted" sh -c "! ip link show dev '$hif' >/dev/null 2>&1"
}

# bats test_tags=points:2
@test "after SIGKILL during start-up, once the veth exists, the host end is removed, even while the namespace is held" {
	requires sandbox
	# Hold the container's namespace, or the kernel would delete the pair with it and hide a leak.
	on_caught() {
		local init
		init=$(ctr_init_pid "$1") && hold_netns "$init"
	}
	after_try() {
		local x
		for x in "${_NS_FDS[@]}"; do eval "exec $x<&-"; done
		_NS_FDS=()
	}
	hint "a runtime killed between creating the veth and exec must still have the host end deleted: the cleanup guard must exist before the pair is made, and net_setup_host write the name into st->host_if BEFORE rtnl_link_add (after it is too late for a SIGKILL in between; veth(4))"
	startup_kill links run --net 10.205.19.2/24
}

# bats test_tags=points:1
@test "a failed start (COMMAND not found) leaves no link behind" {
	requires sandbox
	local before
	before=$(links)
	run -127 ctr run --rootfs "$ROOTFS" --net 10.205.16.2/24 -- /no-such-command
	hint "on every failure path the runtime's teardown runs net_teardown, which must delete the host end at once (the kernel's own cleanup of the namespace comes later; veth(4))"
	assert_equal "$(links)" "$before"
}

# ---- bad input ----

# bats test_tags=points:1
@test "bad --net values exit 125 with one 'container: ' line and create nothing" {
	local bad
	hint "--net takes A.B.C.D/P with 8 <= P <= 30 (the contract); stages/core/config.c checks it before anything is created (inet_pton(3))"
	for bad in 10.205.17.2 300.1.1.1/24 10.205.17.2/33 10.205.17.2/31 10.205.17.2/7 "" net/24; do
		expect_refused run --rootfs "$ROOTFS" --net "$bad" -- true
	done
}

# bats test_tags=points:2
@test "--net whose host address is already in use on the host: 125, and nothing created" {
	requires sandbox
	ip link add cl-test18a type veth peer name cl-test18b
	_TEST_LINKS+=(cl-test18a)
	ip addr add 10.205.18.1/24 dev cl-test18a
	hint "before creating anything, net_setup_host must refuse a subnet whose host address an interface already has (rtnl_addr_alloc_cache, walk the addresses) and say so (rtnetlink(7))"
	expect_refused run --rootfs "$ROOTFS" --net 10.205.18.2/24 -- true
}
