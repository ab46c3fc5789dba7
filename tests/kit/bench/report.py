#!/usr/bin/env python3
"""report.py — turn a hyperfine --export-json file into the bench tables (stdout, JSON, Markdown).

Called by tests/kit/bench/run. Medians, not means: a loaded machine adds a long tail of slow runs,
which moves the mean and hardly the median. Ratios are medians over medians of the same run.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

ANCHORS = ["unshare+chroot", "bwrap", "crun", "runc"]
# (numerator suffix, anchor, target): the targets, as ratios of medians of one run.
TARGETS = [("", "bwrap", 1.0), ("", "crun", 0.4), (" --net", "bwrap", 2.0)]


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
    ap.add_argument("--grade-seconds", default="")
    ap.add_argument("--grade-rc", default="")
    ap.add_argument("--grade-summary", default="")
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
        costs.append({"feature": "floor of --net: a veth pair created and deleted by ip(8)",
                      "ms": by_name["ip: veth add+del"]["median_ms"] - by_name["ip: no-op"]["median_ms"]})

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
        "grade_seconds": float(a.grade_seconds) if a.grade_seconds else None,
        "grade_exit_status": int(a.grade_rc) if a.grade_rc else None,
        "grade_summary": a.grade_summary,
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
    if d["ratios"]:
        out += ["", "| ratio of medians | value | target |", "| --- | ---: | --- |"]
        for r in d["ratios"]:
            tgt = "" if r["target"] is None else \
                f"≤ {r['target']:.1f}× {'met' if r['met'] else '**not met**'}"
            out.append(f"| {r['runtime']} / {r['anchor']} | {r['ratio']:.2f}× | {tgt} |")
    if d["feature_costs"]:
        out += ["", "| what a feature costs (difference of medians) | ms |", "| --- | ---: |"]
        for c in d["feature_costs"]:
            out.append(f"| {c['feature']} | {c['ms']:+.1f} |")
    extra = []
    if d["grade_seconds"] is not None:
        extra.append(f"- full grading run of the reference (`tests/grade --impl build/ref/container`, "
                     f"what `make grade IMPL=solutions` runs after building): **{d['grade_seconds']:.1f} s** "
                     f"(exit {d['grade_exit_status']}{'; ' + d['grade_summary'] if d['grade_summary'] else ''})")
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
