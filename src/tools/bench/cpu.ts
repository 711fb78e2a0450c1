/**
 * CPU time spent by the Temporal server (another process, read from /proc) and by this Node process (client,
 * worker and local receivers together: they share it) over a phase of the bench.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU milliseconds used during a phase, per side. */
export interface CpuSpent {
  serverMs: number;
  nodeMs: number;
  /** Every process of the machine (the native cluster's PostgreSQL included, which neither side above counts). */
  machineMs: number;
}

/** Clock ticks per second of /proc's counters: 100 on Linux unless the kernel says otherwise. */
const TICKS_PER_SECOND = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU milliseconds of a process so far, from /proc/<pid>/stat (fields 14 and 15); NaN if unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 of the stat line, so utime (14) and stime (15) are at 11 and 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** User + system CPU milliseconds of this Node process so far. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Busy CPU milliseconds of the whole machine so far (all cores), from /proc/stat's first line; NaN if unreadable. */
export function machineBusyCpuMs(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Starts measuring; the returned function gives the CPU spent since, per side and on the whole machine. */
export function startCpuMeter(serverPid: number): () => CpuSpent {
  const server0 = processCpuMs(serverPid);
  const node0 = ownCpuMs();
  const machine0 = machineBusyCpuMs();
  return () => ({ serverMs: processCpuMs(serverPid) - server0, nodeMs: ownCpuMs() - node0, machineMs: machineBusyCpuMs() - machine0 });
}
