import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHttpListener, type HttpListener } from '../../src/http/http-listener.ts';
import { createLogger } from '../../src/util/logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';

/*
 * The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core (which
 * downloads no browser; scripts/system-packages.sh installs chromium). Screenshots go to
 * artifacts/dashboard/ (gitignored).
 */

const artifacts = path.resolve(import.meta.dirname, '../../artifacts/dashboard');
const suffix = `${process.pid}_${Date.now() % 100000}`;
const owner = `dash_owner_${suffix}`;
const viewer = `dash_viewer_${suffix}`;
const OWNER_PASSWORD = "owner's secret";
const VIEWER_PASSWORD = 'viewer-secret';

let proxy: TestProxy;
let http: HttpListener;
let base: string;
let browser: Browser;
let direct: pg.Client;

async function as(user: string): Promise<pg.Client> {
  const u = new URL(proxy.url);
  u.username = user;
  return proxy.client({ connectionString: u.toString() });
}

async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  proxy = await startTestProxy({ workers: 1 });
  http = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: proxy.upstreamUrl, log: createLogger('error'), throughputIntervalMs: 300 });
  base = `http://127.0.0.1:${http.port}`;
  direct = await proxy.direct();
  await direct.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${OWNER_PASSWORD.replace("'", "''")}'`);
  await direct.query(`CREATE ROLE ${viewer} LOGIN PASSWORD '${VIEWER_PASSWORD}'`);
  await direct.query(`GRANT CREATE ON SCHEMA public TO ${owner}`);
  await (await proxy.client()).query(`GRANT CREATE MODEL TO ${owner}`);
  const c = await as(owner);
  const rows = (from: number, to: number, shift: number) =>
    `SELECT (g % 97 + ${shift})::float8 AS x, (g % 13)::float8 AS z, (array['a','b','c'])[1 + g % 3] AS cat,
            (3 * (g % 97) + (g % 13))::float8 AS y FROM generate_series(${from}, ${to}) g`;
  await c.query(`CREATE TABLE house_train AS ${rows(1, 800, 0)}`);
  await c.query(`CREATE TABLE house_recent AS ${rows(801, 1200, 30)}`);
  await c.query('CREATE MODEL house_model FROM house_train TARGET y FUNCTION house_fn');
  await c.query('WAIT FOR MODEL house_model');
  await c.query('ALTER MODEL house_model RETRAIN FROM (SELECT * FROM house_train WHERE x < 80)');
  await c.query('WAIT FOR MODEL house_model');
  await c.query('EVALUATE MODEL house_model FROM house_recent');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await proxy?.close();
});

describe('the dashboard in chromium', () => {
  test('a wrong password does not log in, and nothing but the login page is served without a session', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.screenshot({ path: path.join(artifacts, 'login.png') });
    await logIn(page, owner, 'not the password');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.textContent('#login-error')).toBe('Wrong role name or password.');
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('modelgres_session');
    await page.goto(`${base}/model?schema=public&name=house_model`);
    expect(new URL(page.url()).pathname).toBe('/login');
    for (const p of ['/static/plot.js', '/logout', '/anything']) expect((await fetch(`${base}${p}`)).status).toBe(401);
    await page.close();
  });

  test('the owner logs in, opens the model, and sees the version plot drawn from the catalog', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await logIn(page, owner, OWNER_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.textContent('#role')).toBe(owner);
    expect(await page.locator('#models tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')))).toEqual(['public.house_model']);
    await page.screenshot({ path: path.join(artifacts, 'models.png') });

    await Promise.all([page.waitForLoadState('load'), page.click('a:text("public.house_model")')]);
    const versions = (await direct.query(
      `SELECT v.version, v.metric_value FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
        WHERE m.model_name = 'house_model' ORDER BY v.version`,
    )).rows;
    expect(versions).toHaveLength(2);
    // The table shows the catalog's values; the plot has one dot a version, drawn with a size.
    const shown = await page.locator('#versions tbody tr').evaluateAll((rows) =>
      rows.map((r) => [Number(r.getAttribute('data-version')), Number(r.querySelector('.metric-value')!.textContent)]),
    );
    expect(shown).toEqual(versions.map((v) => [v.version, v.metric_value]));
    const plot = page.locator('#version-plot svg');
    await plot.waitFor();
    const box = (await plot.boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    expect(box.height).toBeGreaterThan(100);
    const dots = await page.locator('#version-plot svg circle').evaluateAll((cs) => cs.map((c) => c.querySelector('title')?.textContent ?? ''));
    expect(dots).toHaveLength(versions.length);
    dots.forEach((title, i) => expect(title).toMatch(new RegExp(`^version ${versions[i].version}: \\w+ ${versions[i].metric_value}$`)));
    // One small plot a metric of the EVALUATE row, each with its value's dot.
    await page.locator('#evaluation-plot [data-metric="r2"] svg').waitFor();
    const evaluation = (await direct.query(`SELECT metrics FROM modelgres.model_evaluation`)).rows[0].metrics;
    expect(await page.locator('#evaluation-plot [data-metric="r2"] svg circle title').textContent()).toBe(`r2 ${evaluation.r2} (version 2)`);
    expect(await page.locator('#evaluations tbody tr').count()).toBe(1);
    await page.screenshot({ path: path.join(artifacts, 'model.png'), fullPage: true });

    // Calls through the proxy show up as throughput and batch time, sampled from the counters.
    const caller = await as(owner);
    await pollUntil(
      'the throughput plot',
      async () => {
        await caller.query('SELECT house_fn(x, z, cat) FROM house_recent');
        await page.reload();
        return page.locator('#throughput-plot svg').count();
      },
      (n) => n === 2,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    for (const series of ['rowsPerSecond', 'msPerBatch']) {
      const box = (await page.locator(`#throughput-plot [data-series="${series}"] svg`).boundingBox())!;
      expect(box.width * box.height).toBeGreaterThan(0);
      expect(await page.locator(`#throughput-plot [data-series="${series}"] svg circle`).count()).toBeGreaterThan(0);
    }
    expect(Number(await page.textContent('#predictions'))).toBeGreaterThan(0);
    await page.close();
  });

  test('the drift histograms against a table: baseline and current counts from PostgreSQL, PSI as SHOW MODEL DRIFT says', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await logIn(page, owner, OWNER_PASSWORD);
    await page.goto(`${base}/model?schema=public&name=house_model`);
    await page.fill('input[name=from]', 'house_recent');
    await Promise.all([page.waitForLoadState('load'), page.click('#drift-section button')]);
    expect(await page.textContent('#drift-source')).toBe('house_recent');

    const baseline = (await direct.query(
      `SELECT v.baseline FROM modelgres.model_version v JOIN modelgres.model m USING (model_id)
        WHERE m.model_name = 'house_model' AND v.version = m.active_version`,
    )).rows[0].baseline;
    const x = baseline.features.find((f: { feature: string }) => f.feature === 'x');
    const current = (await direct.query(
      `SELECT width_bucket(x, $1::float8[]) AS b, count(*)::int AS n FROM house_recent GROUP BY 1`,
      [`{${x.edges.join(',')}}`],
    )).rows;
    const expectedCurrent = x.binCounts.map((_: number, i: number) => current.find((r) => r.b === i)?.n ?? 0);
    const figure = page.locator('figure.drift[data-feature="x"]');
    expect(await figure.locator('.baseline-count').allTextContents()).toEqual(x.binCounts.map(String));
    expect(await figure.locator('.current-count').allTextContents()).toEqual(expectedCurrent.map(String));

    const drift = (await (await as(owner)).query('SHOW MODEL house_model DRIFT FROM house_recent')).rows.find((r) => r.feature === 'x');
    expect(drift.drifted).toBe(true);
    expect(Number(await figure.locator('.drift-value').textContent())).toBeCloseTo(drift.value, 4);
    expect(Number(await figure.locator('.drift-threshold').textContent())).toBe(drift.threshold);

    // Drawn: two bars a bin (baseline, current), with sizes; the tallest current bar is x's fullest bin.
    await figure.locator('svg').waitFor();
    const bars = await figure.locator('svg g[aria-label="bar"] rect').evaluateAll((rs) =>
      rs.map((r) => ({ height: Number(r.getAttribute('height')), width: Number(r.getAttribute('width')), title: r.querySelector('title')?.textContent ?? '' })),
    );
    expect(bars).toHaveLength(2 * x.binCounts.length);
    expect(bars.every((b) => b.width > 0)).toBe(true);
    const currentBars = bars.filter((b) => b.title.startsWith('current'));
    expect(currentBars.map((b) => Number(/: (\d+) rows$/.exec(b.title)![1]))).toEqual(expectedCurrent);
    const fullest = expectedCurrent.indexOf(Math.max(...expectedCurrent));
    expect(Math.max(...currentBars.map((b) => b.height))).toBe(currentBars[fullest].height);
    expect(currentBars[fullest].height).toBeGreaterThan(0);
    await page.locator('#drift-section').screenshot({ path: path.join(artifacts, 'drift.png') });
    // The README's picture (docs/dashboard.png is a copy of this one).
    await page.screenshot({ path: path.join(artifacts, 'model-with-drift.png'), fullPage: true });
    await page.close();
  });

  test('a role without access to the model does not see it', async () => {
    const page = await browser.newPage();
    await logIn(page, viewer, VIEWER_PASSWORD);
    expect(await page.textContent('#role')).toBe(viewer);
    expect(await page.locator('#models tbody tr').count()).toBe(0);
    expect(await page.isVisible('#no-models')).toBe(true);
    const res = await page.goto(`${base}/model?schema=public&name=house_model`);
    expect(res!.status()).toBe(404);
    expect(await page.textContent('body')).not.toContain('house_fn');
    await page.screenshot({ path: path.join(artifacts, 'viewer.png') });
    // Granted EXECUTE, it sees the model: what it may see in SQL.
    await (await as(owner)).query(`GRANT EXECUTE ON MODEL house_model TO ${viewer}`);
    await page.goto(`${base}/`);
    expect(await page.locator('#models tbody tr').count()).toBe(1);
    await page.close();
  });
});

describe('logins and sessions', () => {
  /** A login by hand: the form's token and cookie, as a browser would send them. */
  async function login(baseUrl: string, user: string, password: string, tamper?: (form: URLSearchParams, cookie: string) => string): Promise<Response> {
    const form = await fetch(`${baseUrl}/login`);
    const cookie = form.headers.get('set-cookie')!.split(';')[0];
    const token = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    const body = new URLSearchParams({ csrf: token, user, password });
    const sent = tamper ? tamper(body, cookie) : cookie;
    return fetch(`${baseUrl}/login`, { method: 'POST', body, headers: { cookie: sent, 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  }

  test('the login form is refused without its token, from another origin, or used twice', async () => {
    expect((await login(base, owner, OWNER_PASSWORD, (f, c) => (f.set('csrf', 'forged'), c))).status).toBe(403);
    expect((await login(base, owner, OWNER_PASSWORD, () => '')).status).toBe(403);
    const form = await fetch(`${base}/login`);
    const cookie = form.headers.get('set-cookie')!.split(';')[0];
    const token = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    const post = (origin: string) =>
      fetch(`${base}/login`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: token, user: owner, password: OWNER_PASSWORD }),
        headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
    expect((await post('http://evil.example')).status).toBe(403);
    // The refused attempt used the token up.
    expect((await post(base)).status).toBe(403);
    const ok = await login(base, owner, OWNER_PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/^modelgres_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
  });

  test('a role without a password cannot log in when PostgreSQL trusts it', async () => {
    const nopass = `dash_nopass_${suffix}`;
    await direct.query(`CREATE ROLE ${nopass} LOGIN`);
    const r = await login(base, nopass, 'anything');
    expect(r.status).toBe(401);
    expect(await r.text()).toContain('This role has no password');
  });

  test('a session ends after its idle time', async () => {
    const short = await startHttpListener({ host: '127.0.0.1', port: 0, upstreamUrl: proxy.upstreamUrl, log: createLogger('error'), dashboardSessions: { idleMs: 300 } });
    try {
      const shortBase = `http://127.0.0.1:${short.port}`;
      const connections = async () =>
        (await direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'modelgres dashboard' AND usename = $1`, [owner])).rows[0].n as number;
      const before = await connections();
      const r = await login(shortBase, owner, OWNER_PASSWORD);
      const session = r.headers.get('set-cookie')!.split(';')[0];
      expect((await fetch(`${shortBase}/`, { headers: { cookie: session }, redirect: 'manual' })).status).toBe(200);
      expect(await connections()).toBe(before + 1);
      // Each look uses the session: looks further apart than its idle time find it ended.
      await pollUntil(
        'the session to expire',
        async () => (await fetch(`${shortBase}/`, { headers: { cookie: session }, redirect: 'manual' })).headers.get('location'),
        (location) => location === '/login',
        { intervalMs: 600, timeoutMs: 10_000 },
      );
      // Its PostgreSQL connection closed with it.
      await pollUntil('the session\'s connection to close', connections, (n) => n === before);
    } finally {
      await short.close();
    }
  });
});
