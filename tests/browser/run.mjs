// End-to-end test of the query-service dashboard and JSON API.
//
// Starts the real ingest-service and query-service (127.0.0.1:0, the query
// service with --http_listen=127.0.0.1:0), ingests the seed corpus with
// relctl, then:
//   - drives the dashboard in Debian's headless Chromium (playwright-core):
//     Azerbaijan and Iran, the 2023 crisis and the later recovery on the
//     timeline, evidence with quotes and links, the border-length dispute
//     (132 km vs 44 km, with sources), the live log-position indicator
//     following a newly ingested article; screenshots at laptop and phone
//     widths into the artifact directory;
//   - checks that the /v1 JSON answers equal relctl --json (gRPC) for state,
//     timeline, agreements and disputes, the error mapping and /metrics.
// Prints `N passed, M failed`; exit 0 only when nothing failed, 77 when the
// shared corpus or Chromium is missing (ctest SKIP_RETURN_CODE).
//
// Usage: node run.mjs BIN_DIR [ARTIFACT_DIR]
//   BIN_DIR: build/bin with ingest-service, query-service, relctl.
//   ARTIFACT_DIR: where screenshots go (default: BIN_DIR/../browser-artifacts).
// Environment: RELMON_SHARED_DIR (default ../../../shared from this file),
// RELMON_CHROMIUM (default /usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = path.resolve(process.argv[2] || path.join(here, '..', '..', 'build', 'bin'));
const artifactDir = path.resolve(process.argv[3] || path.join(binDir, '..', 'browser-artifacts'));
const sharedDir = path.resolve(process.env.RELMON_SHARED_DIR || path.join(here, '..', '..', '..', 'shared'));
const seeds = path.join(sharedDir, 'corpus', 'seeds.jsonl');
const chromium = process.env.RELMON_CHROMIUM || '/usr/bin/chromium';

if (!existsSync(seeds)) {
  console.log(`SKIP: ${seeds} not found`);
  process.exit(SKIP);
}
if (!existsSync(chromium)) {
  console.log(`SKIP: ${chromium} not found (apt-get install -y chromium)`);
  process.exit(SKIP);
}
for (const name of ['ingest-service', 'query-service', 'relctl']) {
  if (!existsSync(path.join(binDir, name))) {
    console.error(`${name} not built in ${binDir}`);
    process.exit(1);
  }
}
if (!existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm ci failed');
    process.exit(1);
  }
}
const { chromium: playwright } = await import('playwright-core');

// ---- tiny test framework ---------------------------------------------------
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The first path where two JSON values differ, for a readable failure.
function firstDifference(a, b, at = '$') {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(a[k], b[k], `${at}.${k}`);
    if (d) return d;
  }
  return `${at}: differ`;
}
function assertSameJson(a, b) {
  const d = firstDifference(a, b);
  if (d) throw new Error(`HTTP and gRPC answers differ at ${d}`);
}

// ---- processes -------------------------------------------------------------
const children = [];
function start(name, args) {
  const child = spawn(path.join(binDir, name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = [];
  let waiters = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
    waiters = waiters.filter((w) => !w());
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // Resolves with the first `count` stdout lines.
  const firstLines = (count, timeoutMs = 30000) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no ${count} stdout lines; stderr: ${stderr}`)), timeoutMs);
    const ready = () => {
      if (lines.length >= count) { clearTimeout(timer); resolve(lines.slice(0, count)); return true; }
      return false;
    };
    if (!ready()) waiters.push(ready);
  });
  return { child, firstLines, exited, stderr: () => stderr };
}
function relctl(args, input) {
  const r = spawnSync(path.join(binDir, 'relctl'), args, { input, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`relctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
function curl(url) {
  const r = spawnSync('curl', ['-sS', '-w', '\n%{http_code}', url], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`curl ${url}: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

const work = mkdtempSync(path.join(tmpdir(), 'relmon-browser-'));
mkdirSync(artifactDir, { recursive: true });
let browser;
let exitCode = 1;
try {
  const ingest = start('ingest-service', ['--listen=127.0.0.1:0', `--data_dir=${work}/ingest`]);
  const [ingestLine] = await ingest.firstLines(1);
  const ingestTarget = ingestLine.replace(/^listening on /, '');
  const query = start('query-service', ['--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
    `--data_dir=${work}/query`, `--ingest_target=${ingestTarget}`]);
  const [grpcLine, httpLine] = await query.firstLines(2);
  await check('query-service prints the gRPC line first, then the HTTP line', async () => {
    assert(/^listening on 127\.0\.0\.1:\d+$/.test(grpcLine), `first line: ${grpcLine}`);
    assert(/^http listening on 127\.0\.0\.1:\d+$/.test(httpLine), `second line: ${httpLine}`);
  });
  const queryTarget = grpcLine.replace(/^listening on /, '');
  const base = `http://${httpLine.replace(/^http listening on /, '')}`;

  const ingestOut = JSON.parse(relctl([`--ingest_target=${ingestTarget}`, '--json', 'ingest', seeds]));
  const maxSequence = Number(ingestOut.maxSequence);
  await check('seeds ingested', async () => {
    assert(ingestOut.accepted === 5, `accepted ${ingestOut.accepted}: ${JSON.stringify(ingestOut)}`);
  });
  for (let i = 0; i < 100; i++) {
    const st = JSON.parse(curl(`${base}/v1/status`).body);
    if (Number(st.appliedSequence) >= maxSequence) break;
    await sleep(100);
  }

  // ---- JSON API vs gRPC (relctl --json) -------------------------------------
  const grpc = (...args) => JSON.parse(relctl([`--query_target=${queryTarget}`, '--json',
    `--min_sequence=${maxSequence}`, ...args]));
  const http = (p) => {
    const r = curl(`${base}${p}`);
    assert(r.status === 200, `${p}: HTTP ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  };
  await check('state: /v1 JSON equals gRPC', async () => {
    const a = http('/v1/relations/Azerbaijan/Iran/state?as_of=2023-02-15');
    const b = grpc('state', 'Azerbaijan', 'Iran', '--as_of=2023-02-15T00:00:00Z');
    assertSameJson(a, b);
    assert(a.countryA === 'AZ' && a.countryB === 'IR' && a.score < 0, `state ${JSON.stringify(a).slice(0, 200)}`);
  });
  await check('timeline: /v1 JSON equals gRPC', async () => {
    const a = http('/v1/relations/AZ/IR/timeline?start_time=2021-01-01&end_time=2025-12-01&granularity=quarter');
    const b = grpc('timeline', 'AZ', 'IR', '--from=2021-01-01T00:00:00Z', '--to=2025-12-01T00:00:00Z',
      '--granularity=quarter');
    const pa = a.points || a;
    const pb = b.points || b;
    assertSameJson(pa, pb);
  });
  await check('agreements: /v1 JSON equals gRPC', async () => {
    const a = http('/v1/agreements?country=Iran');
    const b = grpc('agreements', '--country=Iran');
    const la = a.agreements || [];
    const lb = b.agreements || b;
    assert(la.length > 0, 'no agreements');
    assertSameJson(la, lb);
  });
  await check('disputes: /v1 JSON equals gRPC, 132 km vs 44 km', async () => {
    const a = http('/v1/disputes?country=AZ');
    const b = grpc('disputes', '--country=AZ');
    const la = a.disputedFigures || [];
    const lb = b.disputedFigures || b;
    assertSameJson(la, lb);
    const border = la.find((d) => d.quantity === 'border_length');
    assert(border, 'no border_length dispute');
    const values = border.claims.map((c) => c.value).sort((x, y) => x - y);
    assert(values.includes(44000) && values.includes(132000), `values ${values}`);
  });
  await check('POST /v1/GetRelationsState equals GET', async () => {
    const r = spawnSync('curl', ['-sS', '-X', 'POST', '-H', 'Content-Type: application/json', '-d',
      '{"countryA":"Azerbaijan","countryB":"Iran","asOf":"2023-02-15T00:00:00Z"}',
      `${base}/v1/GetRelationsState`], { encoding: 'utf8' });
    const a = JSON.parse(r.stdout);
    const b = http('/v1/relations/Azerbaijan/Iran/state?as_of=2023-02-15');
    assertSameJson(a, b);
  });
  await check('errors: JSON with gRPC code and HTTP status', async () => {
    const bad = curl(`${base}/v1/relations/Atlantis/Iran/state`);
    const body = JSON.parse(bad.body);
    assert(bad.status === 400 && body.status === 'INVALID_ARGUMENT' && body.code === 3, `${bad.status} ${bad.body}`);
    assert(body.details[0].fieldViolations[0].field === 'country_a', `details ${JSON.stringify(body.details)}`);
    const missing = curl(`${base}/v1/articles/no-such-article`);
    assert(missing.status === 404 && JSON.parse(missing.body).status === 'NOT_FOUND', `${missing.status} ${missing.body}`);
    const param = curl(`${base}/v1/disputes?colour=red`);
    assert(param.status === 400, `unknown parameter: ${param.status}`);
  });
  await check('/metrics: per-RPC counts, latency, applied sequence', async () => {
    const r = curl(`${base}/metrics`);
    assert(r.status === 200, `HTTP ${r.status}`);
    const m = r.body;
    for (const want of [
      'relmon_grpc_server_handled_total{grpc_method="/relations.v1.QueryService/GetRelationsState",grpc_code="OK"}',
      'relmon_grpc_server_errors_total{grpc_method="/relations.v1.QueryService/GetRelationsState",grpc_code="INVALID_ARGUMENT"}',
      'relmon_grpc_server_handling_seconds_bucket{grpc_method="/relations.v1.QueryService/ListDisputedFigures",le="+Inf"}',
      `relmon_query_applied_sequence ${maxSequence}`,
      'relmon_query_follow_lag_seconds',
      'relmon_http_requests_total{handler="/v1/relations/{a}/{b}/state",code="200"}',
    ]) assert(m.includes(want), `missing ${want}`);
  });

  // ---- the dashboard in Chromium ----------------------------------------------
  // A persistent context on a fresh directory is playwright's way of
  // passing --user-data-dir.
  browser = await playwright.launchPersistentContext(mkdtempSync(path.join(work, 'chromium-')), {
    executablePath: chromium,
    headless: true,
    viewport: { width: 1280, height: 900 },
    // Playwright's polling helpers evaluate strings, which the page's CSP
    // (script-src 'self') rightly forbids.
    bypassCSP: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(`${base}/`);
  await check('page loads with labelled inputs and a country list', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#countries option').length > 100);
    assert(await page.getByLabel('First country').count() === 1, 'no label for the first country');
    assert(await page.getByLabel('Second country').count() === 1, 'no label for the second country');
  });
  await page.getByLabel('First country').fill('Azerbaijan');
  await page.getByLabel('Second country').fill('Iran');
  await page.getByRole('button', { name: 'Show relations' }).click();
  await page.waitForSelector('#timeline circle.pt', { timeout: 20000 });
  const points = await page.$$eval('#timeline circle.pt', (cs) => cs.map((c) => ({
    period: c.dataset.period, score: Number(c.dataset.score), level: c.dataset.level,
    tabindex: c.getAttribute('tabindex'), label: c.getAttribute('aria-label') })));
  await check('timeline shows the 2023 crisis', async () => {
    const crisis = points.filter((p) => p.period.startsWith('2023') && p.score < 0 &&
      (p.level === 'TENSE' || p.level === 'HOSTILE'));
    assert(crisis.length > 0, `no negative TENSE/HOSTILE point in 2023: ${JSON.stringify(points.filter((p) => p.period.startsWith('2023')))}`);
  });
  await check('timeline shows the later recovery', async () => {
    const recovery = points.filter((p) => p.period >= '2024-01' &&
      ['NEUTRAL', 'COOPERATIVE', 'CLOSE'].includes(p.level));
    assert(recovery.length > 0, 'no point from 2024 on at NEUTRAL or better');
  });
  await check('timeline points are keyboard-focusable and labelled', async () => {
    assert(points.every((p) => p.tabindex === '0' && p.label), 'a point lacks tabindex or aria-label');
  });
  await check('clicking a 2023 point shows evidence with quotes and article links', async () => {
    const worst = points.filter((p) => p.period.startsWith('2023')).sort((x, y) => x.score - y.score)[0];
    await page.click(`#timeline circle.pt[data-period="${worst.period}"]`);
    await page.waitForSelector('#evidence li blockquote');
    const text = await page.textContent('#evidence');
    assert(/attack|downgrade/i.test(text), `evidence: ${text.slice(0, 300)}`);
    assert(await page.locator('#evidence li a[href]').count() > 0, 'no links to articles');
  });
  await check('keyboard: Enter on a focused point opens its evidence', async () => {
    const last = points[points.length - 1];
    await page.focus(`#timeline circle.pt[data-period="${last.period}"]`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((label) => document.querySelector('#evidence h3')?.textContent.startsWith(label),
      last.label.split(':')[0]);
  });
  await check('agreements of the pair drawn as a status swimlane', async () => {
    await page.waitForSelector('#agreements .agreement');
    const shown = await page.$$eval('#agreements .agreement', (as) => as.map((a) => a.dataset.agreement));
    const expected = (http('/v1/agreements?country=AZ&page_size=1000').agreements || [])
      .filter((a) => a.parties.includes('IR')).map((a) => a.agreementId);
    assert(isDeepStrictEqual(shown.sort(), expected.sort()), `shown ${shown} expected ${expected}`);
    assert(await page.locator('#agreements .swim rect').count() > 0, 'no swimlane segments');
  });
  await check('border-length dispute lists 132 km and 44 km with their sources', async () => {
    const dispute = page.locator('#disputes .dispute[data-quantity="border_length"]');
    await dispute.waitFor();
    const rows = await dispute.locator('tr.claim').evaluateAll((trs) => trs.map((tr) => ({
      value: tr.cells[0].textContent, source: tr.cells[2].textContent,
      links: tr.cells[2].querySelectorAll('a[href]').length })));
    const km132 = rows.find((r) => r.value === '132 km');
    const km44 = rows.find((r) => r.value === '44 km');
    assert(km132 && km44, `rows: ${JSON.stringify(rows)}`);
    assert(km132.links > 0 && km44.links > 0 && km132.source && km44.source, `sources: ${JSON.stringify(rows)}`);
    assert(/Anadolu/.test(km132.source), `132 km source: ${km132.source}`);
  });
  await check('live indicator shows the applied log position', async () => {
    await page.waitForFunction((seq) => Number(document.querySelector('#live').dataset.applied) >= seq, maxSequence);
    const live = page.locator('#live');
    assert(await live.getAttribute('aria-live') === 'polite', 'indicator is not aria-live');
    assert((await live.textContent()).includes(`Log position ${maxSequence} applied`), await live.textContent());
  });
  await page.click(`#timeline circle.pt[data-period="${points.filter((p) => p.period.startsWith('2023')).sort((x, y) => x.score - y.score)[0].period}"]`);
  await page.screenshot({ path: path.join(artifactDir, 'dashboard.png'), fullPage: true });
  await check('live indicator follows a newly ingested article', async () => {
    const text = 'Baku, 3 March 2026. The foreign ministers of Azerbaijan and Iran met in Baku on Tuesday '
      + 'and praised the good neighbourly relations between the two countries.';
    const out = JSON.parse(relctl([`--ingest_target=${ingestTarget}`, '--json', 'ingest', '-'], text));
    const seq = Number(out.maxSequence);
    assert(seq > maxSequence, `new sequence ${seq}`);
    await page.waitForFunction((s) => Number(document.querySelector('#live').dataset.applied) >= s, seq,
      { timeout: 15000 });
  });
  await check('no console errors', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join(' | '));
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(800);  // the charts redraw for the narrow width
  await check('phone width: no horizontal scrolling', async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `page is ${overflow}px wider than the viewport`);
  });
  await page.screenshot({ path: path.join(artifactDir, 'dashboard-phone.png'), fullPage: true });
  await page.locator('#timeline').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifactDir, 'dashboard-phone-timeline.png') });
  await browser.close();
  browser = null;

  for (const [name, proc] of [['query-service', query], ['ingest-service', ingest]]) {
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    await check(`${name} exits 0 on SIGTERM`, async () => assert(code === 0, `exit ${code}: ${proc.stderr()}`));
  }
  console.log(`screenshots: ${artifactDir}/dashboard.png, dashboard-phone.png`);
  exitCode = failed === 0 ? 0 : 1;
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? exitCode : 1);
}
