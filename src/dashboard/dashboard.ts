import type http from 'node:http';
import type pg from 'pg';
import type { Logger } from '../util/logger.ts';
import { driftReport, listModels, modelDetail, type DriftReport } from './dashboard-data.ts';
import { DashboardSessions, newToken, type DashboardSession, type SessionLimits } from './dashboard-sessions.ts';
import { modelCounters } from './model-counters.ts';
import { loginPage, modelPage, modelsPage } from './pages.ts';
import { loadStaticFiles } from './static-files.ts';
import { ThroughputHistory } from './throughput-history.ts';
import { connectAsRole, LoginRefused } from './verify-login.ts';

const SESSION_COOKIE = 'modelgres_session';
const LOGIN_COOKIE = 'modelgres_login';
/** A login form is good for this long. */
const LOGIN_TOKEN_MS = 15 * 60_000;
const MAX_FORM_BYTES = 16 * 1024;

export interface DashboardOptions {
  /** PostgreSQL as the proxy reaches it: logins connect there as the role. */
  upstreamUrl: string;
  /** The proxy's own connection, to check a password PostgreSQL did not ask for (see verify-login.ts). */
  own: pg.Pool;
  log: Logger;
  sessions?: Partial<SessionLimits>;
  /** How often the model pages' throughput history is sampled (default 10 s). */
  throughputIntervalMs?: number;
}

/**
 * The dashboard's pages. Nothing but the login page is served without a session; a session is a
 * PostgreSQL connection as the logged-in role, and every page reads through it. The login form
 * carries a single-use token that must match its cookie (SameSite=Strict), so another site cannot
 * post it; logout carries the session's own token.
 */
export class Dashboard {
  private readonly sessions: DashboardSessions;
  private readonly loginTokens = new Map<string, number>();
  private readonly files = loadStaticFiles();
  private readonly throughput: ThroughputHistory;

  constructor(private readonly options: DashboardOptions) {
    this.sessions = new DashboardSessions({ idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, ...options.sessions });
    this.throughput = new ThroughputHistory(options.throughputIntervalMs);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const cookies = parseCookies(req.headers.cookie);
    if (url.pathname === '/login' && req.method === 'GET') return this.showLogin(res, null, 200);
    if (url.pathname === '/login' && req.method === 'POST') return this.login(req, res, cookies);
    const session = this.sessions.get(cookies.get(SESSION_COOKIE));
    if (!session) {
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/model')) return redirect(res, '/login');
      return send(res, 401, 'text/plain; charset=utf-8', 'Log in first: /login\n');
    }
    const file = req.method === 'GET' ? this.files.get(url.pathname) : undefined;
    if (file) return send(res, 200, file.type, file.body, 'private, max-age=3600');
    if (url.pathname === '/logout' && req.method === 'POST') return this.logout(req, res, session);
    if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    if (url.pathname === '/') return this.withSession(session, res, () => this.models(session));
    if (url.pathname === '/model') return this.withSession(session, res, () => this.model(session, url.searchParams));
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
  }

  close(): Promise<void> {
    this.throughput.close();
    return this.sessions.close();
  }

  private showLogin(res: http.ServerResponse, error: string | null, status: number): void {
    const token = newToken();
    const now = Date.now();
    for (const [t, issued] of this.loginTokens) if (now - issued > LOGIN_TOKEN_MS) this.loginTokens.delete(t);
    this.loginTokens.set(token, now);
    res.setHeader('Set-Cookie', cookie(LOGIN_COOKIE, token, '/login', LOGIN_TOKEN_MS / 1000));
    send(res, status, 'text/html; charset=utf-8', loginPage(token, error));
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse, cookies: Map<string, string>): Promise<void> {
    const form = await readForm(req);
    const token = form.get('csrf') ?? '';
    const issued = this.loginTokens.get(token);
    this.loginTokens.delete(token);
    if (!form || issued === undefined || Date.now() - issued > LOGIN_TOKEN_MS || cookies.get(LOGIN_COOKIE) !== token || !sameOrigin(req)) {
      return this.showLogin(res, 'The login form expired or did not come from this page: log in again.', 403);
    }
    const user = form.get('user') ?? '';
    try {
      const client = await connectAsRole(this.options.upstreamUrl, user, form.get('password') ?? '', this.options.own);
      const session = this.sessions.create(user, client);
      this.options.log.info(`dashboard: ${user} logged in`, { event: 'dashboard login', client: user });
      res.setHeader('Set-Cookie', [cookie(SESSION_COOKIE, session.id, '/'), cookie(LOGIN_COOKIE, '', '/login', 0)]);
      redirect(res, '/');
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      this.options.log.info(`dashboard: login of ${JSON.stringify(user)} refused: ${error.message}`, { event: 'dashboard login refused', client: user });
      this.showLogin(res, error.message, 401);
    }
  }

  private async logout(req: http.IncomingMessage, res: http.ServerResponse, session: DashboardSession): Promise<void> {
    const form = await readForm(req);
    if (form.get('csrf') !== session.csrf) return send(res, 403, 'text/plain; charset=utf-8', 'Log out from the dashboard\'s own button.\n');
    this.sessions.end(session.id);
    res.setHeader('Set-Cookie', cookie(SESSION_COOKIE, '', '/', 0));
    redirect(res, '/login');
  }

  /** One page at a time on the role's connection; a failed read shows PostgreSQL's message. */
  private async withSession(session: DashboardSession, res: http.ServerResponse, render: () => Promise<{ status: number; body: string }>): Promise<void> {
    const run = session.busy.then(render, render);
    session.busy = run.catch(() => {});
    try {
      const { status, body } = await run;
      send(res, status, 'text/html; charset=utf-8', body);
    } catch (error) {
      this.options.log.warn(`dashboard: a page for ${session.user} failed`, error);
      send(res, 500, 'text/plain; charset=utf-8', `The page could not be read: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private async models(session: DashboardSession): Promise<{ status: number; body: string }> {
    const models = await listModels(session.client);
    return { status: 200, body: modelsPage(session.user, session.csrf, models, await modelCounters()) };
  }

  private async model(session: DashboardSession, params: URLSearchParams): Promise<{ status: number; body: string }> {
    const detail = await modelDetail(session.client, params.get('schema') ?? 'public', params.get('name') ?? '');
    if (!detail) return { status: 404, body: 'No such model, or this role may not see it.' };
    const from = params.get('from')?.trim() || null;
    let drift: DriftReport | null = null;
    let driftError: string | null = null;
    if (from !== null && !/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/.test(from)) {
      driftError = 'Name a table (or schema.table) to compare with.';
    } else {
      try {
        drift = await driftReport(session.client, detail, from);
      } catch (error) {
        driftError = `Drift could not be measured: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const key = `${detail.summary.schema}.${detail.summary.name}`;
    const counters = (await modelCounters()).get(key);
    return { status: 200, body: modelPage(session.user, session.csrf, detail, drift, driftError, counters, this.throughput.of(key)) };
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': cache,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
  });
  res.end(body);
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(303, { Location: to, 'Cache-Control': 'no-store' });
  res.end();
}

function cookie(name: string, value: string, path: string, maxAgeSeconds?: number): string {
  return `${name}=${value}; Path=${path}; HttpOnly; SameSite=Strict${maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`}`;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** A browser's post says where it came from; one from another origin is refused. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
