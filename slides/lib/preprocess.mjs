#!/usr/bin/env node
// preprocess.mjs — turn slides/decks/*.md into the Markdown Marp renders (slides/out/*.md).
//
//   node slides/lib/preprocess.mjs KIT_DIR OUT_DIR DECK.md...
//
// What it expands, so that nothing on a slide is pasted by hand and can drift:
//
//   <!-- include: solutions/01-uts/uts.c fn=container_clone [nocomments] [lines=A-B]
//        [from=TEXT] [to=TEXT[+N]] -->
//       the definition of container_clone (a function, or a table like `static const ... x[] =`),
//       taken from that file NOW, with the //@@ starter markers removed, as a ```c block with a
//       caption naming file and symbol. nocomments drops comment-only lines; lines=A-B keeps
//       lines A..B of the definition (1-based), from=/to= the lines from the first one holding
//       TEXT to the first one holding TEXT (+N more), and marks the cuts with "/* ... */". A
//       symbol or an anchor that is not found fails the build.
//
//   ```demo            a block of demo commands: "$ command" lines, each followed by the output
//   $ container ...    it must print (a line of "…" or text with "…" in it matches anything
//   output line        there). Rendered as a console block; slides/test/run-demo-commands runs
//   ```                them against the reference and checks the output.
//
//   <!-- cast: 04-cgroups -->
//       the asciinema recording slides/casts/04-cgroups.cast, inlined (so the deck plays it
//       offline, even from file://) and played by asciinema-player (lib/casts.js starts it); a
//       plain note where no script runs.
import fs from 'node:fs';
import path from 'node:path';

const [kit, outDir, ...decks] = process.argv.slice(2);
if (!kit || !outDir || decks.length === 0) {
  console.error('usage: preprocess.mjs KIT_DIR OUT_DIR DECK.md...');
  process.exit(2);
}

let failed = false;
const fail = (deck, msg) => {
  console.error(`preprocess: ${deck}: ${msg}`);
  failed = true;
};

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The definition of `sym` in C source `text`: from the line at column 0 that names it (a
// function definition or an initialised table) to the matching closing brace at column 0.
export function extractDefinition(text, sym) {
  const lines = text.split('\n');
  const head = new RegExp(`^[A-Za-z_].*\\b${escapeRe(sym)}\\s*(\\(|\\[|=)`);
  for (let i = 0; i < lines.length; i++) {
    if (!head.test(lines[i]) || /;\s*$/.test(lines[i])) continue;
    let j = i;
    while (j < lines.length && !/^}/.test(lines[j])) j++;
    if (j >= lines.length) return null;
    return lines.slice(i, j + 1);
  }
  return null;
}

export function cleanDefinition(lines, { nocomments = false } = {}) {
  let out = lines.filter((l) => !/^\s*\/\/@@ (BEGIN|END) SOLUTION/.test(l) && !/^\s*\/\/@@ STARTER/.test(l));
  if (nocomments) {
    const kept = [];
    let inComment = false;
    for (const l of out) {
      if (inComment) {
        if (l.includes('*/')) inComment = false;
        continue;
      }
      if (/^\s*\/\*/.test(l)) {
        if (!l.includes('*/')) inComment = true;
        continue;
      }
      if (/^\s*\/\//.test(l)) continue;
      kept.push(l);
    }
    out = kept;
  }
  // No two blank lines in a row, none right after "{" or before "}".
  out = out.filter((l, k, a) => !(l.trim() === '' && (k === 0 || a[k - 1].trim() === '' || /\{\s*$/.test(a[k - 1]) || /^\s*}/.test(a[k + 1] ?? '}'))));
  // Tabs as 8 columns are too wide for a slide: 4.
  return out.map((l) => l.replace(/\t/g, '    '));
}

function include(deck, spec) {
  const words = spec.trim().split(/\s+/);
  const file = words.shift();
  const opts = {};
  for (const w of words) {
    const m = /^(\w+)(?:=(.*))?$/.exec(w);
    if (!m) return fail(deck, `include: bad option "${w}"`);
    opts[m[1]] = m[2] ?? true;
  }
  const full = path.join(kit, file);
  if (!fs.existsSync(full)) return fail(deck, `include: no file ${file}`);
  if (!opts.fn) return fail(deck, `include: ${file}: fn=SYMBOL missing`);
  const def = extractDefinition(fs.readFileSync(full, 'utf8'), opts.fn);
  if (!def) return fail(deck, `include: ${file}: no definition of ${opts.fn} found (renamed? update the deck)`);
  let body = cleanDefinition(def, { nocomments: Boolean(opts.nocomments) });
  let caption = `${file} · ${opts.fn}()`;
  // An excerpt: lines=A-B of the definition, or from=TEXT / to=TEXT[+N] (the first line holding
  // TEXT, N more lines after it). Anchors follow the code when it moves; one that is no longer
  // there fails the build.
  if (opts.lines || opts.from || opts.to) {
    let a = 1;
    let b = body.length;
    if (opts.lines) {
      const m = /^(\d+)-(\d+)$/.exec(opts.lines);
      if (!m) return fail(deck, `include: lines=${opts.lines}: want A-B`);
      a = Number(m[1]);
      b = Math.min(Number(m[2]), body.length);
    }
    if (opts.from) {
      const k = body.findIndex((l) => l.includes(opts.from));
      if (k < 0) return fail(deck, `include: ${file} ${opts.fn}: from=${opts.from} not found`);
      a = k + 1;
    }
    if (opts.to) {
      const [text, extra] = opts.to.split('+');
      const k = body.findIndex((l, n) => n >= a - 1 && l.includes(text));
      if (k < 0) return fail(deck, `include: ${file} ${opts.fn}: to=${text} not found`);
      b = Math.min(k + 1 + Number(extra ?? 0), body.length);
    }
    const indent = /^\s*/.exec(body[Math.min(b, body.length - 1)] ?? '')[0] || '    ';
    // The signature up to its opening brace always stays.
    const open = Math.max(0, body.findIndex((l) => /\{\s*$/.test(l)));
    a = Math.max(a, 1);
    const head = a > open + 1 ? [...body.slice(0, open + 1), ...(a > open + 2 ? [`${indent}/* ... */`] : [])] : [];
    body = [...head, ...body.slice(a - 1, b),
      ...(b < body.length ? [`${indent}/* ... */`, body[body.length - 1]] : [])];
    caption += ' (excerpt)';
  }
  return ['```c', ...body, '```', `<p class="src">${caption}</p>`].join('\n');
}

function castBlock(deck, name) {
  const file = path.join(kit, 'slides', 'casts', `${name}.cast`);
  const note = `recording: slides/casts/${name}.cast (play it in the HTML deck, or: asciinema play slides/casts/${name}.cast)`;
  if (!fs.existsSync(file)) {
    // A deck still builds before the first `make record`: it says what is missing.
    console.error(`preprocess: ${deck}: no ${path.relative(kit, file)} yet (make record)`);
    return `<div class="cast"><div class="fallback">${note}<br>(not recorded yet: make record)</div></div>`;
  }
  // Base64 in an attribute: Marp re-serialises the page, so text inside a <script> would not
  // survive as it is; an attribute value does. The deck then plays it offline, even from file://.
  const data = fs.readFileSync(file).toString('base64');
  return `<div class="cast" data-cast="${name}" data-cast-b64="${data}"><div class="fallback">${note}</div></div>`;
}

// The player: loaded by every deck that has a cast, started only in the HTML deck's viewer.
const playerScript = [
  '<link rel="stylesheet" href="player/asciinema-player.css">',
  '<script src="player/asciinema-player.min.js"></script>',
  '<script src="player/casts.js"></script>',
].join('\n');

function demoBlock(lines) {
  // "$ cmd" stays, output lines stay; a lone "…" means "more output here".
  return ['```console', ...lines, '```'].join('\n');
}

fs.mkdirSync(outDir, { recursive: true });
for (const deck of decks) {
  const src = fs.readFileSync(deck, 'utf8').split('\n');
  const out = [];
  let hasCast = false;
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    let m;
    if (/^```demo\s*$/.test(line)) {
      const body = [];
      for (i++; i < src.length && !/^```\s*$/.test(src[i]); i++) body.push(src[i]);
      if (i >= src.length) fail(deck, 'unterminated ```demo block');
      if (!body.some((l) => l.startsWith('$ '))) fail(deck, `a demo block without "$ " command lines near line ${i}`);
      out.push(demoBlock(body));
    } else if ((m = /^<!--\s*include:\s*(.*?)\s*-->\s*$/.exec(line))) {
      out.push(include(deck, m[1]) ?? '');
    } else if ((m = /^<!--\s*cast:\s*([\w.-]+)\s*-->\s*$/.exec(line))) {
      out.push(castBlock(deck, m[1]));
      hasCast = true;
    } else {
      out.push(line);
    }
  }
  if (hasCast) out.push(playerScript);
  fs.writeFileSync(path.join(outDir, path.basename(deck)), out.join('\n'));
}
process.exit(failed ? 1 : 0);
