#!/usr/bin/env python3
"""gradebook.py — the class-grading side of the report: used by tests/class/grade-class.

  gradebook.py not-graded --tests FILE... --student ID --status S --reason R --log FILE --out DIR
                                                     results.{json,csv,xml} for a submission that
                                                     could not be graded (did not build...): 0 points
  gradebook.py classify --dir DIR --tests FILE... --student ID [--jail-status F]
                                                     status.json: score, per-stage, status, reason
  gradebook.py finish --dir DIR [--seconds S]        record the time, print one line
  gradebook.py gradebook --out OUT --students FILE --tests FILE... [--jobs N] [--elapsed S] [--isolation I]
                                                     OUT/gradebook.csv and OUT/summary.txt

Points and test names come from the test files through tests/grader/report.py (the one parser),
and every results file is written by it: by tests/grade for a graded submission, by report.zero
here for one that could not be graded. Standard library only.
"""
import argparse
import csv
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grader"))
import report  # noqa: E402  (tests/grader/report.py)


stage_of = report.stage_of


def sources(files):
    """[(stage, file stem, title, {test: points})] in the grader's order."""
    out = []
    for f in sorted(files, key=lambda p: (stage_of(p), os.path.basename(p))):
        title, points = report.parse_source(f)
        out.append((stage_of(f), os.path.basename(f)[:-5], title, points, f))
    return out


def maxes(files):
    m = {}
    for stage, _, _, points, _ in sources(files):
        m[stage] = m.get(stage, 0.0) + sum(points.values())
    return m


def fmt(p):
    return report.fmt_points(p)


def cmd_not_graded(args):
    """0 points in every format (report.py zero: every test listed, the reason and the log's head
    as what Gradescope shows), and the status."""
    report.cmd_zero(argparse.Namespace(out=args.out, reason=args.reason, log=args.log, student=args.student,
                                       hidden_dir=args.hidden_dir, formats="tap,junit,gradescope,csv",
                                       files=args.tests))
    srcs = sources(args.tests)
    with open(os.path.join(args.out, "status.json"), "w", encoding="utf-8") as f:
        json.dump({"student": args.student, "score": 0.0, "max": sum(sum(p.values()) for _, _, _, p, _ in srcs),
                   "stages": {str(stage): 0.0 for stage, *_ in srcs},
                   "status": args.status, "reason": args.reason}, f, indent=2)
        f.write("\n")


CRASH_RE = re.compile(r"(actual\s*:\s*(1(3[2-9]|59))\b|Segmentation fault|core dumped|Aborted)")
SIGNALS = {"132": "SIGILL", "133": "SIGTRAP", "134": "SIGABRT", "135": "SIGBUS", "136": "SIGFPE",
           "137": "SIGKILL", "139": "SIGSEGV", "159": "SIGSYS"}


GRADER_PROC_RE = re.compile(r"cannot open /proc/self/mountinfo|/dev/fd/\d+: No such file")


def tap_findings(tap_dir):
    """(tests with a leak, tests where the runtime crashed, the signals seen, tests that found
    the grader's own /proc covered by a mount that propagated out of a container)."""
    leaks, crashes, sigs, proc = 0, 0, set(), 0
    for path in sorted(glob.glob(os.path.join(tap_dir, "*.tap"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            tests = report.parse_tap(f.read())
        for t in tests:
            text = "\n".join(t["detail"])
            if "LEAK:" in text:
                leaks += 1
            if GRADER_PROC_RE.search(text):
                proc += 1
            m = [x for x in CRASH_RE.finditer(text)]
            # 137 is also an OOM kill the tests provoke on purpose: only count the others.
            m = [x for x in m if x.group(2) != "137"]
            if m and t["status"] == "failed":
                crashes += 1
                for x in m:
                    sigs.add(SIGNALS.get(x.group(2) or "", "SIGSEGV" if "Segmentation" in x.group(0)
                                         else "SIGABRT" if "Abort" in x.group(0) else "a signal"))
    return leaks, crashes, sigs, proc


def cmd_classify(args):
    d = args.dir
    jail = {}
    if args.jail_status and os.path.exists(args.jail_status):
        with open(args.jail_status, encoding="utf-8") as f:
            jail = dict(line.strip().split("=", 1) for line in f if "=" in line)
    stage_max = maxes(args.tests)
    total_max = sum(stage_max.values())
    score, stages, passed, ntests, graded = 0.0, {str(k): 0.0 for k in stage_max}, 0, 0, False
    csv_path = os.path.join(d, "results.csv")
    if os.path.exists(csv_path):
        with open(csv_path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        if len(rows) >= 2:
            head, row = rows[0], rows[1]
            score = float(row[1])
            passed, ntests = int(row[3]), int(row[4])
            for col, val in zip(head[5:], row[5:]):
                k = str(int(col[:2]))
                stages[k] = stages.get(k, 0.0) + float(val)
            graded = True
    reasons = []
    # 124: tests/grade stopped at its deadline (or the jail's timeout stopped it) and scored
    # what had run.
    timed_out = jail.get("timed_out") == "1" or jail.get("rc") == "124"
    if timed_out:
        finished = 0
        for path in glob.glob(os.path.join(d, "tap", "*.tap")):
            with open(path, encoding="utf-8", errors="replace") as f:
                finished += len(report.parse_tap(f.read()))
        reasons.append(f"out of time ({args.timeout}s): {finished} of {ntests} tests finished "
                       f"({passed} passed), the rest count 0" if graded and finished
                       else f"timed out after {args.timeout}s before any test finished")
    if int(jail.get("pids_limit_hits", "0") or 0) > 0:
        reasons.append(f"hit the grading's pids limit ({args.pids_max} tasks) {jail['pids_limit_hits']} times: a fork bomb?")
    if int(jail.get("memory_limit_hits", "0") or 0) > 0:
        reasons.append("hit the grading's memory limit")
    leaks, crashes, sigs, proc = tap_findings(os.path.join(d, "tap"))
    if proc:
        reasons.append(f"a mount leaked out of the container and covered the grader's /proc, so {proc} tests "
                       "could not even look (is / made private, MS_REC|MS_PRIVATE, before mounting /proc?)")
    if crashes:
        reasons.append(f"the runtime died of {'/'.join(sorted(sigs))} in {crashes} tests")
    if leaks:
        reasons.append(f"left mounts/cgroups/links/processes behind in {leaks} tests")
    if int(jail.get("killed_leftovers", "0") or 0) > 0:
        reasons.append(f"{jail['killed_leftovers']} processes still ran after the grading (killed)")
    for line in args.note or []:
        reasons.append(line)
    if timed_out:
        status = "timeout"
    elif not graded:
        status = "error"
        reasons.insert(0, "the grader produced no results (see grade.log)")
    elif passed == ntests and ntests > 0:
        status = "pass"
    elif score > 0:
        status = "partial"
    else:
        status = "fail"
    if graded and not timed_out and passed < ntests:
        reasons.append(f"{ntests - passed} of {ntests} tests failed (see report.txt)")
    out = {"student": args.student, "score": score, "max": total_max, "stages": stages,
           "status": status, "reason": "; ".join(reasons), "tests_passed": passed, "tests": ntests}
    with open(os.path.join(d, "status.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


def cmd_finish(args):
    """The time into status.json; one line for the log."""
    st_path = os.path.join(args.dir, "status.json")
    with open(st_path, encoding="utf-8") as f:
        st = json.load(f)
    if args.seconds is not None:
        st["seconds"] = int(args.seconds)
        with open(st_path, "w", encoding="utf-8") as f:
            json.dump(st, f, indent=2)
            f.write("\n")
    print(f"{st['status']} {fmt(st['score'])}/{fmt(st['max'])} in {st.get('seconds', '?')}s"
          + (f": {st['reason'][:120]}" if st["reason"] else ""))


def cmd_gradebook(args):
    stage_max = maxes(args.tests)
    keys = [str(k) for k in sorted(stage_max)]
    rows, times, counts = [], [], {}
    with open(args.students, encoding="utf-8") as f:
        students = [line.strip() for line in f if line.strip()]
    for st_path in [os.path.join(args.out, s, "status.json") for s in students]:
        with open(st_path, encoding="utf-8") as f:
            st = json.load(f)
        rows.append(st)
        if "seconds" in st:
            times.append(float(st["seconds"]))
        counts[st["status"]] = counts.get(st["status"], 0) + 1
    with open(os.path.join(args.out, "gradebook.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max"] + [f"stage{k}" for k in keys] +
                   ["status", "reason", "seconds"])
        w.writerow(["(max)", fmt(sum(stage_max.values())), fmt(sum(stage_max.values()))] +
                   [fmt(stage_max[int(k)]) for k in keys] + ["", "", ""])
        for st in rows:
            w.writerow([st["student"], fmt(st["score"]), fmt(st["max"])] +
                       [fmt(st["stages"].get(k, 0.0)) for k in keys] +
                       [st["status"], st["reason"], st.get("seconds", "")])
    n = len(rows)
    elapsed = float(args.elapsed)
    with open(os.path.join(args.out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(f"submissions       {n}\n")
        f.write(f"jobs              {args.jobs} (isolation: {args.isolation})\n")
        f.write(f"total time        {elapsed:.0f} s ({elapsed / 60:.1f} min)\n")
        if n and elapsed > 0:
            f.write(f"throughput        {n / (elapsed / 60):.2f} submissions/minute\n")
        if times:
            f.write(f"per submission    mean {sum(times) / len(times):.0f} s, "
                    f"min {min(times):.0f} s, max {max(times):.0f} s (build + grade)\n")
        f.write("status            " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "\n")
        f.write(f"maximum           {fmt(sum(stage_max.values()))} points "
                f"({', '.join(f'stage {k}: {fmt(stage_max[int(k)])}' for k in keys)})\n\n")
        width = max([len(r["student"]) for r in rows] + [7])
        for st in rows:
            f.write(f"{st['student']:<{width}}  {fmt(st['score']):>5}/{fmt(st['max']):<5} "
                    f"{st['status']:<13} {st.get('seconds', ''):>5}s  {st['reason']}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("not-graded")
    p.add_argument("--tests", nargs="+", required=True)
    p.add_argument("--student", required=True)
    p.add_argument("--status", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--log", default="")
    p.add_argument("--hidden-dir", default="")
    p.add_argument("--out", required=True)
    p = sub.add_parser("classify")
    p.add_argument("--dir", required=True)
    p.add_argument("--tests", nargs="+", required=True)
    p.add_argument("--student", required=True)
    p.add_argument("--jail-status", default="")
    p.add_argument("--timeout", default="?")
    p.add_argument("--pids-max", default="?")
    p.add_argument("--note", action="append")
    p = sub.add_parser("finish")
    p.add_argument("--dir", required=True)
    p.add_argument("--seconds", default=None)
    p = sub.add_parser("gradebook")
    p.add_argument("--out", required=True)
    p.add_argument("--students", required=True, help="a file: one student ID a line")
    p.add_argument("--tests", nargs="+", required=True)
    p.add_argument("--jobs", default="1")
    p.add_argument("--elapsed", default="0")
    p.add_argument("--isolation", default="jail")
    args = ap.parse_args()
    {"not-graded": cmd_not_graded, "classify": cmd_classify,
     "finish": cmd_finish, "gradebook": cmd_gradebook}[args.cmd](args)


if __name__ == "__main__":
    main()
