import { O_ACCMODE, O_CREAT, O_RDWR, O_TMPFILE, O_WRONLY } from '../../event/flags.js';
import { META_EVENT_NAMES } from '../../event/linux.js';
import { renderArg, renderArgs, renderResult } from '../../event/render.js';
import type { ArgValue, RuntimeEvent } from '../../event/types.js';
import { contextual, type FieldDef, plain, type Scalar } from './field.js';
import {
  formatDateTime,
  formatDateTimeSeconds,
  formatIso8601,
  formatTime,
  formatTimeSeconds,
} from './time.js';

const NS = 1_000_000_000n;

const OPEN_CALLS = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const IO_READ = new Set([
  'read',
  'readv',
  'pread',
  'pread64',
  'preadv',
  'preadv2',
  'recv',
  'recvfrom',
  'recvmsg',
  'recvmmsg',
]);
const IO_WRITE = new Set([
  'write',
  'writev',
  'pwrite',
  'pwrite64',
  'pwritev',
  'pwritev2',
  'send',
  'sendto',
  'sendmsg',
  'sendmmsg',
  'sendfile',
]);
const WAIT_CALLS = new Set([
  'nanosleep',
  'clock_nanosleep',
  'futex',
  'poll',
  'ppoll',
  'select',
  'pselect6',
  'epoll_wait',
  'epoll_pwait',
  'epoll_pwait2',
  'wait4',
  'waitid',
  'pause',
]);

/** Open flags of an open-family event; creat(2) implies O_CREAT|O_WRONLY|O_TRUNC. */
function openFlags(e: RuntimeEvent): number | undefined {
  if (!OPEN_CALLS.has(e.type)) return undefined;
  if (e.type === 'creat') return 0o1101;
  const flags = e.args.flags;
  return typeof flags === 'number' ? flags : 0;
}

function argByIndex(e: RuntimeEvent, index: number): [string, ArgValue] | undefined {
  let i = 0;
  for (const name in e.args) {
    if (i === index) return [name, e.args[name] as ArgValue];
    i++;
  }
  return undefined;
}

function argValue(e: RuntimeEvent, name: string): ArgValue | undefined {
  const value = e.args[name];
  if (value !== undefined) return value;
  return name === 'res' ? e.res : undefined;
}

const PATH_ARGS = ['name', 'path', 'pathname', 'filename', 'dir'];

function absolutize(e: RuntimeEvent, path: ArgValue | undefined): string | undefined {
  if (typeof path !== 'string') return undefined;
  if (path.startsWith('/')) return path;
  const cwd = e.proc.cwd;
  if (cwd === undefined) return undefined;
  return cwd.endsWith('/') ? `${cwd}${path}` : `${cwd}/${path}`;
}

const META_TYPES: ReadonlySet<string> = new Set(META_EVENT_NAMES);

function pathArg(e: RuntimeEvent): ArgValue | undefined {
  for (const name of PATH_ARGS) {
    const value = e.args[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

const stringArg = (v: ArgValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export const EVT_FIELDS: readonly FieldDef[] = [
  plain('evt.num', 'int', 'event number', (e) => e.num),
  plain('evt.time', 'string', 'event time as HH:MM:SS.nanoseconds (local time)', (e) => formatTime(e.ts)),
  plain('evt.time.s', 'string', 'event time as HH:MM:SS (local time)', (e) => formatTimeSeconds(e.ts)),
  plain('evt.time.iso8601', 'string', 'event time in ISO 8601 with nanoseconds (UTC)', (e) =>
    formatIso8601(e.ts),
  ),
  plain('evt.datetime', 'string', 'event date and time with nanoseconds (local time)', (e) =>
    formatDateTime(e.ts),
  ),
  plain('evt.datetime.s', 'string', 'event date and time (local time)', (e) => formatDateTimeSeconds(e.ts)),
  plain('evt.rawtime', 'abstime', 'event time in nanoseconds since the epoch', (e) => e.ts),
  plain('evt.rawtime.s', 'int', 'integer part of the event time in seconds', (e) => Number(e.ts / NS)),
  plain('evt.rawtime.ns', 'int', 'fractional part of the event time in nanoseconds', (e) =>
    Number(e.ts % NS),
  ),
  plain('evt.type', 'string', 'event type (system call name)', (e) => e.type),
  plain('evt.dir', 'string', "event direction: '<' exit, '>' enter", (e) => e.dir),
  plain('evt.cpu', 'int', 'CPU the event happened on', (e) => e.cpu),
  plain('evt.args', 'string', 'all event arguments as text', renderArgs),
  plain('evt.info', 'string', 'all event arguments as text', renderArgs),
  {
    name: 'evt.arg',
    type: 'string',
    desc: 'one event argument as text, by name (evt.arg.flags) or position (evt.arg[0])',
    argument: 'index or key',
    argumentRequired: true,
    bind: (arg) => {
      if (arg === undefined) return "field 'evt.arg' needs an argument, like evt.arg.flags or evt.arg[0]";
      if (arg.style === 'bracket' && /^[0-9]+$/.test(arg.text)) {
        const index = Number(arg.text);
        return {
          type: 'string',
          get: (e) => {
            const found = argByIndex(e, index);
            return found === undefined ? undefined : renderArg(e, found[0], found[1]);
          },
        };
      }
      const name = arg.text;
      return {
        type: 'string',
        get: (e) => {
          const value = argValue(e, name);
          return value === undefined ? undefined : renderArg(e, name, value);
        },
      };
    },
  },
  {
    name: 'evt.rawarg',
    type: 'dyn',
    desc: 'one event argument as its raw value (number or text), by name',
    argument: 'key',
    argumentRequired: true,
    bind: (arg) => {
      if (arg === undefined) return "field 'evt.rawarg' needs an argument, like evt.rawarg.fd";
      const name = arg.text;
      return { type: 'dyn', get: (e): Scalar | undefined => argValue(e, name) };
    },
  },
  plain('evt.res', 'string', "result as text: 'SUCCESS' or an errno name like 'ENOENT'", (e) =>
    e.res === undefined ? undefined : renderResult(e.res),
  ),
  plain('evt.rawres', 'int', 'result as a number (negative errno on failure)', (e) => e.res),
  plain(
    'evt.failed',
    'bool',
    "'true' for events that returned an error",
    (e) => e.res !== undefined && e.res < 0,
  ),
  plain(
    'evt.is_io',
    'bool',
    "'true' for events that read or write data",
    (e) => IO_READ.has(e.type) || IO_WRITE.has(e.type),
  ),
  plain('evt.is_io_read', 'bool', "'true' for events that read data", (e) => IO_READ.has(e.type)),
  plain('evt.is_io_write', 'bool', "'true' for events that write data", (e) => IO_WRITE.has(e.type)),
  plain('evt.is_wait', 'bool', "'true' for events that make the thread wait", (e) => WAIT_CALLS.has(e.type)),
  plain(
    'evt.is_syslog',
    'bool',
    "'true' for writes to /dev/log",
    (e) => IO_WRITE.has(e.type) && e.fd !== undefined && e.fd.name === '/dev/log',
  ),
  plain('evt.is_open_read', 'bool', "'true' for opens with read access", (e) => {
    const flags = openFlags(e);
    if (flags === undefined) return false;
    const mode = flags & O_ACCMODE;
    return mode === 0 || mode === O_RDWR;
  }),
  plain('evt.is_open_write', 'bool', "'true' for opens with write access", (e) => {
    const flags = openFlags(e);
    if (flags === undefined) return false;
    const mode = flags & O_ACCMODE;
    return mode === O_WRONLY || mode === O_RDWR;
  }),
  plain('evt.is_open_create', 'bool', "'true' for opens that create the file", (e) => {
    const flags = openFlags(e);
    return flags !== undefined && ((flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE);
  }),
  plain('evt.is_open_exec', 'bool', "'true' for opens that create a file with execute permission", (e) => {
    const flags = openFlags(e);
    if (flags === undefined || ((flags & O_CREAT) === 0 && (flags & O_TMPFILE) !== O_TMPFILE)) return false;
    const mode = e.args.mode;
    return typeof mode === 'number' && (mode & 0o111) !== 0;
  }),
  plain('evt.buffer', 'bytes', 'the data buffer of I/O events', (e) => {
    const data = e.args.data;
    return data instanceof Uint8Array ? data : undefined;
  }),
  plain('evt.buflen', 'int', 'length of the data buffer of I/O events', (e) => {
    const data = e.args.data;
    if (data instanceof Uint8Array) return data.length;
    return IO_READ.has(e.type) || IO_WRITE.has(e.type) ? e.res : undefined;
  }),
  plain('evt.abspath', 'string', 'absolute path of the path argument, resolved against the cwd', (e) =>
    absolutize(e, pathArg(e)),
  ),
  plain('evt.abspath.src', 'string', 'absolute source path (rename, link)', (e) =>
    absolutize(e, e.args.oldpath),
  ),
  plain('evt.abspath.dst', 'string', 'absolute destination path (rename, link, symlink)', (e) =>
    absolutize(e, e.args.newpath ?? e.args.linkpath),
  ),
  plain('fs.path.name', 'string', 'absolute path a file system call operates on', (e) =>
    absolutize(e, pathArg(e)),
  ),
  plain('fs.path.nameraw', 'string', 'path a file system call operates on, as passed', (e) =>
    stringArg(pathArg(e)),
  ),
  plain('fs.path.source', 'string', 'absolute source path (rename, link, symlink target)', (e) =>
    absolutize(e, e.args.oldpath ?? e.args.target),
  ),
  plain('fs.path.sourceraw', 'string', 'source path as passed', (e) =>
    stringArg(e.args.oldpath ?? e.args.target),
  ),
  plain('fs.path.target', 'string', 'absolute destination path (rename, link, symlink)', (e) =>
    absolutize(e, e.args.newpath ?? e.args.linkpath),
  ),
  plain('fs.path.targetraw', 'string', 'destination path as passed', (e) =>
    stringArg(e.args.newpath ?? e.args.linkpath),
  ),
  plain('syscall.type', 'string', 'system call name, for system call events', (e) =>
    META_TYPES.has(e.type) ? undefined : e.type,
  ),
  plain('evt.source', 'string', "event source ('syscall')", () => 'syscall'),
  plain('evt.is_async', 'bool', "'true' for events not caused by a thread (always false here)", () => false),
  contextual('evt.hostname', 'string', 'name of the host the event happened on', (ctx) => {
    const hostname = ctx.hostname;
    return () => hostname;
  }),
];
