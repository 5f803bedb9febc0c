export { freePort } from '../src/util/free-port.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';


export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Resolves when the child prints a line containing `text` (within 60 s). */
export function waitForLine(child: ChildProcess, text: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; saw: ${seen}`)), 60_000);
    child[stream]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${text}"; saw: ${seen}`)));
  });
}

/** Ends a child with SIGTERM and waits for it to exit (SIGKILL after `graceMs`). */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM...), or null once the process is gone. */
export function procStatusKb(pid: number, field: string): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS every `everyMs` until stopped; returns the highest sample in kB. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = procStatusKb(pid, 'VmRSS') ?? 0;
  const timer = setInterval(() => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== null && kb > peak) peak = kb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== null && kb > peak) peak = kb;
      return peak;
    },
  };
}

/**
 * Runs one statement with psql (unaligned, tuples only, output to /dev/null: the client keeps up
 * and prints nothing) and returns the wall time in seconds. Throws with psql's stderr on failure.
 */
export function timePsql(url: string, sql: string, timeoutMs = 3_600_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', '-d', url, '-c', sql], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`psql -c "${sql}" ended with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/** The p-th percentile (0..100) of values, nearest rank. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** The commit measured: `git rev-parse --short HEAD`, with "+dirty" when the work tree has changes. */
export function commitMeasured(repoRoot: string): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  if (head.status !== 0) return 'not a git checkout';
  const changes = spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  return `${head.stdout.trim()}${changes ? '+dirty' : ''}`;
}

/** Runs a command to its end without blocking the event loop; never throws for a non-zero exit. */
export function runCommand(cmd: string, args: string[], timeoutMs = 3_600_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${String(e)}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Debian's pgbench of PostgreSQL 15 when installed, else whichever pgbench is on PATH. */
export const PGBENCH = existsSync('/usr/lib/postgresql/15/bin/pgbench') ? '/usr/lib/postgresql/15/bin/pgbench' : 'pgbench';

export interface PgbenchOptions {
  clients: number;
  threads: number;
  seconds: number;
  /** pgbench's -M: simple (one Query message) or prepared (Parse once, then Bind/Execute). */
  protocol: 'simple' | 'prepared';
}

/**
 * TPS of pgbench running one custom script (a single SQL statement, no \set) against `url`,
 * without vacuum (-n). Throws with pgbench's output when it fails or any transaction failed.
 */
export async function pgbenchTps(url: string, scriptFile: string, o: PgbenchOptions): Promise<number> {
  const args = ['-n', '-f', scriptFile, '-M', o.protocol, '-c', String(o.clients), '-j', String(o.threads), '-T', String(o.seconds), url];
  const r = await runCommand(PGBENCH, args, (o.seconds + 120) * 1000);
  const out = `${r.stdout}${r.stderr}`;
  const tps = /tps = ([\d.]+)/.exec(out);
  const failed = /number of failed transactions: (\d+)/.exec(out);
  if (r.code !== 0 || !tps || (failed && failed[1] !== '0')) {
    const lines = out.trim().split('\n');
    throw new Error(`pgbench ${args.join(' ')} ended with ${r.code}:\n${lines.slice(0, 5).join('\n')}${lines.length > 5 ? '\n...' : ''}`);
  }
  return Number(tps[1]);
}

/** Debian's python3, with the Debian packages the Python anchor needs. */
export const PYTHON = '/usr/bin/python3';

/**
 * A user's own loop without modelgres (bench/python_pull_predict.py: psycopg2 pulls every row of
 * `table`, XGBoost predicts, COPY writes the predictions back), run against PostgreSQL directly.
 * Returns its two rates, or why it could not run.
 */
export async function pythonPullPredict(
  host: string,
  port: number,
  table: string,
): Promise<{ readPredict: number; withCopyBack: number } | { skipped: string }> {
  // XGBRegressor, the script's model, is XGBoost's scikit-learn interface.
  const check = await runCommand(PYTHON, ['-c', 'import psycopg2, xgboost, sklearn, numpy'], 60_000);
  if (check.code !== 0) {
    const why = (check.stderr.trim().split('\n').pop() ?? '') || `exit ${check.code}`;
    return { skipped: `${PYTHON}: ${why}; apt-get install python3-psycopg2 python3-xgboost python3-sklearn` };
  }
  const script = path.join(import.meta.dirname, 'python_pull_predict.py');
  const r = await runCommand(PYTHON, [script, host, String(port), table]);
  const m = /read\+predict (\d+) rows\/s; read\+predict\+copy back (\d+) rows\/s/.exec(r.stdout);
  if (r.code !== 0 || !m) return { skipped: `python_pull_predict.py FAILED (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
  return { readPredict: Number(m[1]), withCopyBack: Number(m[2]) };
}

export interface Goal {
  measure: string;
  /** The measured figure, or null when it could not be measured (`missing` says why). */
  value: number | null;
  op: '>=' | '<=';
  target: number;
  /** Appended to the figure and the target: 'x' for "times as fast", '' for a plain ratio. */
  unit?: string;
  digits?: number;
  missing?: string;
}

/** One aligned line per goal: measure, figure, goal, and "met", "NOT met" or "NOT measured: why". */
export function goalLines(goals: Goal[]): string[] {
  const fmt = (g: Goal, x: number) => `${x.toFixed(g.digits ?? 2)}${g.unit ?? ''}`;
  const cells = goals.map((g) => [
    g.measure,
    g.value === null ? 'n/a' : fmt(g, g.value),
    `${g.op} ${fmt(g, g.target)}`,
    g.value === null
      ? `NOT measured: ${g.missing ?? 'no figure'}`
      : (g.op === '>=' ? g.value >= g.target : g.value <= g.target) ? 'met' : 'NOT met',
  ]);
  const header = ['measure', 'figure', 'goal', 'met?'];
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map(([m, v, goal, met]) => `${m.padEnd(widths[0])}  ${v.padStart(widths[1])}  ${goal.padEnd(widths[2])}  ${met}`);
}
