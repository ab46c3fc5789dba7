# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 4 — cgroups: how much a container may use — the live demo of stage 4, sourced by slides/demo.
#
# implements_4: does the runtime under test do stage 4? Asked through the contract only.
# demo_4: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_4() {
	[ -n "$(q run --pids-limit 64 -- cat /proc/self/cgroup)" ] &&
	[ "$(q run --pids-limit 64 -- cat /proc/self/cgroup)" != "$(cat /proc/self/cgroup)" ]
}

demo_4() {
	title "Stage 4 — cgroups: how much a container may use"
	needs 1 2 3 4 || return 0
	say "Every process of the container is in its own cgroup, from its first instruction."
	side "cat /proc/self/cgroup" "container run --rootfs rootfs --pids-limit 20 --memory 64M --cpus 0.5 -- cat /proc/self/cgroup"
	pause
	say "A fork bomb, with --pids-limit 20: fork(2) fails with EAGAIN at 20 tasks."
	ctr_bg "container run --rootfs rootfs --pids-limit 20 -- probe-forkbomb --hold 1000"
	wait_for "the bomb to hit the limit" ctr_printed 'eagain='
	host 'cg=$(sed -n "s/^[0-9]*:pids://p; s/^0:://p" /proc/$(ctrpid)/cgroup | head -1); for f in pids.current pids.max; do echo "$f: $(cat /sys/fs/cgroup/pids$cg/$f 2>/dev/null || cat /sys/fs/cgroup$cg/$f)"; done'
	expect host 'pids.max: 20' "the limit is 20 tasks"
	host 'sh -c "echo the host still forks fine"; cut -d" " -f4 /proc/loadavg'
	ctr_stop
	expect ctr 'eagain=1' "the bomb hit the limit (EAGAIN)"
	pause
	say "Memory: --memory 32M. 16 MiB is fine; touching 64 MiB gets COMMAND OOM-killed (128 + 9)."
	ctr "container run --rootfs rootfs --memory 32M -- probe-mem 16"
	expect ctr 'touched=16' "16 MiB fits"
	ctr 'container run --rootfs rootfs --memory 32M -- probe-mem 64; echo "exit status: $?"'
	expect ctr 'exit status: 137' "OOM-killed: 137"
	host 'dmesg 2>/dev/null | grep "Memory cgroup out of memory" | tail -1 | cut -c1-100 || true'
	pause
	say "CPU: --cpus 0.25 is a quota of 25 ms per 100 ms period."
	side "rootfs/usr/local/bin/probe-burn 1" "container run --rootfs rootfs --cpus 0.25 -- probe-burn 1"
	expect ctr 'ratio=0\.([0-3]|4[0-5])' "about a quarter of the wall time"
	pause
}
