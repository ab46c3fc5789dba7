#!/usr/bin/env python3
"""blocked.py — where one run of a command waits in the kernel: its slow system calls, each with
the kernel stack it slept in, and the kernel workers' jobs (cleanup_net, ...) beside them.

Runs COMMAND a few times untraced (a warm cache, and the steady state a benchmark loop meets),
then once more with tracefs events on: sched_switch with a kernel stack for every task that
blocks, sched_wakeup, fork/exec/exit, raw system calls and workqueue jobs. Prints one timeline
(milliseconds from the start of the traced run) of the command's processes — its own pid and every
descendant: system calls that took at least --threshold ms, each block that long with the
innermost kernel functions it slept in, forks and exits — and of the workqueue jobs whose names
say they free or dismantle something. That is how the `--net` costs in LAB.md were found: e.g.

    blocked   9.2 ms in wait_for_completion < synchronize_rcu_normal < rcu_sync_enter <
              percpu_down_write < cgroup_procs_write_start  (the runtime's write to cgroup.procs)
    blocked  20.8 ms in wait_for_completion < rcu_barrier < netdev_run_todo < rtnl_dellink

No kprobes and no function tracer are needed (many kernels, this kit's VM's among them, forbid
them): only trace events. The trace is global, so other work on the machine shows up too (it is
filtered out of the timeline) and slows the run a little.

usage: sudo tests/kit/bench/blocked.py [--threshold MS] [--warmup N] -- COMMAND [ARG...]
e.g.   sudo unshare --mount --net --propagation private -- \\
           tests/kit/bench/blocked.py -- build/ref/container run --rootfs build/rootfs \\
           --net 10.250.0.2/24 /bin/true
(the private network namespace, as `make bench` uses, keeps the veths off the host's network).
"""
import argparse
import os
import re
import subprocess
import sys

TRACEFS = "/sys/kernel/tracing"
EVENTS = ["sched:sched_switch", "sched:sched_wakeup", "sched:sched_process_fork",
          "sched:sched_process_exec", "sched:sched_process_exit", "raw_syscalls:sys_enter",
          "raw_syscalls:sys_exit", "workqueue:workqueue_execute_start",
          "workqueue:workqueue_execute_end"]
TRIGGER = "stacktrace if prev_state != 0"  # a stack for every task that blocks, not one preempted
# Frames that every blocked stack has: left out of the summary.
BORING = {"trace_event_raw_event_sched_switch", "__traceiter_sched_switch", "__schedule", "schedule",
          "schedule_timeout", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"}
# Workqueue jobs worth showing beside the command: the kernel's deferred dismantling and freeing.
JOBS = re.compile(r"cleanup_net|net|css_|rcu|addrconf|linkwatch|destroy|free", re.I)
LINE = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): ?(.*)$")


def write(name, value, append=False):
    """One write(2) to a tracefs file (Python's "a" mode seeks to the end, which tracefs refuses)."""
    fd = os.open(os.path.join(TRACEFS, name), os.O_WRONLY | (os.O_APPEND if append else os.O_TRUNC))
    try:
        os.write(fd, value.encode() or b"\n")
    finally:
        os.close(fd)


def syscall_names():
    names = {}
    for header in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"):
        if os.path.exists(header):
            with open(header) as f:
                for line in f:
                    m = re.match(r"#define __NR_(\w+) (\d+)", line)
                    if m:
                        names[int(m.group(2))] = m.group(1)
            break
    return names


def trace_one_run(cmd):
    """Run cmd once with the events on; return the trace's text. Leaves tracing as it found it:
    off, no events, no trigger."""
    if not os.path.exists(os.path.join(TRACEFS, "trace")):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=True)
    write("tracing_on", "0")
    write("trace", "")
    write("buffer_size_kb", "16384")
    write("trace_clock", "mono")
    write("set_event", "")
    for e in EVENTS:
        write("set_event", e + "\n", append=True)
    write("events/sched/sched_switch/trigger", TRIGGER)
    try:
        write("tracing_on", "1")
        write("trace_marker", "START")
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
        write("trace_marker", "END")
    finally:
        write("tracing_on", "0")
        write("events/sched/sched_switch/trigger", "!" + TRIGGER)
        write("set_event", "")
    with open(os.path.join(TRACEFS, "trace")) as f:
        text = f.read()
    write("trace", "")
    return text


def timeline(text, threshold_ms, names, parent):
    """(ms since START, pid, what) for the processes parent forks after START (the command and
    its descendants) and for the kernel's jobs."""
    lines = text.split("\n")
    pids, entered, blocked, out = set(), {}, {}, []
    t0 = None
    for i, line in enumerate(lines):
        m = LINE.match(line)
        if not m:
            continue
        comm, pid, _cpu, ts, event, rest = m.groups()
        pid, ts = int(pid), float(ts)
        if event == "tracing_mark_write":
            if "START" in rest:
                t0 = ts
            elif "END" in rest and t0 is not None:
                out.append((ts, 0, "END of the command"))
            continue
        if t0 is None:
            continue
        if event == "sched_process_fork":
            forker = int(re.search(r" pid=(\d+)", rest).group(1))
            child = int(re.search(r"child_pid=(\d+)", rest).group(1))
            if forker == parent or forker in pids:
                pids.add(child)
                out.append((ts, forker, f"fork -> {child}"))
        elif event == "sched_process_exec" and pid in pids:
            out.append((ts, pid, "exec " + rest.split()[0].split("=")[-1]))
        elif event.startswith("workqueue_execute"):
            job = rest.split("function ")[-1]
            if JOBS.search(job):
                out.append((ts, pid, f"[{comm}] {'start' if event.endswith('start') else 'end'} {job}"))
        if pid not in pids:
            continue
        if event == "sched_process_exit":
            out.append((ts, pid, "exit"))
        elif event == "sys_enter":
            entered[pid] = (ts, int(rest.split()[1]))
        elif event == "sys_exit" and pid in entered:
            start, nr = entered.pop(pid)
            ms = (ts - start) * 1e3
            if ms >= threshold_ms and nr == int(rest.split()[1]):
                out.append((start, pid, f"{names.get(nr, nr)}() {ms:.3f} ms = {rest.split('= ')[-1]}"))
        elif event == "sched_switch" and re.search(r"prev_state=[^R]", rest):
            stack = []
            for frame in lines[i + 1:i + 40]:
                frame = frame.strip()
                if frame.endswith("<stack trace>"):
                    continue
                if not frame.startswith("=>"):
                    break
                if frame[3:] not in BORING:
                    stack.append(frame[3:])
            blocked[pid] = (ts, " < ".join(stack[:6]))
        if pid in blocked and event != "sched_switch":
            since, where = blocked.pop(pid)
            ms = (ts - since) * 1e3
            if ms >= threshold_ms:
                out.append((since, pid, f"   blocked {ms:.3f} ms in {where}"))
    return t0, sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threshold", type=float, default=0.1, help="ms (default 0.1)")
    ap.add_argument("--warmup", type=int, default=3, help="untraced runs first (default 3)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("a COMMAND to trace, after --")
    if os.geteuid() != 0:
        ap.error("needs root (tracefs)")
    for _ in range(a.warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    t0, events = timeline(trace_one_run(cmd), a.threshold, syscall_names(), os.getpid())
    if t0 is None:
        sys.exit("blocked.py: the trace has no START mark (buffer overrun? try a shorter command)")
    print(f"{'ms':>8} {'pid':>6}  what (system calls and blocks >= {a.threshold} ms)")
    for ts, pid, what in events:
        print(f"{(ts - t0) * 1e3:8.3f} {pid:>6}  {what}")


if __name__ == "__main__":
    main()
