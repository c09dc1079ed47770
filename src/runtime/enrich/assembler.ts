import { readlinkSync } from 'node:fs';
import { createEvent, createFd } from '../event/factory.js';
import { EXE_FROM_MEMFD, EXE_LOWER_LAYER, EXE_UPPER_LAYER, O_CREAT, O_TMPFILE } from '../event/flags.js';
import type { ArgValue, ContainerInfo, FdInfo, RuntimeEvent } from '../event/types.js';
import { EXEC_ARGS_MAX, KIND, N, num, type RecordName, S, type SensorRecord } from '../sensor/records.js';
import { syscallName } from '../sensor/syscalls.js';
import type { ContainerRecord } from './docker-info.js';
import { exeFacts } from './exe.js';
import {
  connectionFd,
  type Endpoint,
  endpoint,
  endpointText,
  l4proto,
  sockaddrPort,
  socketType,
} from './fds.js';
import { resolvePath } from './paths.js';
import { isRuntimeSetupName, type ProcEntry, type ProcessTable } from './process-table.js';

/**
 * Turns sensor records into runtime events: applies each record to the process table (new
 * processes, execs, credential and directory changes, the fd table) and builds the event
 * with the process snapshot, fd and container it concerns. Records must come in time order
 * and, for a process in a namespace not yet attributed, after the namespace was resolved.
 */

export interface ContainerLookup {
  lookup(mntns: number): ContainerRecord | undefined | 'unknown';
  resolve(mntns: number, pid: number): Promise<void>;
  isHost(mntns: number): boolean;
  invalidate(mntns: number): void;
  adopt(mntns: number, record: ContainerRecord): void;
}

export interface AssemblerOptions {
  readonly table: ProcessTable;
  readonly containers: ContainerLookup;
  /** Kernel monotonic ns → wall-clock ns since the epoch. */
  readonly wallClock: (monoNs: number) => bigint;
  /** Whether events of processes in this container (undefined: the host) are wanted. */
  readonly wants: (container: ContainerInfo | undefined) => boolean;
  readonly procRoot?: string;
}

const AT_FDCWD = -100;
const CLONE_NEWNS = 0x20000;
const EINPROGRESS = -115;
const O_CLOEXEC = 0o2000000;
const O_DIRECTORY = 0o200000;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

type Args = Record<string, ArgValue>;
type Handler = (r: SensorRecord) => RuntimeEvent | undefined;

const i32 = (v: number): number => v | 0;

export class Assembler {
  private eventNum = 0;
  private readonly handlers: (Handler | undefined)[] = [];
  private readonly table: ProcessTable;
  private readonly procRoot: string;

  constructor(private readonly o: AssemblerOptions) {
    this.table = o.table;
    this.procRoot = o.procRoot ?? '/proc';
    const on = (name: RecordName, h: Handler) => {
      this.handlers[KIND[name]] = h;
    };
    on('clone', (r) => this.clone(r));
    on('exec', (r) => this.exec(r));
    on('execFail', (r) => this.execFail(r));
    on('exit', (r) => this.exit(r));
    on('rename', (r) => this.rename(r));
    on('open', (r) => this.open(r));
    on('socket', (r) => this.socket(r));
    on('connect', (r) => this.connect(r));
    on('accept', (r) => this.accept(r));
    on('bind', (r) => this.bind(r));
    on('listen', (r) => this.listen(r));
    on('ptrace', (r) => this.ptrace(r));
    on('setid', (r) => this.setid(r));
    on('mount', (r) => this.mount(r));
    on('umount', (r) => this.umount(r));
    on('namespace', (r) => this.namespace(r));
    on('chmod', (r) => this.chmod(r));
    on('chown', (r) => this.chown(r));
    on('unlink', (r) => this.unlink(r));
    on('renameFile', (r) => this.renameFile(r));
    on('link', (r) => this.link(r));
    on('memfd', (r) => this.memfd(r));
    on('bpf', (r) => this.simple(r, 'bpf', { cmd: num(r, N.bpf.cmd) }, N.bpf));
    on('kill', (r) =>
      this.simple(r, 'kill', { pid: i32(num(r, N.kill.target)), sig: num(r, N.kill.sig) }, N.kill),
    );
    on('dup', (r) => this.dup(r));
    on('chdir', (r) => this.chdir(r));
    on('pgrp', (r) => this.pgrp(r));
    on('module', (r) => this.module(r));
    on('closeSocket', (r) => this.closeSocket(r));
  }

  /**
   * Whether `r` comes from a namespace whose container must be looked up first. A container
   * process that made itself a new namespace (unshare, clone) stays in its container, as its
   * cgroup says: that namespace is attributed at once (the process may be gone before anyone
   * could ask about it).
   */
  needsResolution(r: SensorRecord): boolean {
    const containers = this.o.containers;
    if (containers.isHost(r.mntns)) return false;
    const state = containers.lookup(r.mntns);
    if (state !== undefined && state !== 'unknown') return false;
    const known =
      this.table.get(r.pid) ?? (r.kind === KIND.clone ? this.table.get(num(r, N.clone.ppid)) : undefined);
    if (known !== undefined && known.mntns !== r.mntns) {
      const from = containers.lookup(known.mntns);
      if (from !== undefined && from !== 'unknown') {
        containers.adopt(r.mntns, from);
        return false;
      }
    }
    return state === 'unknown';
  }

  resolve(r: SensorRecord): Promise<void> {
    return this.o.containers.resolve(r.mntns, r.pid);
  }

  /**
   * Starts attributing a record's namespace as soon as the record arrives, before it waits in
   * the reorder window: a short-lived container may be gone by the time it is processed. A
   * namespace a process just created or entered is looked up again: namespace inodes are
   * reused as soon as they are freed, so the answer for a previous one cannot be trusted.
   */
  prefetch(r: SensorRecord): void {
    const containers = this.o.containers;
    if (containers.isHost(r.mntns)) return;
    const entering =
      (r.kind === KIND.namespace && num(r, N.namespace.ret) === 0) ||
      (r.kind === KIND.clone && (num(r, N.clone.flags) & CLONE_NEWNS) !== 0);
    if (entering) containers.invalidate(r.mntns);
    if (containers.lookup(r.mntns) === 'unknown') void containers.resolve(r.mntns, r.pid);
  }

  /** Applies a record; returns the event it makes, if it makes one and it is wanted. */
  process(r: SensorRecord): RuntimeEvent | undefined {
    return this.handlers[r.kind]?.(r);
  }

  private containerOf(entry: ProcEntry): ContainerRecord | undefined {
    const c = this.o.containers.lookup(entry.mntns);
    return c === 'unknown' ? undefined : c;
  }

  /** The process of a record, with its mount namespace kept current (setns, unshare). */
  private proc(r: SensorRecord): ProcEntry {
    const entry = this.table.obtain(r.pid, r.mntns);
    if (entry.mntns !== r.mntns && r.mntns !== 0) {
      entry.mntns = r.mntns;
      entry.snap = undefined;
    }
    return entry;
  }

  private event(
    r: SensorRecord,
    entry: ProcEntry,
    type: string,
    res: number | undefined,
    args: Args,
    fd?: FdInfo,
  ): RuntimeEvent | undefined {
    if (!this.o.wants(this.containerOf(entry)?.info)) return undefined;
    return createEvent({
      num: ++this.eventNum,
      ts: this.o.wallClock(r.ts),
      type,
      tid: r.tid,
      res,
      args,
      proc: this.table.snapshot(entry),
      fd,
    });
  }

  private str(r: SensorRecord, i: number): string {
    return r.s[i] ?? '';
  }

  /** The directory a path argument is relative to: the cwd, or the directory behind `dirfd`. */
  private base(entry: ProcEntry, dirfd: number): string | undefined {
    if (dirfd === AT_FDCWD) return this.cwdOf(entry);
    return entry.fds.get(dirfd)?.info.name;
  }

  private cwdOf(entry: ProcEntry): string | undefined {
    if (entry.cwd === undefined) {
      try {
        entry.cwd = readlinkSync(`${this.procRoot}/${entry.pid}/cwd`);
      } catch {
        // The process is gone; relative paths stay relative.
      }
    }
    return entry.cwd;
  }

  private fdInfo(entry: ProcEntry, fd: number): FdInfo | undefined {
    const known = entry.fds.get(fd)?.info;
    if (known !== undefined) return known;
    let target: string;
    try {
      target = readlinkSync(`${this.procRoot}/${entry.pid}/fd/${fd}`);
    } catch {
      return undefined;
    }
    if (!target.startsWith('/')) return undefined;
    const info = createFd({ num: fd, type: 'file', name: target });
    this.table.setFd(entry, fd, { info, cloexec: false });
    return info;
  }

  // --- lifecycle -------------------------------------------------------------------------

  private clone(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.clone;
    const ppid = num(r, F.ppid);
    const parent = this.table.obtain(ppid, r.mntns);
    const name = r.s[S.clone.comm] ?? parent.name;
    const child: ProcEntry = {
      ...parent,
      pid: r.pid,
      ppid,
      mntns: r.mntns,
      name,
      vpid: num(r, F.vpid) || undefined,
      vpgid: num(r, F.vpgid) || undefined,
      sid: num(r, F.vsid) || undefined,
      tty: num(r, F.tty),
      uid: num(r, F.uid),
      gid: num(r, F.gid),
      startTs: this.o.wallClock(num(r, F.start)),
      runtimeSetup: isRuntimeSetupName(name),
      fds: new Map(parent.fds),
      exitedAt: undefined,
      snap: undefined,
    };
    this.table.set(child);
    const args: Args = {
      exe: child.exe,
      args: child.args.join(' '),
      tid: r.tid,
      pid: r.pid,
      ptid: ppid,
      cwd: child.cwd ?? '',
      comm: name,
      flags: num(r, F.flags),
      uid: child.uid,
      gid: child.gid,
      vpid: child.vpid ?? r.pid,
    };
    return this.event(r, child, syscallName(num(r, F.nr), 'clone'), 0, args);
  }

  private exec(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.exec;
    const T = S.exec;
    const entry = this.proc(r);
    const argc = Math.min(num(r, F.argc), EXEC_ARGS_MAX);
    const argv: string[] = [];
    for (let i = 0; i < argc; i++) argv.push(r.s[T.arg0 + i] ?? '');
    const filename = this.str(r, T.filename);
    const comm = this.str(r, T.comm) || entry.name;
    entry.ppid = num(r, F.ppid);
    entry.name = comm;
    entry.exe = argv[0] ?? filename;
    entry.args = argv.slice(1);
    entry.uid = num(r, F.uid);
    entry.gid = num(r, F.gid);
    entry.loginUid = num(r, F.loginuid);
    entry.vpid = num(r, F.vpid) || undefined;
    entry.vpgid = num(r, F.vpgid) || undefined;
    entry.sid = num(r, F.vsid) || undefined;
    entry.tty = num(r, F.tty);
    entry.startTs ??= this.o.wallClock(num(r, F.start));
    entry.capEffective = BigInt(num(r, F.capEff));
    entry.capPermitted = BigInt(num(r, F.capPrm));
    entry.capInheritable = BigInt(num(r, F.capInh));
    const record = this.containerOf(entry);
    const facts = exeFacts({
      filename,
      cwd: this.cwdOf(entry),
      exeName: r.s[T.exeName],
      argv0: argv[0],
      nlink: num(r, F.exeNlink),
      ...(record?.rootDir === undefined ? {} : { rootDir: record.rootDir }),
      ...(record?.upperDir === undefined ? {} : { upperDir: record.upperDir }),
    });
    entry.exePath = facts.exePath;
    entry.exeFromMemfd = facts.fromMemfd;
    entry.exeUpperLayer = facts.upperLayer;
    entry.exeIno = num(r, F.exeIno) || facts.ino;
    entry.exeInoCtime = facts.ctime;
    entry.exeInoMtime = facts.mtime;
    entry.runtimeSetup = isRuntimeSetupName(comm);
    for (const [fd, f] of entry.fds) if (f.cloexec) entry.fds.delete(fd);
    entry.snap = undefined;
    let flags = 0;
    if (facts.fromMemfd) flags |= EXE_FROM_MEMFD;
    if (facts.upperLayer === true) flags |= EXE_UPPER_LAYER;
    else if (facts.upperLayer === false) flags |= EXE_LOWER_LAYER;
    const args: Args = {
      exe: entry.exe,
      args: entry.args.join(' '),
      tid: r.tid,
      pid: r.pid,
      ptid: entry.ppid,
      cwd: entry.cwd ?? '',
      comm,
      tty: entry.tty,
      vpgid: entry.vpgid ?? 0,
      loginuid: i32(entry.loginUid ?? -1),
      flags,
      cap_inheritable: entry.capInheritable,
      cap_permitted: entry.capPermitted,
      cap_effective: entry.capEffective,
      exe_ino: entry.exeIno ?? 0,
      exe_ino_ctime: entry.exeInoCtime ?? 0n,
      exe_ino_mtime: entry.exeInoMtime ?? 0n,
      uid: entry.uid,
      trusted_exepath: entry.exePath,
      gid: entry.gid,
    };
    return this.event(r, entry, syscallName(num(r, F.nr), 'execve'), 0, args);
  }

  private execFail(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.execFail;
    const entry = this.proc(r);
    const args: Args = {};
    if (num(r, F.ok) === 1) {
      const filename = this.str(r, S.execFail.filename);
      args.filename = filename;
      if (num(r, F.nr) === 322) {
        args.dirfd = i32(num(r, F.dirfd));
        args.flags = num(r, F.flags);
      }
    }
    return this.event(r, entry, syscallName(num(r, F.nr), 'execve'), num(r, F.ret), args);
  }

  private exit(r: SensorRecord): RuntimeEvent | undefined {
    const entry = this.table.get(r.pid);
    if (entry === undefined) return undefined;
    const code = num(r, N.exit.code);
    const event = this.event(r, entry, 'procexit', undefined, {
      status: code,
      ret: (code >> 8) & 0xff,
      sig: code & 0x7f,
      core: (code & 0x80) !== 0 ? 1 : 0,
    });
    this.table.exited(entry);
    return event;
  }

  private rename(r: SensorRecord): undefined {
    const entry = this.table.get(r.pid);
    if (entry === undefined) return undefined;
    const name = this.str(r, S.rename.comm);
    if (name === entry.name) return undefined;
    entry.name = name;
    entry.runtimeSetup = isRuntimeSetupName(name);
    entry.snap = undefined;
    return undefined;
  }

  // --- files -----------------------------------------------------------------------------

  private open(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.open;
    const entry = this.proc(r);
    const nr = num(r, F.nr);
    const type = syscallName(nr, 'open');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, { fd: ret });
    const raw = this.str(r, S.open.path);
    const dirfd = i32(num(r, F.dirfd));
    const flags = num(r, F.flags);
    const mode = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE ? num(r, F.mode) : 0;
    const name = resolvePath(this.base(entry, dirfd), raw);
    const imode = num(r, F.imode);
    const dir = ret >= 0 ? (imode & S_IFMT) === S_IFDIR : (flags & O_DIRECTORY) !== 0;
    const dev = ret >= 0 ? num(r, F.dev) : 0;
    const ino = ret >= 0 ? num(r, F.ino) : 0;
    const info = createFd({
      num: ret >= 0 ? ret : -1,
      type: dir ? 'directory' : 'file',
      name,
      nameRaw: raw,
      dev: ret >= 0 ? dev : undefined,
      ino: ret >= 0 ? ino : undefined,
    });
    if (ret >= 0) this.table.setFd(entry, ret, { info, cloexec: (flags & O_CLOEXEC) !== 0 });
    let args: Args;
    if (type === 'creat') args = { fd: ret, name: raw, mode, dev, ino };
    else if (type === 'open') args = { fd: ret, name: raw, flags, mode, dev, ino };
    else if (type === 'openat2') {
      args = { fd: ret, dirfd, name: raw, flags, mode, resolve: num(r, F.resolve), dev, ino };
    } else args = { fd: ret, dirfd, name: raw, flags, mode, dev, ino };
    return this.event(r, entry, type, ret, args, info);
  }

  private chmod(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.chmod;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'chmod');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const fd = i32(num(r, F.fd));
    const mode = num(r, F.mode);
    const path = this.str(r, S.chmod.path);
    if (type === 'fchmod') return this.event(r, entry, type, ret, { fd, mode }, this.fdInfo(entry, fd));
    if (type === 'chmod') return this.event(r, entry, type, ret, { filename: path, mode });
    const args: Args = { dirfd: fd, filename: path, mode };
    if (type === 'fchmodat2') args.flags = num(r, F.flags);
    return this.event(r, entry, type, ret, args);
  }

  private chown(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.chown;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'chown');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const fd = i32(num(r, F.fd));
    const uid = i32(num(r, F.uid));
    const gid = i32(num(r, F.gid));
    const path = this.str(r, S.chown.path);
    if (type === 'fchown') return this.event(r, entry, type, ret, { fd, uid, gid }, this.fdInfo(entry, fd));
    if (type === 'fchownat') {
      return this.event(r, entry, type, ret, { dirfd: fd, pathname: path, uid, gid, flags: num(r, F.flags) });
    }
    return this.event(r, entry, type, ret, { path, uid, gid });
  }

  private unlink(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.unlink;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'unlink');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const path = this.str(r, S.unlink.path);
    if (type === 'unlink') return this.event(r, entry, type, ret, { path });
    return this.event(r, entry, type, ret, {
      dirfd: i32(num(r, F.dirfd)),
      name: path,
      flags: num(r, F.flags),
    });
  }

  private renameFile(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.renameFile;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'rename');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const oldpath = this.str(r, S.renameFile.oldpath);
    const newpath = this.str(r, S.renameFile.newpath);
    if (type === 'rename') return this.event(r, entry, type, ret, { oldpath, newpath });
    const args: Args = {
      olddirfd: i32(num(r, F.olddirfd)),
      oldpath,
      newdirfd: i32(num(r, F.newdirfd)),
      newpath,
    };
    if (type === 'renameat2') args.flags = num(r, F.flags);
    return this.event(r, entry, type, ret, args);
  }

  private link(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.link;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'link');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const oldpath = this.str(r, S.link.oldpath);
    const newpath = this.str(r, S.link.newpath);
    const olddir = i32(num(r, F.olddirfd));
    const newdir = i32(num(r, F.newdirfd));
    switch (type) {
      case 'symlink':
        return this.event(r, entry, type, ret, { target: oldpath, linkpath: newpath });
      case 'symlinkat':
        return this.event(r, entry, type, ret, { target: oldpath, linkdirfd: newdir, linkpath: newpath });
      case 'linkat':
        return this.event(r, entry, type, ret, {
          olddir,
          oldpath,
          newdir,
          newpath,
          flags: num(r, F.flags),
        });
      default:
        return this.event(r, entry, type, ret, { oldpath, newpath });
    }
  }

  private chdir(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.chdir;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'chdir');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    if (type === 'fchdir') {
      const fd = i32(num(r, F.fd));
      const info = this.fdInfo(entry, fd);
      if (ret === 0 && info !== undefined) {
        entry.cwd = info.name;
        entry.snap = undefined;
      }
      return this.event(r, entry, type, ret, { fd }, info);
    }
    const path = this.str(r, S.chdir.path);
    if (ret === 0) {
      entry.cwd = resolvePath(this.cwdOf(entry), path);
      entry.snap = undefined;
    }
    return this.event(r, entry, type, ret, { path });
  }

  private memfd(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.memfd;
    const entry = this.proc(r);
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, 'memfd_create', ret, { fd: ret });
    const name = this.str(r, S.memfd.name);
    const flags = num(r, F.flags);
    let info: FdInfo | undefined;
    if (ret >= 0) {
      info = createFd({ num: ret, type: 'memfd', name: `memfd:${name}` });
      // MFD_CLOEXEC
      this.table.setFd(entry, ret, { info, cloexec: (flags & 1) !== 0 });
    }
    return this.event(r, entry, 'memfd_create', ret, { fd: ret, name, flags }, info);
  }

  // --- network ---------------------------------------------------------------------------

  private socket(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.socket;
    const entry = this.proc(r);
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, 'socket', ret, {});
    const domain = num(r, F.domain);
    const type = num(r, F.type);
    const proto = num(r, F.proto);
    let info: FdInfo | undefined;
    if (ret >= 0) {
      const l4 = l4proto(type, proto);
      info = createFd({ num: ret, type: socketType(domain), name: '', l4proto: l4 });
      this.table.setFd(entry, ret, { info, cloexec: (type & O_CLOEXEC) !== 0 });
    }
    return this.event(r, entry, 'socket', ret, { domain, type, proto }, info);
  }

  private connect(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.connect;
    const entry = this.proc(r);
    const ret = num(r, F.ret);
    const fd = i32(num(r, F.fd));
    if (num(r, F.ok) !== 1) return this.event(r, entry, 'connect', ret, { fd });
    const fam = num(r, F.fam);
    const known = entry.fds.get(fd);
    let info: FdInfo | undefined;
    if (fam === 1) {
      const path = (num(r, F.uabs) === 1 ? '@' : '') + this.str(r, S.connect.unixPath);
      info = createFd({ num: fd, type: 'unix', name: path, isServer: false, connected: ret === 0 });
    } else {
      const server = endpoint(
        fam,
        [num(r, F.a0), num(r, F.a1), num(r, F.a2), num(r, F.a3)],
        sockaddrPort(num(r, F.port)),
      );
      const client =
        endpoint(num(r, F.lfam), [num(r, F.l0), num(r, F.l1), num(r, F.l2), num(r, F.l3)], num(r, F.lport)) ??
        (server === undefined ? undefined : unspecified(server.family));
      if (server !== undefined && client !== undefined) {
        const proto = l4proto(num(r, F.stype), num(r, F.sproto)) ?? known?.info.l4proto;
        info = connectionFd(fd, client, server, false, proto, ret === 0);
      }
    }
    info ??= known?.info;
    if (info !== undefined && info !== known?.info && (ret === 0 || ret === EINPROGRESS)) {
      this.table.setFd(entry, fd, { info, cloexec: known?.cloexec ?? false });
    }
    return this.event(r, entry, 'connect', ret, { fd, tuple: info?.name ?? '' }, info);
  }

  private accept(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.accept;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'accept');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1 || ret < 0) return this.event(r, entry, type, ret, { fd: ret });
    const listening = entry.fds.get(i32(num(r, F.fd)));
    const fam = num(r, F.fam);
    let info: FdInfo | undefined;
    if (fam === 1) {
      info = createFd({
        num: ret,
        type: 'unix',
        name: listening?.info.name ?? '',
        isServer: true,
        connected: true,
      });
    } else {
      const local = endpoint(fam, [num(r, F.l0), num(r, F.l1), num(r, F.l2), num(r, F.l3)], num(r, F.lport));
      const peer = endpoint(
        fam,
        [num(r, F.r0), num(r, F.r1), num(r, F.r2), num(r, F.r3)],
        sockaddrPort(num(r, F.rport)),
      );
      if (local !== undefined && peer !== undefined) {
        info = connectionFd(ret, peer, local, true, l4proto(num(r, F.stype), num(r, F.sproto)), true);
      }
    }
    const flags = num(r, F.flags);
    if (info !== undefined) this.table.setFd(entry, ret, { info, cloexec: (flags & O_CLOEXEC) !== 0 });
    const args: Args = { fd: ret, tuple: info?.name ?? '' };
    if (type === 'accept4') args.flags = flags;
    return this.event(r, entry, type, ret, args, info);
  }

  private bind(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.bind;
    const entry = this.proc(r);
    const ret = num(r, F.ret);
    const fd = i32(num(r, F.fd));
    if (num(r, F.ok) !== 1) return this.event(r, entry, 'bind', ret, { fd });
    const fam = num(r, F.fam);
    const known = entry.fds.get(fd);
    let addr = '';
    let info: FdInfo | undefined = known?.info;
    if (fam === 1) {
      addr = (num(r, F.uabs) === 1 ? '@' : '') + this.str(r, S.bind.unixPath);
      info = createFd({ num: fd, type: 'unix', name: addr, isServer: true });
    } else {
      const local = endpoint(
        fam,
        [num(r, F.a0), num(r, F.a1), num(r, F.a2), num(r, F.a3)],
        sockaddrPort(num(r, F.port)),
      );
      if (local !== undefined) {
        addr = endpointText(local);
        info = createFd({
          num: fd,
          type: local.family,
          name: addr,
          sip: local.ip,
          sport: local.port,
          isServer: true,
          l4proto: l4proto(num(r, F.stype), num(r, F.sproto)),
        });
      }
    }
    if (ret === 0 && info !== undefined)
      this.table.setFd(entry, fd, { info, cloexec: known?.cloexec ?? false });
    return this.event(r, entry, 'bind', ret, { fd, addr }, info);
  }

  private listen(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.listen;
    const entry = this.proc(r);
    const fd = i32(num(r, F.fd));
    const args: Args = num(r, F.ok) === 1 ? { fd, backlog: i32(num(r, F.backlog)) } : {};
    return this.event(r, entry, 'listen', num(r, F.ret), args, entry.fds.get(fd)?.info);
  }

  private dup(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.dup;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'dup');
    const ret = num(r, F.ret);
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const oldfd = i32(num(r, F.oldfd));
    const source = this.fdInfo(entry, oldfd);
    let info: FdInfo | undefined;
    if (ret >= 0 && source !== undefined) {
      info = createFd({ ...source, num: ret });
      const cloexec = type === 'dup3' && (num(r, F.flags) & O_CLOEXEC) !== 0;
      this.table.setFd(entry, ret, { info, cloexec });
    }
    const args: Args =
      type === 'dup'
        ? { oldfd }
        : type === 'dup2'
          ? { oldfd, newfd: i32(num(r, F.newfd)) }
          : { oldfd, newfd: i32(num(r, F.newfd)), flags: num(r, F.flags) };
    return this.event(r, entry, type, ret, args, info);
  }

  private closeSocket(r: SensorRecord): undefined {
    this.table.get(r.pid)?.fds.delete(i32(num(r, N.closeSocket.fd)));
    return undefined;
  }

  // --- privileges, processes, kernel -----------------------------------------------------

  private simple(
    r: SensorRecord,
    type: string,
    args: Args,
    F: { readonly ok: number; readonly ret: number },
  ) {
    const entry = this.proc(r);
    return this.event(r, entry, type, num(r, F.ret), num(r, F.ok) === 1 ? args : {});
  }

  private ptrace(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.ptrace;
    return this.simple(r, 'ptrace', { request: num(r, F.request), pid: i32(num(r, F.target)) }, F);
  }

  private setid(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.setid;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'setuid');
    const ret = num(r, F.ret);
    if (ret === 0 && (num(r, F.euid) !== entry.uid || num(r, F.egid) !== entry.gid)) {
      entry.uid = num(r, F.euid);
      entry.gid = num(r, F.egid);
      entry.snap = undefined;
    }
    if (num(r, F.ok) !== 1) return this.event(r, entry, type, ret, {});
    const [a0, a1, a2] = [i32(num(r, F.a0)), i32(num(r, F.a1)), i32(num(r, F.a2))];
    const args: Record<string, Args> = {
      setuid: { uid: a0 },
      setgid: { gid: a0 },
      setreuid: { ruid: a0, euid: a1 },
      setregid: { rgid: a0, egid: a1 },
      setresuid: { ruid: a0, euid: a1, suid: a2 },
      setresgid: { rgid: a0, egid: a1, sgid: a2 },
    };
    return this.event(r, entry, type, ret, args[type] ?? {});
  }

  private mount(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.mount;
    const T = S.mount;
    return this.simple(
      r,
      'mount',
      {
        dev: this.str(r, T.source),
        dir: this.str(r, T.target),
        type: this.str(r, T.fstype),
        flags: num(r, F.flags),
      },
      F,
    );
  }

  private umount(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.umount;
    const type = syscallName(num(r, F.nr), 'umount2');
    return this.simple(r, type, { name: this.str(r, S.umount.target), flags: num(r, F.flags) }, F);
  }

  private namespace(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.namespace;
    const type = syscallName(num(r, F.nr), 'unshare');
    const args: Args =
      type === 'setns' ? { fd: i32(num(r, F.a0)), nstype: num(r, F.a1) } : { flags: num(r, F.a0) };
    return this.simple(r, type, args, F);
  }

  private pgrp(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.pgrp;
    const entry = this.proc(r);
    const type = syscallName(num(r, F.nr), 'setsid');
    const ret = num(r, F.ret);
    if (type === 'setsid') {
      if (ret > 0) {
        entry.sid = ret;
        entry.vpgid = ret;
        entry.snap = undefined;
      }
      return this.event(r, entry, type, ret, {});
    }
    const target = i32(num(r, F.target));
    const pgid = i32(num(r, F.pgid));
    if (num(r, F.ok) === 1 && ret === 0 && (target === 0 || target === entry.vpid)) {
      entry.vpgid = pgid === 0 ? entry.vpid : pgid;
      entry.snap = undefined;
    }
    return this.event(r, entry, type, ret, num(r, F.ok) === 1 ? { pid: target, pgid } : {});
  }

  private module(r: SensorRecord): RuntimeEvent | undefined {
    const F = N.module;
    const type = syscallName(num(r, F.nr), 'init_module');
    const args: Args =
      type === 'finit_module' ? { fd: i32(num(r, F.fd)), flags: num(r, F.flags) } : { length: num(r, F.len) };
    return this.simple(r, type, args, F);
  }
}

/** The wildcard address of a family, for a socket whose local end is not bound yet. */
function unspecified(family: Endpoint['family']): Endpoint {
  return { family, ip: family === 'ipv4' ? '0.0.0.0' : '::', port: 0 };
}
