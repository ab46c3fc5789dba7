"""summary.py — the class summary an instructor looks at: OUT/summary.txt and OUT/summary.html.

Drawn from what gradebook.py read (it is the one reader of the result files); nothing here opens
a student's files. Both show, in this order:
  - the class at a glance: submissions, statuses, total time, grading time per submission
    (min/median/max);
  - per stage (and in all), the distribution of the graded submissions' scores in four buckets
    (0, 1-49%, 50-99%, 100% of the stage's points) with the mean and the median;
  - the tests most of the class failed (the top N by share of graded submissions that did not
    pass them), each with its stage, its `hint` line and the section of the stage's hints.md that
    `make hint` would open for it;
  - the submissions that could not be graded, with status and reason;
  - one line per student.
The HTML page is one self-contained file (no script, no external style, font or image): charts are
inline SVG drawn here, each with a title and a description and a table next to it with the same
numbers, so that a screen reader, a text browser and a printer get all of it. Standard library only.
"""
import datetime
import html
import os
import statistics

BUCKETS = ("0%", "1–49%", "50–99%", "100%")
# A blue-red diverging scale (ColorBrewer RdBu): told apart by colour-blind readers, and each bar is
# labelled with its bucket and count, so a grey print loses nothing.
COLORS = ("#b2182b", "#ef8a62", "#67a9cf", "#2166ac")
NOT_GRADED_COLOR = "#8c8c8c"


def fmt(p):
    p = float(p)
    return str(int(p)) if p.is_integer() else f"{p:g}"


def bucket(pct):
    if pct <= 0:
        return 0
    if pct >= 100:
        return 3
    return 1 if pct < 50 else 2


def pct(part, whole):
    return 100.0 * part / whole if whole else 0.0


def analyse(data):
    """The numbers both pages show."""
    rows, stage_max = data["students"], data["stage_max"]
    graded = [st for st in rows if st["graded"]]
    total_max = sum(stage_max.values())
    dist = []  # [(label, title, [count per bucket], mean %, median %)]
    for label, score_of, mx, title in (
            [(f"stage {k}", (lambda st, k=k: st["stages"].get(str(k), 0.0)), m, data["titles"].get(k, ""))
             for k, m in stage_max.items()] +
            [("total", (lambda st: st["score"]), total_max, "all stages")]):
        ps = [pct(score_of(st), mx) for st in graded]
        counts = [0] * len(BUCKETS)
        for p in ps:
            counts[bucket(p)] += 1
        dist.append({"label": label, "title": title, "counts": counts,
                     "mean": statistics.mean(ps) if ps else None,
                     "median": statistics.median(ps) if ps else None})
    failed = sorted((t for t in data["tests"] if t["failed"]),
                    key=lambda t: (-t["failed"], t["stage"]))  # stable: the grader's order within
    times = [float(st["seconds"]) for st in rows if "seconds" in st]
    gtimes = [float(st["seconds"]) for st in graded if "seconds" in st]
    counts = {}
    for st in rows:
        counts[st["status"]] = counts.get(st["status"], 0) + 1
    return {"graded": graded, "not_graded": [st for st in rows if not st["graded"]],
            "total_max": total_max, "dist": dist, "failed": failed, "top": failed[:data["top"]],
            "times": times, "gtimes": gtimes, "counts": counts}


def span(xs):
    """'min A s, median B s, max C s' of a list of seconds."""
    return (f"min {min(xs):.0f} s, median {statistics.median(xs):.0f} s, max {max(xs):.0f} s"
            if xs else "none")


def percent(x):
    return "–" if x is None else f"{x:.0f}%"


def stages_graded(data):
    ks = sorted(data["stage_max"])
    return f"stage {ks[0]}" if len(ks) == 1 else f"stages {ks[0]}–{ks[-1]}" if ks == list(
        range(ks[0], ks[-1] + 1)) else "stages " + ", ".join(map(str, ks))


# ---- text ----

def write_text(data, a, path):
    rows, stage_max = data["students"], data["stage_max"]
    n, elapsed = len(rows), data["elapsed"]
    ng = len(a["graded"])
    L = []
    L.append(f"submissions       {n} ({ng} graded, {n - ng} not graded), {stages_graded(data)}")
    L.append(f"jobs              {data['jobs']} (isolation: {data['isolation']})")
    L.append(f"total time        {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    if n and elapsed > 0:
        L.append(f"throughput        {n / (elapsed / 60):.2f} submissions/minute")
    if a["times"]:
        L.append(f"per submission    {span(a['times'])} (build + grade)")
        if a["gtimes"] and len(a["gtimes"]) < len(a["times"]):
            L.append(f"  graded ones     {span(a['gtimes'])}")
    L.append("status            " + ", ".join(f"{k} {v}" for k, v in sorted(a["counts"].items())))
    L.append(f"maximum           {fmt(a['total_max'])} points "
             f"({', '.join(f'stage {k}: {fmt(m)}' for k, m in stage_max.items())})")

    L.append("")
    L.append(f"== Score distribution: the {ng} graded submissions, % of each stage's points"
             + (f" (not counted: {n - ng} not graded, 0 points each)" if n - ng else ""))
    if ng:
        L.append(f"{'':<9} {'0%':>6} {'1–49%':>6} {'50–99%':>6} {'100%':>6}   {'mean':>5} {'median':>6}")
        for d in a["dist"]:
            bar = "".join(c * k for c, k in zip("0-+#", d["counts"]))
            L.append(f"{d['label']:<9} " + " ".join(f"{c:>6}" for c in d["counts"]) +
                     f"   {percent(d['mean']):>5} {percent(d['median']):>6}   {bar}")
        L.append("          (the bar: one character a submission: 0 none, - under half, + half or more, # all)")
    else:
        L.append("  no submission could be graded")

    L.append("")
    nf = len(a["failed"])
    L.append(f"== Tests most of the class failed: top {len(a['top'])} of the {nf} tests not every "
             f"graded submission passed")
    if not a["top"]:
        L.append("  none: every graded submission passed every test" if ng else "  no graded submissions")
    width = len(str(len(a["top"])))
    for i, t in enumerate(a["top"], 1):
        nr = f", {t['notrun']} not run" if t["notrun"] else ""
        L.append(f"{i:>{width}}. {pct(t['failed'], t['of']):3.0f}% ({t['failed']}/{t['of']}{nr})  "
                 f"stage {t['stage']}  {t['name']}  [{fmt(t['points'])} pt{'s' if t['points'] != 1 else ''}]")
        pad = " " * (width + 6)
        if t["hint"]:
            L.append(f"{pad}hint: {t['hint']}")
        if t["hint_seen"]:
            L.append(f"{pad}most who failed were shown: {t['hint_seen']}")
        if t["section"]:
            L.append(f"{pad}hints.md: \"{t['section']}\" (make hint STAGE={t['stage']})")

    L.append("")
    L.append(f"== Not graded: {len(a['not_graded'])}")
    w = max([len(st["student"]) for st in rows] + [7])
    for st in a["not_graded"]:
        L.append(f"{st['student']:<{w}}  {st['status']:<14} {st['reason']}")

    L.append("")
    L.append("== Students")
    for st in rows:
        L.append(f"{st['student']:<{w}}  {fmt(st['score']):>5}/{fmt(st['max']):<5} "
                 f"{st['status']:<13} {st.get('seconds', ''):>5}s  {st['reason']}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


# ---- HTML ----

def e(s):
    return html.escape(str(s), quote=True)


CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1a1a1a;
       margin: 2em auto; max-width: 72em; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #d0d0d0; padding-bottom: .2em; margin-top: 2em; }
.meta { color: #555; margin-top: 0; }
dl.glance { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.5em; }
dl.glance dt { font-weight: 600; }
dl.glance dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
figcaption { font-size: .9em; color: #333; max-width: 15em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding-bottom: .3em; }
th, td { border: 1px solid #c8c8c8; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.hint { max-width: 40em; }
.hint-from { color: #555; font-size: .9em; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .92em; }
.status { white-space: nowrap; }
.s-pass { color: #1b5e20; } .s-partial { color: #8a5a00; } .s-fail, .s-timeout { color: #b2182b; }
.s-compile-error, .s-no-submission, .s-error, .s-build-timeout { color: #555; font-style: italic; }
.legend span { display: inline-block; margin-right: 1.2em; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin-right: .3em;
          border: 1px solid #444; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  figure, tr, .keep { break-inside: avoid; }
  /* A4 is narrower than a screen: the four histograms on one line, the bars in the table smaller. */
  .charts svg { width: 11em; height: auto; }
  figcaption { max-width: 11em; }
  svg.bar { width: 6em; height: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def short_title(title):
    """'Stage 3 — mount namespace...' without its 'Stage 3 — ' (the label says the stage)."""
    head, sep, rest = title.partition(" — ")
    return rest if sep and head.lower().startswith("stage") else title


def svg_histogram(uid, d, ymax, n):
    """One stage's buckets as a bar chart: role=img, with <title> and <desc> saying the numbers."""
    w, h, left, bottom, top = 230, 160, 8, 40, 18
    bw = (w - 2 * left) / len(BUCKETS)
    desc = "; ".join(f"{b}: {c} of {n}" for b, c in zip(BUCKETS, d["counts"]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'role="img" aria-labelledby="{uid}-t {uid}-d">',
           f'<title id="{uid}-t">{e(d["label"])}: scores of the {n} graded submissions</title>',
           f'<desc id="{uid}-d">{e(desc)}; mean {percent(d["mean"])}, median {percent(d["median"])}</desc>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - left}" y2="{h - bottom}" stroke="#444"/>']
    for i, (b, c) in enumerate(zip(BUCKETS, d["counts"])):
        bh = (h - bottom - top) * c / ymax if ymax else 0
        x, y = left + i * bw + 4, h - bottom - bh
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 8:.1f}" height="{bh:.1f}" fill="{COLORS[i]}" '
                   f'stroke="#333" stroke-width="0.5"><title>{e(b)}: {c}</title></rect>')
        out.append(f'<text x="{x + (bw - 8) / 2:.1f}" y="{y - 4:.1f}" font-size="12" text-anchor="middle">{c}</text>')
        out.append(f'<text x="{x + (bw - 8) / 2:.1f}" y="{h - bottom + 15}" font-size="11" '
                   f'text-anchor="middle">{e(b)}</text>')
    out.append(f'<text x="{left}" y="{h - 5}" font-size="12" fill="#1a1a1a">mean {percent(d["mean"])} · '
               f'median {percent(d["median"])}</text>')
    out.append("</svg>")
    return "".join(out)


def svg_bar(uid, value, of, label, width=160, color="#b2182b"):
    """A single horizontal bar (value/of) for a table cell, labelled for screen readers."""
    frac = value / of if of else 0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="14" viewBox="0 0 {width} 14" '
            f'class="bar" role="img" aria-labelledby="{uid}"><title id="{uid}">{e(label)}</title>'
            f'<rect x="0" y="1" width="{width}" height="12" fill="#eeeeee" stroke="#999" stroke-width="0.5"/>'
            f'<rect x="0" y="1" width="{width * frac:.1f}" height="12" fill="{color}"/></svg>')


def svg_times(rows, tmax):
    """Grading time per submission, one bar each, grey where the submission was not graded."""
    # Room on the left for the longest name (at most 22 characters, about 7 px each at 12 px).
    left = 12 + 7 * min(22, max(len(st["student"]) for st in rows))
    bar_h, gap, right = 16, 4, 70
    w = left + 520
    h = len(rows) * (bar_h + gap) + 24
    scale = (w - left - right) / tmax if tmax else 0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'role="img" aria-labelledby="times-t times-d">',
           '<title id="times-t">Grading time per submission (build + grade), seconds</title>',
           '<desc id="times-d">' + e("; ".join(f"{st['student']}: {st.get('seconds', '?')} s" for st in rows))
           + '</desc>']
    for i, st in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        s = float(st.get("seconds", 0) or 0)
        color = "#2166ac" if st["graded"] else NOT_GRADED_COLOR
        name = st["student"] if len(st["student"]) <= 22 else st["student"][:21] + "…"
        out.append(f'<text x="{left - 6}" y="{y + 12}" font-size="12" text-anchor="end">{e(name)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{max(s * scale, 1):.1f}" height="{bar_h}" fill="{color}">'
                   f'<title>{e(st["student"])}: {s:.0f} s ({e(st["status"])})</title></rect>')
        out.append(f'<text x="{left + s * scale + 5:.1f}" y="{y + 12}" font-size="12">{s:.0f} s</text>')
    out.append(f'<line x1="{left}" y1="2" x2="{left}" y2="{h - 20}" stroke="#444"/>')
    out.append("</svg>")
    return "".join(out)


def table(caption, cols, rows):
    """An HTML table with a caption. cols: the column names, "#name" for a column of numbers (right
    aligned). rows: lists of cells, HTML already (or numbers), or (HTML, class); the first cell of
    a row is its header (th scope=row), so a screen reader says which row a number is in."""
    nums = [c.startswith("#") for c in cols]
    num = ' class="num"'
    out = [f'<table><caption>{e(caption)}</caption><thead><tr>' + "".join(
        f'<th scope="col"{num if n else ""}>{e(c[1:] if n else c)}</th>' for c, n in zip(cols, nums)) +
        '</tr></thead><tbody>']
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            text, cls = cell if isinstance(cell, tuple) else (cell, "")
            cls = " ".join(x for x in (cls, "num" if nums[k] else "") if x)
            tag = "th" if k == 0 else "td"
            attrs = (' scope="row"' if k == 0 else "") + (f' class="{cls}"' if cls else "")
            cells.append(f"<{tag}{attrs}>{text}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def write_html(data, a, path):
    rows, stage_max = data["students"], data["stage_max"]
    n, ng = len(rows), len(a["graded"])
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    H = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f'<title>Class summary: {e(data["name"])}</title>', f'<style>{CSS}</style>', '</head>', '<body>',
         f'<h1>Class summary: {e(data["name"])}</h1>',
         f'<p class="meta">{n} submissions, {stages_graded(data)}, graded {now} '
         f'({e(data["jobs"])} at a time, isolation: {e(data["isolation"])}). The same numbers as '
         '<code>summary.txt</code> and <code>gradebook.csv</code> next to this page.</p>']

    # at a glance
    elapsed = data["elapsed"]
    H.append('<section class="keep"><h2 id="glance">At a glance</h2><dl class="glance">')
    H.append(f'<dt>submissions</dt><dd>{n}: {ng} graded, {n - ng} not graded</dd>')
    H.append('<dt>status</dt><dd>' + ", ".join(
        f'<span class="s-{e(k)}">{e(k)}</span> {v}' for k, v in sorted(a["counts"].items())) + '</dd>')
    H.append(f'<dt>maximum</dt><dd>{fmt(a["total_max"])} points (' +
             ", ".join(f"stage {k}: {fmt(m)}" for k, m in stage_max.items()) + ')</dd>')
    H.append(f'<dt>total time</dt><dd>{elapsed:.0f} s ({elapsed / 60:.1f} min)' +
             (f', {n / (elapsed / 60):.2f} submissions a minute' if n and elapsed > 0 else '') + '</dd>')
    H.append(f'<dt>per submission</dt><dd>{span(a["times"])} (build + grade)' +
             (f'; graded ones: {span(a["gtimes"])}' if a["gtimes"] and len(a["gtimes"]) < len(a["times"]) else '')
             + '</dd></dl></section>')

    # distribution
    H.append('<section><h2 id="distribution">Score distribution per stage</h2>')
    if ng:
        H.append(f'<p>The {ng} graded submissions, by their share of each stage\'s points' +
                 (f' (not counted here: {n - ng} not graded, 0 points each)' if n - ng else '') + '.</p>')
        H.append('<p class="legend" aria-hidden="true">' + "".join(
            f'<span><span class="swatch" style="background:{c}"></span>{b}</span>'
            for b, c in zip(BUCKETS, COLORS)) + '</p>')
        ymax = max(max(d["counts"]) for d in a["dist"])
        H.append('<div class="charts">')
        for i, d in enumerate(a["dist"]):
            H.append(f'<figure>{svg_histogram(f"h{i}", d, ymax, ng)}'
                     f'<figcaption><strong>{e(d["label"])}</strong>: {e(short_title(d["title"]))}</figcaption></figure>')
        H.append('</div>')
        H.append(table("The same, as numbers (submissions in each bucket)",
                       ["stage"] + [f"#{b}" for b in BUCKETS] + ["#mean", "#median"],
                       [[e(d["label"])] + d["counts"] + [percent(d["mean"]), percent(d["median"])]
                        for d in a["dist"]]))
    else:
        H.append('<p>No submission could be graded.</p>')
    H.append('</section>')

    # most failed
    H.append('<section><h2 id="failed">Tests most of the class failed</h2>')
    if a["top"]:
        H.append(f'<p>The top {len(a["top"])} of the {len(a["failed"])} tests that not every graded submission '
                 'passed, by the share that did not pass them (not run: the grading ran out of time first). '
                 'The hint is the test\'s own, as students see it when it fails; the section is the one of the '
                 'stage\'s <code>hints.md</code> that <code>make hint</code> opens for it.</p>')
        body = []
        for i, t in enumerate(a["top"], 1):
            p = pct(t["failed"], t["of"])
            label = f"{p:.0f}% failed ({t['failed']} of {t['of']})"
            nr = f', {t["notrun"]} not run' if t["notrun"] else ''
            hint = e(t["hint"]) if t["hint"] else '<span class="hint-from">(no hint line)</span>'
            if t["hint_seen"]:
                hint += f'<br><span class="hint-from">most who failed were shown:</span> {e(t["hint_seen"])}'
            if t["section"]:
                hint += (f'<br><span class="hint-from">hints.md: “{e(t["section"])}” '
                         f'(<code>make hint STAGE={t["stage"]}</code>)</span>')
            body.append([i, f'{svg_bar(f"f{i}", t["failed"], t["of"], label)}<br>{p:.0f}% ({t["failed"]}/{t["of"]}{nr})',
                         t["stage"], e(t["name"]), fmt(t["points"]), (hint, "hint")])
        H.append(table("Most-failed tests", ["##", "failed by", "#stage", "test", "#points", "hint"], body))
    else:
        H.append('<p>' + ('Every graded submission passed every test.' if ng else 'No graded submissions.') + '</p>')
    H.append('</section>')

    # not graded
    H.append(f'<section class="keep"><h2 id="not-graded">Not graded: {len(a["not_graded"])}</h2>')
    if a["not_graded"]:
        H.append(table("Submissions the tests could not run on (0 points each)", ["student", "status", "reason"],
                       [[e(st["student"]), (e(st["status"]), f'status s-{e(st["status"])}'), e(st["reason"])]
                        for st in a["not_graded"]]))
    else:
        H.append('<p>Every submission was graded.</p>')
    H.append('</section>')

    # time
    H.append('<section class="keep"><h2 id="time">Grading time per submission</h2>')
    if a["times"]:
        H.append(f'<p>{span(a["times"])}; grey: not graded. The seconds are also in the table below.</p>')
        H.append(f'<figure>{svg_times(rows, max(a["times"]))}</figure>')
    H.append('</section>')

    # students
    keys = list(stage_max)
    H.append('<section><h2 id="students">Students</h2>')
    H.append(table("One row per submission (as in gradebook.csv)",
                   ["student", "#score"] + [f"#stage {k}" for k in keys] + ["status", "#seconds", "reason"],
                   [["(max)", fmt(a["total_max"])] + [fmt(stage_max[k]) for k in keys] + ["", "", ""]] +
                   [[e(st["student"]), fmt(st["score"])] + [fmt(st["stages"].get(str(k), 0.0)) for k in keys] +
                    [(e(st["status"]), f'status s-{e(st["status"])}'), e(st.get("seconds", "")), e(st["reason"])]
                    for st in rows]))
    H.append('</section>')
    H.append('</body>')
    H.append('</html>')
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(H) + "\n")


def write(data, out):
    """OUT/summary.txt and OUT/summary.html."""
    a = analyse(data)
    write_text(data, a, os.path.join(out, "summary.txt"))
    write_html(data, a, os.path.join(out, "summary.html"))
