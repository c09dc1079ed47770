/**
 * The sensor's raw records: what a kernel backend reports before any user-space state
 * (process table, fd table, containers) is applied. Backend-neutral on purpose: the bpftrace
 * backend fills them from its JSON lines, a libbpf/CO-RE backend would fill the same shape
 * from a ring buffer, and everything after (assembly into RuntimeEvents) stays the same.
 *
 * A record is numbers plus strings, each addressed by a name from its layout. Layouts are the
 * one definition both the bpftrace program generator and the decoder index by.
 */

export interface RecordLayout {
  /** Numeric fields, after the common header (kind, ts, pid, tid, mntns). */
  readonly nums: readonly string[];
  /** Short strings carried inside the main record (task names). */
  readonly inline: readonly string[];
  /** Strings of any length carried by separate string records that precede the main one. */
  readonly slots: readonly string[];
  /** An inline string whose continuation (when it filled its buffer) is carried in a slot. */
  readonly continued?: { readonly inline: string; readonly slot: string };
}

/**
 * Every record kind, in kind-number order (the number is the position + 1; 0 is the string
 * record). `ok` is 1 when the call's arguments could be read (the saved registers belong to
 * the call being reported); when 0, only the result is meaningful.
 */
export const LAYOUTS = {
  /** A new process, reported by the child on its return from clone/fork/vfork/clone3. */
  clone: {
    nums: ['nr', 'ppid', 'flags', 'uid', 'gid', 'vpid', 'vpgid', 'vsid', 'tty', 'start'],
    inline: ['comm'],
    slots: [],
  },
  /** A successful exec, reported by the new program. */
  exec: {
    nums: [
      'nr',
      'ppid',
      'uid',
      'gid',
      'loginuid',
      'vpid',
      'vpgid',
      'vsid',
      'tty',
      'capEff',
      'capPrm',
      'capInh',
      'exeIno',
      'exeNlink',
      'argc',
      'start',
    ],
    inline: ['comm', 'pcomm'],
    // biome-ignore format: one slot per argv entry, EXEC_ARGS_MAX of them
    slots: ['filename', 'exeName', 'arg0', 'arg1', 'arg2', 'arg3', 'arg4', 'arg5', 'arg6', 'arg7', 'arg8', 'arg9', 'arg10', 'arg11', 'arg12', 'arg13', 'arg14', 'arg15'],
  },
  execFail: { nums: ['ok', 'nr', 'ret', 'dirfd', 'flags'], inline: [], slots: ['filename'] },
  exit: { nums: ['code'], inline: [], slots: [] },
  rename: { nums: [], inline: ['comm'], slots: [] },
  open: {
    nums: ['ok', 'nr', 'ret', 'dirfd', 'flags', 'mode', 'resolve', 'imode', 'dev', 'ino'],
    inline: ['path'],
    slots: ['pathMore'],
    continued: { inline: 'path', slot: 'pathMore' },
  },
  socket: { nums: ['ok', 'ret', 'domain', 'type', 'proto'], inline: [], slots: [] },
  connect: {
    nums: [
      'ok',
      'ret',
      'fd',
      'fam',
      'port',
      'a0',
      'a1',
      'a2',
      'a3',
      'uabs',
      'lfam',
      'lport',
      'l0',
      'l1',
      'l2',
      'l3',
      'stype',
      'sproto',
    ],
    inline: [],
    slots: ['unixPath'],
  },
  accept: {
    nums: [
      'ok',
      'nr',
      'ret',
      'fd',
      'flags',
      'fam',
      'lport',
      'rport',
      'l0',
      'l1',
      'l2',
      'l3',
      'r0',
      'r1',
      'r2',
      'r3',
      'stype',
      'sproto',
    ],
    inline: [],
    slots: [],
  },
  bind: {
    nums: ['ok', 'ret', 'fd', 'fam', 'port', 'a0', 'a1', 'a2', 'a3', 'uabs', 'stype', 'sproto'],
    inline: [],
    slots: ['unixPath'],
  },
  listen: { nums: ['ok', 'ret', 'fd', 'backlog'], inline: [], slots: [] },
  ptrace: { nums: ['ok', 'ret', 'request', 'target'], inline: [], slots: [] },
  setid: { nums: ['ok', 'nr', 'ret', 'a0', 'a1', 'a2', 'euid', 'egid'], inline: [], slots: [] },
  mount: { nums: ['ok', 'ret', 'flags'], inline: [], slots: ['source', 'target', 'fstype'] },
  umount: { nums: ['ok', 'nr', 'ret', 'flags'], inline: [], slots: ['target'] },
  namespace: { nums: ['ok', 'nr', 'ret', 'a0', 'a1'], inline: [], slots: [] },
  chmod: { nums: ['ok', 'nr', 'ret', 'fd', 'mode', 'flags'], inline: [], slots: ['path'] },
  chown: { nums: ['ok', 'nr', 'ret', 'fd', 'uid', 'gid', 'flags'], inline: [], slots: ['path'] },
  unlink: { nums: ['ok', 'nr', 'ret', 'dirfd', 'flags'], inline: [], slots: ['path'] },
  renameFile: {
    nums: ['ok', 'nr', 'ret', 'olddirfd', 'newdirfd', 'flags'],
    inline: [],
    slots: ['oldpath', 'newpath'],
  },
  link: {
    nums: ['ok', 'nr', 'ret', 'olddirfd', 'newdirfd', 'flags'],
    inline: [],
    slots: ['oldpath', 'newpath'],
  },
  memfd: { nums: ['ok', 'ret', 'flags'], inline: [], slots: ['name'] },
  bpf: { nums: ['ok', 'ret', 'cmd'], inline: [], slots: [] },
  kill: { nums: ['ok', 'ret', 'target', 'sig'], inline: [], slots: [] },
  dup: { nums: ['ok', 'nr', 'ret', 'oldfd', 'newfd', 'flags'], inline: [], slots: [] },
  chdir: { nums: ['ok', 'nr', 'ret', 'fd'], inline: [], slots: ['path'] },
  pgrp: { nums: ['ok', 'nr', 'ret', 'target', 'pgid'], inline: [], slots: [] },
  module: { nums: ['ok', 'nr', 'ret', 'fd', 'len', 'flags'], inline: [], slots: [] },
  /** A socket fd being closed (only sockets: their table entries must not outlive them). */
  closeSocket: { nums: ['fd'], inline: [], slots: [] },
} as const satisfies Record<string, RecordLayout>;

export type RecordName = keyof typeof LAYOUTS;

/**
 * Kind 0: a piece of a slot string, `[0, tid, ts, slot, piece, text]`. It belongs to the main
 * record of the same thread with the same timestamp, which follows it.
 */
export const STRING_KIND = 0;

export const RECORD_NAMES = Object.keys(LAYOUTS) as RecordName[];

/** Kind number of each record. */
export const KIND = Object.fromEntries(RECORD_NAMES.map((name, i) => [name, i + 1])) as Record<
  RecordName,
  number
>;

/** Layout of each kind number (index 0 unused). */
export const LAYOUT_BY_KIND: readonly (RecordLayout | undefined)[] = [
  undefined,
  ...RECORD_NAMES.map((n) => LAYOUTS[n]),
];

/** Fields of the common header every main record starts with. */
export const HEADER_LENGTH = 5;

type IndexOf<T extends readonly string[]> = { readonly [K in T[number]]: number };

function indexOf<T extends readonly string[]>(names: T, offset = 0): IndexOf<T> {
  return Object.fromEntries(names.map((n, i) => [n, i + offset])) as IndexOf<T>;
}

/** Positions of the numeric fields in `SensorRecord.n`. */
export const N = Object.fromEntries(RECORD_NAMES.map((n) => [n, indexOf(LAYOUTS[n].nums)])) as {
  readonly [R in RecordName]: IndexOf<(typeof LAYOUTS)[R]['nums']>;
};

/** Positions of the strings (inline ones first, then slots) in `SensorRecord.s`. */
export const S = Object.fromEntries(
  RECORD_NAMES.map((n) => [n, indexOf([...LAYOUTS[n].inline, ...LAYOUTS[n].slots])]),
) as {
  readonly [R in RecordName]: IndexOf<[...(typeof LAYOUTS)[R]['inline'], ...(typeof LAYOUTS)[R]['slots']]>;
};

/** Position of the `ok` field by kind number, -1 for kinds without one. */
export const OK_FIELD: readonly number[] = LAYOUT_BY_KIND.map((l) =>
  l === undefined ? -1 : l.nums.indexOf('ok'),
);

/** How many argv entries an exec record carries at most. */
export const EXEC_ARGS_MAX = 16;

/** A decoded record, ready for assembly. */
export interface SensorRecord {
  readonly kind: number;
  /** Kernel monotonic clock, nanoseconds. */
  readonly ts: number;
  /** Thread group id (the process). */
  readonly pid: number;
  readonly tid: number;
  /** Mount namespace inode of the task. */
  readonly mntns: number;
  /** Numeric fields in layout order. */
  readonly n: readonly number[];
  /** Inline strings then slot strings, in layout order; undefined when not reported. */
  readonly s: readonly (string | undefined)[];
}

/** Numeric field `i` of a record (0 when missing, which a well-formed record never is). */
export function num(r: SensorRecord, i: number): number {
  return r.n[i] ?? 0;
}
