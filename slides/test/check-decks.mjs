#!/usr/bin/env node
// check-decks.mjs — open every built deck in headless Chromium and check each slide renders.
//
//   node slides/test/check-decks.mjs [DECK.html...]      (default: slides/out/*.html)
//
// For every slide of every deck: no element sticks out of the slide's box or runs into its
// footer, no element that clips its content (a code block, a table) hides part of it, and no
// image failed to load (naturalWidth 0). The page itself must raise no error and fetch nothing that fails.
// Screenshots of each deck's first two slides go to slides/out/screenshots/ for a human to look at.
//
// The browser is the system's chromium (CHROME_PATH, default /usr/bin/chromium), driven by the
// pinned playwright-core, with a fresh profile, no network services, nothing downloaded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', 'out');
const shotDir = path.join(outDir, 'screenshots');
const SLIDE_W = 1280;
const SLIDE_H = 720;
const TOLERANCE = 1.5; // px, in slide coordinates

let decks = process.argv.slice(2);
if (decks.length === 0) {
  decks = fs.existsSync(outDir)
    ? fs.readdirSync(outDir).filter((f) => /^\d\d-.*\.html$/.test(f)).sort().map((f) => path.join(outDir, f))
    : [];
}
if (decks.length === 0) {
  console.error('check-decks: no built decks in slides/out (run slides/build first)');
  process.exit(2);
}
fs.mkdirSync(shotDir, { recursive: true });

// Runs in the page: the problems of the slide that is showing.
function inspectSlide({ index, tolerance }) {
  const problems = [];
  const svgs = [...document.querySelectorAll('svg[data-marpit-svg]')];
  const svg = svgs[index];
  if (!svg) return { problems: [`slide ${index + 1}: not found`], total: svgs.length };
  const section = svg.querySelector('section');
  const box = section.getBoundingClientRect();
  const scale = box.width / 1280;
  const describe = (el) => {
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${text}"`;
  };
  for (const el of section.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'style', 'link', 'br'].includes(tag)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    // What of the element can be seen: its box cut by every ancestor (below the section) that
    // clips; a part hidden by a clipping ancestor cannot stick out (the player's own widgets).
    const b = el.getBoundingClientRect();
    let r = { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    for (let a = el.parentElement; a && a !== section; a = a.parentElement) {
      const acs = getComputedStyle(a);
      if (acs.overflowX === 'visible' && acs.overflowY === 'visible') continue;
      const ab = a.getBoundingClientRect();
      r = { left: Math.max(r.left, ab.left), top: Math.max(r.top, ab.top),
        right: Math.min(r.right, ab.right), bottom: Math.min(r.bottom, ab.bottom) };
    }
    if (r.right - r.left <= 0 || r.bottom - r.top <= 0) continue;
    const out = {
      left: (box.left - r.left) / scale,
      top: (box.top - r.top) / scale,
      right: (r.right - box.right) / scale,
      bottom: (r.bottom - box.bottom) / scale,
    };
    const worst = Object.entries(out).filter(([, v]) => v > tolerance);
    if (worst.length > 0) {
      problems.push(`${describe(el)} sticks out of the slide (${worst.map(([k, v]) => `${k} ${v.toFixed(0)}px`).join(', ')})`);
    }
    // Something that clips (overflow other than visible) and has more inside than it shows.
    const clips = cs.overflowX !== 'visible' || cs.overflowY !== 'visible';
    if (clips && !el.closest('.ap-wrapper, .ap-player, .cast') &&
        (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2)) {
      problems.push(`${describe(el)} cuts off its content (${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight})`);
    }
  }
  // Nothing may run into the footer (Marp positions it over the slide's bottom edge).
  const footer = section.querySelector(':scope > footer');
  if (footer) {
    const f = footer.getBoundingClientRect();
    for (const el of section.children) {
      if (el === footer || ['SCRIPT', 'STYLE', 'LINK'].includes(el.tagName)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const overlap = Math.min(r.bottom, f.bottom) - Math.max(r.top, f.top);
      const across = Math.min(r.right, f.right) - Math.max(r.left, f.left);
      if (overlap / scale > tolerance && across > 0) {
        problems.push(`${describe(el)} runs into the footer (${(overlap / scale).toFixed(0)}px)`);
      }
    }
  }
  for (const img of section.querySelectorAll('img')) {
    if (!img.complete || img.naturalWidth === 0) problems.push(`image ${img.getAttribute('src')} did not load`);
  }
  return { problems, total: svgs.length };
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'check-decks-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  viewport: { width: SLIDE_W, height: SLIDE_H },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-default-apps', '--disable-extensions'],
});

let failures = 0;
let slidesChecked = 0;
try {
  for (const deck of decks) {
    const name = path.basename(deck, '.html');
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`); });
    page.on('requestfailed', (r) => pageErrors.push(`failed to load ${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(`${pathToFileURL(deck).href}#1`, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    const total = await page.evaluate(() => document.querySelectorAll('svg[data-marpit-svg]').length);
    const deckProblems = [];
    for (let i = 0; i < total; i++) {
      // Bespoke shows the slide named by the hash.
      await page.evaluate((n) => { location.hash = `#${n}`; }, i + 1);
      await page.waitForFunction((n) => {
        const s = document.querySelectorAll('svg[data-marpit-svg]')[n];
        return s && s.getBoundingClientRect().width > 0 && s.classList.contains('bespoke-marp-active');
      }, i, { timeout: 5000 });
      await page.waitForTimeout(80);
      const { problems } = await page.evaluate(inspectSlide, { index: i, tolerance: TOLERANCE });
      for (const p of problems) deckProblems.push(`slide ${i + 1}: ${p}`);
      if (i < 2) {
        // Without the on-screen controller, which shows over a slide after each navigation.
        await page.addStyleTag({ content: '.bespoke-marp-osc { display: none !important; }' });
        await page.screenshot({ path: path.join(shotDir, `${name}-${i + 1}.png`) });
      }
      slidesChecked++;
    }
    deckProblems.push(...pageErrors);
    if (deckProblems.length === 0) {
      console.log(`ok   ${name}: ${total} slides`);
    } else {
      failures++;
      console.log(`FAIL ${name}: ${total} slides`);
      for (const p of deckProblems) console.log(`     ${p}`);
    }
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`check-decks: ${decks.length - failures} of ${decks.length} decks clean, ${slidesChecked} slides checked; screenshots in ${path.relative(process.cwd(), shotDir) || '.'}`);
console.log(`${decks.length - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
