import { EXEC_ARGS_MAX, KIND, LAYOUTS, type RecordName, STRING_KIND } from '../records.js';

/**
 * Generates the bpftrace program of the sensor.
 *
 * Design points (each checked on a real kernel, see test/runtime):
 * - Syscalls are observed at their exit tracepoint only, and their arguments are read from the
 *   registers saved at the top of the task's kernel stack. One probe per call instead of an
 *   enter/exit pair with a map in between, path strings read after the kernel consumed them,
 *   and calls that seccomp denies (they never reach the enter tracepoint) still reported with
 *   their arguments. `ok` says whether the saved registers belong to the reported call.
 * - Output is `print()` of tuples under `-f json`, so every string is JSON-escaped by bpftrace
 *   and nothing user-controlled ever reaches a format string.
 * - BPF programs have a 512-byte stack, so a record holds at most one short path inline;
 *   longer strings are cut into pieces sent in string records that precede their main record
 *   (same thread, same probe run, hence adjacent in the per-CPU buffer).
 * - Process lifecycle (clone, exec, exit, rename) is reported for every process, so parent
 *   chains are complete; the other calls can be limited to processes outside the host's mount
 *   namespace, which is where containers live.
 */

export interface ProgramOptions {
  /** This process: never traced (its own reads of /proc would feed back into the stream). */
  readonly selfPid: number;
  /** When set, non-lifecycle calls are reported only for tasks in other mount namespaces. */
  readonly hostMntns?: number;
  /** Kernel stack size (THREAD_SIZE): 16 KiB on x86_64, 32 KiB with KASAN. */
  readonly threadSize: number;
  /** Tracepoints that exist on this kernel (`syscalls:sys_exit_openat`); others are skipped. */
  readonly tracepoints: ReadonlySet<string>;
  /** BPFTRACE_STRLEN the program runs with: the longest piece of a string, plus its NUL. */
  readonly strlen: number;
  /** Pieces a long string is cut into at most (paths up to `pieces * (strlen - 1)` bytes). */
  readonly stringPieces: number;
  /** Kernels before 6.3 keep capability sets as two 32-bit words (`cap[2]`), later ones as `val`. */
  readonly legacyCapabilities?: boolean;
}

export const DEFAULT_STRLEN = 128;
export const DEFAULT_STRING_PIECES = 4;

/** A string a probe reports: where it is, and whether that is user or kernel memory. */
interface StringSource {
  readonly ptr: string;
  readonly user: boolean;
  /** Only report it when this holds. */
  readonly when?: string;
  /** Statements that compute what `ptr` and `when` use. */
  readonly setup?: string;
}

interface ProbeSpec<R extends RecordName> {
  readonly record: R;
  readonly tracepoints: readonly string[];
  /** Lifecycle probes run for every process; `calls` follow the host-namespace filter. */
  readonly scope: 'lifecycle' | 'calls';
  readonly predicate?: string;
  /** Statements run before the record is built (variables the expressions use). */
  readonly prelude?: readonly string[];
  /** Statements that wrap the output: the record is printed only when `guard` holds. */
  readonly guard?: string;
  readonly nums: { readonly [K in (typeof LAYOUTS)[R]['nums'][number]]: string };
  readonly inline: { readonly [K in (typeof LAYOUTS)[R]['inline'][number]]: string };
  readonly slots: { readonly [K in (typeof LAYOUTS)[R]['slots'][number]]?: StringSource };
  /** An inline string continued in a slot: the slot carries the pieces after the first. */
  readonly continued?: { readonly slot: (typeof LAYOUTS)[R]['slots'][number]; readonly source: StringSource };
}

const MNTNS = 'curtask->nsproxy->mnt_ns->ns.inum';
const OK = '$r->orig_ax == args->__syscall_nr';
const FDCWD = '-100';

function sys(...names: string[]): string[] {
  return names.map((n) => `syscalls:sys_exit_${n}`);
}

/** Saved user registers of the current task. */
function regs(threadSize: number): string {
  return `$r = (struct pt_regs *)((uint64)curtask->stack + ${threadSize} - sizeof(struct pt_regs));`;
}

/** The kernel `struct file` of fd `fd` in `$f` (0 when out of range). */
function fileOf(fd: string): string[] {
  return [
    '$f = (struct file *)0;',
    `if (${fd} >= 0 && ${fd} < curtask->files->fdt->max_fds) { $f = *(curtask->files->fdt->fd + ${fd}); }`,
  ];
}

/** Socket fields of `$f` (assumed to be a socket) into $sfam, $lport, $l0..$l3, $stype, $sproto (and the peer). */
function socketOf(withPeer: boolean): string[] {
  const out = [
    '$sfam = (uint64)0; $lport = (uint64)0; $stype = (uint64)0; $sproto = (uint64)0;',
    '$l0 = (uint64)0; $l1 = (uint64)0; $l2 = (uint64)0; $l3 = (uint64)0;',
  ];
  if (withPeer) {
    out.push('$rport = (uint64)0; $p0 = (uint64)0; $p1 = (uint64)0; $p2 = (uint64)0; $p3 = (uint64)0;');
  }
  const body = [
    '$sock = (struct socket *)$f->private_data;',
    '$sk = $sock->sk;',
    '$sfam = (uint64)$sk->__sk_common.skc_family;',
    '$lport = (uint64)$sk->__sk_common.skc_num;',
    '$stype = (uint64)$sock->type;',
    '$sproto = (uint64)$sk->sk_protocol;',
    'if ($sfam == 2) { $l0 = (uint64)$sk->__sk_common.skc_rcv_saddr; }',
    'if ($sfam == 10) {',
    '  $l0 = (uint64)$sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[0];',
    '  $l1 = (uint64)$sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[1];',
    '  $l2 = (uint64)$sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[2];',
    '  $l3 = (uint64)$sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[3];',
    '}',
  ];
  if (withPeer) {
    body.push(
      '$rport = (uint64)$sk->__sk_common.skc_dport;',
      'if ($sfam == 2) { $p0 = (uint64)$sk->__sk_common.skc_daddr; }',
      'if ($sfam == 10) {',
      '  $p0 = (uint64)$sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[0];',
      '  $p1 = (uint64)$sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[1];',
      '  $p2 = (uint64)$sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[2];',
      '  $p3 = (uint64)$sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[3];',
      '}',
    );
  }
  out.push(`if ($f != 0) { ${body.join(' ')} }`);
  return out;
}

/** A user `struct sockaddr` at `ptr` into $fam, $port, $a0..$a3, $uabs (the unix path is a slot). */
function sockaddrOf(ptr: string): string[] {
  return [
    `$sa = (uint64)${ptr};`,
    '$fam = (uint64)0; $port = (uint64)0; $uabs = (uint64)0;',
    '$a0 = (uint64)0; $a1 = (uint64)0; $a2 = (uint64)0; $a3 = (uint64)0;',
    'if ($sa != 0) {',
    '  $fam = (uint64)*(uint16 *)uptr($sa);',
    '  $port = (uint64)*(uint16 *)uptr($sa + 2);',
    '  if ($fam == 2) { $a0 = (uint64)*(uint32 *)uptr($sa + 4); }',
    '  if ($fam == 10) {',
    '    $a0 = (uint64)*(uint32 *)uptr($sa + 8); $a1 = (uint64)*(uint32 *)uptr($sa + 12);',
    '    $a2 = (uint64)*(uint32 *)uptr($sa + 16); $a3 = (uint64)*(uint32 *)uptr($sa + 20);',
    '  }',
    '  if ($fam == 1) { $uabs = (uint64)(*(uint8 *)uptr($sa + 2) == 0); }',
    '}',
  ];
}

/** The unix socket path of the sockaddr read by {@link sockaddrOf} (abstract names skip their NUL). */
const UNIX_PATH: StringSource = { ptr: '$sa + 2 + $uabs', user: true, when: '$fam == 1' };

/** Process identity in its own PID namespace: $lvl, $vpid, $vpgid, $vsid, and the tty in $tty. */
const TASK_IDS = [
  '$tp = curtask->thread_pid;',
  '$lvl = (uint64)$tp->level;',
  '$vpid = (uint64)((struct upid *)((uint64)$tp + sizeof(struct pid) + $lvl * sizeof(struct upid)))->nr;',
  '$pg = curtask->signal->pids[2];',
  '$vpgid = (uint64)0;',
  'if ($pg != 0 && $pg->level >= $lvl) { $vpgid = (uint64)((struct upid *)((uint64)$pg + sizeof(struct pid) + $lvl * sizeof(struct upid)))->nr; }',
  '$sid = curtask->signal->pids[3];',
  '$vsid = (uint64)0;',
  'if ($sid != 0 && $sid->level >= $lvl) { $vsid = (uint64)((struct upid *)((uint64)$sid + sizeof(struct pid) + $lvl * sizeof(struct upid)))->nr; }',
  '$t = curtask->signal->tty;',
  '$tty = (uint64)0;',
  // The device number as new_encode_dev() writes it (what /proc/<pid>/stat reports as tty_nr).
  'if ($t != 0) { $mn = (uint64)($t->driver->minor_start + $t->index); $tty = ($mn & 0xff) | ((uint64)$t->driver->major << 8) | (($mn >> 8) << 20); }',
];

const TASK_ID_NUMS = { vpid: '$vpid', vpgid: '$vpgid', vsid: '$vsid', tty: '$tty' } as const;

function probes(o: ProgramOptions): ProbeSpec<RecordName>[] {
  const list: ProbeSpec<RecordName>[] = [];
  const add = <R extends RecordName>(spec: ProbeSpec<R>) =>
    list.push(spec as unknown as ProbeSpec<RecordName>);
  const R = regs(o.threadSize);
  const caps = (set: string) =>
    o.legacyCapabilities === true
      ? `(((uint64)curtask->cred->${set}.cap[1] << 32) | curtask->cred->${set}.cap[0])`
      : `curtask->cred->${set}.val`;

  // --- process lifecycle -----------------------------------------------------------------
  const cloneFlags: Record<string, string> = {
    clone: '$r->di',
    clone3: '*(uint64 *)uptr($r->di)',
    fork: '0',
    vfork: '0x4100',
  };
  for (const [name, flags] of Object.entries(cloneFlags)) {
    add({
      record: 'clone',
      tracepoints: sys(name),
      scope: 'lifecycle',
      predicate: 'args->ret == 0 && pid == tid',
      prelude: [R, ...TASK_IDS],
      nums: {
        nr: 'args->__syscall_nr',
        ppid: 'curtask->real_parent->tgid',
        flags,
        uid: 'curtask->cred->euid.val',
        gid: 'curtask->cred->egid.val',
        ...TASK_ID_NUMS,
        start: 'curtask->start_time',
      },
      inline: { comm: 'comm' },
      slots: {},
    });
  }

  const argSlots: Record<string, StringSource> = {};
  for (let i = 0; i < EXEC_ARGS_MAX; i++) {
    argSlots[`arg${i}`] = {
      setup: `$ap = (uint64)0; if ($argc > ${i}) { $ap = *(uint64 *)uptr($sp + ${8 + 8 * i}); }`,
      ptr: '$ap',
      user: true,
    };
  }
  add({
    record: 'exec',
    tracepoints: ['sched:sched_process_exec'],
    scope: 'lifecycle',
    prelude: [
      R,
      ...TASK_IDS,
      '$ef = curtask->mm->exe_file;',
      // The new stack starts with argc, then the argv pointers.
      '$sp = curtask->mm->start_stack;',
      '$argc = *(uint64 *)uptr($sp);',
    ],
    nums: {
      nr: '$r->orig_ax',
      ppid: 'curtask->real_parent->tgid',
      uid: 'curtask->cred->euid.val',
      gid: 'curtask->cred->egid.val',
      loginuid: 'curtask->loginuid.val',
      ...TASK_ID_NUMS,
      capEff: caps('cap_effective'),
      capPrm: caps('cap_permitted'),
      capInh: caps('cap_inheritable'),
      exeIno: '$ef->f_inode->i_ino',
      exeNlink: '$ef->f_inode->i_nlink',
      argc: '$argc',
      start: 'curtask->start_time',
    },
    inline: { comm: 'comm', pcomm: 'curtask->real_parent->comm' },
    slots: {
      filename: { ptr: 'args->filename', user: false },
      exeName: { ptr: '$ef->f_path.dentry->d_name.name', user: false },
      ...argSlots,
    },
  });

  for (const [name, path, dirfd, flags] of [
    ['execve', '$r->di', FDCWD, '0'],
    ['execveat', '$r->si', '(int32)$r->di', '$r->r8'],
  ] as const) {
    add({
      record: 'execFail',
      tracepoints: sys(name),
      scope: 'lifecycle',
      predicate: 'args->ret < 0',
      prelude: [R],
      nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', dirfd, flags },
      inline: {},
      slots: { filename: { ptr: path, user: true } },
    });
  }

  add({
    record: 'exit',
    tracepoints: ['sched:sched_process_exit'],
    scope: 'lifecycle',
    predicate: 'pid == tid',
    nums: { code: 'curtask->exit_code' },
    inline: {},
    slots: {},
  });

  add({
    record: 'rename',
    tracepoints: ['task:task_rename'],
    scope: 'lifecycle',
    predicate: 'args->pid == pid',
    nums: {},
    inline: { comm: 'args->newcomm' },
    slots: {},
  });

  // --- files -------------------------------------------------------------------------------
  const opens: [string, string, string, string, string, string][] = [
    // name, dirfd, path, flags, mode, resolve
    ['open', FDCWD, '$r->di', '$r->si', '$r->dx', '0'],
    ['openat', '(int32)$r->di', '$r->si', '$r->dx', '$r->r10', '0'],
    [
      'openat2',
      '(int32)$r->di',
      '$r->si',
      '*(uint64 *)uptr($r->dx)',
      '*(uint64 *)uptr($r->dx + 8)',
      '*(uint64 *)uptr($r->dx + 16)',
    ],
    ['creat', FDCWD, '$r->di', '577', '$r->si', '0'],
  ];
  for (const [name, dirfd, path, flags, mode, resolve] of opens) {
    add({
      record: 'open',
      tracepoints: sys(name),
      scope: 'calls',
      prelude: [
        R,
        '$imode = (uint64)0; $dev = (uint64)0; $ino = (uint64)0;',
        ...fileOf('args->ret'),
        'if ($f != 0) { $imode = (uint64)$f->f_inode->i_mode; $dev = (uint64)$f->f_inode->i_sb->s_dev; $ino = (uint64)$f->f_inode->i_ino; }',
      ],
      nums: {
        ok: OK,
        nr: 'args->__syscall_nr',
        ret: 'args->ret',
        dirfd,
        flags,
        mode,
        resolve,
        imode: '$imode',
        dev: '$dev',
        ino: '$ino',
      },
      inline: { path: `str(uptr(${path}))` },
      slots: {},
      continued: { slot: 'pathMore', source: { ptr: path, user: true } },
    });
  }

  const pathCalls: [RecordName, string, Record<string, string>, Record<string, StringSource>][] = [
    ['chmod', 'chmod', { fd: FDCWD, mode: '$r->si', flags: '0' }, { path: { ptr: '$r->di', user: true } }],
    ['chmod', 'fchmod', { fd: '(int32)$r->di', mode: '$r->si', flags: '0' }, {}],
    [
      'chmod',
      'fchmodat',
      { fd: '(int32)$r->di', mode: '$r->dx', flags: '0' },
      { path: { ptr: '$r->si', user: true } },
    ],
    [
      'chmod',
      'fchmodat2',
      { fd: '(int32)$r->di', mode: '$r->dx', flags: '$r->r10' },
      { path: { ptr: '$r->si', user: true } },
    ],
    [
      'chown',
      'chown',
      { fd: FDCWD, uid: '(int32)$r->si', gid: '(int32)$r->dx', flags: '0' },
      { path: { ptr: '$r->di', user: true } },
    ],
    [
      'chown',
      'lchown',
      { fd: FDCWD, uid: '(int32)$r->si', gid: '(int32)$r->dx', flags: '0x100' },
      { path: { ptr: '$r->di', user: true } },
    ],
    ['chown', 'fchown', { fd: '(int32)$r->di', uid: '(int32)$r->si', gid: '(int32)$r->dx', flags: '0' }, {}],
    [
      'chown',
      'fchownat',
      { fd: '(int32)$r->di', uid: '(int32)$r->dx', gid: '(int32)$r->r10', flags: '$r->r8' },
      { path: { ptr: '$r->si', user: true } },
    ],
    ['unlink', 'unlink', { dirfd: FDCWD, flags: '0' }, { path: { ptr: '$r->di', user: true } }],
    [
      'unlink',
      'unlinkat',
      { dirfd: '(int32)$r->di', flags: '$r->dx' },
      { path: { ptr: '$r->si', user: true } },
    ],
    [
      'renameFile',
      'rename',
      { olddirfd: FDCWD, newdirfd: FDCWD, flags: '0' },
      { oldpath: { ptr: '$r->di', user: true }, newpath: { ptr: '$r->si', user: true } },
    ],
    [
      'renameFile',
      'renameat',
      { olddirfd: '(int32)$r->di', newdirfd: '(int32)$r->dx', flags: '0' },
      { oldpath: { ptr: '$r->si', user: true }, newpath: { ptr: '$r->r10', user: true } },
    ],
    [
      'renameFile',
      'renameat2',
      { olddirfd: '(int32)$r->di', newdirfd: '(int32)$r->dx', flags: '$r->r8' },
      { oldpath: { ptr: '$r->si', user: true }, newpath: { ptr: '$r->r10', user: true } },
    ],
    [
      'link',
      'link',
      { olddirfd: FDCWD, newdirfd: FDCWD, flags: '0' },
      { oldpath: { ptr: '$r->di', user: true }, newpath: { ptr: '$r->si', user: true } },
    ],
    [
      'link',
      'linkat',
      { olddirfd: '(int32)$r->di', newdirfd: '(int32)$r->dx', flags: '$r->r8' },
      { oldpath: { ptr: '$r->si', user: true }, newpath: { ptr: '$r->r10', user: true } },
    ],
    [
      'link',
      'symlink',
      { olddirfd: FDCWD, newdirfd: FDCWD, flags: '0' },
      { oldpath: { ptr: '$r->di', user: true }, newpath: { ptr: '$r->si', user: true } },
    ],
    [
      'link',
      'symlinkat',
      { olddirfd: FDCWD, newdirfd: '(int32)$r->si', flags: '0' },
      { oldpath: { ptr: '$r->di', user: true }, newpath: { ptr: '$r->dx', user: true } },
    ],
    ['chdir', 'chdir', { fd: FDCWD }, { path: { ptr: '$r->di', user: true } }],
    ['chdir', 'fchdir', { fd: '(int32)$r->di' }, {}],
    ['memfd', 'memfd_create', { flags: '$r->si' }, { name: { ptr: '$r->di', user: true } }],
  ];
  for (const [record, name, nums, slots] of pathCalls) {
    add({
      record,
      tracepoints: sys(name),
      scope: 'calls',
      prelude: [R],
      // The table above is checked against the layouts when the program is rendered.
      nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', ...nums } as never,
      inline: {} as never,
      slots: slots as never,
    });
  }

  add({
    record: 'mount',
    tracepoints: sys('mount'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', flags: '$r->r10' },
    inline: {},
    slots: {
      source: { ptr: '$r->di', user: true },
      target: { ptr: '$r->si', user: true },
      fstype: { ptr: '$r->dx', user: true },
    },
  });
  // umount2 exits through the tracepoint named after its kernel definition, sys_exit_umount.
  add({
    record: 'umount',
    tracepoints: sys('umount'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', flags: '$r->si' },
    inline: {},
    slots: { target: { ptr: '$r->di', user: true } },
  });
  add({
    record: 'namespace',
    tracepoints: sys('unshare', 'setns'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', a0: '$r->di', a1: '$r->si' },
    inline: {},
    slots: {},
  });

  // --- network -----------------------------------------------------------------------------
  add({
    record: 'socket',
    tracepoints: sys('socket'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', domain: '$r->di', type: '$r->si', proto: '$r->dx' },
    inline: {},
    slots: {},
  });
  add({
    record: 'connect',
    tracepoints: sys('connect'),
    scope: 'calls',
    prelude: [
      R,
      '$fd = (int64)(int32)$r->di;',
      ...fileOf('$fd'),
      ...socketOf(false),
      ...sockaddrOf('$r->si'),
    ],
    nums: {
      ok: OK,
      ret: 'args->ret',
      fd: '$fd',
      fam: '$fam',
      port: '$port',
      a0: '$a0',
      a1: '$a1',
      a2: '$a2',
      a3: '$a3',
      uabs: '$uabs',
      lfam: '$sfam',
      lport: '$lport',
      l0: '$l0',
      l1: '$l1',
      l2: '$l2',
      l3: '$l3',
      stype: '$stype',
      sproto: '$sproto',
    },
    inline: {},
    slots: { unixPath: UNIX_PATH },
  });
  for (const [name, flags] of [
    ['accept', '0'],
    ['accept4', '$r->r10'],
  ] as const) {
    add({
      record: 'accept',
      tracepoints: sys(name),
      scope: 'calls',
      prelude: [R, ...fileOf('args->ret'), ...socketOf(true)],
      nums: {
        ok: OK,
        nr: 'args->__syscall_nr',
        ret: 'args->ret',
        fd: '(int32)$r->di',
        flags,
        fam: '$sfam',
        lport: '$lport',
        rport: '$rport',
        l0: '$l0',
        l1: '$l1',
        l2: '$l2',
        l3: '$l3',
        r0: '$p0',
        r1: '$p1',
        r2: '$p2',
        r3: '$p3',
        stype: '$stype',
        sproto: '$sproto',
      },
      inline: {},
      slots: {},
    });
  }
  add({
    record: 'bind',
    tracepoints: sys('bind'),
    scope: 'calls',
    prelude: [
      R,
      '$fd = (int64)(int32)$r->di;',
      ...fileOf('$fd'),
      ...socketOf(false),
      ...sockaddrOf('$r->si'),
    ],
    nums: {
      ok: OK,
      ret: 'args->ret',
      fd: '$fd',
      fam: '$fam',
      port: '$port',
      a0: '$a0',
      a1: '$a1',
      a2: '$a2',
      a3: '$a3',
      uabs: '$uabs',
      stype: '$stype',
      sproto: '$sproto',
    },
    inline: {},
    slots: { unixPath: UNIX_PATH },
  });
  add({
    record: 'listen',
    tracepoints: sys('listen'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', fd: '(int32)$r->di', backlog: '(int32)$r->si' },
    inline: {},
    slots: {},
  });
  for (const [name, newfd, flags] of [
    ['dup', '-1', '0'],
    ['dup2', '(int32)$r->si', '0'],
    ['dup3', '(int32)$r->si', '$r->dx'],
  ] as const) {
    add({
      record: 'dup',
      tracepoints: sys(name),
      scope: 'calls',
      prelude: [R],
      nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', oldfd: '(int32)$r->di', newfd, flags },
      inline: {},
      slots: {},
    });
  }
  add({
    record: 'closeSocket',
    tracepoints: ['syscalls:sys_enter_close'],
    scope: 'calls',
    prelude: ['$fd = (int64)args->fd;', ...fileOf('$fd')],
    guard: '$f != 0 && ($f->f_inode->i_mode & 0xf000) == 0xc000',
    nums: { fd: '$fd' },
    inline: {},
    slots: {},
  });

  // --- privileges, processes, kernel -------------------------------------------------------
  add({
    record: 'ptrace',
    tracepoints: sys('ptrace'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', request: '$r->di', target: '(int32)$r->si' },
    inline: {},
    slots: {},
  });
  add({
    record: 'setid',
    tracepoints: sys('setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid'),
    scope: 'calls',
    prelude: [R],
    nums: {
      ok: OK,
      nr: 'args->__syscall_nr',
      ret: 'args->ret',
      a0: '(int32)$r->di',
      a1: '(int32)$r->si',
      a2: '(int32)$r->dx',
      euid: 'curtask->cred->euid.val',
      egid: 'curtask->cred->egid.val',
    },
    inline: {},
    slots: {},
  });
  add({
    record: 'pgrp',
    tracepoints: sys('setsid', 'setpgid'),
    scope: 'calls',
    prelude: [R],
    nums: {
      ok: OK,
      nr: 'args->__syscall_nr',
      ret: 'args->ret',
      target: '(int32)$r->di',
      pgid: '(int32)$r->si',
    },
    inline: {},
    slots: {},
  });
  add({
    record: 'kill',
    tracepoints: sys('kill'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', target: '(int32)$r->di', sig: '(int32)$r->si' },
    inline: {},
    slots: {},
  });
  add({
    record: 'bpf',
    tracepoints: sys('bpf'),
    scope: 'calls',
    prelude: [R],
    nums: { ok: OK, ret: 'args->ret', cmd: '$r->di' },
    inline: {},
    slots: {},
  });
  for (const [name, fd, len, flags] of [
    ['init_module', '-1', '$r->si', '0'],
    ['finit_module', '(int32)$r->di', '0', '$r->dx'],
  ] as const) {
    add({
      record: 'module',
      tracepoints: sys(name),
      scope: 'calls',
      prelude: [R],
      nums: { ok: OK, nr: 'args->__syscall_nr', ret: 'args->ret', fd, len, flags },
      inline: {},
      slots: {},
    });
  }
  return list;
}

function stringRecords(slot: number, source: StringSource, o: ProgramOptions, firstPiece: number): string[] {
  const step = o.strlen - 1;
  const read = (offset: number) => {
    const at = offset === 0 ? `(${source.ptr})` : `(${source.ptr}) + ${offset}`;
    return source.user ? `uptr(${at})` : `${at}`;
  };
  const byteAt = (offset: number) =>
    source.user ? `*(uint8 *)uptr((${source.ptr}) + ${offset})` : `*(uint8 *)((${source.ptr}) + ${offset})`;
  // Innermost first: piece k is printed only when piece k-1 filled its whole buffer.
  let body = '';
  for (let piece = o.stringPieces - 1; piece >= firstPiece; piece--) {
    const offset = piece * step;
    const print = `print((${STRING_KIND}, tid, $ts, ${slot}, ${piece}, str(${read(offset)})));`;
    const next = body === '' ? '' : ` if (${byteAt(offset + step)} != 0) { ${body} }`;
    body = `${print}${next}`;
  }
  if (firstPiece > 0) body = `if (${byteAt(firstPiece * step)} != 0) { ${body} }`;
  const guard = source.when === undefined ? `(${source.ptr}) != 0` : `${source.when} && (${source.ptr}) != 0`;
  return [...(source.setup === undefined ? [] : [source.setup]), `if (${guard}) { ${body} }`];
}

function render<R extends RecordName>(spec: ProbeSpec<R>, o: ProgramOptions): string | undefined {
  const available = spec.tracepoints.filter((t) => o.tracepoints.has(t));
  if (available.length === 0) return undefined;
  const layout = LAYOUTS[spec.record];
  const predicates = [`pid != ${o.selfPid}`];
  if (spec.scope === 'calls' && o.hostMntns !== undefined) predicates.push(`${MNTNS} != ${o.hostMntns}`);
  if (spec.predicate !== undefined) predicates.push(`(${spec.predicate})`);
  const nums = spec.nums as Record<string, string>;
  const inline = spec.inline as Record<string, string>;
  const slots = spec.slots as Record<string, StringSource | undefined>;
  const expr = (table: Record<string, string>, name: string): string => {
    const e = table[name];
    if (e === undefined) throw new Error(`the ${spec.record} probe does not define field ${name}`);
    return e;
  };
  const fields = [
    String(KIND[spec.record]),
    '$ts',
    'pid',
    'tid',
    MNTNS,
    ...layout.nums.map((n) => expr(nums, n)),
    ...layout.inline.map((n) => expr(inline, n)),
  ];
  // One timestamp per probe run: it orders the record and ties its string records to it.
  const body: string[] = ['$ts = nsecs;', ...(spec.prelude ?? [])];
  const out: string[] = [];
  layout.slots.forEach((name, i) => {
    const source = slots[name];
    if (source !== undefined) out.push(...stringRecords(i, source, o, 0));
  });
  if (spec.continued !== undefined) {
    const i = (layout.slots as readonly string[]).indexOf(spec.continued.slot);
    out.push(...stringRecords(i, spec.continued.source, o, 1));
  }
  out.push(`print((${fields.join(', ')}));`);
  if (spec.guard === undefined) body.push(...out);
  else body.push(`if (${spec.guard}) {`, ...out.map((l) => `  ${l}`), '}');
  const attach = available.map((t) => `tracepoint:${t}`).join(',\n');
  return `${attach}\n/${predicates.join(' && ')}/\n{\n${body.map((l) => `  ${l}`).join('\n')}\n}\n`;
}

/** The program text, and the tracepoints it attaches to. */
export function generateProgram(o: ProgramOptions): { text: string; tracepoints: string[] } {
  const parts: string[] = [];
  const used: string[] = [];
  for (const spec of probes(o)) {
    const text = render(spec, o);
    if (text === undefined) continue;
    parts.push(text);
    used.push(...spec.tracepoints.filter((t) => o.tracepoints.has(t)));
  }
  return { text: parts.join('\n'), tracepoints: used };
}

/** Every tracepoint the sensor can use, for checking which exist on a kernel. */
export function wantedTracepoints(): string[] {
  const all = probes({
    selfPid: 0,
    threadSize: 16384,
    tracepoints: new Set(),
    strlen: DEFAULT_STRLEN,
    stringPieces: 1,
  });
  return [...new Set(all.flatMap((p) => p.tracepoints))];
}
