import { renderCapabilities } from '../../event/render.js';
import type { ProcessInfo, RuntimeEvent } from '../../event/types.js';
import { type FieldDef, indexed, keyed, plain, type Scalar } from './field.js';

/** The process `n` generations up (0 is the process itself). */
function ancestor(p: ProcessInfo, n: number): ProcessInfo | undefined {
  let q: ProcessInfo | undefined = p;
  for (let i = 0; i < n && q !== undefined; i++) q = q.parent;
  return q;
}

/** "Any ancestor" (the process itself excluded) satisfies `test` on `pick`. */
function someAncestor<T extends Scalar>(
  pick: (p: ProcessInfo) => T | undefined,
): (e: RuntimeEvent, test: (v: Scalar) => boolean) => boolean {
  return (e, test) => {
    for (let q = e.proc.parent; q !== undefined; q = q.parent) {
      const v = pick(q);
      if (v !== undefined && test(v)) return true;
    }
    return false;
  };
}

function ancestorField<T extends Scalar>(
  name: string,
  type: 'string' | 'int',
  desc: string,
  pick: (p: ProcessInfo) => T | undefined,
): FieldDef {
  return indexed(
    name,
    type,
    desc,
    (e, n) => {
      const q = ancestor(e.proc, n);
      return q === undefined ? undefined : pick(q);
    },
    someAncestor(pick),
  );
}

/**
 * The leader of the process's session (or process group): the eldest ancestor sharing the id,
 * as libsinsp finds it when the leader itself has exited or lives in another PID namespace.
 */
function groupLeader(p: ProcessInfo, id: (q: ProcessInfo) => number | undefined): ProcessInfo | undefined {
  const wanted = id(p);
  if (wanted === undefined) return undefined;
  let leader = p;
  for (let q = p.parent; q !== undefined && id(q) === wanted; q = q.parent) leader = q;
  return leader;
}

const sessionLeader = (p: ProcessInfo) => groupLeader(p, (q) => q.sid);
const groupLeaderOf = (p: ProcessInfo) => groupLeader(p, (q) => q.vpgid);

function envValue(p: ProcessInfo, key: string): string | undefined {
  if (p.env === undefined) return undefined;
  const prefix = `${key}=`;
  for (const entry of p.env) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}

function since(e: RuntimeEvent, start: bigint | undefined): number | undefined {
  return start === undefined ? undefined : Number(e.ts - start);
}

const vpid = (p: ProcessInfo): number => p.vpid ?? p.pid;

export const PROC_FIELDS: readonly FieldDef[] = [
  plain('proc.exe', 'string', 'argv[0] of the process', (e) => e.proc.exe),
  plain('proc.pexe', 'string', 'argv[0] of the parent', (e) => e.proc.parent?.exe),
  ancestorField(
    'proc.aexe',
    'string',
    'argv[0] of an ancestor (proc.aexe[2]); without index: any ancestor',
    (p) => p.exe,
  ),
  plain('proc.exepath', 'string', 'full path of the executable', (e) => e.proc.exePath),
  plain('proc.pexepath', 'string', 'full executable path of the parent', (e) => e.proc.parent?.exePath),
  ancestorField('proc.aexepath', 'string', 'full executable path of an ancestor', (p) => p.exePath),
  plain('proc.name', 'string', 'process name (comm, up to 15 characters)', (e) => e.proc.name),
  plain('proc.pname', 'string', 'name of the parent', (e) => e.proc.parent?.name),
  ancestorField(
    'proc.aname',
    'string',
    'name of an ancestor (proc.aname[2]); without index: any ancestor',
    (p) => p.name,
  ),
  plain('proc.args', 'string', 'arguments, argv[0] excluded, space separated', (e) => e.proc.argsLine),
  plain('proc.cmdline', 'string', 'process name followed by its arguments', (e) => e.proc.cmdline),
  plain('proc.pcmdline', 'string', 'command line of the parent', (e) => e.proc.parent?.cmdline),
  ancestorField('proc.acmdline', 'string', 'command line of an ancestor', (p) => p.cmdline),
  plain('proc.cmdnargs', 'int', 'number of arguments', (e) => e.proc.args.length),
  plain('proc.cmdlenargs', 'int', 'total length of the arguments', (e) => {
    let n = 0;
    for (const a of e.proc.args) n += a.length;
    return n;
  }),
  plain(
    'proc.exeline',
    'string',
    'argv[0] followed by the arguments',
    (e) => `${e.proc.exe} ${e.proc.argsLine}`,
  ),
  keyed(
    'proc.env',
    'string',
    'environment (space separated); proc.env[NAME] is one variable',
    (e, key) => envValue(e.proc, key),
    (e) => e.proc.env?.join(' '),
  ),
  plain('proc.cwd', 'string', 'current working directory', (e) => e.proc.cwd),
  plain('proc.loginshellid', 'int', 'pid of the eldest shell among the process and its ancestors', (e) => {
    let found: number | undefined;
    for (let q: ProcessInfo | undefined = e.proc; q !== undefined; q = q.parent) {
      if (q.name.endsWith('sh')) found = q.pid;
    }
    return found;
  }),
  plain('proc.tty', 'int', 'controlling terminal (0 for none)', (e) => e.proc.tty),
  plain('proc.pid', 'int', 'process id', (e) => e.proc.pid),
  plain('proc.ppid', 'int', 'parent process id', (e) => e.proc.ppid),
  ancestorField('proc.apid', 'int', 'pid of an ancestor', (p) => p.pid),
  plain('proc.vpid', 'int', 'process id in its PID namespace', (e) => e.proc.vpid),
  plain('proc.pvpid', 'int', 'parent process id in its PID namespace', (e) => e.proc.parent?.vpid),
  plain('proc.sid', 'int', 'session id', (e) => e.proc.sid),
  plain('proc.sname', 'string', 'name of the session leader', (e) => sessionLeader(e.proc)?.name),
  plain('proc.sid.exe', 'string', 'argv[0] of the session leader', (e) => sessionLeader(e.proc)?.exe),
  plain(
    'proc.sid.exepath',
    'string',
    'executable path of the session leader',
    (e) => sessionLeader(e.proc)?.exePath,
  ),
  plain('proc.vpgid', 'int', 'process group id in the PID namespace', (e) => e.proc.vpgid),
  plain('proc.vpgid.name', 'string', 'name of the process group leader', (e) => groupLeaderOf(e.proc)?.name),
  plain('proc.vpgid.exe', 'string', 'argv[0] of the process group leader', (e) => groupLeaderOf(e.proc)?.exe),
  plain(
    'proc.vpgid.exepath',
    'string',
    'executable path of the process group leader',
    (e) => groupLeaderOf(e.proc)?.exePath,
  ),
  plain('proc.duration', 'reltime', 'nanoseconds since the process started', (e) => since(e, e.proc.startTs)),
  plain('proc.ppid.duration', 'reltime', 'nanoseconds since the parent started', (e) =>
    since(e, e.proc.parent?.startTs),
  ),
  plain('proc.pid.ts', 'abstime', 'process start time (ns since the epoch)', (e) => e.proc.startTs),
  plain('proc.ppid.ts', 'abstime', 'parent start time (ns since the epoch)', (e) => e.proc.parent?.startTs),
  plain(
    'proc.is_exe_writable',
    'bool',
    "'true' if the executable is writable by the process's user",
    (e) => e.proc.exeWritable === true,
  ),
  plain(
    'proc.is_exe_upper_layer',
    'bool',
    "'true' if the executable is in the container's upper (writable) layer",
    (e) => e.proc.exeUpperLayer === true,
  ),
  plain(
    'proc.is_exe_from_memfd',
    'bool',
    "'true' if the executable is a memfd_create() file",
    (e) => e.proc.exeFromMemfd === true,
  ),
  plain(
    'proc.is_sid_leader',
    'bool',
    "'true' if the process leads its session",
    (e) => e.proc.sid === vpid(e.proc),
  ),
  plain(
    'proc.is_vpgid_leader',
    'bool',
    "'true' if the process leads its process group",
    (e) => e.proc.vpgid === vpid(e.proc),
  ),
  plain('proc.exe_ino', 'int', 'inode number of the executable', (e) => e.proc.exeIno),
  plain('proc.exe_ino.ctime', 'abstime', 'status change time of the executable', (e) => e.proc.exeInoCtime),
  plain('proc.exe_ino.mtime', 'abstime', 'modification time of the executable', (e) => e.proc.exeInoMtime),
  plain(
    'proc.exe_ino.ctime_duration_proc_start',
    'reltime',
    'ns between the executable ctime and the process start',
    (e) => {
      const { exeInoCtime: ctime, startTs } = e.proc;
      return ctime === undefined || startTs === undefined ? undefined : Number(startTs - ctime);
    },
  ),
  plain(
    'proc.exe_ino.ctime_duration_pidns_start',
    'reltime',
    'ns between the PID namespace start and the executable ctime',
    (e) => {
      const { exeInoCtime: ctime, pidnsInitStartTs: nsStart } = e.proc;
      return ctime === undefined || nsStart === undefined || nsStart > ctime
        ? undefined
        : Number(ctime - nsStart);
    },
  ),
  plain(
    'proc.pidns_init_start_ts',
    'abstime',
    'start time of the PID namespace',
    (e) => e.proc.pidnsInitStartTs,
  ),
  plain(
    'proc.is_container_healthcheck',
    'bool',
    "'true' for container health check processes",
    (e) => e.proc.category === 'healthcheck',
  ),
  plain(
    'proc.is_container_liveness_probe',
    'bool',
    "'true' for liveness probe processes",
    (e) => e.proc.category === 'liveness',
  ),
  plain(
    'proc.is_container_readiness_probe',
    'bool',
    "'true' for readiness probe processes",
    (e) => e.proc.category === 'readiness',
  ),
  plain('thread.tid', 'int', 'thread id', (e) => e.tid),
  plain('thread.vtid', 'int', 'thread id in its PID namespace', (e) => e.vtid),
  plain('thread.ismain', 'bool', "'true' for the main thread of the process", (e) => e.tid === e.proc.pid),
  plain('thread.cap_effective', 'string', 'effective capabilities', (e) =>
    e.proc.capEffective === undefined ? undefined : renderCapabilities(e.proc.capEffective),
  ),
  plain('thread.cap_permitted', 'string', 'permitted capabilities', (e) =>
    e.proc.capPermitted === undefined ? undefined : renderCapabilities(e.proc.capPermitted),
  ),
  plain('thread.cap_inheritable', 'string', 'inheritable capabilities', (e) =>
    e.proc.capInheritable === undefined ? undefined : renderCapabilities(e.proc.capInheritable),
  ),
];
