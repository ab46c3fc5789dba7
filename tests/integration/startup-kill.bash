# shellcheck shell=bash
# startup-kill.bash — SIGKILL a runtime in the middle of its start-up (tests/integration/04-cgroups.bats,
# tests/integration/05-net.bats): `load lib/startup-kill` after `load lib/helpers`.
#
# A runtime that creates something on the host (a cgroup, a veth) and only later arranges for it
# to be removed if it is killed has a window, right after the thing appears, in which a SIGKILL
# leaves it behind. The window is a millisecond or less, too short to hit by polling from a
# shell, so the runtime is frozen instead: SIGSTOP at some moment, then look at the machine at
# leisure. If the thing exists, the runtime is SIGKILLed right there (a stopped process dies of
# SIGKILL at once) and the thing must go; and the next moment is earlier, else later, so that
# the moments close in on the one when the thing appears. The pauses choose the moment to stop
# at; nothing waits on them.

# startup_kill LIST ARGS...: catch `container ARGS... -- sh -c 'read x < FIFO'` (a COMMAND that
# waits until it is killed) 4 times (in at most 24 runs) just after something new appeared in
# LIST's output (LIST prints the things to watch, one a line). If the function on_caught exists
# it runs before the SIGKILL with the runtime's pid (e.g. to hold the container's netns open);
# after_try, if it exists, after each run. Fails if a caught run's things are not all gone within
# $WAIT_TIMEOUT s, and if no run made anything.
startup_kill() {
	local list=$1 hold=$BATS_TEST_TMPDIR/hold fifo=$BATS_TEST_TMPDIR/pause lo=0 hi before new
	local sleeper i at caught=0 tries=0 init
	shift
	mkfifo "$fifo" "$hold"
	exec {sleeper}<>"$fifo"
	# The first moment is drawn from the life of an uncut run (in microseconds).
	at=${EPOCHREALTIME/./}
	run -0 ctr "$@" -- true
	hi=$((10#${EPOCHREALTIME/./} - 10#$at))
	# Once COMMAND runs, the thing exists (the contract makes it before COMMAND starts): a runtime
	# that has not made it by then fails here, in one run, not after 24 that catch nothing.
	before=$("$list")
	ctr_bg "$@" -- sh -c "read x < '$hold'"
	init=$(ctr_init_pid) || fail_with "the container's COMMAND never started: $(_output_of "$CTR_PID" 400)"
	new=$(comm -13 <(sort <<<"$before") <("$list" | sort))
	kill -KILL "$init"
	ctr_wait
	if [ -z "$new" ]; then
		# Then this test's hint (about the moment of the kill) is beside the point.
		# shellcheck disable=SC2034 # read by common_teardown (helpers.bash)
		HINT="make it first: the stage's other tests that fail say how (cgroups(7), veth(4))"
		fail_with "while a container ran, nothing new appeared in the host's ${list//_/ }: the runtime did not make what this test kills it around"
	fi
	wait_for "what the container made to be removed after it ended" _startup_gone "$list" "$new"
	for ((i = 0; caught < 4 && i < 24; i++)); do
		before=$("$list")
		ctr_bg "$@" -- sh -c "read x < '$hold'"
		at=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		read -r -t "$(printf '%d.%06d' $((at / 1000000)) $((at % 1000000)))" -u "$sleeper" _ || : # times out: that is the pause
		kill -STOP "$CTR_PID" 2>/dev/null || : # ended already (a failed start): not caught
		new=$(comm -13 <(sort <<<"$before") <("$list" | sort))
		tries=$((tries + 1))
		if [ -z "$new" ]; then
			lo=$((at * 3 / 4)) # nothing yet: later next time (not by all of it: runs vary)
		else
			hi=$at # caught: earlier next time, closer to the moment it appears
			caught=$((caught + 1))
			# Shown with the commands if the test fails: when each kill came, and what it met.
			printf '  (SIGKILLed %d.%03d ms after the start, with: %s)\n' $((at / 1000)) $((at % 1000)) \
				"$(tr '\n' ' ' <<<"$new")" >>"$BATS_TEST_TMPDIR/commands"
			if declare -F on_caught >/dev/null; then on_caught "$CTR_PID"; fi
			kill -KILL "$CTR_PID"
			ctr_wait
			while read -r t; do
				wait_for "$t (made by a runtime SIGKILLed in its start-up, $((at / 1000)).$(printf '%03d' $((at % 1000))) ms after it started) to be removed" \
					_startup_gone "$list" "$t"
			done <<<"$new"
		fi
		kill -KILL "$CTR_PID" 2>/dev/null || : # not caught: killed all the same
		ctr_wait
		if declare -F after_try >/dev/null; then after_try; fi
	done
	exec {sleeper}<&-
	[ "$caught" -gt 0 ] ||
		fail_with "in $tries runs stopped at moments over a run's start-up, $list never showed anything new: does the runtime create it at all?"
}

# _startup_gone LIST THINGS: none of THINGS (one a line) is in LIST's output any more.
_startup_gone() {
	! "$1" | grep -qxF -- "$2"
}
