#!/usr/bin/env python3
"""gradebook.py — the class-grading side of the report: used by tests/class/grade-class.

  gradebook.py not-graded --tests FILE... --student ID --status S --reason R --log FILE --out DIR
                                                     results.{json,csv,xml} for a submission that
                                                     could not be graded (did not build...): 0 points
  gradebook.py classify --dir DIR --tests FILE... --student ID [--jail-status F]
                                                     status.json: score, per-stage, status, reason
  gradebook.py finish --dir DIR [--seconds S]        record the time, print one line
  gradebook.py gradebook --out OUT --students FILE --tests FILE... [--jobs N] [--elapsed S] [--isolation I]
                        [--top N] [--stage N]        OUT/gradebook.csv, OUT/summary.txt and OUT/summary.html
                                                     (summary.py draws them from what is read here)

Points and test names come from the test files through tests/grader/report.py (the one parser),
and every results file is written by it: by tests/grade for a graded submission, by report.zero
here for one that could not be graded. Standard library only.
"""
import argparse
import collections
import csv
import glob
import json
import os
import importlib.machinery
import importlib.util
import re
import shlex
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the kit's tree (git status stays clean)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grader"))
import report  # noqa: E402  (tests/grader/report.py)
import summary  # noqa: E402  (tests/class/lib/summary.py)


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


# ---- what the summary needs beyond status.json ----

HINT_RE = re.compile(r"^\s*hint\s+(.*\S)\s*$")
GRADED = ("pass", "partial", "fail", "timeout")  # the statuses of a submission the tests ran on


def test_hints(path):
    """{test name: the first `hint "..."` line inside that @test} of one .bats file.

    Read statically, from the test's body, and not from the results: a failing test's output
    carries its hint only if the test got as far as that line, a test that never ran (the
    deadline; a submission that did not build) carries none, and the summary must not run
    anything again. A test may set a later hint for a later check; the first one is about the
    test's main point."""
    hints, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = report.TEST_RE.match(line)
            if m:
                cur = (m.group(1) if m.group(1) is not None else m.group(2)).replace('\\"', '"')
                continue
            if cur is None:
                continue
            if line.startswith("}"):  # a bats test's body ends with the first "}" in column 1
                cur = None
                continue
            m = HINT_RE.match(line)
            if m and cur not in hints:
                try:
                    words = shlex.split(m.group(1))
                except ValueError:  # unbalanced quotes: show the line as it is
                    words = [m.group(1)]
                hints[cur] = " ".join(words)
    return hints


def hint_sections(stage):
    """The sections of stages/NN-*/hints.md (tests/hint's own parser: the one reader of it)."""
    kit = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
    files = sorted(glob.glob(os.path.join(kit, "stages", f"{stage:02d}-*", "hints.md")))
    tool = os.path.join(kit, "tests", "hint")
    if not files or not os.path.exists(tool):
        return []
    loader = importlib.machinery.SourceFileLoader("kit_hint", tool)
    spec = importlib.util.spec_from_loader("kit_hint", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod.parse(files[0])


def test_catalog(files):
    """[{key, stage, file, name, points, hint, section}] of every test, in the grader's order; key
    is the name results.json gives it ("<stage title>: <test name>")."""
    out, sections = [], {}
    for stage, stem, title, points, path in sources(files):
        hints = test_hints(path)
        if stage not in sections:
            sections[stage] = hint_sections(stage)
        for name, pts in points.items():
            # As `make hint` finds it: the first section whose tests: words are in the name.
            sec = next((s["title"] for s in sections[stage] if any(w in name for w in s["tests"])), "")
            out.append({"key": f"{title}: {name}", "stage": stage, "file": stem, "name": name,
                        "points": pts, "hint": hints.get(name, ""), "section": sec})
    return out


def test_outcomes(d):
    """{results.json name: (outcome, hint)} of one graded submission: outcome is "passed", "failed",
    "skipped" or "notrun"; hint the `hint:` line its failure printed, if any (a test with several
    hints prints the one of the check that failed)."""
    path = os.path.join(d, "results.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        res = json.load(f)
    out = {}
    for t in res.get("tests", []):
        text = t.get("output", "")
        said = [line[6:].strip() for line in text.splitlines() if line.startswith("hint: ")]
        out[t["name"]] = ("passed" if t.get("status") == "passed" else "skipped" if text.startswith("SKIPPED")
                          else "notrun" if text.startswith("not run:") else "failed", said[-1] if said else "")
    return out


def cmd_gradebook(args):
    stage_max = maxes(args.tests)
    keys = [str(k) for k in sorted(stage_max)]
    rows = []
    with open(args.students, encoding="utf-8") as f:
        students = [line.strip() for line in f if line.strip()]
    catalog = test_catalog(args.tests)
    for s in students:
        d = os.path.join(args.out, s)
        with open(os.path.join(d, "status.json"), encoding="utf-8") as f:
            st = json.load(f)
        st["graded"] = st["status"] in GRADED
        st["outcomes"] = test_outcomes(d) if st["graded"] else {}
        rows.append(st)
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
    # Per test: how many of the graded submissions did not pass it (a submission that was not
    # graded failed everything, which says nothing about the test).
    graded = [st for st in rows if st["graded"]]
    for t in catalog:
        seen = [st["outcomes"].get(t["key"], ("failed", "")) for st in graded]
        t["failed"] = sum(o != "passed" for o, _ in seen)
        t["notrun"] = sum(o == "notrun" for o, _ in seen)
        t["of"] = len(graded)
        # The hint most of those who failed were shown, where it is not the test's first one.
        said = collections.Counter(h for o, h in seen if o != "passed" and h).most_common(1)
        t["hint_seen"] = said[0][0] if said and said[0][0] != t["hint"] else ""
    titles = {stage: title for stage, _, title, _, _ in sources(args.tests)}
    data = {"name": os.path.basename(os.path.abspath(args.out)), "jobs": args.jobs,
            "isolation": args.isolation, "elapsed": float(args.elapsed), "top": int(args.top),
            "stage_max": {int(k): stage_max[int(k)] for k in keys},
            "titles": titles, "students": rows, "tests": catalog}
    summary.write(data, args.out)


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
    p.add_argument("--top", default="10", help="how many of the most-failed tests the summary lists")
    args = ap.parse_args()
    {"not-graded": cmd_not_graded, "classify": cmd_classify,
     "finish": cmd_finish, "gradebook": cmd_gradebook}[args.cmd](args)


if __name__ == "__main__":
    main()
