import { fdSockFamily, fdTypeChar } from '../../event/render.js';
import type { FdInfo, RuntimeEvent } from '../../event/types.js';
import { type BoundField, type FieldDef, plain, type Scalar, type ValueType } from './field.js';

const isFile = (f: FdInfo): boolean => f.type === 'file';
const isIp = (f: FdInfo): boolean => f.type === 'ipv4' || f.type === 'ipv6';

/** Directory of a file fd, the way libsinsp cuts it (`/etc/shadow` → `/etc`, `/x` → `/`). */
function directoryOf(f: FdInfo): string | undefined {
  if (f.type === 'directory') return f.name;
  if (!isFile(f)) return undefined;
  const slash = f.name.lastIndexOf('/');
  if (slash <= 0) return '/';
  return slash < f.name.length - 1 ? f.name.slice(0, slash) : f.name;
}

function filenameOf(f: FdInfo): string | undefined {
  if (!isFile(f)) return undefined;
  const slash = f.name.lastIndexOf('/');
  return slash >= 0 && slash < f.name.length - 1 ? f.name.slice(slash + 1) : f.name;
}

const localIp = (f: FdInfo) => (f.isServer ? f.sip : f.cip);
const remoteIp = (f: FdInfo) => (f.isServer ? f.cip : f.sip);
const localPort = (f: FdInfo) => (f.isServer ? f.sport : f.cport);
const remotePort = (f: FdInfo) => (f.isServer ? f.cport : f.sport);

function fdField(
  name: string,
  type: ValueType,
  desc: string,
  get: (f: FdInfo, e: RuntimeEvent) => Scalar | undefined,
): FieldDef {
  return plain(name, type, desc, (e) => (e.fd === undefined ? undefined : get(e.fd, e)));
}

/** A socket field with one value per side (`fd.ip` is client or server). */
function eitherSide(
  name: string,
  type: ValueType,
  desc: string,
  client: (f: FdInfo) => Scalar | undefined,
  server: (f: FdInfo) => Scalar | undefined,
  netMembership = false,
): FieldDef {
  const bound: BoundField = {
    type,
    filterOnly: true,
    get: (e) => (e.fd === undefined || !isIp(e.fd) ? undefined : (client(e.fd) ?? server(e.fd))),
    some: (e, test) => {
      const f = e.fd;
      if (f === undefined || !isIp(f)) return false;
      const c = client(f);
      if (c !== undefined && test(c)) return true;
      const s = server(f);
      return s !== undefined && test(s);
    },
  };
  return {
    name,
    type,
    desc: netMembership ? `${desc} (filter only)` : desc,
    bind: (arg) => (arg === undefined ? bound : `field '${name}' does not take an argument`),
  };
}

function ipField(
  name: string,
  desc: string,
  pick: (f: FdInfo) => string | undefined,
  type: ValueType = 'ipaddr',
): FieldDef {
  const def = fdField(name, type, desc, (f) => (isIp(f) ? pick(f) : undefined));
  if (type !== 'ipnet') return def;
  return {
    ...def,
    bind: (arg, ctx) => {
      const bound = def.bind(arg, ctx);
      return typeof bound === 'string' ? bound : { ...bound, filterOnly: true };
    },
  };
}

function portField(name: string, desc: string, pick: (f: FdInfo) => number | undefined): FieldDef {
  return fdField(name, 'port', desc, (f) => (isIp(f) ? pick(f) : undefined));
}

export const FD_FIELDS: readonly FieldDef[] = [
  fdField('fd.num', 'int', 'file descriptor number (-1 when the call failed)', (f) => f.num),
  fdField(
    'fd.type',
    'string',
    "fd type: 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe'...",
    (f) => f.type,
  ),
  fdField('fd.typechar', 'string', "fd type as one character: 'f', 'd', '4', '6', 'u', 'p'...", (f) =>
    fdTypeChar(f.type),
  ),
  fdField('fd.name', 'string', 'file path, or connection tuple for sockets', (f) => f.name),
  fdField('fd.nameraw', 'string', 'file path as passed to the call', (f) => f.nameRaw ?? f.name),
  fdField('fd.directory', 'string', 'directory of a file fd', directoryOf),
  fdField('fd.filename', 'string', 'file name of a file fd, without the directory', filenameOf),
  eitherSide(
    'fd.ip',
    'ipaddr',
    'client or server IP address',
    (f) => f.cip,
    (f) => f.sip,
  ),
  ipField('fd.cip', 'client IP address', (f) => f.cip),
  ipField('fd.sip', 'server IP address', (f) => f.sip),
  ipField('fd.lip', 'local IP address', localIp),
  ipField('fd.rip', 'remote IP address', remoteIp),
  eitherSide(
    'fd.port',
    'port',
    'client or server port',
    (f) => f.cport,
    (f) => f.sport,
  ),
  portField('fd.cport', 'client port', (f) => f.cport),
  portField('fd.sport', 'server port', (f) => f.sport),
  portField('fd.lport', 'local port', localPort),
  portField('fd.rport', 'remote port', remotePort),
  eitherSide(
    'fd.net',
    'ipnet',
    'client or server IP is in the network',
    (f) => f.cip,
    (f) => f.sip,
    true,
  ),
  ipField('fd.cnet', 'client IP is in the network (filter only)', (f) => f.cip, 'ipnet'),
  ipField('fd.snet', 'server IP is in the network (filter only)', (f) => f.sip, 'ipnet'),
  ipField('fd.lnet', 'local IP is in the network (filter only)', localIp, 'ipnet'),
  ipField('fd.rnet', 'remote IP is in the network (filter only)', remoteIp, 'ipnet'),
  fdField('fd.l4proto', 'string', "IP protocol of a socket: 'tcp', 'udp', 'icmp', 'raw'", (f) =>
    isIp(f) ? f.l4proto : undefined,
  ),
  fdField('fd.sockfamily', 'string', "socket family: 'ip' or 'unix'", fdSockFamily),
  fdField('fd.is_server', 'bool', "'true' if the process is the server end of the connection", (f) =>
    isIp(f) || f.type === 'unix' ? f.isServer === true : undefined,
  ),
  fdField('fd.connected', 'bool', "'true' for connected sockets", (f) => f.connected === true),
  fdField(
    'fd.name_changed',
    'bool',
    "'true' when the event changed the fd's name",
    (f) => f.nameChanged === true,
  ),
  fdField('fd.cip.name', 'string', 'domain name of the client IP', (f) => f.cipName),
  fdField('fd.sip.name', 'string', 'domain name of the server IP', (f) => f.sipName),
  fdField('fd.lip.name', 'string', 'domain name of the local IP', (f) =>
    f.isServer ? f.sipName : f.cipName,
  ),
  fdField('fd.rip.name', 'string', 'domain name of the remote IP', (f) =>
    f.isServer ? f.cipName : f.sipName,
  ),
  fdField(
    'fd.uid',
    'string',
    'unique id of the fd: thread id and fd number chained',
    (f, e) => `${e.tid}${f.num}`,
  ),
  fdField(
    'fd.containername',
    'string',
    'container id and fd name chained',
    (f, e) => `${e.proc.container?.id ?? 'host'}:${f.name}`,
  ),
  fdField('fd.containerdirectory', 'string', 'container id and directory chained', (f, e) => {
    const dir = directoryOf(f);
    return dir === undefined ? undefined : `${e.proc.container?.id ?? 'host'}:${dir}`;
  }),
  fdField('fd.dev', 'int', 'device number of the file', (f) => f.dev),
  fdField('fd.dev.major', 'int', 'major device number of the file', (f) =>
    f.dev === undefined ? undefined : f.dev >>> 20,
  ),
  fdField('fd.dev.minor', 'int', 'minor device number of the file', (f) =>
    f.dev === undefined ? undefined : f.dev & 0xfffff,
  ),
  fdField('fd.ino', 'int', 'inode number of the file', (f) => f.ino),
];
