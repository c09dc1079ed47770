import type { ContainerInfo, FdInfo, GroupInfo, ProcessInfo, RuntimeEvent, UserInfo } from './types.js';

/**
 * Constructors for the event model. Each builds its object with every property present, in
 * one order, so all events (and all processes, fds, containers) share one hidden class: rule
 * closures then read `e.proc.name` or `e.fd.name` through monomorphic property loads, which is
 * a large part of why evaluation is fast. Sensors and decoders should build through these.
 */

/** What a sensor knows about a process; derived command-line strings are filled in here. */
export type ProcessInit = Omit<ProcessInfo, 'cmdline' | 'argsLine' | 'exe' | 'exePath' | 'args' | 'tty'> & {
  readonly exe?: string;
  readonly exePath?: string;
  readonly args?: readonly string[];
  readonly tty?: number;
};

const user = (u: UserInfo): UserInfo => ({ uid: u.uid, name: u.name, homedir: u.homedir, shell: u.shell });
const group = (g: GroupInfo): GroupInfo => ({ gid: g.gid, name: g.name });

/**
 * Builds a process snapshot. The space-joined strings are computed once here because every
 * rule that looks at `proc.cmdline` or `proc.args` would otherwise rebuild them per event.
 */
export function createProcess(p: ProcessInit): ProcessInfo {
  const args = p.args ?? [];
  const argsLine = args.join(' ');
  return {
    pid: p.pid,
    ppid: p.ppid,
    vpid: p.vpid,
    name: p.name,
    exe: p.exe ?? p.name,
    exePath: p.exePath ?? p.exe ?? p.name,
    args,
    cmdline: argsLine.length > 0 ? `${p.name} ${argsLine}` : p.name,
    argsLine,
    env: p.env,
    cwd: p.cwd,
    tty: p.tty ?? 0,
    sid: p.sid,
    vpgid: p.vpgid,
    startTs: p.startTs,
    user: user(p.user),
    group: group(p.group),
    loginUid: p.loginUid,
    loginUser: p.loginUser,
    capEffective: p.capEffective,
    capPermitted: p.capPermitted,
    capInheritable: p.capInheritable,
    exeWritable: p.exeWritable,
    exeUpperLayer: p.exeUpperLayer,
    exeFromMemfd: p.exeFromMemfd,
    exeIno: p.exeIno,
    exeInoCtime: p.exeInoCtime,
    exeInoMtime: p.exeInoMtime,
    pidnsInitStartTs: p.pidnsInitStartTs,
    category: p.category,
    runtimeSetup: p.runtimeSetup,
    parent: p.parent,
    container: p.container,
  };
}

/** A copy of `proc` with some fields changed (exec, setuid, chdir): a new snapshot. */
export function updateProcess(proc: ProcessInfo, change: Partial<ProcessInit>): ProcessInfo {
  return createProcess({ ...proc, ...change });
}

export type EventInit = Omit<RuntimeEvent, 'dir'> & { readonly dir?: '<' | '>' };

export function createEvent(e: EventInit): RuntimeEvent {
  return {
    num: e.num,
    ts: e.ts,
    type: e.type,
    dir: e.dir ?? '<',
    tid: e.tid,
    vtid: e.vtid,
    cpu: e.cpu,
    res: e.res,
    args: e.args,
    proc: e.proc,
    fd: e.fd,
  };
}

export function createFd(f: FdInfo): FdInfo {
  return {
    num: f.num,
    type: f.type,
    name: f.name,
    nameRaw: f.nameRaw,
    l4proto: f.l4proto,
    cip: f.cip,
    cport: f.cport,
    sip: f.sip,
    sport: f.sport,
    isServer: f.isServer,
    connected: f.connected,
    nameChanged: f.nameChanged,
    cipName: f.cipName,
    sipName: f.sipName,
    dev: f.dev,
    ino: f.ino,
  };
}

export function createContainer(c: ContainerInfo): ContainerInfo {
  return {
    id: c.id,
    fullId: c.fullId,
    name: c.name,
    image: c.image,
    imageId: c.imageId,
    imageRepository: c.imageRepository,
    imageTag: c.imageTag,
    imageDigest: c.imageDigest,
    type: c.type,
    privileged: c.privileged,
    labels: c.labels,
    mounts: c.mounts,
    startTs: c.startTs,
    ip: c.ip,
    hostPid: c.hostPid,
    hostNetwork: c.hostNetwork,
    hostIpc: c.hostIpc,
  };
}
