/**
 * The runtime event model: one system call (or meta event) as the sensor saw it, already
 * enriched with the process, file descriptor and container it concerns.
 *
 * Cost model: a sensor fills an event with raw numbers and references to objects it already
 * holds (the process table entry, the fd table entry, the container record), so building an
 * event is a handful of stores and field extraction is a pointer walk. Everything derived
 * (command lines, flag names, directories) is computed by the consumer, on demand.
 *
 * Process, fd and container objects are immutable snapshots: when a process changes
 * (exec, setuid, chdir) the sensor replaces its table entry with a new object. Events keep
 * the snapshot that was current when they happened, and the recorder can intern snapshots
 * by identity.
 */

/** A raw system call parameter: numbers as the kernel returned them, strings for paths. */
export type ArgValue = string | number | bigint | Uint8Array;

/** Linux semantics everywhere: raw kernel flag bits, negative errno results. */
export interface RuntimeEvent {
  /** Monotonic event number assigned by the sensor (evt.num). */
  readonly num: number;
  /** Wall-clock time in nanoseconds since the Unix epoch. */
  readonly ts: bigint;
  /** Event type without direction: a system call name (`openat`) or a meta event (`procexit`). */
  readonly type: string;
  /** `<` for syscall exit (the default and what rules expect), `>` for entry. */
  readonly dir: '<' | '>';
  /** Thread id that issued the call; equals `proc.pid` for the main thread. */
  readonly tid: number;
  /** Thread id as seen from its own PID namespace, when known. */
  readonly vtid?: number;
  readonly cpu?: number;
  /** Return value: >= 0 on success (fd, pid, byte count), -errno on failure. */
  readonly res?: number;
  /**
   * Parameters by their libsinsp names (`flags`, `name`, `request`, `domain`, `target`...).
   * Insertion order is the parameter order (`evt.arg[0]` is the first key).
   */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** The process issuing the call; for execve exits, the process after the exec. */
  readonly proc: ProcessInfo;
  /** The file descriptor the call created or used (for failed opens: num -1, name = path). */
  readonly fd?: FdInfo;
}

export interface UserInfo {
  readonly uid: number;
  /** Resolved from the container's own /etc/passwd (the host's for host processes). */
  readonly name?: string;
  readonly homedir?: string;
  readonly shell?: string;
}

export interface GroupInfo {
  readonly gid: number;
  readonly name?: string;
}

export type ProcessCategory = 'healthcheck' | 'liveness' | 'readiness';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** pid as seen from the process's own PID namespace (1 for a container's init). */
  readonly vpid?: number;
  /** Kernel task name (`comm`), at most 15 characters. */
  readonly name: string;
  /** argv[0]. */
  readonly exe: string;
  /** Full path of the executable file. */
  readonly exePath: string;
  /** argv[1..]. */
  readonly args: readonly string[];
  /** `name` followed by the arguments, space separated (proc.cmdline). */
  readonly cmdline: string;
  /** The arguments, space separated (proc.args). */
  readonly argsLine: string;
  readonly env?: readonly string[];
  readonly cwd?: string;
  /** Controlling terminal device number, 0 without a terminal. */
  readonly tty: number;
  readonly sid?: number;
  readonly vpgid?: number;
  /** Process start (clone) time, ns since the epoch. */
  readonly startTs?: bigint;
  readonly user: UserInfo;
  readonly group: GroupInfo;
  /** Audit login uid; -1 (or 4294967295) when unset. */
  readonly loginUid?: number;
  readonly loginUser?: string;
  /** Capability bit masks. */
  readonly capEffective?: bigint;
  readonly capPermitted?: bigint;
  readonly capInheritable?: bigint;
  readonly exeWritable?: boolean;
  /** The executable lives in the writable upper layer of the container's overlay file system. */
  readonly exeUpperLayer?: boolean;
  readonly exeFromMemfd?: boolean;
  readonly exeIno?: number;
  readonly exeInoCtime?: bigint;
  readonly exeInoMtime?: bigint;
  readonly pidnsInitStartTs?: bigint;
  readonly category?: ProcessCategory;
  /** Set by the sensor for the container runtime's own setup processes (runc init). */
  readonly runtimeSetup?: boolean;
  /** The parent process snapshot, absent for the root of the known tree. */
  readonly parent?: ProcessInfo;
  /** Absent for host processes. */
  readonly container?: ContainerInfo;
}

export type FdType =
  | 'file'
  | 'directory'
  | 'ipv4'
  | 'ipv6'
  | 'unix'
  | 'pipe'
  | 'event'
  | 'signalfd'
  | 'eventpoll'
  | 'inotify'
  | 'timerfd'
  | 'netlink'
  | 'bpf'
  | 'userfaultfd'
  | 'io_uring'
  | 'memfd'
  | 'pidfd'
  | 'unknown';

export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'raw';

export interface FdInfo {
  /** -1 when the call that should have produced the fd failed. */
  readonly num: number;
  readonly type: FdType;
  /** Absolute path for files; `cip:cport->sip:sport` for IP sockets; path for unix sockets. */
  readonly name: string;
  /** The path exactly as passed to the call (relative, with `..`), for files. */
  readonly nameRaw?: string;
  readonly l4proto?: L4Proto;
  /** Client/server addresses in canonical text form (IPv4 dotted, IPv6 RFC 5952). */
  readonly cip?: string;
  readonly cport?: number;
  readonly sip?: string;
  readonly sport?: number;
  /** The process owns the server side of the connection. */
  readonly isServer?: boolean;
  readonly connected?: boolean;
  /** The event changed the fd's name (a UDP socket's tuple, for instance). */
  readonly nameChanged?: boolean;
  /** Domain names for the addresses, when a resolver knows them. */
  readonly cipName?: string;
  readonly sipName?: string;
  readonly dev?: number;
  readonly ino?: number;
}

export interface ContainerMount {
  readonly source: string;
  readonly dest: string;
  readonly mode?: string;
  readonly rw?: boolean;
  readonly propagation?: string;
}

export interface ContainerInfo {
  /** Short (12 character) id, like `docker ps`. */
  readonly id: string;
  readonly fullId: string;
  readonly name: string;
  /** Image reference as configured (`repo:tag` or `repo@digest`). */
  readonly image: string;
  readonly imageId?: string;
  readonly imageRepository?: string;
  readonly imageTag?: string;
  readonly imageDigest?: string;
  /** Container runtime: `docker`, `containerd`, `cri-o`... */
  readonly type: string;
  readonly privileged?: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts?: readonly ContainerMount[];
  readonly startTs?: bigint;
  readonly ip?: string;
  readonly hostPid?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostIpc?: boolean;
}
