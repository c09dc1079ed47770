import {
  AT_FLAGS,
  BPF_COMMANDS,
  CLONE_FLAGS,
  EXE_FLAGS,
  MEMFD_FLAGS,
  MODE_FLAGS,
  MOUNT_FLAGS,
  type NameTable,
  PTRACE_REQUESTS,
  RENAME_FLAGS,
  renderOpenFlags,
  renderSocketType,
  renderWithTable,
  SIGNALS,
  SOCKET_FAMILIES,
  UMOUNT_FLAGS,
} from './flags.js';
import { CAPABILITY_NAMES, ERRNO_NAMES } from './linux.js';
import type { ArgValue, FdInfo, FdType, RuntimeEvent } from './types.js';

/**
 * Text forms of event values, as Falco shows them: `evt.arg.flags` is `O_WRONLY|O_TRUNC`,
 * `evt.res` is `SUCCESS` or `ENOENT`, `evt.args` is `fd=3(<f>/etc/shadow) flags=1(O_WRONLY)`.
 */

const AT_FDCWD = -100;

type Renderer = (value: number) => string | undefined;

const table =
  (t: NameTable): Renderer =>
  (v) =>
    renderWithTable(v, t);

const OPEN_CALLS = ['open', 'openat', 'openat2', 'creat', 'open_by_handle_at'];

/** Which named renderer applies to (event type, parameter name). */
const RENDERERS = new Map<string, Renderer>();
function register(types: readonly string[], params: readonly string[], render: Renderer): void {
  for (const t of types) for (const p of params) RENDERERS.set(`${t}\0${p}`, render);
}
register(OPEN_CALLS, ['flags'], renderOpenFlags);
register(
  [...OPEN_CALLS, 'mkdir', 'mkdirat', 'chmod', 'fchmod', 'fchmodat', 'mknod', 'mknodat'],
  ['mode'],
  table(MODE_FLAGS),
);
register(['execve', 'execveat'], ['flags'], table(EXE_FLAGS));
register(['ptrace'], ['request'], table(PTRACE_REQUESTS));
register(['socket', 'socketpair'], ['domain'], table(SOCKET_FAMILIES));
register(['socket', 'socketpair'], ['type'], renderSocketType);
register(['kill', 'tkill', 'tgkill', 'procexit', 'signaldeliver'], ['sig'], table(SIGNALS));
register(['unshare', 'clone', 'clone3', 'fork', 'vfork'], ['flags'], table(CLONE_FLAGS));
register(['setns'], ['nstype'], table(CLONE_FLAGS));
register(['mount'], ['flags'], table(MOUNT_FLAGS));
register(['umount', 'umount2'], ['flags'], table(UMOUNT_FLAGS));
register(['memfd_create'], ['flags'], table(MEMFD_FLAGS));
register(['unlinkat', 'linkat', 'fchmodat', 'fchownat', 'execveat'], ['flags'], table(AT_FLAGS));
register(['renameat2'], ['flags'], table(RENAME_FLAGS));
register(['bpf'], ['cmd'], table(BPF_COMMANDS));

const DIRFD_PARAMS = new Set(['dirfd', 'olddirfd', 'newdirfd', 'linkdirfd', 'olddir', 'newdir']);

/** The symbolic part of a parameter (`O_WRONLY|O_CREAT`, `AT_FDCWD`, `ENOENT`), if it has one. */
function symbolicArg(ev: RuntimeEvent, name: string, value: number): string | undefined {
  const render = RENDERERS.get(`${ev.type}\0${name}`);
  if (render !== undefined) return render(value);
  if (DIRFD_PARAMS.has(name) && value === AT_FDCWD) return 'AT_FDCWD';
  if ((name === 'fd' || name === 'res') && value < 0) return ERRNO_NAMES.get(-value);
  if (name === 'fd' && ev.fd !== undefined && ev.fd.num === value)
    return `<${fdTypeChar(ev.fd.type)}>${ev.fd.name}`;
  return undefined;
}

/** `evt.arg.X`: the symbolic form when there is one, else the raw value as text. */
export function renderArg(ev: RuntimeEvent, name: string, value: ArgValue): string {
  if (typeof value === 'number') return symbolicArg(ev, name, value) ?? String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return renderBytes(value);
}

/** `evt.args`: every parameter as `name=value`, numbers with their names in parentheses. */
export function renderArgs(ev: RuntimeEvent): string {
  const parts: string[] = [];
  if (ev.res !== undefined && !('res' in ev.args) && !('fd' in ev.args)) {
    const sym = symbolicArg(ev, 'res', ev.res);
    parts.push(sym === undefined ? `res=${ev.res}` : `res=${ev.res}(${sym})`);
  }
  for (const name in ev.args) {
    const value = ev.args[name] as ArgValue;
    if (typeof value === 'number') {
      const sym = symbolicArg(ev, name, value);
      parts.push(sym === undefined ? `${name}=${value}` : `${name}=${value}(${sym})`);
    } else {
      parts.push(`${name}=${renderArg(ev, name, value)}`);
    }
  }
  return parts.join(' ');
}

/** `evt.res`: `SUCCESS` for non-negative results, the errno name otherwise. */
export function renderResult(res: number): string {
  if (res >= 0) return 'SUCCESS';
  return ERRNO_NAMES.get(-res) ?? String(res);
}

const FD_TYPE_CHARS: Readonly<Record<FdType, string>> = {
  file: 'f',
  directory: 'd',
  ipv4: '4',
  ipv6: '6',
  unix: 'u',
  pipe: 'p',
  event: 'e',
  signalfd: 's',
  eventpoll: 'l',
  inotify: 'i',
  timerfd: 't',
  netlink: 'n',
  bpf: 'b',
  userfaultfd: 'u',
  io_uring: 'r',
  memfd: 'm',
  pidfd: 'P',
  unknown: 'o',
};

export function fdTypeChar(type: FdType): string {
  return FD_TYPE_CHARS[type];
}

/** `fd.sockfamily`: `ip` or `unix` for sockets, nothing for other fds. */
export function fdSockFamily(fd: FdInfo): string | undefined {
  if (fd.type === 'ipv4' || fd.type === 'ipv6') return 'ip';
  if (fd.type === 'unix') return 'unix';
  return undefined;
}

const capsCache = new Map<bigint, string>();

/** Capability mask as space-separated names (`CAP_CHOWN CAP_SYS_ADMIN`), as libsinsp prints them. */
export function renderCapabilities(mask: bigint): string {
  const cached = capsCache.get(mask);
  if (cached !== undefined) return cached;
  const names: string[] = [];
  for (let bit = 0; bit < CAPABILITY_NAMES.length; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAPABILITY_NAMES[bit] as string);
  }
  const text = names.join(' ');
  // Processes share a handful of distinct masks; the cap only guards against hostile input.
  if (capsCache.size < 4096) capsCache.set(mask, text);
  return text;
}

/** Buffers as Falco prints them by default: printable ASCII kept, everything else as a dot. */
export function renderBytes(data: Uint8Array): string {
  let out = '';
  for (const b of data) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return out;
}
