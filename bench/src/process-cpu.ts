import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process used so far, NaN when it is gone or /proc is absent. */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Total CPU time (ms) of every process whose command name is `name` (e.g. all Postgres backends). */
export function cpuMsOfProcessesNamed(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
    } catch {
      continue;
    }
    const used = cpuMsOf(Number(entry));
    if (Number.isFinite(used)) total += used;
  }
  return total;
}

/** CPU time used by each named party between `start()` and `stop()`, in ms. */
export function cpuMeter(parties: Record<string, () => number>) {
  const read = () => Object.fromEntries(Object.entries(parties).map(([name, used]) => [name, used()]));
  let before: Record<string, number> = {};
  const spent: Record<string, number> = {};
  return {
    start() {
      before = read();
    },
    stop() {
      for (const [name, used] of Object.entries(read())) spent[name] = (spent[name] ?? 0) + used - (before[name] ?? 0);
    },
    spent: (): Readonly<Record<string, number>> => spent,
  };
}
