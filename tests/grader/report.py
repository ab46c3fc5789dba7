#!/usr/bin/env python3
"""report.py — turn the TAP that tests/grade collected into a score, in the format asked for.

Points come from the test files themselves: the `# bats test_tags=points:N` line above each
`@test` (a test without one is worth 1 point). Stage titles come from each file's `# Stage ...`
comment. Formats: table (for people), tap, junit (JUnit XML), gradescope (results.json), csv.

Exit status: 0 if every test passed, 3 if some did not, 2 if the results cannot be read.
"""
import argparse
import csv
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

TEST_RE = re.compile(r"""^\s*@test\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
TAGS_RE = re.compile(r"^\s*#\s*bats\s+test_tags=(.*)$")
TAP_RE = re.compile(r"^(ok|not ok) (\d+) (.*?)(?: # (skip|timeout)\b ?(.*))?$")


def parse_source(path):
    """Return (title, {test name: points}) for one .bats file."""
    title, points, pending = None, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if title is None and re.match(r"^#\s*Stage\b", line):
                title = line.lstrip("#").strip()
            m = TAGS_RE.match(line)
            if m:
                for tag in m.group(1).split(","):
                    tag = tag.strip()
                    if tag.startswith("points:"):
                        pending = float(tag.split(":", 1)[1])
                continue
            m = TEST_RE.match(line)
            if m:
                name = m.group(1) if m.group(1) is not None else m.group(2)
                name = name.replace('\\"', '"')
                points[name] = pending if pending is not None else 1.0
                pending = None
            elif line.strip() and not line.lstrip().startswith("#"):
                pending = None
    return title or os.path.basename(path), points


def parse_tap(text):
    """Return [{name, status, detail}] from bats' TAP output."""
    tests, cur = [], None
    for line in text.splitlines():
        m = TAP_RE.match(line)
        if m:
            ok, _, name, directive, reason = m.groups()
            status = "passed" if ok == "ok" else "failed"
            detail = []
            if directive == "skip":
                status = "skipped"
                detail = [reason or "skipped"]
            elif directive == "timeout":
                detail = ["timed out: " + (reason or "")]
            cur = {"name": name, "status": status, "detail": detail}
            tests.append(cur)
        elif cur is not None and line.startswith("#"):
            body = line[2:] if line.startswith("# ") else line[1:]
            if body.startswith("tags:"):
                continue
            cur["detail"].append(body)
    return tests


def fmt_points(p):
    return str(int(p)) if float(p).is_integer() else f"{p:g}"


def load(args):
    stages = []
    for name in sorted(os.listdir(args.tap_dir)):
        if not name.endswith(".src"):
            continue
        base = name[:-4]
        src = open(os.path.join(args.tap_dir, name), encoding="utf-8").read().strip()
        title, points = parse_source(src)
        tap_path = os.path.join(args.tap_dir, base + ".tap")
        tap = open(tap_path, encoding="utf-8", errors="replace").read() if os.path.exists(tap_path) else ""
        err_path = os.path.join(args.tap_dir, base + ".err")
        err = open(err_path, encoding="utf-8", errors="replace").read() if os.path.exists(err_path) else ""
        hidden = bool(args.hidden_dir) and os.path.realpath(src).startswith(os.path.realpath(args.hidden_dir) + os.sep)
        tests = parse_tap(tap)
        seen = {t["name"] for t in tests}
        for t in tests:
            t["max"] = points.get(t["name"], 1.0)
            t["score"] = t["max"] if t["status"] == "passed" else 0.0
        # A file that crashed or stopped early: its remaining tests count as failed, with why.
        # (Tests that --filter left out on purpose are not reported at all.)
        for name_, pts in points.items():
            if name_ not in seen and (not args.filter or re.search(args.filter, name_)):
                tests.append({"name": name_, "status": "failed", "max": pts, "score": 0.0,
                              "detail": ["did not run: the test file stopped early"] +
                              err.strip().splitlines()[-5:]})
        stages.append({"file": base, "title": title, "tests": tests, "hidden": hidden,
                       "score": sum(t["score"] for t in tests),
                       "max": sum(t["max"] for t in tests)})
    return stages


def out_table(stages, args):
    color = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
    def c(code, s):
        return f"\033[{code}m{s}\033[0m" if color else s
    mark = {"passed": c("32", "PASS"), "failed": c("31", "FAIL"), "skipped": c("33", "SKIP")}
    total = maxi = 0.0
    for st in stages:
        print()
        head = f"{st['title']}  ({st['file']}.bats)"
        print(c("1", f"{head:<68} {fmt_points(st['score']):>4}/{fmt_points(st['max'])}"))
        for t in st["tests"]:
            pts = f"{fmt_points(t['score'])}/{fmt_points(t['max'])}"
            print(f"  {mark[t['status']]}  {t['name']:<62} {pts:>6}")
            if t["status"] != "passed":
                lines = [l for l in t["detail"] if not re.match(r"^\s*`@test", l)]
                for l in lines[:40]:
                    print("        " + l)
                if len(lines) > 40:
                    print(f"        ... ({len(lines) - 40} more lines: see results/tap/{st['file']}.tap)")
        total += st["score"]
        maxi += st["max"]
    n = sum(len(st["tests"]) for st in stages)
    npass = sum(1 for st in stages for t in st["tests"] if t["status"] == "passed")
    print()
    print(c("1", f"Score: {fmt_points(total)}/{fmt_points(maxi)}   ({npass}/{n} tests passed, {args.elapsed}s)"))
    for st in stages:
        print(f"  {st['title'][:66]:<66} {fmt_points(st['score']):>4}/{fmt_points(st['max'])}")


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


def out_junit(stages, args):
    root = ET.Element("testsuites", name="container-lab")
    for st in stages:
        suite = ET.SubElement(root, "testsuite", name=st["title"], tests=str(len(st["tests"])),
                              failures=str(sum(t["status"] == "failed" for t in st["tests"])),
                              skipped=str(sum(t["status"] == "skipped" for t in st["tests"])))
        for t in st["tests"]:
            case = ET.SubElement(suite, "testcase", classname=st["file"], name=t["name"])
            ET.SubElement(case, "properties")
            prop = case.find("properties")
            ET.SubElement(prop, "property", name="points", value=fmt_points(t["max"]))
            if t["status"] == "failed":
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
    stage's numbering), text output (bats' backquotes and $ are not Markdown), skips said."""
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
    json.dump({"score": total,
               "max_score": maxi,
               "execution_time": int(args.elapsed),
               "output": f"Score {fmt_points(total)}/{fmt_points(maxi)}",
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tap-dir", required=True)
    ap.add_argument("--format", default="table",
                    choices=["table", "tap", "junit", "gradescope", "csv"])
    ap.add_argument("--elapsed", default="0")
    ap.add_argument("--impl", default="")
    ap.add_argument("--student", default="")
    ap.add_argument("--hidden-dir", default="")
    ap.add_argument("--filter", default="", help="the regex given to bats --filter, if any")
    args = ap.parse_args()
    try:
        stages = load(args)
    except OSError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    if not stages:
        print("report: no results to report", file=sys.stderr)
        return 2
    {"table": out_table, "tap": out_tap, "junit": out_junit,
     "gradescope": out_gradescope, "csv": out_csv}[args.format](stages, args)
    ok = all(t["status"] == "passed" for st in stages for t in st["tests"])
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
