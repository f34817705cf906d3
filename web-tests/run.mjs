// Browser tests of the Clearinghouse web UI: a real Chromium (driven by playwright-core) against a
// real `clearinghouse serve` started on a free loopback port with a fresh data directory.
//
// Run: cd web-tests && npm ci && CLEARINGHOUSE_BIN=/path/to/clearinghouse node --test run.mjs
// Optional: CLEARINGHOUSE_TEST_DATABASE=postgres://user@host/db runs the server on that
// (preferably empty) PostgreSQL database instead of SQLite.
// Optional: CHROMIUM=/path/to/chromium (default /usr/bin/chromium).
//
// Layout: server start/stop, browser start/stop, page helpers, then the tests in reading order.
// The tests share one signed-in browser context: the administrator's sign-in link works once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = join(HERE, 'screenshots');
const BIN = process.env.CLEARINGHOUSE_BIN;
const DATABASE = process.env.CLEARINGHOUSE_TEST_DATABASE || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The administrator the server creates on first start (crates/app/src/bootstrap.rs).
const ADMIN_EMAIL = 'admin@clearinghouse.localhost';
const STARTUP_TIMEOUT_MS = 120_000;

if (!BIN) {
  throw new Error('CLEARINGHOUSE_BIN must name the clearinghouse binary (e.g. target/debug/clearinghouse)');
}

// ---------------------------------------------------------------------------------------------
// The server.

/** @type {{ child: import('node:child_process').ChildProcess, base: string, host: string, link: string, dataDir: string, log: string }} */
let server;

// Environment for the server: ours minus any CLEARINGHOUSE_* setting that could point it at
// other data than the fresh directory made here.
function serverEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('CLEARINGHOUSE_')) delete env[key];
  }
  env.NO_COLOR = '1';
  return env;
}

function dataArgs(dataDir) {
  return ['--data-dir', dataDir, ...(DATABASE ? ['--database', DATABASE] : [])];
}

// Starts `clearinghouse serve` on port 0 (the kernel picks a free port; the server prints the
// address it got) and resolves with its base URL and the one-time sign-in link.
async function startServer() {
  const dataDir = await mkdtemp(join(tmpdir(), 'clearinghouse-web-'));
  const log = join(SCREENSHOTS, 'server.log');
  const logFile = createWriteStream(log);
  const child = spawn(BIN, ['serve', ...dataArgs(dataDir), '--listen', '127.0.0.1:0'], {
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(logFile, { end: false });
  child.stderr.pipe(logFile, { end: false });

  const { base, link } = await new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    let base = null;
    const timer = setTimeout(
      () => fail(new Error(`the server printed no listening line within ${STARTUP_TIMEOUT_MS} ms; see ${log}`)),
      STARTUP_TIMEOUT_MS,
    );
    function fail(err) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    }
    function done(value) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(value);
    }
    function onData(chunk) {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const listening = line.match(/Clearinghouse listening on (http:\/\/\S+)/);
        if (listening) {
          base = listening[1].replace(/\/$/, '');
          // On data that already holds people the server prints no link at all.
          setTimeout(() => done({ base, link: null }), 3_000);
          continue;
        }
        const signin = line.match(/(\S*\/signin\/link\?token=\S+)/);
        if (signin) return done({ base, link: signin[1] });
        if (base && !/First start/.test(line)) return done({ base, link: null });
      }
    }
    child.stdout.on('data', onData);
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      fail(new Error(`the server exited early (code ${code}, signal ${signal}); see ${log}`)),
    );
  });
  if (!base) throw new Error(`no listening line before the sign-in link; see ${log}`);
  const host = new URL(base).host;
  assert.match(host, /^127\.0\.0\.1:\d+$/, 'the server must listen on loopback');
  server = { child, base, host, link: link ?? (await freshSigninLink(dataDir, base)), dataDir, log };
  await waitHealthy(base);
}

// A sign-in link made with `clearinghouse admin signin-link`, for a PostgreSQL database that
// already held people (the server then prints no link).
async function freshSigninLink(dataDir, base) {
  const { stdout } = await promisify(execFile)(
    BIN,
    ['admin', ...dataArgs(dataDir), 'signin-link', ADMIN_EMAIL, '--public-url', base],
    { env: serverEnv() },
  );
  const link = stdout.trim().split('\n').find((l) => l.includes('/signin/link?token='));
  if (!link) throw new Error(`admin signin-link printed no link: ${stdout}`);
  return link.trim();
}

async function waitHealthy(base) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() > deadline) throw new Error(`${base}/healthz never answered 200`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopServer() {
  if (!server?.child) return;
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(server.dataDir, { recursive: true, force: true });
}

// A last resort: never leave a server behind, even when the runner is interrupted.
process.on('exit', () => {
  if (server?.child && server.child.exitCode === null) server.child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------
// The browser.

let browser;
// The administrator's context: one cookie jar for all tests.
let context;
// Every request any page made, as URLs.
const requests = [];
// Uncaught page errors and console errors (CSP violations show up here).
const pageErrors = [];
// Responses with an error status, as "STATUS METHOD URL".
const failedLoads = [];

function watch(ctx) {
  ctx.on('request', (req) => requests.push(req.url()));
  ctx.on('page', (page) => {
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      // Failed loads are reported with their URL by the response listener below.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        pageErrors.push(`${page.url()}: console: ${msg.text()}`);
      }
    });
  });
  ctx.on('response', (res) => {
    if (res.status() >= 400) failedLoads.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
}

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  watch(context);
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
});

// ---------------------------------------------------------------------------------------------
// Helpers.

const url = (path) => `${server.base}${path}`;

let signedIn = null;

// Signs the administrator in with the one-time link, once per run; later callers reuse the
// session. The first test calls it first, so its assertions run there.
function signIn(page) {
  signedIn ??= (async () => {
    const res = await page.goto(server.link);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('h1').innerText(), 'Sign in with a one-time link');
    await Promise.all([
      page.waitForURL(url('/')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.match(await page.locator('h1').innerText(), /^Welcome, /);
  })();
  return signedIn;
}

// Rows of the organizations table as [name, type, sector].
async function orgRows(page) {
  await page.goto(url('/orgs'));
  return page.locator('table tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent.trim())),
  );
}

// Creates an organization with the form on /orgs and returns its page's path.
async function createOrg(page, { name, kind, sector }) {
  await page.goto(url('/orgs'));
  await page.locator('#org-name').fill(name);
  await page.locator('#org-kind').selectOption(kind);
  await page.locator('#org-sector').selectOption(sector);
  await Promise.all([
    page.waitForURL(/\/orgs\/[^/?#]+$/),
    page.getByRole('button', { name: 'Create organization' }).click(),
  ]);
  return new URL(page.url()).pathname;
}

// The accessibility basics of the page shown: problems found, as strings.
async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const lang = document.documentElement.getAttribute('lang');
    if (!lang || !lang.trim()) problems.push('<html> has no lang');
    if (!document.title.trim()) problems.push('no <title>');
    const h1s = document.querySelectorAll('h1').length;
    if (h1s !== 1) problems.push(`${h1s} <h1> elements, expected 1`);
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const labelled =
        (el.labels && [...el.labels].some((l) => l.textContent.trim())) ||
        el.getAttribute('aria-label')?.trim() ||
        el.getAttribute('aria-labelledby')?.trim();
      if (!labelled) problems.push(`unlabelled <${el.tagName.toLowerCase()} id="${el.id}" name="${el.name}">`);
    }
    let level = 0;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const next = Number(h.tagName[1]);
      if (next > level + 1) problems.push(`<${h.tagName.toLowerCase()}> "${h.textContent.trim()}" skips a heading level`);
      level = next;
    }
    for (const b of document.querySelectorAll('button')) {
      if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('a <button> without text');
    }
    for (const img of document.querySelectorAll('img')) {
      if (!img.hasAttribute('alt')) problems.push(`<img src="${img.src}"> without alt`);
    }
    return problems;
  });
}

// Asserts `textContent` of the element matching `selector` starts with `prefix` within the
// timeout (the browser verification runs asynchronously after load).
async function waitForTextStart(page, selector, prefix) {
  try {
    await page.waitForFunction(
      ([s, p]) => document.querySelector(s)?.textContent.trim().startsWith(p),
      [selector, prefix],
      { timeout: 15_000 },
    );
  } catch (err) {
    const actual = await page.locator(selector).textContent().catch(() => '(missing)');
    assert.fail(`${selector} should start with ${JSON.stringify(prefix)} but reads ${JSON.stringify(actual)}`);
  }
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

// A name nobody else uses, so reruns against a shared PostgreSQL database do not collide.
const unique = (stem) => `${stem} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

// Paths the later tests revisit, filled in by the first test.
const visited = { org: null, logEntry: null };

// ---------------------------------------------------------------------------------------------
// Tests.

test('admin signs in, creates an organization and a token, and opens a log entry with its verified inclusion proof', async () => {
  const page = await context.newPage();
  await signIn(page);
  await page.goto(url('/'));
  assert.match(await page.locator('h1').innerText(), /^Welcome, Administrator/);
  await screenshot(page, 'dashboard.png');

  // An operator with a sector.
  const orgsBefore = await orgRows(page);
  const name = unique('Valley Water Authority');
  const orgPath = await createOrg(page, { name, kind: 'operator', sector: 'water_and_wastewater_systems' });
  visited.org = orgPath;
  assert.equal(await page.locator('h1').innerText(), name);
  const tags = await page.locator('main .tag').allInnerTexts();
  assert.deepEqual(tags, ['Operator', 'Water and wastewater systems']);

  const orgsAfter = await orgRows(page);
  assert.equal(orgsAfter.length, orgsBefore.length + 1, 'the organizations list grows by one');
  assert.deepEqual(
    orgsAfter.find((row) => row[0] === name),
    [name, 'Operator', 'Water and wastewater systems'],
  );
  const link = page.getByRole('link', { name, exact: true });
  assert.equal(await link.getAttribute('href'), orgPath);
  await screenshot(page, 'orgs.png');

  // A token, shown once.
  await page.goto(url(orgPath));
  const tokenName = unique('nightly SBOM upload');
  await page.locator('#t-name').fill(tokenName);
  await page.locator('#t-role').selectOption('operator_contact');
  await page.locator('#t-days').fill('30');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url() === url(`${orgPath}/tokens`) && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create token' }).click(),
  ]);
  assert.equal(created.status(), 200);
  assert.match(created.headers()['cache-control'] ?? '', /no-store/, 'the secret page must not be cached');
  await page.waitForLoadState();
  assert.equal(await page.locator('h1').innerText(), 'Token created');
  const secret = await page.locator('[data-testid=token-secret]').inputValue();
  assert.ok(secret.length >= 24, `the secret looks too short: ${JSON.stringify(secret)}`);
  assert.equal(await page.locator('[data-testid=token-secret]').getAttribute('readonly'), '');
  await screenshot(page, 'token-created.png');

  // The secret works against the API, which shows it is the real one.
  const me = await fetch(url('/api/v1/me'), { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(me.status, 200, 'the token shown authenticates against /api/v1/me');

  await Promise.all([
    page.waitForURL(url(orgPath)),
    page.getByRole('link', { name: 'Back to the organization' }).click(),
  ]);
  const orgHtml = await page.content();
  assert.ok(!orgHtml.includes(secret), 'the organization page must not contain the secret');
  const tokenRow = page.locator('table tbody tr', { hasText: tokenName });
  assert.equal(await tokenRow.count(), 1, 'the new token is listed');
  const cells = await tokenRow.locator('td').allInnerTexts();
  assert.equal(cells[2], 'Operator contact');
  assert.equal(cells[4], 'active');
  assert.ok(secret.startsWith(cells[1].replace(/…$/, '')), 'the listed prefix is the secret\'s start');
  await screenshot(page, 'org.png');

  await page.reload();
  assert.ok(!(await page.content()).includes(secret), 'reloading the organization page does not show the secret');

  // Going back to the POST result must not show the secret again (no-store: Chromium refuses
  // to resubmit the form or to restore the page from cache).
  // Chromium shows its "Confirm Form Resubmission" page (net::ERR_CACHE_MISS) instead.
  await page.goBack({ waitUntil: 'load' }).catch((err) => {
    if (!/ERR_CACHE_MISS/.test(err.message)) throw err;
  });
  await page.waitForURL((u) => u.protocol === 'chrome-error:' || u.href !== url(orgPath), { timeout: 5_000 });
  await page.waitForLoadState();
  const backHtml = await page.content();
  assert.ok(!backHtml.includes(secret), `going back showed the secret again (at ${page.url()})`);

  // The log: the newest entry records the token creation; both verifications succeed.
  await page.goto(url('/log'));
  const caption = await page.locator('table caption').innerText();
  const size = Number(caption.match(/of (\d+)/)?.[1]);
  assert.ok(size >= 3, `the log should hold the bootstrap, the organization and the token: ${caption}`);
  await screenshot(page, 'log.png');
  const newest = page.locator('table tbody tr').first();
  assert.equal(await newest.locator('td a').first().innerText(), String(size - 1), 'newest first');
  assert.match(await newest.innerText(), /token/i, 'the newest entry is the token creation');
  await Promise.all([
    page.waitForURL(url(`/log/${size - 1}`)),
    newest.locator('td a').first().click(),
  ]);
  visited.logEntry = `/log/${size - 1}`;
  assert.equal(await page.locator('h1').innerText(), `Log entry ${size - 1}`);
  assert.ok(!(await page.content()).includes(secret), 'the log entry must not contain the secret');
  await waitForTextStart(page, '[data-testid=server-verified]', '✔ Verified by the server');
  await waitForTextStart(page, '[data-testid=browser-verified]', '✔ Verified in your browser');
  await screenshot(page, 'log-entry.png');

  // The oldest entry has the longest path to the root when the tree is not a power of two.
  await page.goto(url('/log/0'));
  await waitForTextStart(page, '[data-testid=server-verified]', '✔ Verified by the server');
  await waitForTextStart(page, '[data-testid=browser-verified]', '✔ Verified in your browser');
  assert.ok((await page.locator('ol.hashes li').count()) >= 1, 'entry 0 of a tree of 3+ has a proof path');

  assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
  assert.deepEqual(failedLoads, [], 'every page, stylesheet and script loaded');
  await page.close();
});

test('bad input shows an error page and changes nothing', async () => {
  const page = await context.newPage();
  await signIn(page);
  const orgsBefore = await orgRows(page);
  const logBefore = (await (await page.goto(url('/log'))).text()).match(/of (\d+), newest first/)?.[1];

  const name = unique('Sectorless Operator');
  await page.goto(url('/orgs'));
  await page.locator('#org-name').fill(name);
  await page.locator('#org-kind').selectOption('operator');
  await page.locator('#org-sector').selectOption('');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === url('/orgs') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create organization' }).click(),
  ]);
  await page.waitForLoadState();
  assert.ok(
    response.status() >= 400 && response.status() < 500,
    `a client error status, got ${response.status()}`,
  );
  const error = page.locator('[role=alert]');
  assert.equal(await error.count(), 1, 'the error is announced (role=alert)');
  assert.match(await error.innerText(), /sector/i, 'the error names the sector');
  assert.equal(await page.locator('h1').count(), 1);
  await screenshot(page, 'error.png');

  const orgsAfter = await orgRows(page);
  assert.deepEqual(orgsAfter, orgsBefore, 'the organizations are unchanged');
  assert.ok(!orgsAfter.some((row) => row[0] === name));
  const logAfter = (await (await page.goto(url('/log'))).text()).match(/of (\d+), newest first/)?.[1];
  assert.equal(logAfter, logBefore, 'nothing was logged');
  await page.close();
});

test('accessibility basics', async () => {
  const page = await context.newPage();
  await signIn(page);
  const orgPath = visited.org ?? (await createOrg(page, { name: unique('Accessible Vendor'), kind: 'vendor', sector: '' }));
  const pages = [
    ['/', 'home'],
    ['/orgs', 'orgs'],
    [orgPath, 'org'],
    ['/people', 'people'],
    ['/log', 'log'],
    [visited.logEntry ?? '/log/0', 'log-entry'],
    ['/signin', 'signin'],
    ['/signin/link?token=not-a-real-token', 'signin-link'],
    ['/no-such-page', 'not-found'],
  ];
  const problems = [];
  for (const [path, name] of pages) {
    await page.goto(url(path));
    await page.waitForLoadState('networkidle');
    await screenshot(page, `a11y-${name}.png`);
    for (const p of await accessibilityProblems(page)) problems.push(`${path}: ${p}`);
  }
  // The token page, reached by its form.
  await page.goto(url(orgPath));
  await page.locator('#t-name').fill(unique('a11y token'));
  await Promise.all([page.waitForURL(url(`${orgPath}/tokens`)), page.getByRole('button', { name: 'Create token' }).click()]);
  for (const p of await accessibilityProblems(page)) problems.push(`${orgPath}/tokens: ${p}`);
  assert.deepEqual(problems, []);

  // The first Tab reaches the skip link, which leads to the main content.
  await page.goto(url('/'));
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]);
  assert.deepEqual(focused, ['Skip to content', '#main']);
  assert.equal(await page.locator('#main').count(), 1);

  // Every request of every test so far went to this server: no CDN, fonts or trackers.
  assert.ok(requests.length > 0);
  const foreign = requests.filter((r) => {
    const u = new URL(r);
    return !(u.protocol === 'http:' && u.host === server.host) && u.protocol !== 'data:';
  });
  assert.deepEqual(foreign, [], `all requests go to ${server.host}`);
  await page.close();
});

test('a phone-sized viewport', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  watch(phone);
  try {
    const desktop = await context.newPage();
    await signIn(desktop);
    const orgPath =
      visited.org ?? (await createOrg(desktop, { name: unique('Phone Operator'), kind: 'operator', sector: 'energy' }));
    await desktop.close();
    await phone.addCookies(await context.cookies());
    const page = await phone.newPage();
    const overflowing = [];
    for (const [path, shot] of [
      ['/', 'phone-dashboard.png'],
      [orgPath, 'phone-org.png'],
      ['/orgs', 'phone-orgs.png'],
      ['/log', 'phone-log.png'],
      [visited.logEntry ?? '/log/0', 'phone-log-entry.png'],
    ]) {
      await page.goto(url(path));
      assert.ok(!page.url().endsWith('/signin'), `still signed in at ${path}`);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      await screenshot(page, shot);
      if (scrollWidth > innerWidth) overflowing.push(`${path}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
    }
    assert.deepEqual(overflowing, [], 'no horizontal overflow at 390 px');
  } finally {
    await phone.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Operators' inventories: upload → dashboard, the knowledge-base pages, analysts' exposure.

// Seeds the knowledge base through the CLI (`clearinghouse import osv DIR`), on the server's own
// data directory or database, with one OSV record of our own written to a temporary directory.
async function importOsv(record) {
  const dir = await mkdtemp(join(tmpdir(), 'clearinghouse-osv-'));
  try {
    await writeFile(join(dir, `${record.id}.json`), JSON.stringify(record, null, 2));
    const { stdout } = await promisify(execFile)(
      BIN,
      ['import', 'osv', dir, '--json', '--quiet', ...dataArgs(server.dataDir)],
      { env: serverEnv() },
    ).catch((err) => {
      throw new Error(`\`clearinghouse import osv\` failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Signs a person in with the password form in a fresh browser context and returns the context.
async function signInWithPassword(email, password) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  watch(ctx);
  const page = await ctx.newPage();
  await page.goto(url('/signin'));
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.match(await page.locator('h1').innerText(), /^Welcome, /);
  await page.close();
  return ctx;
}

const DECISIONS = ['Immediate', 'Out-of-cycle', 'Scheduled', 'Defer'];

test('an operator uploads an SBOM and the dashboard ranks what to fix first; analysts see exposure by sector', async () => {
  const admin = await context.newPage();
  await signIn(admin);

  // An operator organization in the energy sector and its operator contact.
  const orgName = unique('Prairie Power Cooperative');
  const orgPath = await createOrg(admin, { name: orgName, kind: 'operator', sector: 'energy' });
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const email = `ot-${stamp}@prairie.test`;
  const password = 'correct horse battery staple';
  await admin.goto(url(orgPath));
  await admin.locator('summary', { hasText: 'Add a person' }).click();
  await admin.locator('#p-email').fill(email);
  await admin.locator('#p-name').fill('Olive Operator');
  await admin.locator('#p-role').selectOption('operator_contact');
  await admin.locator('#p-password').fill(password);
  await Promise.all([admin.waitForURL(url(orgPath)), admin.getByRole('button', { name: 'Add person' }).click()]);
  assert.equal(await admin.locator('table tbody tr', { hasText: email }).count(), 1, 'the operator contact is listed');

  // One vulnerability in the knowledge base: our own OSV record for a package nobody else uses.
  const pkg = `chwebtest-${stamp}`;
  const cve = `CVE-2099-${String(Math.floor(Math.random() * 90000) + 10000)}`;
  const osvId = `GHSA-web-test-${stamp}`;
  const imported = await importOsv({
    schema_version: '1.6.0',
    id: osvId,
    aliases: [cve],
    modified: '2024-05-01T00:00:00Z',
    published: '2024-04-01T00:00:00Z',
    summary: `Remote code execution in ${pkg}`,
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: pkg },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
    database_specific: { cwe_ids: ['CWE-94'] },
  });
  assert.equal(imported.new, 1, `the import stores one new record: ${JSON.stringify(imported)}`);
  assert.deepEqual(imported.rejected, []);

  // The operator signs in; the nav's Inventory leads to the one operator's dashboard.
  const operatorCtx = await signInWithPassword(email, password);
  try {
    const page = await operatorCtx.newPage();
    await page.goto(url('/'));
    await Promise.all([
      page.waitForURL(/\/orgs\/[^/]+\/dashboard$/),
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inventory' }).click(),
    ]);
    const dashboardPath = new URL(page.url()).pathname;
    assert.equal(dashboardPath, `${orgPath}/dashboard`);
    assert.equal(await page.locator('h1').innerText(), 'What to fix first');
    assert.match(await page.locator('table.priorities tbody').innerText(), /register an asset/i);

    // Register an asset with its SSVC deployer inputs.
    await page.locator('#a-name').fill('Substation HMI');
    await page.locator('#a-mission').selectOption('mef_failure');
    await page.locator('#a-safety').selectOption('catastrophic');
    await page.locator('#a-exposure').selectOption('open');
    await page.locator('#a-owner').fill('OT engineering');
    await page.locator('#a-shared').check();
    await Promise.all([page.waitForURL(/\/assets\/[^/?]+$/), page.getByRole('button', { name: 'Register asset' }).click()]);
    const assetPath = new URL(page.url()).pathname;
    assert.equal(await page.locator('h1').innerText(), 'Substation HMI');

    // Upload a CycloneDX SBOM holding an affected version of the package.
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: [
        { type: 'library', name: pkg, version: '1.5.0', purl: `pkg:pypi/${pkg}@1.5.0` },
        { type: 'library', name: 'requests', version: '2.32.3', purl: 'pkg:pypi/requests@2.32.3' },
      ],
    };
    await page.locator('#u-file').setInputFiles({
      name: 'hmi.cdx.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(sbom)),
    });
    await Promise.all([
      page.waitForURL((u) => u.pathname === assetPath && u.search.includes('components=2')),
      page.getByRole('button', { name: 'Upload inventory' }).click(),
    ]);
    assert.match(await page.locator('[role=status]').innerText(), /2 components; 1 new match found/);
    assert.match(await page.locator('[data-testid=match-summary]').innerText(), /CycloneDX SBOM .*2 components, 1 affected by 1 vulnerability\./);
    const finding = page.locator('table tbody tr', { hasText: pkg }).last();
    assert.match(await finding.innerText(), new RegExp(`${cve}.*affected`, 's'));
    assert.match(await page.locator('table tbody tr', { hasText: 'Current' }).innerText(), /CycloneDX SBOM/);
    await screenshot(page, 'asset.png');

    // The dashboard ranks the vulnerability with its decision, reason and scores.
    await Promise.all([page.waitForURL(url(dashboardPath)), page.getByRole('link', { name: /^What to fix first at / }).click()]);
    const row = page.locator('[data-testid=priority]', { hasText: cve });
    assert.equal(await row.count(), 1, 'the vulnerability is ranked on the dashboard');
    const badge = (await row.locator('.badge').innerText()).trim();
    assert.ok(DECISIONS.includes(badge), `a decision badge with its name, got ${JSON.stringify(badge)}`);
    // No known exploitation, open exposure, automatable (AV:N/AC:L/PR:N/UI:N), very high human
    // impact (catastrophic safety impact): CISA's deployer table says out-of-cycle.
    assert.equal(badge, 'Out-of-cycle');
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], '1', 'ranked first');
    assert.equal(cells[3], 'Substation HMI');
    assert.match(cells[4], new RegExp(`${pkg} 1\\.5\\.0 \\(affected:`));
    assert.match(cells[5], /CVSS 9\.8 critical/);
    assert.match(cells[5], /EPSS \(none\)/);
    assert.match(cells[5], /Not in KEV/);
    assert.match(cells[6], /exploitation none known, exposure open, automatable yes/);
    assert.match(await page.locator('svg.chart title').textContent(), /Out-of-cycle 1/);
    assert.equal(await page.locator('[data-testid=open-count]').innerText(), '1');
    await screenshot(page, 'inventory-dashboard.png');

    // The vulnerability page and its source record.
    await Promise.all([page.waitForURL(url(`/vulnerabilities/${cve}`)), row.getByRole('link', { name: cve }).click()]);
    assert.equal(await page.locator('h1').innerText(), cve);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /9\.8 critical/);
    assert.match(facts, /CWE-94/);
    assert.match(await page.locator('main').innerText(), new RegExp(osvId));
    assert.equal(await page.getByRole('heading', { name: 'Exposure by sector' }).count(), 0, 'operators do not read exposure');
    await screenshot(page, 'vulnerability.png');
    await Promise.all([page.waitForURL(/\/advisories\/[^/]+$/), page.getByRole('link', { name: osvId }).click()]);
    assert.equal(await page.locator('h1').innerText(), osvId);
    assert.match(await page.locator('pre.document').innerText(), new RegExp(`"id": "${osvId}"`));
    await screenshot(page, 'advisory.png');

    // Search by prefix.
    await page.goto(url('/vulnerabilities'));
    await page.locator('#q').fill(cve.toLowerCase());
    await Promise.all([page.waitForURL(/\/vulnerabilities\?q=/), page.getByRole('button', { name: 'Search' }).click()]);
    assert.equal(await page.locator('table tbody tr', { hasText: cve }).count(), 1);
    await screenshot(page, 'vulnerabilities.png');

    // A second visit: nothing new since the first.
    await page.goto(url(dashboardPath));
    assert.equal(await page.locator('[data-testid=new-count]').innerText(), '0');
    assert.equal(await page.locator('.tag-new').count(), 0);

    // Operators may not read aggregate exposure.
    const denied = await page.goto(url('/exposure'));
    assert.equal(denied.status(), 403);

    // Accessibility and phone layout of the operator's pages.
    const problems = [];
    const overflowing = [];
    for (const path of [dashboardPath, assetPath, '/vulnerabilities', `/vulnerabilities/${cve}`, '/inventory']) {
      await page.goto(url(path));
      for (const p of await accessibilityProblems(page)) problems.push(`${path}: ${p}`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, shot] of [
      [dashboardPath, 'phone-inventory-dashboard.png'],
      [assetPath, 'phone-asset.png'],
      [`/vulnerabilities/${cve}`, 'phone-vulnerability.png'],
    ]) {
      await page.goto(url(path));
      await screenshot(page, shot);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      if (scrollWidth > innerWidth) overflowing.push(`${path}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(overflowing, [], 'no horizontal overflow at 390 px');
  } finally {
    await operatorCtx.close();
  }

  // The administrator reads exposure by sector (never operators' names), not the inventory.
  await admin.goto(url('/exposure'));
  assert.equal(await admin.locator('h1').innerText(), 'Exposure by sector');
  const exposureRow = admin.locator('table tbody tr', { hasText: cve });
  assert.equal(await exposureRow.count(), 1);
  assert.match(await exposureRow.innerText(), /Energy 1/);
  assert.ok(!(await admin.content()).includes(orgName), 'exposure never names an operator');
  for (const p of await accessibilityProblems(admin)) assert.fail(`/exposure: ${p}`);
  await screenshot(admin, 'exposure.png');
  await admin.goto(url(`/vulnerabilities/${cve}`));
  assert.equal(await admin.getByRole('heading', { name: 'Exposure by sector' }).count(), 1);
  assert.match(await admin.locator('svg.chart title').textContent(), /Energy 1/);
  const dashboard = await admin.goto(url(`${orgPath}/dashboard`));
  assert.equal(dashboard.status(), 403, 'inventories are private to their operator, even from administrators');
  await admin.close();
});

// ---------------------------------------------------------------------------------------------
// Scan campaigns: declare a campaign → the overlap with another finder's campaign is shown on the
// campaign page and the calendar.

// Runs `clearinghouse ARGS… --json` on the server's own data and returns the parsed output;
// `input` goes to standard input (passwords).
async function cliJson(args, input = '') {
  return new Promise((resolve, reject) => {
    const [command, ...rest] = args;
    const child = spawn(BIN, [command, ...dataArgs(server.dataDir), ...rest, '--json'], { env: serverEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`clearinghouse ${args.join(' ')} exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
    // A command that reads no input may exit before we close its standard input.
    child.stdin.on('error', () => {});
    child.stdin.end(input || undefined);
  });
}

// One API call with a bearer token; fails the test on an unexpected status.
async function api(method, path, token, body, expected) {
  const res = await fetch(url(path), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, expected, `${method} ${path}: ${text}`);
  return JSON.parse(text);
}

test('a finder declares a campaign and the overlap with another finder is shown on the calendar', async () => {
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const names = { operator: `Lakeside Water ${stamp}`, first: `Deep Scan Co ${stamp}`, second: `Frontier Labs ${stamp}` };
  // `admin org create --json` prints the created organization as a one-element list.
  const [operator] = await cliJson(['admin', 'org', 'create', names.operator, '--type', 'operator', '--sector', 'water_and_wastewater_systems']);
  const [first] = await cliJson(['admin', 'org', 'create', names.first, '--type', 'ai_developer']);
  const [second] = await cliJson(['admin', 'org', 'create', names.second, '--type', 'ai_developer']);
  const operatorToken = (await cliJson(['admin', 'token', 'create', '--org', names.operator, '--role', 'operator_contact', '--days', '1'])).secret;
  const firstToken = (await cliJson(['admin', 'token', 'create', '--org', names.first, '--role', 'finder', '--days', '1'])).secret;
  const email = `finder-${stamp}@frontier.test`;
  const password = 'correct horse battery staple';
  await cliJson(['admin', 'person', 'create', email, '--name', 'Fran Finder', '--org', names.second, '--role', 'finder', '--password-stdin'], `${password}\n`);

  // The operator registers its plant network and authorizes both finders; the first declares a
  // campaign on part of it through the API.
  const octet = 100 + Math.floor(Math.random() * 150);
  const network = `10.${octet}.0.0/16`;
  const target = `10.${octet}.1.0/24`;
  await api('POST', `/api/v1/orgs/${operator.id}/network-assets`, operatorToken, { target: { cidr: network }, label: 'plant' }, 201);
  const hours = (h) => new Date(Date.now() + h * 3_600_000).toISOString();
  for (const finder of [first, second]) {
    await api('POST', `/api/v1/orgs/${operator.id}/scan-authorizations`, operatorToken,
      { finder_id: finder.id, scope: [{ cidr: network }], start: hours(-1), end: hours(24 * 30), max_rate: 20 }, 201);
  }
  const earlier = await api('POST', '/api/v1/campaigns', firstToken, {
    name: 'SCADA gateway sweep', targets: [{ cidr: target }], technique: 'network_scan',
    tool: { name: 'scanner-agent', version: '2.0' }, start: hours(2), end: hours(24 * 4), rate_limit: 5,
  }, 201);
  assert.deepEqual(earlier.overlaps, []);

  // The second finder signs in and declares an overlapping campaign with the form.
  const finderCtx = await signInWithPassword(email, password);
  try {
    const page = await finderCtx.newPage();
    await page.goto(url('/'));
    await Promise.all([
      page.waitForURL(url('/campaigns')),
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), 'Campaign calendar');
    await Promise.all([page.waitForURL(url('/campaigns/new')), page.getByRole('link', { name: 'Declare a campaign' }).click()]);
    assert.deepEqual(await accessibilityProblems(page), []);
    const local = (h) => hours(h).slice(0, 16);
    await page.locator('#c-name').fill('Modbus fuzzing');
    await page.locator('#c-targets').fill(`${target}\npkg:pypi/pymodbus`);
    await page.locator('#c-technique').selectOption('network_scan');
    await page.locator('#c-tool').fill('claude-scanner');
    await page.locator('#c-version').fill('4.1');
    await page.locator('#c-start').fill(local(24));
    await page.locator('#c-end').fill(local(24 * 6));
    await page.locator('#c-rate').fill('5');
    // A network nobody registered is refused with the reason, and nothing is declared.
    await page.locator('#c-targets').fill(`${target}\n198.51.100.0/24`);
    await page.getByRole('button', { name: 'Declare campaign' }).click();
    assert.match(await page.locator('[data-testid=form-errors]').innerText(), /\/targets\/1\/cidr: no participating operator has registered 198\.51\.100\.0\/24/);
    await page.locator('#c-targets').fill(`${target}\npkg:pypi/pymodbus`);
    await Promise.all([page.waitForURL(/\/campaigns\/[^/?]+\?done=/), page.getByRole('button', { name: 'Declare campaign' }).click()]);
    assert.match(await page.locator('[role=status]').innerText(), /1 overlap\(s\) found and both finders notified/);
    assert.equal(await page.locator('h1').innerText(), 'Modbus fuzzing');
    assert.match(await page.locator('[data-testid=targets]').innerText(), new RegExp(`${target.replace(/[./]/g, '\\$&')} \\(cidr\\)\\s+Authorized`));
    const overlap = page.locator('[data-testid=overlap]');
    assert.equal(await overlap.count(), 1);
    assert.match(await overlap.innerText(), new RegExp(`SCADA gateway sweep \\(${names.first}\\)`));
    assert.match(await overlap.locator('[data-testid=overlap-state]').innerText(), /Open \(default proposal\): SCADA gateway sweep leads/);
    await screenshot(page, 'campaign.png');

    // The calendar: the finder's own campaign (another finder's campaign itself stays private),
    // the overlap marked on its bar and listed with the other finder's campaign and name.
    await Promise.all([page.waitForURL(url('/campaigns')), page.getByRole('link', { name: 'Campaign calendar' }).click()]);
    const rows = await page.locator('[data-testid=campaigns] tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\t')[0]), ['Modbus fuzzing']);
    const listed = page.locator('[data-testid=overlaps] tbody tr', { hasText: 'Modbus fuzzing' });
    assert.equal(await listed.count(), 1);
    assert.match(await listed.innerText(), new RegExp(`SCADA gateway sweep \\(${names.first}\\)`));
    assert.match(await listed.innerText(), new RegExp(`${target.replace(/[./]/g, '\\$&')} \\(cidr\\)`));
    assert.equal(await page.locator('svg.calendar rect.overlap-open').count(), 1, 'the overlap is marked on the shared target\'s bar');
    assert.match(await page.locator('svg.calendar > title').textContent(), /1 overlaps \(1 open\)/);
    assert.deepEqual(await accessibilityProblems(page), []);
    await screenshot(page, 'campaign-calendar.png');

    // The finder proposes to share; the proposal shows on the campaign page.
    await page.locator('[data-testid=overlaps] a', { hasText: 'Modbus fuzzing' }).click();
    await page.locator('select[name=kind]').selectOption('share');
    await Promise.all([page.waitForURL(/done=Saved/), page.getByRole('button', { name: 'Propose' }).click()]);
    assert.match(await page.locator('[data-testid=overlap-state]').innerText(), new RegExp(`Open \\(proposed by ${names.second}\\): both proceed and share findings`));
  } finally {
    await finderCtx.close();
  }

  // The operator sees both campaigns on its network and its scanning controls, and records a
  // blackout with the form.
  const operatorEmail = `ot-${stamp}@lakeside.test`;
  await cliJson(['admin', 'person', 'create', operatorEmail, '--name', 'Omar Operator', '--org', names.operator, '--role', 'operator_contact', '--password-stdin'], `${password}\n`);
  const operatorCtx = await signInWithPassword(operatorEmail, password);
  try {
    const page = await operatorCtx.newPage();
    await page.goto(url('/campaigns'));
    const rows = await page.locator('[data-testid=campaigns] tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\t')[0]).sort(), ['Modbus fuzzing', 'SCADA gateway sweep']);
    assert.equal(await page.locator('[data-testid=overlaps] tbody tr', { hasText: 'Modbus fuzzing' }).count(), 0, 'overlaps are the finders\' business');
    await Promise.all([
      page.waitForURL(url(`/orgs/${operator.id}/scanning`)),
      page.getByRole('link', { name: `Scanning controls for ${names.operator}` }).click(),
    ]);
    assert.match(await page.locator('[data-testid=ranges]').innerText(), new RegExp(`${network.replace(/[./]/g, '\\$&')} \\(cidr\\)\\s+plant`));
    const given = await page.locator('[data-testid=authorizations] tbody tr').allInnerTexts();
    assert.equal(given.length, 2);
    assert.ok(given.some((r) => r.startsWith(names.first)) && given.some((r) => r.startsWith(names.second)), given.join('\n'));
    await page.locator('#b-scope').fill(target);
    await page.locator('#b-start').fill(hours(24 * 20).slice(0, 16));
    await page.locator('#b-end').fill(hours(24 * 21).slice(0, 16));
    await page.locator('#b-reason').fill('filter replacement');
    await Promise.all([page.waitForURL(/done=Blackout/), page.getByRole('button', { name: 'Record blackout' }).click()]);
    assert.match(await page.locator('[data-testid=blackouts] tbody').innerText(), /filter replacement/);
    assert.deepEqual(await accessibilityProblems(page), []);
    await screenshot(page, 'scanning-controls.png');
  } finally {
    await operatorCtx.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Coordination: submit → deduplicate → validate → coordinate.

// Adds a person with a password to the organization at `orgPath`, with the form on its page.
async function addPerson(page, orgPath, { email, name, role, password }) {
  await page.goto(url(orgPath));
  await page.locator('summary', { hasText: 'Add a person' }).click();
  await page.locator('#p-email').fill(email);
  await page.locator('#p-name').fill(name);
  await page.locator('#p-role').selectOption(role);
  await page.locator('#p-password').fill(password);
  await Promise.all([page.waitForURL(url(orgPath)), page.getByRole('button', { name: 'Add person' }).click()]);
  assert.equal(await page.locator('table tbody tr', { hasText: email }).count(), 1, `${email} is listed`);
}

// Fills the submission form with one report of the test's bug.
async function fillFinding(page, { title, description, product, functionName, cvss, tool }) {
  await page.locator('#f-title').fill(title);
  await page.locator('#f-description').fill(description);
  await page.locator('#f-cwe').fill('CWE-787');
  await page.locator('#f-cvss').fill(cvss);
  await page.locator('#f-product').fill(product);
  await page.locator('#f-file_path').fill('src/parser/chunk.py');
  await page.locator('#f-function').fill(functionName);
  await page.locator('#f-line').fill('120');
  await page.locator('#f-tool').fill(tool);
  await page.locator('#f-tlp').selectOption('AMBER');
  await page.locator('#f-credit').check();
}

// Pages of a phone-sized viewport that scroll sideways, as strings.
async function overflowAt390(page, paths, prefix) {
  const overflowing = [];
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, shot] of paths) {
    await page.goto(url(path));
    await screenshot(page, `${prefix}${shot}`);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    if (scrollWidth > innerWidth) overflowing.push(`${path}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return overflowing;
}

test('two AI companies submit the same bug: one case, both credited; validated, coordinated with the vendor; outsiders see nothing', async () => {
  const admin = await context.newPage();
  await signIn(admin);

  // The participants: an analyst, two AI companies' finders, a validator, a vendor, an outsider.
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const password = 'correct horse battery staple';
  const people = {};
  const orgs = {};
  for (const [key, kind, sector, role, orgName] of [
    ['analyst', 'government', '', 'analyst', 'Clearinghouse Operations'],
    ['alpha', 'ai_developer', '', 'finder', 'Alpha AI'],
    ['beta', 'ai_developer', '', 'finder', 'Beta Labs'],
    ['validator', 'validator', '', 'validator', 'Independent Checkers'],
    ['vendor', 'vendor', '', 'vendor_contact', 'Chunkparse Maintainers'],
    ['outsider', 'operator', 'energy', 'operator_contact', 'Unrelated Power'],
  ]) {
    const name = unique(orgName);
    const path = await createOrg(admin, { name, kind, sector });
    orgs[key] = { name, path };
    people[key] = `${key}-${stamp}@coordination.test`;
    await addPerson(admin, path, { email: people[key], name: `${key} person`, role, password });
  }
  await admin.close();

  const pkg = `chunkparse-${stamp}`;
  const title = `Heap overflow in the ${pkg} chunk parser`;
  const description =
    'A crafted length field in the chunk header makes the parser copy past the end of its buffer, corrupting the heap; reachable from any uploaded archive.';
  const report = { title, description, product: `pkg:pypi/${pkg}@1.2.0`, functionName: 'read_chunk', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' };
  const problems = [];
  const overflowing = [];
  const contexts = [];
  const signInAs = async (key) => {
    const ctx = await signInWithPassword(people[key], password);
    contexts.push(ctx);
    return ctx.newPage();
  };
  try {
    // Alpha's finder: nav → findings → submit. A bad vector is refused beside its field first.
    const alpha = await signInAs('alpha');
    await alpha.goto(url('/'));
    const nav = alpha.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Queue' }).count(), 0, 'finders have no queue');
    assert.equal(await nav.getByRole('link', { name: 'Validate' }).count(), 0);
    await Promise.all([alpha.waitForURL(url('/findings')), nav.getByRole('link', { name: 'Findings' }).click()]);
    await Promise.all([alpha.waitForURL(url('/findings/new')), alpha.getByRole('link', { name: 'Submit a finding' }).click()]);
    await fillFinding(alpha, { ...report, cvss: 'CVSS:3.1/AV:N/AC:L', tool: 'Alpha model 4' });
    const [refused] = await Promise.all([
      alpha.waitForResponse((r) => r.url() === url('/findings/new') && r.request().method() === 'POST'),
      alpha.getByRole('button', { name: 'Submit finding' }).click(),
    ]);
    await alpha.waitForLoadState();
    assert.equal(refused.status(), 422);
    assert.match(await alpha.locator('[role=alert]').innerText(), /CVSS vector/);
    assert.equal(await alpha.locator('#f-cvss').getAttribute('aria-invalid'), 'true');
    assert.equal(await alpha.locator('#f-title').inputValue(), title, 'what was typed is kept');
    await screenshot(alpha, 'finding-refused.png');
    for (const p of await accessibilityProblems(alpha)) problems.push(`/findings/new (refused): ${p}`);

    await alpha.locator('#f-cvss').fill(report.cvss);
    await alpha.locator('#f-file').setInputFiles({ name: 'poc.py', mimeType: 'text/x-python', buffer: Buffer.from(`import ${pkg.replace(/-/g, '_')}\n`) });
    await screenshot(alpha, 'finding-new.png');
    await Promise.all([alpha.waitForURL(/\/cases\/[^/?]+\?done=new_case$/), alpha.getByRole('button', { name: 'Submit finding' }).click()]);
    const casePath = new URL(alpha.url()).pathname;
    assert.equal(await alpha.locator('[role=status]').innerText(), 'Finding accepted: it opened this case.');
    assert.equal(await alpha.locator('h1').innerText(), title);

    // Beta's finder reports the same bug later, with other words: it joins the case.
    const beta = await signInAs('beta');
    await beta.goto(url('/findings/new'));
    await fillFinding(beta, {
      ...report,
      title: `Out-of-bounds write in ${pkg}`,
      description: 'The chunk parser trusts the declared length and writes beyond the allocation.',
      tool: 'Beta scanner 2',
    });
    await Promise.all([beta.waitForURL(/\?done=duplicate$/), beta.getByRole('button', { name: 'Submit finding' }).click()]);
    assert.equal(new URL(beta.url()).pathname, casePath, 'the same bug is one case');
    assert.match(await beta.locator('[role=status]').innerText(), /exact duplicate/);

    // Both credited, the earlier first; the banner says TLP:AMBER in words, not only colour.
    await alpha.goto(url(casePath));
    assert.deepEqual(
      (await alpha.locator('[data-testid=credits] li').allInnerTexts()).map((t) => t.split(' — ')[0]),
      [orgs.alpha.name, orgs.beta.name],
    );
    assert.match(await alpha.locator('[data-testid=credits] li').first().innerText(), /1st, first finder \(priority\)/);
    assert.match(await alpha.locator('[data-testid=tlp-banner]').innerText(), /^TLP:AMBER /);
    assert.match(await alpha.locator('[data-testid=embargo]').innerText(), /^Embargoed until .* left\)\.$/);
    assert.equal(await alpha.locator('[data-testid=finding]').count(), 2);
    assert.equal(await alpha.locator('.steps [aria-current=step]').textContent(), 'Submitted (current state)');
    await screenshot(alpha, 'case-finder.png');
    await alpha.goto(url('/findings'));
    assert.match(await alpha.locator('[data-testid=my-finding]', { hasText: title }).innerText(), /1st of 2/);
    await screenshot(alpha, 'findings.png');
    await beta.goto(url('/findings'));
    assert.match(await beta.locator('[data-testid=my-finding]').first().innerText(), /2nd of 2/);

    // An outsider gets the same 404 page for the case as for a case that does not exist.
    const outsider = await signInAs('outsider');
    const hidden = await outsider.goto(url(casePath));
    assert.equal(hidden.status(), 404);
    const hiddenText = (await outsider.locator('main').innerText()).replace(casePath.split('/')[2], 'ID');
    const missingId = '0190a0a0-0000-7000-8000-000000000000';
    assert.equal((await outsider.goto(url(`/cases/${missingId}`))).status(), 404);
    assert.equal((await outsider.locator('main').innerText()).replace(missingId, 'ID'), hiddenText);
    assert.equal(await outsider.getByRole('navigation', { name: 'Main' }).count(), 1, 'the navigation is kept');
    await screenshot(outsider, 'case-outsider-404.png');
    await outsider.goto(url('/cases'));
    assert.equal(await outsider.locator('main', { hasText: title }).count(), 0, 'nor is it listed');

    // The analyst finds it in the queue and opens validation.
    const analyst = await signInAs('analyst');
    await analyst.goto(url('/'));
    await Promise.all([
      analyst.waitForURL(url('/cases/queue')),
      analyst.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click(),
    ]);
    const queued = analyst.locator('[data-testid=queue-row]', { hasText: title });
    assert.equal(await queued.count(), 1);
    assert.match(await queued.locator('.badge').innerText(), /^(Act|Attend|Track\*|Track)$/);
    assert.match(await queued.innerText(), /7\.5 high/);
    assert.match(await queued.locator('td.reason').innerText(), /SSVC coordinator/);
    assert.match(await analyst.locator('svg.chart title').textContent(), /^Open cases by state: Submitted \d+/);
    await screenshot(analyst, 'case-queue.png');
    await Promise.all([analyst.waitForURL(url(casePath)), queued.getByRole('link', { name: title }).click()]);
    for (const button of ['Move to triaged', 'Move to validating']) {
      await Promise.all([analyst.waitForURL(/\?done=moved$/), analyst.getByRole('button', { name: button }).click()]);
    }
    assert.equal(await analyst.locator('.steps [aria-current=step]').textContent(), 'Validating (current state)');

    // The validator claims it on the workbench, attaches evidence and reproduces it.
    const validator = await signInAs('validator');
    await validator.goto(url('/'));
    await Promise.all([
      validator.waitForURL(url('/validate')),
      validator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Validate' }).click(),
    ]);
    await Promise.all([
      validator.waitForURL(/\/validate\?done=claimed$/),
      validator.locator('[data-testid=open-case]', { hasText: title }).getByRole('button', { name: /^Claim/ }).click(),
    ]);
    const claim = validator.locator('[data-testid=claim]', { hasText: title });
    assert.match(await claim.innerText(), /0 of 1 reproduction needed/);
    await claim.locator('input[type=file]').setInputFiles({ name: 'repro.log', mimeType: 'text/plain', buffer: Buffer.from('segfault at 0x41414141\n') });
    await Promise.all([validator.waitForURL(/\?done=attached$/), claim.getByRole('button', { name: 'Attach evidence' }).click()]);
    assert.match(await claim.locator('[data-testid=evidence]').innerText(), /Evidence attached: repro\.log \(23 bytes\)\./);
    await claim.getByLabel('Reproduced', { exact: true }).check();
    await claim.getByLabel('What you did and saw').fill('Crashed on the first try with the attached proof of concept.');
    await screenshot(validator, 'validate.png');
    await Promise.all([validator.waitForURL(/\?done=verdict$/), claim.getByRole('button', { name: 'Record verdict' }).click()]);
    await validator.goto(url(casePath));
    assert.equal(await validator.locator('.steps [aria-current=step]').textContent(), 'Validated (current state)');
    assert.match(await validator.locator('[data-testid=validation]').innerText(), /Reproduced/);

    // The analyst coordinates: moves it on and adds the vendor.
    await analyst.goto(url(casePath));
    await Promise.all([analyst.waitForURL(/\?done=moved$/), analyst.getByRole('button', { name: 'Move to coordinating' }).click()]);
    await analyst.locator('#m-org').selectOption({ label: orgs.vendor.name });
    await analyst.locator('#m-relation').selectOption('vendor');
    await Promise.all([analyst.waitForURL(/\?done=member$/), analyst.getByRole('button', { name: 'Add to case' }).click()]);
    assert.equal(await analyst.locator('[data-testid=member]', { hasText: orgs.vendor.name }).count(), 1);
    await screenshot(analyst, 'case-analyst.png');

    // The vendor finds the case in its list, records the fix and marks it available.
    const vendor = await signInAs('vendor');
    await vendor.goto(url('/'));
    await Promise.all([
      vendor.waitForURL(url('/cases')),
      vendor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click(),
    ]);
    await Promise.all([vendor.waitForURL(url(casePath)), vendor.getByRole('link', { name: title }).click()]);
    await vendor.locator('#s-status').selectOption('fixed');
    await vendor.locator('#s-fixed').fill('1.2.1');
    await vendor.locator('#s-note').fill('Upgrade to 1.2.1.');
    await Promise.all([vendor.waitForURL(/\?done=status$/), vendor.getByRole('button', { name: 'Record status' }).click()]);
    await Promise.all([vendor.waitForURL(/\?done=moved$/), vendor.getByRole('button', { name: 'Move to fix available' }).click()]);
    const statusRow = await vendor.locator('[data-testid=vendor-status]').innerText();
    assert.match(statusRow, new RegExp(`${orgs.vendor.name}.*Fixed.*1\\.2\\.1`, 's'));
    assert.equal(await vendor.locator('.steps [aria-current=step]').textContent(), 'Fix available (current state)');
    assert.equal(await vendor.getByRole('link', { name: 'poc.py' }).count(), 1, 'the vendor may download the proof of concept');
    await screenshot(vendor, 'case-vendor.png');

    // Still nothing for the outsider.
    assert.equal((await outsider.goto(url(casePath))).status(), 404);

    // Accessibility and the phone layout of every coordination page.
    for (const [page, path] of [
      [analyst, '/cases/queue'],
      [analyst, casePath],
      [vendor, '/cases'],
      [vendor, casePath],
      [alpha, '/findings'],
      [alpha, '/findings/new'],
      [alpha, casePath],
      [validator, '/validate'],
      [outsider, casePath],
    ]) {
      await page.goto(url(path));
      for (const p of await accessibilityProblems(page)) problems.push(`${path}: ${p}`);
    }
    overflowing.push(
      ...(await overflowAt390(analyst, [['/cases/queue', 'queue.png'], [casePath, 'case-analyst.png']], 'phone-')),
      ...(await overflowAt390(alpha, [['/findings/new', 'finding-new.png'], ['/findings', 'findings.png']], 'phone-')),
      ...(await overflowAt390(vendor, [[casePath, 'case-vendor.png'], ['/cases', 'cases.png']], 'phone-')),
      ...(await overflowAt390(validator, [['/validate', 'validate.png']], 'phone-')),
    );
  } finally {
    for (const ctx of contexts) await ctx.close();
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(overflowing, [], 'no horizontal overflow at 390 px');
});
