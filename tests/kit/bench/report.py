#!/usr/bin/env python3
"""report.py — turn a hyperfine --export-json file into the bench tables (stdout, JSON, Markdown).

Called by tests/kit/bench/run. Medians, not means: a loaded machine adds a long tail of slow runs,
which moves the mean and hardly the median. Ratios are medians over medians of the same run.
"""
import argparse
import json
import os
import platform
import re
import statistics
import sys
import time

ANCHORS = ["unshare+chroot", "bwrap", "crun", "runc"]
# (numerator suffix, anchor, target): the targets, as ratios of medians of one run.
TARGETS = [("", "bwrap", 1.0), ("", "crun", 0.4), (" --net", "bwrap", 2.0)]
# --net against what it cannot avoid: t(--net) / (t(no --net) + the kernel's veth add+del).
NET_FLOOR_TARGET = 1.1
# What tests/grader/report.py prints at the end of a grading run.
GRADE_RE = re.compile(r"Score: ([0-9.]+)/([0-9.]+) +\((\d+)/(\d+) tests passed, (\d+)s\)")


def machine():
    info = {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": "?", "memory_gib": None}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            info["memory_gib"] = round(kib / 1024 / 1024, 1)
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["cgroups"] = (
        "v2" if os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        else "hybrid" if os.path.isdir("/sys/fs/cgroup/unified") and os.listdir("/sys/fs/cgroup/unified")
        else "v1"
    )
    return info


def quartiles(times):
    if len(times) < 4:
        return min(times), max(times)
    q = statistics.quantiles(times, n=4)
    return q[0], q[2]


def read_grading(path):
    """grading.tsv (one line per tests/grade run) -> a list of dicts, with the grader's own figures."""
    runs = []
    if not path or not os.path.exists(path):
        return runs
    with open(path) as f:
        for line in f:
            name, wall, rc, out, opts = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            run = {"run": name, "options": opts.strip(), "wall_s": float(wall), "exit_status": int(rc),
                   "elapsed_s": None, "score": None, "max": None, "passed": None, "tests": None}
            try:
                with open(out, errors="replace") as g:
                    text = re.sub(r"\x1b\[[0-9;]*m", "", g.read())
            except OSError:
                text = ""
            m = None
            for m in GRADE_RE.finditer(text):
                pass
            if m:
                run.update(score=float(m[1]), max=float(m[2]), passed=int(m[3]), tests=int(m[4]),
                           elapsed_s=int(m[5]))
            runs.append(run)
    return runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hyperfine", required=True)
    ap.add_argument("--failed", default="")
    ap.add_argument("--final", required=True, help="name of the runtime the ratios are about")
    ap.add_argument("--impl", default="solutions")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--load-before", default="")
    ap.add_argument("--idle-before", default="")
    ap.add_argument("--load-after", default="")
    ap.add_argument("--floor", default="", help="vethfloor.py's JSON")
    ap.add_argument("--grading", default="", help="run's grading.tsv: name, wall s, exit, output, options")
    ap.add_argument("--rootfs-seconds", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--json", required=True)
    ap.add_argument("--markdown", required=True)
    a = ap.parse_args()

    with open(a.hyperfine) as f:
        hf = json.load(f)
    results = []
    for r in hf["results"]:
        times = r.get("times") or [r["median"]]
        q1, q3 = quartiles(times)
        results.append({
            "name": r.get("command_name") or r["command"],
            "command": r["command"],
            "median_ms": r["median"] * 1e3,
            "q1_ms": q1 * 1e3,
            "q3_ms": q3 * 1e3,
            "mean_ms": r["mean"] * 1e3,
            "stddev_ms": (r.get("stddev") or 0) * 1e3,
            "min_ms": r["min"] * 1e3,
            "max_ms": r["max"] * 1e3,
            "user_ms": r["user"] * 1e3,
            "system_ms": r["system"] * 1e3,
            "runs": len(times),
        })
    by_name = {r["name"]: r for r in results}

    ratios = []
    for suffix in ["", " --net"]:
        num = by_name.get(a.final + suffix)
        if num is None:
            continue
        for anchor in ANCHORS:
            den = by_name.get(anchor)
            if den is None:
                continue
            target = next((t for s, an, t in TARGETS if s == suffix and an == anchor), None)
            ratio = num["median_ms"] / den["median_ms"]
            ratios.append({
                "runtime": num["name"], "anchor": anchor, "ratio": ratio, "target": target,
                "met": None if target is None else ratio <= target,
            })

    floor = None
    if a.floor and os.path.exists(a.floor):
        with open(a.floor) as f:
            floor = json.load(f)
    net_floor = None
    plain, net = by_name.get(a.final), by_name.get(a.final + " --net")
    if floor is not None and plain is not None and net is not None:
        ratio = net["median_ms"] / (plain["median_ms"] + floor["median_ms"])
        net_floor = {"runtime": net["name"], "without_net_ms": plain["median_ms"],
                     "floor_ms": floor["median_ms"], "net_ms": net["median_ms"], "ratio": ratio,
                     "target": NET_FLOOR_TARGET, "met": ratio <= NET_FLOOR_TARGET}
        # Beside it, for reading only (no target): the same ratio against the kernel's work for the
        # pair the contract asks for (peer in the container's namespace, both ends up, addresses,
        # a route), which a runtime that keeps the contract cannot leave out either.
        conf = floor.get("configured")
        if conf:
            net_floor["configured_floor_ms"] = conf["median_ms"]
            net_floor["configured_ratio"] = net["median_ms"] / (plain["median_ms"] + conf["median_ms"])

    costs = []
    stages = sorted(
        (int(r["name"].split()[2]), r) for r in results
        if r["name"].startswith("ref stage ") and r["name"].split()[2].isdigit()
        and len(r["name"].split()) == 3
    )
    for (k0, r0), (k1, r1) in zip(stages, stages[1:]):
        costs.append({"feature": f"stage {k1} (vs stage {k0})",
                      "ms": r1["median_ms"] - r0["median_ms"]})
    if a.final in by_name and a.final + " --net" in by_name:
        costs.append({"feature": "--net (veth pair, addresses, route)",
                      "ms": by_name[a.final + " --net"]["median_ms"] - by_name[a.final]["median_ms"]})
    if "ip: veth add+del" in by_name and "ip: no-op" in by_name:
        costs.append({"feature": "floor of --net: a veth pair created and deleted by ip(8), less an ip no-op",
                      "ms": by_name["ip: veth add+del"]["median_ms"] - by_name["ip: no-op"]["median_ms"]})
    if floor is not None:
        costs.append({"feature": "floor of --net: the same two requests timed in-process (vethfloor.py)",
                      "ms": floor["median_ms"]})
    if floor is not None and floor.get("configured"):
        costs.append({"feature": "floor of a configured pair: peer in another namespace, both ends up with "
                                 "an address, a default route, then deleted (vethfloor.py)",
                      "ms": floor["configured"]["median_ms"]})

    left_out = []
    if a.failed and os.path.exists(a.failed):
        with open(a.failed) as f:
            for line in f:
                name, _, why = line.rstrip("\n").partition("\t")
                left_out.append({"name": name, "why": why})

    # Busy: something else used more than a quarter of the CPUs in the second before the timing
    # (the load average is no judge: it still counts this script's own compiles and check runs).
    try:
        idle_before = float(a.idle_before)
    except ValueError:
        idle_before = None
    busy = idle_before is not None and idle_before < 0.75
    grading = read_grading(a.grading)
    doc = {
        "busy": busy,
        "cpu_idle_before": idle_before,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine(),
        "load_before": a.load_before.strip(),
        "load_after": a.load_after.strip(),
        "impl": a.impl,
        "commit": a.commit,
        "runs": a.runs,
        "warmup": a.warmup,
        "versions": a.versions,
        "results": results,
        "ratios": ratios,
        "feature_costs": costs,
        "left_out": left_out,
        "veth_floor": floor,
        "net_floor_ratio": net_floor,
        "grading": grading,
        "rootfs_build_seconds": float(a.rootfs_seconds) if a.rootfs_seconds else None,
    }
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    md = markdown(doc)
    with open(a.markdown, "w") as f:
        f.write(md)
    sys.stdout.write(md)
    sys.stdout.write(f"\nbench: wrote {a.json} and {a.markdown}\n")


def markdown(d):
    m = d["machine"]
    out = [
        "# Container start latency (`/bin/true`)",
        "",
        f"{d['date']} · {m.get('os', '?')} · kernel {m['kernel']} · {m['cpus']} × {m['cpu']} · "
        f"{m['memory_gib']} GiB · cgroups {m['cgroups']} (benched as pure v1) · "
        f"{d['runs']} runs after {d['warmup']} warm-up runs, one hyperfine invocation · "
        f"kit {d['commit'] or '?'}",
        "",
        f"CPUs idle in the second before the timing: "
        f"{'?' if d['cpu_idle_before'] is None else format(d['cpu_idle_before'], '.0%')}  ",
        f"Load before: `{d['load_before']}`  ",
        f"Load after: `{d['load_after']}`",
        "",
    ]
    if d["busy"]:
        out += [
            "**The machine was busy** (its CPUs less than 75% idle just before the timing): every "
            "time below is "
            "inflated by waiting for a CPU and for RCU grace periods. Ratios of one run hold better "
            "than absolute times; re-run on an idle machine for numbers to quote.",
            "",
        ]
    out += [
        "| command | median | IQR | mean ± σ | min | user | sys |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in d["results"]:
        out.append(
            f"| {r['name']} | **{r['median_ms']:.1f} ms** | {r['q1_ms']:.1f}–{r['q3_ms']:.1f} | "
            f"{r['mean_ms']:.1f} ± {r['stddev_ms']:.1f} | {r['min_ms']:.1f} | "
            f"{r['user_ms']:.1f} | {r['system_ms']:.1f} |")
    if d["ratios"] or d["net_floor_ratio"]:
        out += ["", "| ratio of medians | value | target |", "| --- | ---: | --- |"]
        for r in d["ratios"]:
            tgt = "" if r["target"] is None else \
                f"≤ {r['target']:.1f}× {'met' if r['met'] else '**not met**'}"
            out.append(f"| {r['runtime']} / {r['anchor']} | {r['ratio']:.2f}× | {tgt} |")
        r = d["net_floor_ratio"]
        if r:
            # --net against what no runtime that deletes its veth can avoid (vethfloor.py).
            out.append(f"| {r['runtime']} / ({r['runtime'][:-len(' --net')]} + veth floor): "
                       f"{r['net_ms']:.1f} / ({r['without_net_ms']:.1f} + {r['floor_ms']:.1f}) | "
                       f"**{r['ratio']:.2f}×** | ≤ {r['target']:.1f}× {'met' if r['met'] else '**not met**'} |")
            if "configured_ratio" in r:
                out.append(f"| (for reading) {r['runtime']} / ({r['runtime'][:-len(' --net')]} + floor of a "
                           f"configured pair): {r['net_ms']:.1f} / ({r['without_net_ms']:.1f} + "
                           f"{r['configured_floor_ms']:.1f}) | {r['configured_ratio']:.2f}× | |")
    if d["feature_costs"]:
        out += ["", "| what a feature costs (difference of medians) | ms |", "| --- | ---: |"]
        for c in d["feature_costs"]:
            out.append(f"| {c['feature']} | {c['ms']:+.1f} |")
    if d["grading"]:
        out += ["", "| grading the reference (`tests/grade --impl build/ref/container`) | grader's elapsed | "
                "wall | tests passed | exit |", "| --- | ---: | ---: | ---: | ---: |"]
        for g in d["grading"]:
            what = "all stages" if g["run"] == "all" else f"stage {g['run']} alone (`--only {g['run']}`)"
            if g["options"] and g["run"] == "all":
                what += f" (`{g['options']}`)"
            elapsed = "?" if g["elapsed_s"] is None else f"**{g['elapsed_s']} s**"
            passed = "?" if g["passed"] is None else f"{g['passed']}/{g['tests']}"
            out.append(f"| {what} | {elapsed} | {g['wall_s']:.1f} s | {passed} | {g['exit_status']} |")
        stages = [g for g in d["grading"] if g["run"] != "all" and g["elapsed_s"] is not None]
        if stages:
            out.append(f"| sum of the stages alone | {sum(g['elapsed_s'] for g in stages)} s | "
                       f"{sum(g['wall_s'] for g in stages):.1f} s | | |")
    extra = []
    if d["rootfs_build_seconds"] is not None:
        extra.append(f"- fresh rootfs build (`rootfs-builder/build`): **{d['rootfs_build_seconds']:.1f} s**")
    for lo in d["left_out"]:
        extra.append(f"- left out (failed its check run): {lo['name']}: {lo['why'][:200]}")
    if d["versions"]:
        extra.append(f"- tools: {d['versions']}")
    if extra:
        out += [""] + extra
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
