import { createProcess } from '../event/factory.js';
import type { FdInfo, ProcessInfo } from '../event/types.js';
import type { ContainerRecord } from './docker-info.js';
import { type ProcFacts, readProcess } from './proc-scan.js';
import type { AccountDirectory } from './users.js';

/** An open file descriptor as the table keeps it. */
export interface FdEntry {
  readonly info: FdInfo;
  /** Closed by the kernel on exec (O_CLOEXEC, SOCK_CLOEXEC). */
  readonly cloexec: boolean;
}

/**
 * What the table knows about a live (or just exited) process. Entries are mutable; events get
 * immutable {@link ProcessInfo} snapshots, rebuilt only when the entry, its container or an
 * ancestor changed.
 */
export interface ProcEntry {
  pid: number;
  ppid: number;
  mntns: number;
  name: string;
  exe: string;
  exePath: string;
  args: readonly string[];
  cwd: string | undefined;
  vpid: number | undefined;
  vpgid: number | undefined;
  sid: number | undefined;
  tty: number;
  startTs: bigint | undefined;
  uid: number;
  gid: number;
  loginUid: number | undefined;
  capEffective: bigint | undefined;
  capPermitted: bigint | undefined;
  capInheritable: bigint | undefined;
  exeUpperLayer: boolean | undefined;
  exeFromMemfd: boolean | undefined;
  exeIno: number | undefined;
  exeInoCtime: bigint | undefined;
  exeInoMtime: bigint | undefined;
  /** The container runtime's own setup (runc init before it execs the container's program). */
  runtimeSetup: boolean;
  fds: Map<number, FdEntry>;
  /** When it exited (ms, table clock); kept a while so late events and children still see it. */
  exitedAt: number | undefined;
  snap: ProcessInfo | undefined;
}

/** Task names of container runtime setup processes (runc init in its successive roles). */
const RUNTIME_SETUP_NAME = /^runc(?::\[[0-9]:[A-Z]+\])?$/;

export function isRuntimeSetupName(name: string): boolean {
  return RUNTIME_SETUP_NAME.test(name);
}

/** Name libsinsp reports for a process it knows nothing about; rules test for it. */
export const UNKNOWN_NAME = '<NA>';

/** An fd table never grows past this per process (descriptors of untraced calls are never closed). */
const MAX_FDS = 4096;
const MAX_DEPTH = 64;

export interface ProcessTableDeps {
  /** The container of a mount namespace (undefined for none or not yet known). */
  readonly containerOf: (mntns: number) => ContainerRecord | undefined;
  readonly accounts: AccountDirectory;
  readonly procRoot?: string;
  readonly now?: () => number;
}

export function containerRoot(record: ContainerRecord | undefined, procRoot: string): string {
  if (record === undefined) return '/';
  return record.rootDir ?? `${procRoot}/${record.initPid}/root`;
}

export class ProcessTable {
  private readonly entries = new Map<number, ProcEntry>();
  private readonly procRoot: string;
  private readonly now: () => number;

  constructor(private readonly deps: ProcessTableDeps) {
    this.procRoot = deps.procRoot ?? '/proc';
    this.now = deps.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(pid: number): ProcEntry | undefined {
    return this.entries.get(pid);
  }

  set(entry: ProcEntry): void {
    this.entries.set(entry.pid, entry);
  }

  /** The entry of `pid`, read from /proc when the table does not have it (or a stub when /proc has not either). */
  obtain(pid: number, mntns: number): ProcEntry {
    const known = this.entries.get(pid);
    if (known !== undefined) return known;
    const facts = readProcess(pid, this.procRoot);
    const entry = facts === undefined ? stubEntry(pid, mntns) : entryFromFacts(facts);
    if (entry.mntns === 0) entry.mntns = mntns;
    this.entries.set(pid, entry);
    return entry;
  }

  seed(all: readonly ProcFacts[]): void {
    for (const facts of all) this.entries.set(facts.pid, entryFromFacts(facts));
  }

  exited(entry: ProcEntry): void {
    entry.exitedAt = this.now();
  }

  /** Drops processes that exited more than `graceMs` ago. */
  sweep(graceMs: number): void {
    const limit = this.now() - graceMs;
    for (const [pid, e] of this.entries)
      if (e.exitedAt !== undefined && e.exitedAt < limit) this.entries.delete(pid);
  }

  setFd(entry: ProcEntry, fd: number, value: FdEntry): void {
    if (entry.fds.size >= MAX_FDS && !entry.fds.has(fd)) return;
    entry.fds.set(fd, value);
  }

  /** The current snapshot of a process, with its ancestors and container. */
  snapshot(entry: ProcEntry, depth = 0): ProcessInfo {
    const parentEntry =
      depth < MAX_DEPTH && entry.ppid > 0 && entry.ppid !== entry.pid
        ? this.entries.get(entry.ppid)
        : undefined;
    const parent = parentEntry === undefined ? undefined : this.snapshot(parentEntry, depth + 1);
    const record = this.deps.containerOf(entry.mntns);
    const container = record?.info;
    const snap = entry.snap;
    if (snap !== undefined && snap.parent === parent && snap.container === container) return snap;
    const root = containerRoot(record, this.procRoot);
    const fresh = createProcess({
      pid: entry.pid,
      ppid: entry.ppid,
      ...(entry.vpid === undefined ? {} : { vpid: entry.vpid }),
      name: entry.name,
      exe: entry.exe,
      exePath: entry.exePath,
      args: entry.args,
      ...(entry.cwd === undefined ? {} : { cwd: entry.cwd }),
      tty: entry.tty,
      ...(entry.sid === undefined ? {} : { sid: entry.sid }),
      ...(entry.vpgid === undefined ? {} : { vpgid: entry.vpgid }),
      ...(entry.startTs === undefined ? {} : { startTs: entry.startTs }),
      user: this.deps.accounts.user(root, entry.uid),
      group: this.deps.accounts.group(root, entry.gid),
      ...(entry.loginUid === undefined ? {} : { loginUid: entry.loginUid }),
      ...(entry.capEffective === undefined ? {} : { capEffective: entry.capEffective }),
      ...(entry.capPermitted === undefined ? {} : { capPermitted: entry.capPermitted }),
      ...(entry.capInheritable === undefined ? {} : { capInheritable: entry.capInheritable }),
      ...(entry.exeUpperLayer === undefined ? {} : { exeUpperLayer: entry.exeUpperLayer }),
      ...(entry.exeFromMemfd === undefined ? {} : { exeFromMemfd: entry.exeFromMemfd }),
      ...(entry.exeIno === undefined ? {} : { exeIno: entry.exeIno }),
      ...(entry.exeInoCtime === undefined ? {} : { exeInoCtime: entry.exeInoCtime }),
      ...(entry.exeInoMtime === undefined ? {} : { exeInoMtime: entry.exeInoMtime }),
      ...(entry.runtimeSetup ? { runtimeSetup: true } : {}),
      ...(parent === undefined ? {} : { parent }),
      ...(container === undefined ? {} : { container }),
    });
    entry.snap = fresh;
    return fresh;
  }
}

export function stubEntry(pid: number, mntns: number): ProcEntry {
  return {
    pid,
    ppid: 0,
    mntns,
    name: UNKNOWN_NAME,
    exe: UNKNOWN_NAME,
    exePath: UNKNOWN_NAME,
    args: [],
    cwd: undefined,
    vpid: undefined,
    vpgid: undefined,
    sid: undefined,
    tty: 0,
    startTs: undefined,
    uid: 0,
    gid: 0,
    loginUid: undefined,
    capEffective: undefined,
    capPermitted: undefined,
    capInheritable: undefined,
    exeUpperLayer: undefined,
    exeFromMemfd: undefined,
    exeIno: undefined,
    exeInoCtime: undefined,
    exeInoMtime: undefined,
    runtimeSetup: false,
    fds: new Map(),
    exitedAt: undefined,
    snap: undefined,
  };
}

export function entryFromFacts(f: ProcFacts): ProcEntry {
  const exePath = f.exePath?.replace(/ \(deleted\)$/, '');
  const memfd = exePath?.startsWith('/memfd:') === true;
  return {
    ...stubEntry(f.pid, f.mntns ?? 0),
    ppid: f.ppid,
    name: f.name,
    exe: f.args[0] ?? f.name,
    exePath: memfd ? (exePath as string).slice(1) : (exePath ?? f.args[0] ?? f.name),
    args: f.args.slice(1),
    cwd: f.cwd,
    vpid: f.vpid,
    vpgid: f.vpgid,
    sid: f.vsid,
    tty: f.tty,
    startTs: f.startTs,
    uid: f.uid,
    gid: f.gid,
    loginUid: f.loginUid,
    capEffective: f.capEffective,
    capPermitted: f.capPermitted,
    capInheritable: f.capInheritable,
    exeFromMemfd: memfd,
    runtimeSetup: isRuntimeSetupName(f.name),
  };
}
