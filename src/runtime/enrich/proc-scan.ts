import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What `/proc/<pid>` tells about a process: the process table is seeded from it at start, and
 * a process the sensor never saw being created (its clone was lost, or it predates the sensor)
 * is read from it on first sight.
 */
export interface ProcFacts {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly args: readonly string[];
  /** The executable as the kernel names it (`/usr/bin/dash`, `/memfd:x (deleted)`). */
  readonly exePath?: string;
  readonly cwd?: string;
  readonly uid: number;
  readonly gid: number;
  readonly loginUid?: number;
  /** Ids in the process's own PID namespace (the last of NSpid, NSpgid, NSsid). */
  readonly vpid?: number;
  readonly vpgid?: number;
  readonly vsid?: number;
  readonly tty: number;
  /** Start time, ns since the epoch. */
  readonly startTs?: bigint;
  readonly mntns?: number;
  readonly capEffective?: bigint;
  readonly capPermitted?: bigint;
  readonly capInheritable?: bigint;
}

const CLOCK_TICKS = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Inode number of a namespace link target like `mnt:[4026531841]`. */
export function namespaceInode(target: string | undefined): number | undefined {
  const m = target === undefined ? null : /\[(\d+)\]$/.exec(target);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The mount namespace inode of a process, if it is still there. */
export function mountNamespaceOf(pid: number, procRoot = '/proc'): number | undefined {
  return namespaceInode(link(`${procRoot}/${pid}/ns/mnt`));
}

let bootTimeNs: bigint | undefined;

function bootTime(procRoot: string): bigint {
  if (bootTimeNs === undefined) {
    const m = /^btime (\d+)$/m.exec(read(`${procRoot}/stat`) ?? '');
    bootTimeNs = BigInt(m?.[1] ?? '0') * 1_000_000_000n;
  }
  return bootTimeNs;
}

function statusField(status: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status);
  return m?.[1];
}

/** The last number of a whitespace-separated list (`NSpid: 4242 7` → 7). */
function lastNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const parts = v.trim().split(/\s+/);
  const n = Number(parts[parts.length - 1]);
  return Number.isInteger(n) ? n : undefined;
}

function hexBig(v: string | undefined): bigint | undefined {
  return v === undefined || !/^[0-9a-f]+$/i.test(v.trim()) ? undefined : BigInt(`0x${v.trim()}`);
}

/** Reads one process; undefined when it is gone (or not a process). */
export function readProcess(pid: number, procRoot = '/proc'): ProcFacts | undefined {
  const dir = `${procRoot}/${pid}`;
  const stat = read(`${dir}/stat`);
  const status = read(`${dir}/status`);
  if (stat === undefined || status === undefined) return undefined;
  // comm may contain spaces and parentheses: it runs from the first '(' to the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const name = stat.slice(open + 1, close);
  const f = stat
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  const ppid = Number(f[1]);
  const tty = Number(f[4]);
  const startTicks = Number(f[19]);
  const cmdline = read(`${dir}/cmdline`) ?? '';
  const args = cmdline.length === 0 ? [] : cmdline.replace(/\0$/, '').split('\0');
  const decoded = args.map((a) => Buffer.from(a, 'latin1').toString('utf8'));
  const uid = nthNumber(statusField(status, 'Uid'), 1);
  const gid = nthNumber(statusField(status, 'Gid'), 1);
  const loginUid = Number((read(`${dir}/loginuid`) ?? '').trim());
  const exePath = link(`${dir}/exe`);
  const cwd = link(`${dir}/cwd`);
  const vpid = lastNumber(statusField(status, 'NSpid'));
  const vpgid = lastNumber(statusField(status, 'NSpgid'));
  const vsid = lastNumber(statusField(status, 'NSsid'));
  const mntns = mountNamespaceOf(pid, procRoot);
  const capEffective = hexBig(statusField(status, 'CapEff'));
  const capPermitted = hexBig(statusField(status, 'CapPrm'));
  const capInheritable = hexBig(statusField(status, 'CapInh'));
  return {
    pid,
    ppid: Number.isInteger(ppid) ? ppid : 0,
    name: Buffer.from(name, 'latin1').toString('utf8'),
    args: decoded,
    ...(exePath === undefined ? {} : { exePath }),
    ...(cwd === undefined ? {} : { cwd }),
    uid,
    gid,
    ...(Number.isInteger(loginUid) ? { loginUid } : {}),
    ...(vpid === undefined ? {} : { vpid }),
    ...(vpgid === undefined ? {} : { vpgid }),
    ...(vsid === undefined ? {} : { vsid }),
    tty: Number.isInteger(tty) ? tty : 0,
    ...(Number.isFinite(startTicks)
      ? { startTs: bootTime(procRoot) + (BigInt(startTicks) * 1_000_000_000n) / BigInt(CLOCK_TICKS) }
      : {}),
    ...(mntns === undefined ? {} : { mntns }),
    ...(capEffective === undefined ? {} : { capEffective }),
    ...(capPermitted === undefined ? {} : { capPermitted }),
    ...(capInheritable === undefined ? {} : { capInheritable }),
  };
}

/** `Uid: real effective saved fs` → the effective one. */
function nthNumber(v: string | undefined, index: number): number {
  const n = Number(v?.trim().split(/\s+/)[index]);
  return Number.isInteger(n) ? n : 0;
}

/** Every process currently in `/proc`. */
export function scanProcesses(procRoot = '/proc'): ProcFacts[] {
  const out: ProcFacts[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const facts = readProcess(Number(entry), procRoot);
    if (facts !== undefined) out.push(facts);
  }
  return out;
}
