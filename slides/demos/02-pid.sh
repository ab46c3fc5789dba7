# shellcheck shell=bash
# shellcheck disable=SC2016,SC2154 # commands run by bash -c (their $VARIABLES are its own); slides/demo sets the rest
# Stage 2 — a PID namespace and a fresh /proc — the live demo of stage 2, sourced by slides/demo.
#
# implements_2: does the runtime under test do stage 2? Asked through the contract only.
# demo_2: the demo itself (slides/demo's helpers: say, side, host, ctr, ctr_bg, expect, pause...).

implements_2() {
	[ "$(q run -- sh -c 'echo $$')" = 1 ]
}

demo_2() {
	title "Stage 2 — a PID namespace and a fresh /proc"
	needs 1 2 || return 0
	say "CLONE_NEWPID: COMMAND is PID 1 of a new PID namespace, and a new /proc shows only it."
	pause
	side 'echo "my pid: $$"; ps -e | wc -l' 'container run -- sh -c '\''echo "my pid: $$"; ps -e | wc -l'\'
	expect ctr 'my pid: 1$' "COMMAND is PID 1"
	pause
	side "ps -e | head -6" "container run -- ps -e"
	pause
	say "From the host, the container's PID 1 is an ordinary process with an ordinary PID."
	ctr_bg "container run -- sleep 30"
	host 'grep NSpid /proc/$(ctrpid)/status'
	expect host 'NSpid:[[:space:]]+[0-9]+[[:space:]]+1$' "two PIDs: the host's and 1"
	ctr_stop
	pause
	say "PID 1 ignores signals it has no handler for; when it exits, everything in the namespace dies."
	ctr 'container run -- sh -c '\''kill -TERM $$; echo "PID 1 is still here"; sleep 1000 & exit 0'\'
	expect ctr 'still here' "SIGTERM from inside ignored by PID 1"
	host 'pgrep -fx "sleep 1000" || echo "no sleep 1000 left on the host"'
	expect host 'no sleep 1000 left' "the orphan died with PID 1"
	pause
}
