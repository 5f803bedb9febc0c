/**
 * Passthrough benchmark: pgbench select-only straight to PostgreSQL, through modelgres, and (when
 * Debian's pgbouncer is installed) through pgbouncer, in the same run with the same clients.
 * Rounds alternate between targets so drift in machine load hits all of them alike.
 *
 *   npm run bench:passthrough -- [--clients 8] [--seconds 10] [--rounds 3] [--scale 10] [--transport unix|tcp]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedServer } from '../src/embedded/embedded-server.ts';
import { freePort, median, stopChild, waitForLine } from './bench-support.ts';
import { npmStartEnv } from './as-npm-start.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '10' },
    transport: { type: 'string', default: 'unix' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('npm run bench:passthrough -- [--clients 8] [--seconds 10] [--rounds 3] [--scale 10] [--transport unix|tcp]');
  process.exit(0);
}
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

const dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-bench-'));
const children: ChildProcess[] = [];
let pg: Awaited<ReturnType<typeof startEmbeddedServer>> | undefined;
try {
  pg = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  const proxyPort = await freePort();
  // Both proxies reach PostgreSQL the same way: its Unix socket (as `npm start` does) or TCP.
  const viaUnix = values.transport === 'unix';
  const proxy = spawn(
    process.execPath,
    ['dist/cli.js', 'start', '--upstream', viaUnix ? pg.socketUrl : pg.url, '--port', String(proxyPort), '--log-level', 'warn'],
    { cwd: path.resolve(import.meta.dirname, '..'), env: npmStartEnv, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(proxy);
  await waitForLine(proxy, 'modelgres is ready');

  const targets: Record<string, string> = {
    direct: pg.url,
    modelgres: `postgres://postgres@127.0.0.1:${proxyPort}/postgres`,
  };
  // The process whose CPU time each proxy round is charged to.
  const cpuPids: Record<string, number> = { modelgres: proxy.pid! };
  const bouncer = await startPgbouncer(dir, pg.port, viaUnix ? pg.socketDir : '127.0.0.1');
  if (bouncer) {
    children.push(bouncer.process);
    targets.pgbouncer = `postgres://postgres@127.0.0.1:${bouncer.port}/postgres`;
    // As root pgbouncer runs under runuser: its CPU is the pgbouncer process's, not runuser's.
    const pid = findProcess(bouncer.process.pid!, 'pgbouncer');
    if (pid !== null) cpuPids.pgbouncer = pid;
  } else {
    console.log('pgbouncer is not installed (apt-get install pgbouncer): measuring direct and modelgres only');
  }

  run('pgbench', ['-i', '-q', '-s', values.scale!, pg.url]);
  const tps: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((t) => [t, []]));
  const cpuPerTx: Record<string, number[]> = Object.fromEntries(Object.keys(cpuPids).map((t) => [t, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, url] of Object.entries(targets)) {
      const pid = cpuPids[name];
      const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
      const out = run('pgbench', ['-S', '-n', '-c', String(clients), '-j', '2', '-T', String(seconds), url]);
      const m = /tps = ([\d.]+)/.exec(out);
      const n = /number of transactions actually processed: (\d+)/.exec(out);
      if (!m || !n || !/number of failed transactions: 0 /.test(out)) throw new Error(`pgbench against ${name} failed:\n${out}`);
      tps[name].push(Number(m[1]));
      let cpuNote = '';
      if (pid !== undefined) {
        const us = ((cpuSeconds(pid) - cpuBefore) * 1e6) / Number(n[1]);
        cpuPerTx[name].push(us);
        cpuNote = `  ${us.toFixed(1)} µs CPU/transaction`;
      }
      console.log(`round ${r + 1} ${name.padEnd(9)} ${Number(m[1]).toFixed(0)} tps${cpuNote}`);
    }
  }
  const direct = median(tps.direct);
  console.log(`\npgbench -S -n -c ${clients} -j 2 -T ${seconds}, median of ${rounds} rounds, ${os.cpus().length} cores, proxies reach PostgreSQL by ${viaUnix ? 'Unix socket' : 'TCP'}`);
  for (const name of Object.keys(targets)) {
    const m = median(tps[name]);
    const cpu = cpuPerTx[name] ? `  proxy CPU ${median(cpuPerTx[name]).toFixed(1).padStart(5)} µs/transaction` : '';
    console.log(`${name.padEnd(9)} ${m.toFixed(0).padStart(7)} tps  ratio to direct ${(m / direct).toFixed(2)}${cpu}`);
  }
  console.log(`command: npm run bench:passthrough -- --clients ${clients} --seconds ${seconds} --rounds ${rounds} --scale ${values.scale} --transport ${values.transport}`);
} finally {
  // The proxies first: PostgreSQL stopping under them would end their connections with warnings.
  await Promise.all(children.map((c) => stopChild(c)));
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** User plus system CPU seconds of a process, all its threads, from /proc/<pid>/stat (utime, stime). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Their unit is CLK_TCK (asked each time: this runs twice a round, and a module-level constant
  // would not be initialized yet while the top-level await above runs).
  const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** `pid` itself or its first descendant whose command name is `name`, else null. */
function findProcess(pid: number, name: string): number | null {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) return pid;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean);
      for (const child of children) {
        const found = findProcess(Number(child), name);
        if (found !== null) return found;
      }
    }
  } catch {
    // The process ended meanwhile.
  }
  return null;
}

/** pgbouncer in session mode (one server connection per client, as modelgres does). */
async function startPgbouncer(dir: string, pgPort: number, pgHost: string): Promise<{ port: number; process: ChildProcess } | null> {
  if (spawnSync('which', ['pgbouncer']).status !== 0) return null;
  const port = await freePort();
  const bouncerDir = path.join(dir, 'pgbouncer');
  await mkdirOwned(bouncerDir);
  const ini = path.join(bouncerDir, 'pgbouncer.ini');
  await writeFile(path.join(bouncerDir, 'users.txt'), '"postgres" ""\n');
  await writeFile(
    ini,
    [
      '[databases]',
      `postgres = host=${pgHost} port=${pgPort} dbname=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${bouncerDir}`,
      'auth_type = trust',
      `auth_file = ${path.join(bouncerDir, 'users.txt')}`,
      'pool_mode = session',
      'max_client_conn = 100',
      'default_pool_size = 50',
      '',
    ].join('\n'),
  );
  await chmod(ini, 0o644);
  // pgbouncer refuses to run as root.
  const asRoot = process.getuid?.() === 0;
  const child = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', 'pgbouncer', ini], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('pgbouncer', [ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(child, 'process up', 'stderr');
  return { port, process: child };
}

async function mkdirOwned(d: string): Promise<void> {
  const { mkdir, chown } = await import('node:fs/promises');
  await mkdir(d, { recursive: true });
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    await chown(d, uid, gid);
  }
}
