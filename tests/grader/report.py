#!/usr/bin/env python3
"""report.py — the grading pipeline's one core: run the test files, score them, write every format.

  report.py run --out DIR [--formats F,..] [--deadline EPOCH] [--progress auto|on|off]
                [--student ID] [--hidden-dir DIR] [--filter RE] [--abort] [--note TEXT]
                [--jobs N] [--sandbox CMD] -- FILE.bats...
      Runs each file in its own bats process (N at a time; with --sandbox, each in a sandbox of
      its own: CMD bats ... FILE; each with a TMPDIR of its own, removed when the file is done),
      reads bats' TAP as it is written
      (a line per finished test on stderr: the live progress), and when done -- or cut short by the
      deadline or a signal -- writes every format asked for in one pass: the table on stdout,
      DIR/results.{tap,xml,json,csv} and the raw TAP in DIR/tap/. tests/grade calls this inside
      its sandbox; the VM, class grading, Gradescope and Classroom all go through tests/grade.
  report.py zero --out DIR --reason TEXT [--log FILE] [--student ID] [--hidden-dir DIR] FILE.bats...
      The same formats for a submission that could not be graded (it did not build...): every test
      listed, 0 points, the reason (and the log's head) as what Gradescope shows.
  report.py check FILE.bats...
      The test files' own rules (tests/kit/lint): a points tag above every @test, unique names, a
      '# Stage N -- title' line in the first lines.

Points come from the test files themselves: the `# bats test_tags=points:N` line above each
`@test` (a test without one is worth 1 point). Stage titles come from each file's `# Stage ...`
comment. This file is the one place that reads them (class/lib/gradebook.py imports it).

Exit status of run: 0 every test passed; 3 some did not; 5 grading was cut short (deadline or
signal: what did not run is marked so, every format is still written); 2 nothing to report.
Standard library only: it also runs in the test VM.
"""
import argparse
import csv
import fcntl
import glob
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import sys
import threading
import time
import xml.etree.ElementTree as ET

KIT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TEST_RE = re.compile(r"""^\s*@test\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
TAGS_RE = re.compile(r"^\s*#\s*bats\s+test_tags=(.*)$")
SANDBOX_BROKEN = "SANDBOX BROKEN:"  # helpers.bash's verdict line (_SANDBOX_VERDICT)
# bats --timing: "ok 1 NAME in 12ms" (bats-exec-test appends it to the name, before any directive)
TIMING_RE = re.compile(r" in (\d+)ms(?=$| #)")
TAP_RE = re.compile(r"^(ok|not ok) (\d+) (.*?)(?: # (skip|timeout)\b ?(.*))?$")
FORMATS = ("table", "tap", "junit", "gradescope", "csv", "classroom")
FILE_OF = {"tap": "results.tap", "junit": "results.xml", "gradescope": "results.json", "csv": "results.csv",
           "classroom": "classroom.json"}


# ---- the test files: titles, names, points ----

def read_source(path):
    """(title, [(test name, points, explicit points tag?, line number)]) of one .bats file."""
    title, tests, pending = None, [], None
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if title is None and re.match(r"^#\s*Stage\b", line):
                title = line.lstrip("#").strip()
            m = TAGS_RE.match(line)
            if m:
                for tag in m.group(1).split(","):
                    tag = tag.strip()
                    if tag.startswith("points:"):
                        pending = (float(tag.split(":", 1)[1]), no)
                continue
            m = TEST_RE.match(line)
            if m:
                name = m.group(1) if m.group(1) is not None else m.group(2)
                name = name.replace('\\"', '"')
                explicit = pending is not None and pending[1] == no - 1
                tests.append((name, pending[0] if pending else 1.0, explicit, no))
                pending = None
            elif line.strip() and not line.lstrip().startswith("#"):
                pending = None
    return title or os.path.basename(path), tests


def parse_source(path):
    """Return (title, {test name: points}) for one .bats file."""
    title, tests = read_source(path)
    return title, {name: pts for name, pts, _, _ in tests}


def stage_of(path):
    return int(os.path.basename(path)[:2])


def parse_tap(text):
    """Return [{name, status, detail}] from bats' TAP output."""
    tests, cur = [], None
    for line in text.splitlines():
        m = TAP_RE.match(line)
        if m:
            cur = tap_test(m)
            tests.append(cur)
        elif cur is not None and line.startswith("#"):
            body = line[2:] if line.startswith("# ") else line[1:]
            if body.startswith("tags:"):
                continue
            cur["detail"].append(body)
    return tests


def tap_test(m):
    ok, _, name, directive, reason = m.groups()
    status = "passed" if ok == "ok" else "failed"
    detail = []
    if directive == "skip":
        status = "skipped"
        detail = [reason or "skipped"]
        if detail[0].startswith("not run:"):
            status = "notrun"  # helpers.bash: an earlier test of the file broke the sandbox
    elif directive == "timeout":
        detail = ["timed out: " + (reason or "")]
    return {"name": name, "status": status, "detail": detail}


def fmt_points(p):
    return str(int(p)) if float(p).is_integer() else f"{p:g}"


def stage_result(path, tests, err="", hidden_dir="", filt="", stopped=""):
    """One file's results: tests as bats reported them, scored; the tests it did not report, as
    failed (the file crashed or stopped early) or, when grading was cut short, as not run.
    Tests that --filter left out on purpose are not reported at all."""
    title, points = parse_source(path)
    seen = {t["name"] for t in tests}
    for t in tests:
        t["max"] = points.get(t["name"], 1.0)
        t["score"] = t["max"] if t["status"] == "passed" else 0.0
    for name, pts in points.items():
        if name in seen or (filt and not re.search(filt, name)):
            continue
        if stopped:
            tests.append({"name": name, "status": "notrun", "max": pts, "score": 0.0,
                          "detail": [f"not run: {stopped}"]})
        else:
            tests.append({"name": name, "status": "failed", "max": pts, "score": 0.0,
                          "detail": ["did not run: the test file stopped early"] +
                          err.strip().splitlines()[-5:]})
    hidden = bool(hidden_dir) and os.path.realpath(path).startswith(os.path.realpath(hidden_dir) + os.sep)
    return {"file": os.path.basename(path)[:-5], "title": title, "tests": tests, "hidden": hidden,
            "score": sum(t["score"] for t in tests), "max": sum(t["max"] for t in tests)}


# ---- the formats ----

def out_table(stages, args, out=None):
    out = out or sys.stdout
    color = out.isatty() and os.environ.get("NO_COLOR") is None

    def c(code, s):
        return f"\033[{code}m{s}\033[0m" if color else s

    def p(s=""):
        print(s, file=out)
    mark = {"passed": c("32", "PASS"), "failed": c("31", "FAIL"), "skipped": c("33", "SKIP"),
            "notrun": c("33", "----")}
    for line in verdict_lines(args):
        p(c("1;31", line) if line.startswith("!!") else line)
    total = maxi = 0.0
    for st in stages:
        p()
        head = f"{st['title']}  ({st['file']}.bats)"
        p(c("1", f"{head:<68} {fmt_points(st['score']):>4}/{fmt_points(st['max'])}"))
        reasons = {" ".join(t["detail"]) for t in st["tests"]}
        if st["tests"] and all(t["status"] == "notrun" for t in st["tests"]) and len(reasons) == 1:
            # Not run at all, for one reason: one line, not one per test.
            p(f"  {mark['notrun']}  {len(st['tests'])} tests {reasons.pop()}")
            total += st["score"]
            maxi += st["max"]
            continue
        for t in st["tests"]:
            pts = f"{fmt_points(t['score'])}/{fmt_points(t['max'])}"
            p(f"  {mark[t['status']]}  {t['name']:<62} {pts:>6}")
            if t["status"] != "passed":
                lines = [l for l in t["detail"] if not re.match(r"^\s*`@test", l)]
                for l in lines[:40]:
                    p("        " + l)
                if len(lines) > 40:
                    p(f"        ... ({len(lines) - 40} more lines: see results/tap/{st['file']}.tap)")
        total += st["score"]
        maxi += st["max"]
    n = sum(len(st["tests"]) for st in stages)
    npass = sum(1 for st in stages for t in st["tests"] if t["status"] == "passed")
    p()
    p(c("1", f"Score: {fmt_points(total)}/{fmt_points(maxi)}   ({npass}/{n} tests passed, {args.elapsed}s)"))
    for st in stages:
        p(f"  {st['title'][:66]:<66} {fmt_points(st['score']):>4}/{fmt_points(st['max'])}")
    for note in args.note or []:
        p(note)


def verdict_lines(args):
    """One block for every way the runtime broke the grader's sandbox, however many files saw it:
    the first thing a student reads, since it explains the "not run" tests below."""
    by_text = {}
    for stem, test, text in getattr(args, "verdicts", None) or []:
        by_text.setdefault(text, []).append(f"{stem} (\"{test}\")")
    out = []
    for text, where in by_text.items():
        out += ["!! " + text, "   Seen in: " + ", ".join(where) + ".", ""]
    return out


def out_tap(stages, _args):
    tests = [(st, t) for st in stages for t in st["tests"]]
    print(f"1..{len(tests)}")
    for i, (st, t) in enumerate(tests, 1):
        name = f"{st['file']}: {t['name']}"
        if t["status"] == "passed":
            print(f"ok {i} {name}")
        elif t["status"] == "skipped":
            print(f"ok {i} {name} # skip {' '.join(t['detail'])}")
        else:
            print(f"not ok {i} {name}")
            for l in t["detail"]:
                print(f"# {l}")


def out_junit(stages, _args):
    root = ET.Element("testsuites", name="container-lab")
    for st in stages:
        suite = ET.SubElement(root, "testsuite", name=st["title"], tests=str(len(st["tests"])),
                              failures=str(sum(t["status"] in ("failed", "notrun") for t in st["tests"])),
                              skipped=str(sum(t["status"] == "skipped" for t in st["tests"])))
        for t in st["tests"]:
            case = ET.SubElement(suite, "testcase", classname=st["file"], name=t["name"])
            if t.get("ms") is not None:
                case.set("time", f"{t['ms'] / 1000:.3f}")
            ET.SubElement(case, "properties")
            prop = case.find("properties")
            ET.SubElement(prop, "property", name="points", value=fmt_points(t["max"]))
            if t["status"] in ("failed", "notrun"):
                # The first line that says what went wrong, not where bats was.
                said = [l.strip() for l in t["detail"] if l.strip() and not l.lstrip().startswith(("(in test", "(from function", "from function", "in test file"))]
                f = ET.SubElement(case, "failure", message=(said or ["failed"])[0][:200])
                f.text = "\n".join(t["detail"])
            elif t["status"] == "skipped":
                ET.SubElement(case, "skipped", message=" ".join(t["detail"]))
    ET.indent(root)
    sys.stdout.write(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def out_gradescope(stages, args):
    """Gradescope's results.json: numbered per stage across files (a hidden NN-*.bats continues its
    stage's numbering), text output (bats' backquotes and $ are not Markdown), skips said. The
    top-level output is the score, then the notes (--note: a timeout, the files graded...)."""
    tests, per_stage = [], {}
    for st in stages:
        n = int(st["file"][:2])
        for t in st["tests"]:
            per_stage[n] = per_stage.get(n, 0) + 1
            out = "\n".join(t["detail"]) if t["status"] != "passed" else ""
            if t["status"] == "skipped":
                out = "SKIPPED (0 points): " + out
            tests.append({
                "name": f"{st['title']}: {t['name']}",
                "number": f"{n}.{per_stage[n]}",
                "score": t["score"],
                "max_score": t["max"],
                "status": "passed" if t["status"] == "passed" else "failed",
                "output": out,
                "output_format": "text",
                "tags": [f"stage-{n}"] + (["hidden"] if st["hidden"] else []),
                "visibility": "after_published" if st["hidden"] else "visible",
            })
    total, maxi = sum(st["score"] for st in stages), sum(st["max"] for st in stages)
    output = getattr(args, "output", None) or "\n".join(
        verdict_lines(args) + [f"Score {fmt_points(total)}/{fmt_points(maxi)}"] + list(args.note or []))
    json.dump({"score": total,
               "max_score": maxi,
               "execution_time": int(args.elapsed),
               "output": output,
               "output_format": "text",
               "test_output_format": "text",
               "visibility": "visible",
               "stdout_visibility": "hidden",
               "tests": tests}, sys.stdout, indent=2)
    sys.stdout.write("\n")


def out_csv(stages, args):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "score", "max_score", "passed", "tests"] + [st["file"] for st in stages])
    w.writerow([args.student, fmt_points(sum(st["score"] for st in stages)),
                fmt_points(sum(st["max"] for st in stages)),
                sum(1 for st in stages for t in st["tests"] if t["status"] == "passed"),
                sum(len(st["tests"]) for st in stages)] + [fmt_points(st["score"]) for st in stages])
    sys.stdout.write(buf.getvalue())


def out_classroom(stages, _args):
    """GitHub Classroom's runner result (what autograding-grading-reporter sums): the workflow
    passes it base64-encoded in an environment variable, so it stays well under Linux's 128 KiB
    limit for one: failure messages are shortened until it does."""
    tests = [(st, t) for st in stages for t in st["tests"]]
    result = {"version": 1, "max_score": sum(st["max"] for st in stages),
              "status": "pass" if all(t["status"] == "passed" for _, t in tests) else "fail",
              "tests": []}
    for cap in (2000, 500, 120, 0):
        result["tests"] = [{"name": f"{st['title']}: {t['name']}",
                            "status": "pass" if t["status"] == "passed" else "fail",
                            "score": t["score"], "message": "\n".join(t["detail"])[:cap] if t["status"] != "passed" else "",
                            "test_code": "sudo make grade", "filename": "", "line_no": 0,
                            "execution_time": ""} for st, t in tests]
        text = json.dumps(result)
        if len(text) * 4 // 3 < 100000:
            break
    sys.stdout.write(text + "\n")


WRITERS = {"classroom": out_classroom, "tap": out_tap, "junit": out_junit, "gradescope": out_gradescope, "csv": out_csv}


def write_results(stages, args, formats, outdir, say=True):
    """Every format asked for, in one pass: files into outdir, the table on stdout."""
    os.makedirs(outdir, exist_ok=True)
    for f in formats:
        if f == "table":
            continue
        buf = io.StringIO()
        saved, sys.stdout = sys.stdout, buf
        try:
            WRITERS[f](stages, args)
        finally:
            sys.stdout = saved
        with open(os.path.join(outdir, FILE_OF[f]), "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        if say:
            print(f"grade: wrote {f} results to {outdir}", file=sys.stderr)
    if "table" in formats:
        out_table(stages, args)
        sys.stdout.flush()


# ---- running the tests ----

class Progress:
    """One line per finished test on stderr: where grading is, and the points so far."""

    def __init__(self, enabled, total_tests):
        self.on, self.total, self.done, self.score, self.max = enabled, total_tests, 0, 0.0, 0.0
        self.color = sys.stderr.isatty() and os.environ.get("NO_COLOR") is None

    def test(self, stem, t, pts):
        self.done += 1
        self.max += pts
        got = pts if t["status"] == "passed" else 0.0
        self.score += got
        if not self.on:
            return
        word = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "notrun": "----"}[t["status"]]
        if self.color:
            word = f"\033[{ {'PASS': 32, 'FAIL': 31, 'SKIP': 33, '----': 33}[word]}m{word}\033[0m"
        w = len(str(self.total))
        print(f"[{self.done:>{w}}/{self.total}] {word} {stem[:2]} {t['name'][:58]:<58} "
              f"{fmt_points(got):>2}/{fmt_points(pts):<2} total {fmt_points(self.score)}/{fmt_points(self.max)}",
              file=sys.stderr, flush=True)


def cmdline(pid):
    """pid's arguments as /proc has them (NUL after each); OSError if it is gone."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read()


def descendants(pid):
    """pid's descendants, from /proc (children files, one thread each)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(x) for x in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            pass
    return out


SCRATCH_PREFIX = "container-lab-grade."


def make_scratch():
    """A directory of one test file's own (its TMPDIR, its rootfs copy), removed when the file is
    done, also when grading is stopped by a signal. It holds a lock while in use: one whose
    grader was SIGKILLed (class grading's jail timeout does that) is removed by the next
    grading. A lock, not a PID in the name: gradings in other PID namespaces share /tmp. (One
    made in the last minute may not hold its lock yet: left alone.)"""
    for old in glob.glob(os.path.join(tempfile.gettempdir(), SCRATCH_PREFIX + "*")):
        try:
            if os.stat(old).st_ctime > time.time() - 60:
                continue
            with open(os.path.join(old, ".lock"), "rb") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # in use (or not one of ours)
        remove_tree(old)
    scratch = tempfile.mkdtemp(prefix=SCRATCH_PREFIX)
    os.chmod(scratch, 0o755)  # as build/: the rootless tests' user runs the probes in its rootfs
    lock = open(os.path.join(scratch, ".lock"), "wb")  # not inherited: Popen closes it in bats
    fcntl.flock(lock, fcntl.LOCK_EX)
    return scratch, lock


def mount_points():
    """Every mount point this process sees (mountinfo's field 5, its octal escapes undone)."""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
        return [re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), l.split()[4]) for l in f]


def remove_tree(path):
    """rm -r PATH, but never into a mount: one that a runtime under test left there (without
    the sandbox, its mounts are the grader's) may be the host's own files."""
    inside = [m for m in mount_points() if m == path or m.startswith(path + "/")]
    if inside:
        print(f"grade: left {path} in place: {inside[0]} is mounted in it", file=sys.stderr)
        return
    shutil.rmtree(path, ignore_errors=True)


def end_orphaned_countdowns(tmpdir):
    """End bats' per-test timeout countdowns that outlived their test (bats 1.13, bats-core
    issue #1206): bats_perform_test keeps the countdown's PID in a local variable, gone by the
    time a failed test's EXIT trap wants to kill it, so after every test that fails the
    countdown (a subshell of bats-exec-test waiting on `sleep $BATS_TEST_TIMEOUT`) runs on for
    the whole timeout. It holds bats' output open: bats cannot end until the last one has run
    out (up to 60 s after the file's last failed test began), and when one runs out it kills
    by a PID that is long gone. A countdown is a bats-exec-test with TMPDIR=TMPDIR (this file's
    bats, wherever the orphan was re-parented), whose parent is no bats process any more (its
    test has ended) and whose only children are `sleep`s. TERM runs its own trap: it kills its
    sleep and exits."""
    mark = b"TMPDIR=" + tmpdir.encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if b"bats-exec-test" not in cmdline(pid):
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if mark not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/stat", "rb") as f:
                ppid = f.read().rsplit(b")", 1)[1].split()[1].decode()
            if b"bats-" in cmdline(ppid):
                continue  # its test still runs (or this is the test itself)
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            if kids and all(cmdline(k).startswith(b"sleep\0") for k in kids):
                os.kill(int(pid), signal.SIGTERM)
        except (OSError, IndexError):
            continue  # gone while we looked


class Runner:
    """Runs the test files, up to --jobs at a time, each in its own bats process and (with
    --sandbox) its own sandbox: files side by side never see each other's mounts, links,
    processes or cgroups, and a file whose runtime broke its sandbox (covered its /proc, leaked
    mounts) leaves the next file a fresh one."""

    def __init__(self, args, files, progress):
        self.args, self.files, self.progress = args, files, progress
        self.stopped = ""     # why grading stopped early ("" while it goes on)
        self.urgent = False   # a signal: interrupt the running tests too
        self.procs = set()    # the bats (or sandbox) processes running now
        self.verdicts = []    # (file, test, text): a runtime broke the file's sandbox
        self.failed_stages = set()  # stages whose file had a test fail
        self.lock = threading.Lock()

    def stop(self, why, urgent):
        if not self.stopped:
            self.stopped = why
        self.urgent = self.urgent or urgent
        for p in list(self.procs):
            self.interrupt(p)

    def interrupt(self, p):
        """Deadline: bats-exec-file gets SIGINT and starts no further test (the running one
        finishes, teardown and all). A signal: the whole bats session, as a Ctrl-C would."""
        if p.poll() is not None:
            return
        try:
            if self.urgent:
                os.killpg(p.pid, signal.SIGINT)
                return
            for d in descendants(p.pid):
                if b"bats-exec-file" in cmdline(d):
                    os.kill(d, signal.SIGINT)
        except OSError:
            pass

    def run_all(self):
        """Every file's result, in the order given, however many ran at once."""
        results = [None] * len(self.files)
        todo = queue.Queue()
        for i in self.order():
            todo.put(i)

        def worker():
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                path = self.files[i]
                if self.stopped:
                    results[i] = stage_result(path, [], "", self.args.hidden_dir, self.args.filter, self.stopped)
                elif self.held_back(path):
                    results[i] = "held"  # filled in below, once every stage that ran is known
                else:
                    results[i] = self.run_file(path)
                    if any(t["status"] in ("failed", "notrun") for t in results[i]["tests"]):
                        with self.lock:
                            self.failed_stages.add(stage_of(path))
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, self.args.jobs))]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)  # short joins: the main thread must stay free for signals
        first = min(self.failed_stages, default=0)
        why = (f"stage {first} has failures to fix first (stages build on each other; "
               "make grade ALL=1 grades every stage)")
        if self.args.first_failing_stage and first:
            # A later stage that ran beside the failing one (--jobs) failed for the same bug, most
            # likely: its verdicts are held back as well, so that what is shown does not depend on
            # which files happened to start before the failure was known.
            results = ["held" if stage_of(self.files[i]) > first else r for i, r in enumerate(results)]
        return [stage_result(self.files[i], [], "", self.args.hidden_dir, self.args.filter, why)
                if r == "held" else r for i, r in enumerate(results)]

    def held_back(self, path):
        """--first-failing-stage: PATH is not graded, as an earlier stage has failures. Stages build on each other, so a later stage's tests would fail for the same
        bug (a student fixes the earliest stage first, and gets the verdict in seconds)."""
        if not self.args.first_failing_stage:
            return False
        with self.lock:
            return any(n < stage_of(path) for n in self.failed_stages)

    def order(self):
        """One at a time, or --first-failing-stage: the order given. Several: the files with most
        tests first (a long file started last would leave the other workers idle at the end),
        ties in the order given."""
        idx = list(range(len(self.files)))
        if self.args.jobs <= 1 or self.args.first_failing_stage:
            return idx
        size = {i: len(parse_source(self.files[i])[1]) for i in idx}
        return sorted(idx, key=lambda i: -size[i])

    def run_file(self, path):
        a = self.args
        stem = os.path.basename(path)[:-5]
        _, points = parse_source(path)
        cmd = [os.path.join(KIT, "node_modules/bats/bin/bats"), "--formatter", "tap", "--timing"]
        cmd += (["--filter", a.filter] if a.filter else []) + (["--abort"] if a.abort else [])
        if a.sandbox:
            cmd = [a.sandbox] + cmd
        print(f"grade: {stem} ...", file=sys.stderr, flush=True)
        scratch, lock = make_scratch()
        try:
            return self.run_bats(cmd, path, stem, points, scratch)
        finally:
            remove_tree(scratch)
            lock.close()

    def run_bats(self, cmd, path, stem, points, scratch):
        a = self.args
        env = self.file_env(scratch)
        tmp = env["TMPDIR"]
        tests, wake = [], queue.Queue()
        tapdir = os.path.join(a.out, "tap")
        with open(os.path.join(tapdir, stem + ".tap"), "w", encoding="utf-8") as tap, \
                open(os.path.join(tapdir, stem + ".err"), "w", encoding="utf-8") as err:
            # Its own session: a deadline or a signal reaches bats only as this runner decides.
            proc = subprocess.Popen(cmd + [path], stdout=subprocess.PIPE, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    text=True, errors="replace", bufsize=1, env=env)
            with self.lock:
                self.procs.add(proc)
            if self.stopped:
                self.interrupt(proc)
            threading.Thread(target=self.pump, args=(proc, wake), daemon=True).start()
            limit = time.monotonic() + a.file_timeout
            cur, plan, heard = None, -1, time.monotonic()
            while True:
                done = plan >= 0 and len(tests) >= plan
                try:
                    # Every test has reported: bats should end in a moment; look sooner.
                    line = wake.get(timeout=0.2 if done else 1)
                except queue.Empty:
                    line = ""
                if line is None:
                    break
                if not line:
                    end_orphaned_countdowns(tmp)
                    if done and time.monotonic() - heard >= 1:
                        self.reap_strays(proc)  # quiet for a second after the last test's report
                else:
                    heard = time.monotonic()
                if not self.stopped and a.deadline and time.time() >= a.deadline:
                    self.stop(f"grading stopped at its deadline ({a.deadline_s}s)", False)
                if time.monotonic() >= limit:
                    # A hung file cannot hang grading: its remaining tests count as failed.
                    os.killpg(proc.pid, signal.SIGKILL)
                if not line:
                    continue
                # --timing's " in Nms" goes into the result, not into the name or the raw TAP.
                ms = TIMING_RE.search(line)
                if ms:
                    line = line[:ms.start()] + line[ms.end():]
                tap.write(line)
                tap.flush()
                line = line.rstrip("\n")
                if re.match(r"^1\.\.\d+$", line):
                    plan = int(line[3:])
                m = TAP_RE.match(line)
                if m:
                    end_orphaned_countdowns(tmp)  # the earlier tests' (this one's, if it ended)
                    cur = tap_test(m)
                    cur["ms"] = int(ms.group(1)) if ms else None
                    if self.urgent and cur["status"] == "failed":
                        cur["status"] = "notrun"  # interrupted midway: not the runtime's failure
                        cur["detail"] = [f"not run: {self.stopped}"]
                    tests.append(cur)
                    if not self.urgent:
                        with self.lock:
                            self.progress.test(stem, cur, points.get(cur["name"], 1.0))
                elif cur is not None and line.startswith("#") and cur["status"] != "notrun":
                    body = line[2:] if line.startswith("# ") else line[1:]
                    if not body.startswith("tags:"):
                        cur["detail"].append(body)
                    if body.startswith(SANDBOX_BROKEN):
                        with self.lock:
                            self.verdicts.append((stem, cur["name"], body[len(SANDBOX_BROKEN):].strip()))
            proc.wait()
            with self.lock:
                self.procs.discard(proc)
        with open(os.path.join(tapdir, stem + ".err"), encoding="utf-8", errors="replace") as f:
            errtext = f.read()
        return stage_result(path, tests, errtext, a.hidden_dir, a.filter, self.stopped)

    def file_env(self, scratch):
        """The environment of one file's bats, with SCRATCH (make_scratch) for what is its own:
        TMPDIR (bats makes its bats-run-* there, the tests their files) and, side by side, a
        copy of the pristine rootfs. The tests run containers on $ROOTFS itself (read only, by
        the contract's rules for the grader), but a runtime may make a directory in it while a
        container starts (pivot_root(2)'s put_old, made and removed in the new root), and
        another file's `cp -a` of it would then fail on an entry that vanished under it. One
        after another (--jobs 1), no copy is needed."""
        env = dict(os.environ)
        env["TMPDIR"] = os.path.join(scratch, "tmp")
        os.mkdir(env["TMPDIR"])
        os.chmod(env["TMPDIR"], 0o1777)  # as /tmp: a test's other users may make files in it too
        if self.args.jobs <= 1:
            return env
        src = env.get("ROOTFS") or os.path.join(KIT, "build", "rootfs")
        if not os.path.isfile(os.path.join(src, "etc", "container-lab-rootfs")):
            return env
        own = os.path.join(scratch, "rootfs")
        if subprocess.run(["cp", "-a", src, own]).returncode == 0:
            env["ROOTFS"] = own
        return env

    @staticmethod
    def reap_strays(proc):
        """Every test has reported and bats-exec-file has ended, but bats still runs: a process
        that outlived its test holds bats' output pipe open, so bats waits for an EOF that comes
        only when that process ends. (Seen: bats' own per-test timeout countdown, orphaned when
        a runtime under test covered the grader's /proc, kept a 54 s grading going for its
        `sleep 60`; end_orphaned_countdowns now ends those as they appear. What is left is
        something else.) Nothing of the file is left to report: end what is left of bats."""
        try:
            cmds = {d: cmdline(d) for d in descendants(proc.pid)}
        except OSError:
            return
        if any(b"bats-exec-file" in c for c in cmds.values()):
            return
        for d, c in cmds.items():
            if b"bats" in c or b"sleep" in c:
                try:
                    os.kill(d, signal.SIGKILL)
                except OSError:
                    pass

    @staticmethod
    def pump(proc, wake):
        for line in proc.stdout:
            wake.put(line)
        wake.put(None)


def cmd_run(args):
    files = args.files
    tapdir = os.path.join(args.out, "tap")
    os.makedirs(args.out, exist_ok=True)
    if os.path.isdir(tapdir):
        for f in os.listdir(tapdir):
            os.unlink(os.path.join(tapdir, f))
    os.makedirs(tapdir, exist_ok=True)
    args.deadline_s = args.deadline
    args.deadline = time.time() + float(args.deadline) if args.deadline else 0
    formats = [f for f in args.formats.split(",") if f]
    total = 0
    for path in files:
        _, pts = parse_source(path)
        total += sum(1 for n in pts if not args.filter or re.search(args.filter, n))
    on = args.progress == "on" or (args.progress == "auto" and sys.stdout.isatty())
    runner = Runner(args, files, Progress(on, total))
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: runner.stop(f"grading was stopped ({signal.Signals(s).name})", True))
    start = time.monotonic()
    stages = runner.run_all()
    args.verdicts = sorted(runner.verdicts)
    args.elapsed = int(time.monotonic() - start)
    if runner.stopped:
        args.note = [f"Grading was cut short: {runner.stopped}; the tests that did not run count 0."] + \
            list(args.note or [])
    write_results(stages, args, formats, args.out)
    if runner.stopped:
        return 5
    return 0 if all(t["status"] == "passed" for st in stages for t in st["tests"]) else 3


def cmd_zero(args):
    """Every test failed with the reason, in every format (the table into DIR/report.txt)."""
    log = ""
    if args.log and os.path.exists(args.log):
        with open(args.log, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        log = "\n".join(lines[:60]) + (f"\n... ({len(lines) - 60} more lines)" if len(lines) > 60 else "")
    stages = []
    for path in sorted(args.files, key=lambda p: (stage_of(p), os.path.basename(p))):
        tests = [{"name": n, "status": "failed", "detail": [f"not run: {args.reason}"]}
                 for n in parse_source(path)[1]]
        stages.append(stage_result(path, tests, hidden_dir=args.hidden_dir))
    args.elapsed, args.note = 0, [args.reason]
    args.output = args.reason + (("\n\n" + log) if log else "")
    formats = [f for f in args.formats.split(",") if f and f != "table"]
    write_results(stages, args, formats, args.out, say=False)
    with open(os.path.join(args.out, "report.txt"), "w", encoding="utf-8") as f:
        out_table(stages, args, f)
    return 0


def cmd_check(args):
    bad = 0
    for path in args.files:
        title, tests = read_source(path)
        seen = set()
        for name, _, explicit, no in tests:
            if not explicit:
                print(f"{path}:{no}: test \"{name}\" has no `# bats test_tags=points:N` line above it")
                bad = 1
            if name in seen:
                print(f"{path}:{no}: duplicate test name \"{name}\"")
                bad = 1
            seen.add(name)
        with open(path, encoding="utf-8") as f:
            if not any(l.startswith("# Stage ") for l in f.readlines()[:5]):
                print(f"{path}: no '# Stage N — title' line in its first lines")
                bad = 1
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--out", required=True)
    p.add_argument("--formats", default="table")
    p.add_argument("--student", default="")
    p.add_argument("--hidden-dir", default="")
    p.add_argument("--filter", default="", help="the regex given to bats --filter, if any")
    p.add_argument("--abort", action="store_true", help="bats --abort: stop at the first failure")
    p.add_argument("--deadline", default="", help="seconds from now: start no test after it")
    p.add_argument("--file-timeout", type=float, default=float(os.environ.get("FILE_TIMEOUT", 1800)))
    p.add_argument("--progress", choices=["auto", "on", "off"], default="auto")
    p.add_argument("--jobs", type=int, default=1, help="test files run at once")
    p.add_argument("--first-failing-stage", action="store_true",
                   help="start no file of a later stage than one that had a failure")
    p.add_argument("--sandbox", default="", help="run each file's bats under this command (tests/grader/sandbox)")
    p.add_argument("--note", action="append", help="a line for the table's end and Gradescope's output")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("zero")
    p.add_argument("--out", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--log", default="")
    p.add_argument("--student", default="")
    p.add_argument("--hidden-dir", default="")
    p.add_argument("--formats", default="tap,junit,gradescope,csv")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("check")
    p.add_argument("files", nargs="+")
    args = ap.parse_args()
    try:
        return {"run": cmd_run, "zero": cmd_zero, "check": cmd_check}[args.cmd](args)
    except OSError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
