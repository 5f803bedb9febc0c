export { freePort } from '../src/util/free-port.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';


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
