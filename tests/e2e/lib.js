'use strict';
// Helpers for the end-to-end browser journeys of dvc-portal.
//
// The browser is Debian's own Chromium (/usr/bin/chromium, from the `chromium`
// apt package) driven by playwright-core: nothing here downloads a browser.
// Accessibility is checked with axe-core (WCAG 2.0/2.1 A and AA rules).
//
// A journey file looks like:
//
//   const { journey, runMain, newPage } = require('./lib');
//   const j = journey('Danh mục thủ tục', (test) => {
//     test('trang chủ', async (ctx) => { ... });
//     test('trang thủ tục', async (ctx) => { ... }, { needs: 'trang chủ' });
//   });
//   module.exports = j;
//   if (require.main === module) runMain([j]);
//
// Tests of a journey run in order and share `ctx` (ctx.browser, ctx.baseUrl,
// ctx.url(path), and anything a test stores on it). A test whose `needs` did
// not pass is skipped. The run ends with the line `N passed, M failed`
// (`, K skipped` is added only when something was skipped) and exits 1 when
// anything failed or was skipped.

const fs = require('fs');
const path = require('path');
const assert = require('assert/strict');
const { chromium } = require('playwright-core');

const ARTIFACTS = path.join(__dirname, 'artifacts');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT_MS = Number(process.env.E2E_TEST_TIMEOUT_MS || 60_000);
const ACTION_TIMEOUT_MS = Number(process.env.E2E_ACTION_TIMEOUT_MS || 15_000);
const NAV_TIMEOUT_MS = Number(process.env.E2E_NAV_TIMEOUT_MS || 30_000);

// Flags that keep Chromium off the network (it would otherwise call Google
// services, which are refused here) and make it run as root in a container.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_FAILING_IMPACTS = new Set(['serious', 'critical']);
const AXE_SOURCE = path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js');

const injecting = new WeakSet();
const openedPages = []; // every page newPage() made, so the runner can shoot and close them

function log(...args) {
  console.log(...args);
}

function ensureArtifacts() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

let artifactCounter = 0;
/** Next artifact path `artifacts/<nn>-<name><ext>` (numbered in order of creation). */
function artifactPath(name, ext = '') {
  ensureArtifacts();
  artifactCounter += 1;
  const safe = String(name)
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd')
    .replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'artifact';
  return path.join(ARTIFACTS, `${String(artifactCounter).padStart(2, '0')}-${safe}${ext}`);
}

/**
 * Launches Debian's Chromium headless. playwright-core refuses a
 * `--user-data-dir` argument on launch(); instead it always starts the browser
 * with a fresh temporary profile of its own (`--user-data-dir=<tmp>/playwright_chromiumdev_profile-XXXXXX`)
 * and removes it on close, so every run starts from an empty profile.
 */
async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get update && apt-get install -y chromium) or set E2E_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    // No downloadsPath: downloads go to a temp dir that Playwright deletes on
    // close; journeys copy what they keep into artifacts/.
    timeout: 60_000,
  });
}

/**
 * A page in its own fresh context: a 360×800 phone viewport, Vietnamese locale.
 * The page's own Content-Security-Policy stays in force (checkA11y copes).
 * Inside a journey test the runner closes it after the test (screenshotting it
 * first if the test failed), unless it is stored as `ctx.page`.
 */
async function newPage(browser, { width = 360, height = 800 } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    acceptDownloads: true,
    extraHTTPHeaders: { 'Accept-Language': 'vi-VN,vi;q=0.9' },
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  const page = await context.newPage();
  openedPages.push(page);
  page.on('pageerror', (err) => log(`    ! lỗi JavaScript trên trang ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Our own axe injection may be refused by the page's CSP; that is not the page's fault.
    if (injecting.has(page) && /Content Security Policy/i.test(msg.text())) return;
    const where = msg.location() && msg.location().url;
    log(`    ! console.error trên ${page.url()}: ${msg.text()}${where && where !== page.url() ? ` (${where})` : ''}`);
  });
  return page;
}

/**
 * Runs axe-core on the current page with the WCAG 2.0/2.1 A+AA rule tags and
 * throws if any violation is `serious` or `critical`, listing them all
 * (rule id, help text, help URL, CSS target and HTML of each node).
 * Lesser violations are only printed. Returns the axe results.
 */
async function checkA11y(page, label) {
  const hasAxe = () => page.evaluate(() => typeof window.axe === 'object' && typeof window.axe.run === 'function');
  if (!(await hasAxe())) {
    injecting.add(page);
    try {
      try {
        await page.addScriptTag({ path: AXE_SOURCE });
      } catch (_) {
        // A strict Content-Security-Policy (script-src 'self') blocks the inline
        // <script> that addScriptTag makes; fall through to evaluate.
      }
      if (!(await hasAxe())) {
        // Evaluating through the DevTools protocol is not subject to the page's CSP.
        await page.evaluate(fs.readFileSync(AXE_SOURCE, 'utf8'));
      }
    } finally {
      injecting.delete(page);
    }
    if (!(await hasAxe())) throw new Error(`[a11y ${label}] could not inject axe-core into ${page.url()}`);
  }
  const results = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  }), AXE_TAGS);

  const describe = (v) => {
    const nodes = v.nodes.map((n) => `        - ${n.target.join(' ')}  ${String(n.html).replace(/\s+/g, ' ').slice(0, 160)}`);
    return `    [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
  };
  const bad = results.violations.filter((v) => AXE_FAILING_IMPACTS.has(v.impact));
  const minor = results.violations.filter((v) => !AXE_FAILING_IMPACTS.has(v.impact));
  if (minor.length) {
    log(`    a11y ${label}: ${minor.length} vi phạm mức thấp (không làm hỏng phép thử):\n${minor.map(describe).join('\n')}`);
  }
  if (bad.length) {
    throw new Error(`[a11y ${label}] ${bad.length} serious/critical axe violation(s) on ${page.url()}:\n${bad.map(describe).join('\n')}`);
  }
  log(`    a11y ${label}: axe ${results.testEngine && results.testEngine.version}, ${results.violations.length} vi phạm, 0 nghiêm trọng`);
  return results;
}

/** Full-page PNG screenshot to tests/e2e/artifacts/<nn>-<name>.png; returns the path. */
async function shot(page, name) {
  const file = artifactPath(name, '.png');
  await page.screenshot({ path: file, fullPage: true });
  log(`    ảnh chụp: ${path.relative(process.cwd(), file)}`);
  return file;
}

/** Logs a named step, its duration and whether it threw; returns fn's result. */
async function step(name, fn) {
  const t0 = Date.now();
  log(`  • ${name}`);
  try {
    const out = await fn();
    log(`    ✓ ${name} (${Date.now() - t0} ms)`);
    return out;
  } catch (err) {
    log(`    ✗ ${name} (${Date.now() - t0} ms)`);
    throw err;
  }
}

/** Declares a journey: `define(test)` registers its tests with `test(name, fn, { needs })`. */
function journey(name, define) {
  const tests = [];
  const test = (testName, fn, opts = {}) => {
    const needs = opts.needs === undefined ? [] : [].concat(opts.needs);
    tests.push({ name: testName, fn, needs, timeout: opts.timeout || TEST_TIMEOUT_MS });
  };
  define(test);
  return { name, tests };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Screenshots the given pages after a failure (best effort). */
async function failureShots(pages, testName) {
  for (const page of pages) {
    if (page.isClosed()) continue;
    try {
      log(`    trang lúc lỗi: ${page.url()}`);
      await withTimeout(shot(page, `FAIL-${testName}`), 10_000, 'failure screenshot');
    } catch (_) { /* ignore */ }
  }
}

function baseUrlFromEnv() {
  const raw = process.env.BASE_URL;
  if (!raw) throw new Error('BASE_URL is not set (e.g. BASE_URL=http://127.0.0.1:8080)');
  return raw.replace(/\/+$/, '');
}

/**
 * Runs journeys in one browser, prints `N passed, M failed` as the last line,
 * and returns the process exit code (0 only if every test passed).
 * `loadErrors` are files that could not even be loaded; each counts as failed.
 */
async function runJourneys(journeys, loadErrors = []) {
  let passed = 0;
  let failed = loadErrors.length;
  let skipped = 0;
  const failures = loadErrors.map((e) => `${e.file}: ${e.error.stack || e.error}`);
  const t0 = Date.now();
  let browser;
  try {
    const baseUrl = baseUrlFromEnv();
    browser = await launch();
    log(`Chromium ${browser.version()} · BASE_URL=${baseUrl} · artifacts: ${path.relative(process.cwd(), ARTIFACTS) || '.'}`);
    for (const j of journeys) {
      log(`\n▶ ${j.name}`);
      const ctx = {
        browser,
        baseUrl,
        url: (p = '/') => baseUrl + (p.startsWith('/') ? p : `/${p}`),
      };
      const status = new Map();
      for (const t of j.tests) {
        const missing = t.needs.filter((n) => status.get(n) !== 'passed');
        if (missing.length) {
          skipped += 1;
          status.set(t.name, 'skipped');
          log(`○ SKIP ${j.name} › ${t.name} (cần: ${missing.join(', ')})`);
          continue;
        }
        const started = Date.now();
        const firstNewPage = openedPages.length;
        log(`\n● ${j.name} › ${t.name}`);
        try {
          await withTimeout(Promise.resolve().then(() => t.fn(ctx)), t.timeout, t.name);
          passed += 1;
          status.set(t.name, 'passed');
          log(`✔ PASS ${j.name} › ${t.name} (${Date.now() - started} ms)`);
        } catch (err) {
          failed += 1;
          status.set(t.name, 'failed');
          const msg = err && err.stack ? err.stack : String(err);
          failures.push(`${j.name} › ${t.name}\n${msg}`);
          log(`✘ FAIL ${j.name} › ${t.name} (${Date.now() - started} ms)\n${indent(msg, '    ')}`);
          const mine = openedPages.slice(firstNewPage);
          await failureShots(mine.length ? mine : [ctx.page].filter(Boolean), t.name);
        }
        // Pages a test opened are closed after it, except ctx.page, which the
        // following tests of the journey share.
        for (const p of openedPages.slice(firstNewPage)) {
          if (p !== ctx.page) await p.context().close().catch(() => {});
        }
      }
      // Each journey starts clean: close the contexts its tests opened.
      for (const c of browser.contexts()) await c.close().catch(() => {});
    }
  } catch (err) {
    failed += 1;
    failures.push(`harness: ${err && err.stack ? err.stack : err}`);
    log(`✘ harness error: ${err && err.stack ? err.stack : err}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  if (failures.length) {
    log(`\nThất bại (${failures.length}):`);
    for (const f of failures) log(indent(f.split('\n').slice(0, 40).join('\n'), '  '));
  }
  log(`\ne2e finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed === 0 && skipped === 0 ? 0 : 1;
}

/** Entry point for `node some.journey.js`: runs, then exits with the right code. */
function runMain(journeys, loadErrors) {
  runJourneys(journeys, loadErrors).then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(err); console.log('0 passed, 1 failed'); process.exitCode = 1; },
  );
}

function indent(text, pad) {
  return String(text).split('\n').map((l) => pad + l).join('\n');
}

// ---- small assertion helpers shared by journeys ----

/** Compares text after Unicode NFC normalisation (servers may emit NFD Vietnamese). */
function nfc(s) {
  return String(s == null ? '' : s).normalize('NFC').replace(/\s+/g, ' ').trim();
}

function assertContains(haystack, needle, what) {
  assert.ok(nfc(haystack).includes(nfc(needle)), `${what}: expected to contain ${JSON.stringify(needle)}, got ${JSON.stringify(nfc(haystack))}`);
}

/** Asserts the page cannot be scrolled sideways at its current viewport width. */
async function assertNoHorizontalScroll(page, width) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    widest: [...document.querySelectorAll('body *')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter((x) => x.r.right > document.documentElement.clientWidth + 1)
      .slice(0, 5)
      .map((x) => `${x.el.tagName.toLowerCase()}${x.el.id ? `#${x.el.id}` : ''}${x.el.className && typeof x.el.className === 'string' ? `.${x.el.className.trim().split(/\s+/).join('.')}` : ''} (right=${Math.round(x.r.right)})`),
  }));
  assert.ok(m.scrollWidth <= width,
    `horizontal scroll at ${width}px on ${page.url()}: documentElement.scrollWidth=${m.scrollWidth} > ${width}; overflowing: ${m.widest.join(', ') || '?'}`);
  return m;
}

module.exports = {
  ARTIFACTS,
  CHROMIUM_ARGS,
  AXE_TAGS,
  launch,
  newPage,
  checkA11y,
  shot,
  step,
  journey,
  runJourneys,
  runMain,
  artifactPath,
  nfc,
  assert,
  assertContains,
  assertNoHorizontalScroll,
};
