import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** /proc/<pid>/stat's fields after the command name (which may hold spaces): field 3 is index 0. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far; with `children`, also its reaped children's. */
export function cpuSeconds(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return NaN;
  // utime, stime, cutime, cstime are fields 14..17.
  const own = Number(f[11]) + Number(f[12]);
  return (children ? own + Number(f[13]) + Number(f[14]) : own) / TICKS;
}

/** The pids whose parent is `pid` (PostgreSQL's backends, for the postmaster). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** The postmaster's pid, from postmaster.pid in the cluster's directory. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * CPU seconds of PostgreSQL (the postmaster, its live children and the children it has reaped)
 * and of a proxy process, read together: a measure's CPU is the difference of two readings (a
 * backend counts among the live children until it is reaped, then in the postmaster's cutime).
 */
export function cpuReading(postmaster: number, proxyPid: number): { pg: number; proxy: number } {
  const live = childPids(postmaster).reduce((s, p) => s + (cpuSeconds(p) || 0), 0);
  return { pg: cpuSeconds(postmaster, true) + live, proxy: cpuSeconds(proxyPid) };
}
