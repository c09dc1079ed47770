/**
 * Names for the numeric system call parameters rules match on as text (`evt.arg.flags contains
 * O_TRUNC`, `evt.arg.request contains PTRACE_ATTACH`, `evt.arg.domain contains AF_PACKET`).
 * Values are the raw x86_64 Linux ones a sensor reads from the kernel.
 */

/** Bit flags: every set bit (or bit group) with a name is listed; `mask` 0 means exact bit. */
export interface FlagTable {
  readonly kind: 'flags';
  readonly entries: readonly (readonly [number, string])[];
}

/** Enumerations: exactly one name per value. */
export interface EnumTable {
  readonly kind: 'enum';
  readonly names: ReadonlyMap<number, string>;
}

export type NameTable = FlagTable | EnumTable;

const flags = (entries: readonly (readonly [number, string])[]): FlagTable => ({ kind: 'flags', entries });
const enumOf = (entries: readonly (readonly [number, string])[]): EnumTable => ({
  kind: 'enum',
  names: new Map(entries),
});

export const O_ACCMODE = 0o3;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_TRUNC = 0o1000;
export const O_TMPFILE = 0o20200000;

/** The access mode is not a bit set, so it is named separately by {@link renderOpenFlags}. */
export const OPEN_FLAGS = flags([
  [0o100, 'O_CREAT'],
  [0o200, 'O_EXCL'],
  [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o4010000, 'O_SYNC'],
  [0o10000, 'O_DSYNC'],
  [0o20000, 'O_ASYNC'],
  [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'],
  [0o20200000, 'O_TMPFILE'],
  [0o200000, 'O_DIRECTORY'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o10000000, 'O_PATH'],
]);

/** File mode bits, named as Falco renders them (`evt.arg.mode contains S_ISUID`). */
export const MODE_FLAGS = flags([
  [0o1, 'S_IXOTH'],
  [0o2, 'S_IWOTH'],
  [0o4, 'S_IROTH'],
  [0o10, 'S_IXGRP'],
  [0o20, 'S_IWGRP'],
  [0o40, 'S_IRGRP'],
  [0o100, 'S_IXUSR'],
  [0o200, 'S_IWUSR'],
  [0o400, 'S_IRUSR'],
  [0o1000, 'S_ISVTX'],
  [0o2000, 'S_ISGID'],
  [0o4000, 'S_ISUID'],
]);

/** Flags the sensor reports on execve/execveat exits (libsinsp's exe flags). */
export const EXE_WRITABLE = 1;
export const EXE_UPPER_LAYER = 2;
export const EXE_FROM_MEMFD = 4;
export const EXE_LOWER_LAYER = 8;
export const EXE_FLAGS = flags([
  [EXE_WRITABLE, 'EXE_WRITABLE'],
  [EXE_UPPER_LAYER, 'EXE_UPPER_LAYER'],
  [EXE_FROM_MEMFD, 'EXE_FROM_MEMFD'],
  [EXE_LOWER_LAYER, 'EXE_LOWER_LAYER'],
]);

export const PTRACE_REQUESTS = enumOf([
  [0, 'PTRACE_TRACEME'],
  [1, 'PTRACE_PEEKTEXT'],
  [2, 'PTRACE_PEEKDATA'],
  [3, 'PTRACE_PEEKUSR'],
  [4, 'PTRACE_POKETEXT'],
  [5, 'PTRACE_POKEDATA'],
  [6, 'PTRACE_POKEUSR'],
  [7, 'PTRACE_CONT'],
  [8, 'PTRACE_KILL'],
  [9, 'PTRACE_SINGLESTEP'],
  [12, 'PTRACE_GETREGS'],
  [13, 'PTRACE_SETREGS'],
  [14, 'PTRACE_GETFPREGS'],
  [15, 'PTRACE_SETFPREGS'],
  [16, 'PTRACE_ATTACH'],
  [17, 'PTRACE_DETACH'],
  [18, 'PTRACE_GETFPXREGS'],
  [19, 'PTRACE_SETFPXREGS'],
  [24, 'PTRACE_SYSCALL'],
  [30, 'PTRACE_ARCH_PRCTL'],
  [31, 'PTRACE_SYSEMU'],
  [32, 'PTRACE_SYSEMU_SINGLESTEP'],
  [33, 'PTRACE_SINGLEBLOCK'],
  [0x4200, 'PTRACE_SETOPTIONS'],
  [0x4201, 'PTRACE_GETEVENTMSG'],
  [0x4202, 'PTRACE_GETSIGINFO'],
  [0x4203, 'PTRACE_SETSIGINFO'],
  [0x4204, 'PTRACE_GETREGSET'],
  [0x4205, 'PTRACE_SETREGSET'],
  [0x4206, 'PTRACE_SEIZE'],
  [0x4207, 'PTRACE_INTERRUPT'],
  [0x4208, 'PTRACE_LISTEN'],
  [0x4209, 'PTRACE_PEEKSIGINFO'],
  [0x420a, 'PTRACE_GETSIGMASK'],
  [0x420b, 'PTRACE_SETSIGMASK'],
  [0x420c, 'PTRACE_SECCOMP_GET_FILTER'],
  [0x420d, 'PTRACE_SECCOMP_GET_METADATA'],
  [0x420e, 'PTRACE_GET_SYSCALL_INFO'],
]);

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_UNIX = 1;
export const SOCKET_FAMILIES = enumOf([
  [0, 'AF_UNSPEC'],
  [1, 'AF_UNIX'],
  [2, 'AF_INET'],
  [3, 'AF_AX25'],
  [4, 'AF_IPX'],
  [5, 'AF_APPLETALK'],
  [6, 'AF_NETROM'],
  [7, 'AF_BRIDGE'],
  [8, 'AF_ATMPVC'],
  [9, 'AF_X25'],
  [10, 'AF_INET6'],
  [11, 'AF_ROSE'],
  [12, 'AF_DECnet'],
  [13, 'AF_NETBEUI'],
  [14, 'AF_SECURITY'],
  [15, 'AF_KEY'],
  [16, 'AF_NETLINK'],
  [17, 'AF_PACKET'],
  [18, 'AF_ASH'],
  [19, 'AF_ECONET'],
  [20, 'AF_ATMSVC'],
  [21, 'AF_RDS'],
  [22, 'AF_SNA'],
  [23, 'AF_IRDA'],
  [24, 'AF_PPPOX'],
  [25, 'AF_WANPIPE'],
  [26, 'AF_LLC'],
  [27, 'AF_IB'],
  [28, 'AF_MPLS'],
  [29, 'AF_CAN'],
  [30, 'AF_TIPC'],
  [31, 'AF_BLUETOOTH'],
  [32, 'AF_IUCV'],
  [33, 'AF_RXRPC'],
  [34, 'AF_ISDN'],
  [35, 'AF_PHONET'],
  [36, 'AF_IEEE802154'],
  [37, 'AF_CAIF'],
  [38, 'AF_ALG'],
  [39, 'AF_NFC'],
  [40, 'AF_VSOCK'],
  [41, 'AF_KCM'],
  [42, 'AF_QIPCRTR'],
  [43, 'AF_SMC'],
  [44, 'AF_XDP'],
  [45, 'AF_MCTP'],
]);

const SOCKET_TYPE_NAMES = new Map<number, string>([
  [1, 'SOCK_STREAM'],
  [2, 'SOCK_DGRAM'],
  [3, 'SOCK_RAW'],
  [4, 'SOCK_RDM'],
  [5, 'SOCK_SEQPACKET'],
  [6, 'SOCK_DCCP'],
  [10, 'SOCK_PACKET'],
]);

export const SIGNALS = enumOf([
  [1, 'SIGHUP'],
  [2, 'SIGINT'],
  [3, 'SIGQUIT'],
  [4, 'SIGILL'],
  [5, 'SIGTRAP'],
  [6, 'SIGABRT'],
  [7, 'SIGBUS'],
  [8, 'SIGFPE'],
  [9, 'SIGKILL'],
  [10, 'SIGUSR1'],
  [11, 'SIGSEGV'],
  [12, 'SIGUSR2'],
  [13, 'SIGPIPE'],
  [14, 'SIGALRM'],
  [15, 'SIGTERM'],
  [16, 'SIGSTKFLT'],
  [17, 'SIGCHLD'],
  [18, 'SIGCONT'],
  [19, 'SIGSTOP'],
  [20, 'SIGTSTP'],
  [21, 'SIGTTIN'],
  [22, 'SIGTTOU'],
  [23, 'SIGURG'],
  [24, 'SIGXCPU'],
  [25, 'SIGXFSZ'],
  [26, 'SIGVTALRM'],
  [27, 'SIGPROF'],
  [28, 'SIGWINCH'],
  [29, 'SIGIO'],
  [30, 'SIGPWR'],
  [31, 'SIGSYS'],
]);

export const CLONE_FLAGS = flags([
  [0x80, 'CLONE_NEWTIME'],
  [0x100, 'CLONE_VM'],
  [0x200, 'CLONE_FS'],
  [0x400, 'CLONE_FILES'],
  [0x800, 'CLONE_SIGHAND'],
  [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'],
  [0x4000, 'CLONE_VFORK'],
  [0x8000, 'CLONE_PARENT'],
  [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'],
  [0x40000, 'CLONE_SYSVSEM'],
  [0x80000, 'CLONE_SETTLS'],
  [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'],
  [0x400000, 'CLONE_DETACHED'],
  [0x800000, 'CLONE_UNTRACED'],
  [0x1000000, 'CLONE_CHILD_SETTID'],
  [0x2000000, 'CLONE_NEWCGROUP'],
  [0x4000000, 'CLONE_NEWUTS'],
  [0x8000000, 'CLONE_NEWIPC'],
  [0x10000000, 'CLONE_NEWUSER'],
  [0x20000000, 'CLONE_NEWPID'],
  [0x40000000, 'CLONE_NEWNET'],
  [0x80000000, 'CLONE_IO'],
]);

export const MOUNT_FLAGS = flags([
  [1, 'MS_RDONLY'],
  [2, 'MS_NOSUID'],
  [4, 'MS_NODEV'],
  [8, 'MS_NOEXEC'],
  [16, 'MS_SYNCHRONOUS'],
  [32, 'MS_REMOUNT'],
  [64, 'MS_MANDLOCK'],
  [128, 'MS_DIRSYNC'],
  [256, 'MS_NOSYMFOLLOW'],
  [1024, 'MS_NOATIME'],
  [2048, 'MS_NODIRATIME'],
  [4096, 'MS_BIND'],
  [8192, 'MS_MOVE'],
  [16384, 'MS_REC'],
  [32768, 'MS_SILENT'],
  [1 << 16, 'MS_POSIXACL'],
  [1 << 17, 'MS_UNBINDABLE'],
  [1 << 18, 'MS_PRIVATE'],
  [1 << 19, 'MS_SLAVE'],
  [1 << 20, 'MS_SHARED'],
  [1 << 21, 'MS_RELATIME'],
  [1 << 22, 'MS_KERNMOUNT'],
  [1 << 23, 'MS_I_VERSION'],
  [1 << 24, 'MS_STRICTATIME'],
  [1 << 25, 'MS_LAZYTIME'],
]);

export const UMOUNT_FLAGS = flags([
  [1, 'MNT_FORCE'],
  [2, 'MNT_DETACH'],
  [4, 'MNT_EXPIRE'],
  [8, 'UMOUNT_NOFOLLOW'],
]);

export const MEMFD_FLAGS = flags([
  [1, 'MFD_CLOEXEC'],
  [2, 'MFD_ALLOW_SEALING'],
  [4, 'MFD_HUGETLB'],
  [8, 'MFD_NOEXEC_SEAL'],
  [0x10, 'MFD_EXEC'],
]);

export const AT_FLAGS = flags([
  [0x100, 'AT_SYMLINK_NOFOLLOW'],
  [0x200, 'AT_REMOVEDIR'],
  [0x400, 'AT_SYMLINK_FOLLOW'],
  [0x800, 'AT_NO_AUTOMOUNT'],
  [0x1000, 'AT_EMPTY_PATH'],
]);

export const RENAME_FLAGS = flags([
  [1, 'RENAME_NOREPLACE'],
  [2, 'RENAME_EXCHANGE'],
  [4, 'RENAME_WHITEOUT'],
]);

export const BPF_COMMANDS = enumOf([
  [0, 'BPF_MAP_CREATE'],
  [1, 'BPF_MAP_LOOKUP_ELEM'],
  [2, 'BPF_MAP_UPDATE_ELEM'],
  [3, 'BPF_MAP_DELETE_ELEM'],
  [4, 'BPF_MAP_GET_NEXT_KEY'],
  [5, 'BPF_PROG_LOAD'],
  [6, 'BPF_OBJ_PIN'],
  [7, 'BPF_OBJ_GET'],
  [8, 'BPF_PROG_ATTACH'],
  [9, 'BPF_PROG_DETACH'],
  [10, 'BPF_PROG_TEST_RUN'],
  [11, 'BPF_PROG_GET_NEXT_ID'],
  [12, 'BPF_MAP_GET_NEXT_ID'],
  [13, 'BPF_PROG_GET_FD_BY_ID'],
  [14, 'BPF_MAP_GET_FD_BY_ID'],
  [15, 'BPF_OBJ_GET_INFO_BY_FD'],
  [16, 'BPF_PROG_QUERY'],
  [17, 'BPF_RAW_TRACEPOINT_OPEN'],
  [18, 'BPF_BTF_LOAD'],
  [28, 'BPF_LINK_CREATE'],
]);

/** `O_RDONLY`/`O_WRONLY`/`O_RDWR` followed by the other set flags. */
export function renderOpenFlags(value: number): string {
  const mode = value & O_ACCMODE;
  const names = [mode === O_WRONLY ? 'O_WRONLY' : mode === O_RDWR ? 'O_RDWR' : 'O_RDONLY'];
  appendFlagNames(value, OPEN_FLAGS, names);
  return names.join('|');
}

export function renderSocketType(value: number): string {
  const base = SOCKET_TYPE_NAMES.get(value & 0xf) ?? String(value & 0xf);
  const names = [base];
  if (value & 0o4000) names.push('SOCK_NONBLOCK');
  if (value & 0o2000000) names.push('SOCK_CLOEXEC');
  return names.join('|');
}

/** The names of a numeric parameter, or undefined when the table has none for it. */
export function renderWithTable(value: number, table: NameTable): string | undefined {
  if (table.kind === 'enum') return table.names.get(value);
  const names: string[] = [];
  appendFlagNames(value, table, names);
  return names.length > 0 ? names.join('|') : undefined;
}

function appendFlagNames(value: number, table: FlagTable, out: string[]): void {
  // Flags may exceed 31 bits (CLONE_IO), so test in unsigned space.
  const v = value >>> 0;
  for (const [bits, name] of table.entries) {
    if ((v & bits) >>> 0 === bits) out.push(name);
  }
}
