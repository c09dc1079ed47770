import { describe, expect, it } from 'vitest';
import { createEvent, createFd, createProcess } from '../../event/factory.js';
import type { ArgValue, ContainerInfo, FdInfo, ProcessInfo, RuntimeEvent } from '../../event/types.js';
import type { Scalar } from './field.js';
import { ALL_FIELDS, bindField, resolveField } from './registry.js';

const ctx = { hostname: 'node-7' };

function value(name: string, e: RuntimeEvent, arg?: string): Scalar | undefined {
  const bound = bindField(name, arg, ctx);
  if (typeof bound === 'string') throw new Error(bound);
  return bound.get(e);
}

const pod: ContainerInfo = {
  id: 'c0ffee000001',
  fullId: 'c0ffee000001aaaa',
  name: 'k8s_app_web-0_shop_uid_0',
  image: 'registry.example/shop/web:2.1',
  type: 'containerd',
  labels: {
    'io.kubernetes.pod.name': 'web-0',
    'io.kubernetes.pod.namespace': 'shop',
    'io.kubernetes.pod.uid': '1234-uid',
    'io.kubernetes.sandbox.id': '0123456789abcdef0123',
    app: 'web',
    tier: 'front',
  },
  startTs: 1_000_000_000_000n,
  mounts: [
    {
      source: '/var/run/docker.sock',
      dest: '/run/docker.sock',
      mode: 'rw',
      rw: true,
      propagation: 'rprivate',
    },
    { source: '/proc', dest: '/host/proc', rw: false },
  ],
};

const login = createProcess({
  pid: 10,
  ppid: 1,
  name: 'bash',
  exe: '-bash',
  exePath: '/bin/bash',
  user: { uid: 1000, name: 'ann' },
  group: { gid: 1000 },
  sid: 10,
  vpgid: 10,
  startTs: 100n,
});
const script = createProcess({
  pid: 11,
  ppid: 10,
  name: 'sh',
  exe: 'sh',
  exePath: '/bin/sh',
  args: ['run.sh'],
  user: { uid: 1000 },
  group: { gid: 1000 },
  sid: 10,
  vpgid: 11,
  parent: login,
});
const worker: ProcessInfo = createProcess({
  pid: 12,
  ppid: 11,
  name: 'python3',
  exe: 'python3',
  exePath: '/usr/bin/python3.11',
  args: ['-m', 'http.server'],
  env: ['HOME=/home/ann', 'LANG=C'],
  cwd: '/srv/app/',
  user: { uid: 1000 },
  group: { gid: 1000, name: 'ann' },
  sid: 10,
  vpgid: 11,
  loginUid: 4294967295,
  capEffective: (1n << 21n) | 1n,
  startTs: 1_000n,
  parent: script,
  container: pod,
});

const ev = (
  type: string,
  args: Record<string, ArgValue>,
  extra: { res?: number; fd?: FdInfo; proc?: ProcessInfo } = {},
) =>
  createEvent({
    num: 42,
    ts: 5_000_000_000_123n,
    type,
    tid: 13,
    res: extra.res ?? 0,
    args,
    proc: extra.proc ?? worker,
    fd: extra.fd,
  });

describe('process fields', () => {
  const e = ev('getpid', {});
  it('walk the parent chain for names, command lines, sessions and groups', () => {
    expect(value('proc.cmdline', e)).toBe('python3 -m http.server');
    expect(value('proc.exeline', e)).toBe('python3 -m http.server');
    expect(value('proc.pcmdline', e)).toBe('sh run.sh');
    expect(value('proc.aname', e, '2')).toBe('bash');
    expect(value('proc.aname', e, '3')).toBeUndefined();
    expect(value('proc.apid', e, '1')).toBe(11);
    expect(value('proc.sname', e)).toBe('bash');
    expect(value('proc.vpgid.name', e)).toBe('sh');
    expect(value('proc.is_vpgid_leader', ev('x', {}, { proc: script }))).toBe(true);
    expect(value('proc.is_sid_leader', ev('x', {}, { proc: login }))).toBe(true);
    expect(value('proc.loginshellid', e)).toBe(10);
    expect(value('proc.cmdnargs', e)).toBe(2);
    expect(value('proc.cmdlenargs', e)).toBe(13);
  });

  it('compute durations, environment, capabilities and thread facts', () => {
    expect(value('proc.duration', e)).toBe(5_000_000_000_123 - 1_000);
    expect(value('proc.env', e)).toBe('HOME=/home/ann LANG=C');
    expect(value('proc.env', e, 'HOME')).toBe('/home/ann');
    expect(value('proc.env', e, 'PATH')).toBeUndefined();
    expect(value('thread.cap_effective', e)).toBe('CAP_CHOWN CAP_SYS_ADMIN');
    expect(value('thread.tid', e)).toBe(13);
    expect(value('thread.ismain', e)).toBe(false);
    expect(value('user.loginuid', e)).toBe(-1);
    expect(value('user.name', e)).toBeUndefined();
    expect(value('group.name', e)).toBe('ann');
  });
});

describe('container and Kubernetes fields', () => {
  it("read the container and its pod labels; host processes are 'host'", () => {
    const e = ev('getpid', {});
    expect(value('container.id', e)).toBe('c0ffee000001');
    expect(value('container.label.app', e)).toBe('web');
    expect(value('container.label', e, 'tier')).toBe('front');
    expect(value('k8s.ns.name', e)).toBe('shop');
    expect(value('k8s.pod.name', e)).toBe('web-0');
    expect(value('k8s.pod.uid', e)).toBe('1234-uid');
    expect(value('k8s.pod.sandbox_id', e)).toBe('0123456789ab');
    expect(value('k8s.pod.label.app', e)).toBe('web');
    expect(value('k8s.pod.labels', e)).toBe('app:web, tier:front');
    expect(value('container.mount.dest', e, '/proc*')).toBe('/host/proc');
    expect(value('container.mount.source', e, '/run/*')).toBe('/var/run/docker.sock');
    expect(value('container.mount', e, '1')).toBe('/proc:/host/proc::false:');
    expect(value('container.mount.rdwr', e, '0')).toBe('true');
    expect(value('container.mount.dest', e, '/lib/modules')).toBeUndefined();
    expect(bindField('container.mount.dest', undefined, ctx)).toMatch(/needs an index or a path/);
    expect(value('container.duration', e)).toBe(5_000_000_000_123 - 1_000_000_000_000);
    const host = ev('getpid', {}, { proc: login });
    expect([
      value('container.id', host),
      value('container.name', host),
      value('container.image', host),
    ]).toEqual(['host', 'host', undefined]);
    expect(value('k8s.ns.name', host)).toBeUndefined();
  });
});

describe('fd fields', () => {
  const server = createFd({
    num: 5,
    type: 'ipv4',
    name: '10.0.0.9:51000->10.0.0.2:8080',
    l4proto: 'tcp',
    cip: '10.0.0.9',
    cport: 51000,
    sip: '10.0.0.2',
    sport: 8080,
    isServer: true,
  });
  it('split paths like libsinsp', () => {
    const at = (name: string) => ev('openat', {}, { fd: createFd({ num: 3, type: 'file', name }) });
    expect([value('fd.directory', at('/etc/shadow')), value('fd.filename', at('/etc/shadow'))]).toEqual([
      '/etc',
      'shadow',
    ]);
    expect([value('fd.directory', at('/vmlinuz')), value('fd.filename', at('/vmlinuz'))]).toEqual([
      '/',
      'vmlinuz',
    ]);
    expect(value('fd.typechar', at('/x'))).toBe('f');
    expect(value('fd.containername', at('/x'))).toBe('c0ffee000001:/x');
    expect(value('fd.directory', ev('accept', {}, { fd: server }))).toBeUndefined();
  });

  it('orient sockets by role', () => {
    const e = ev('accept', {}, { fd: server });
    expect([value('fd.lip', e), value('fd.lport', e), value('fd.rip', e), value('fd.rport', e)]).toEqual([
      '10.0.0.2',
      8080,
      '10.0.0.9',
      51000,
    ]);
    expect([
      value('fd.sockfamily', e),
      value('fd.l4proto', e),
      value('fd.is_server', e),
      value('fd.typechar', e),
    ]).toEqual(['ip', 'tcp', true, '4']);
    expect(value('fd.num', ev('close', {}))).toBeUndefined();
  });
});

describe('event fields', () => {
  it('derive open modes from raw flags', () => {
    const open = (flags: number, mode = 0) =>
      ev('openat', { fd: 3, dirfd: -100, name: 'a.sh', flags, mode }, { res: 3 });
    const flags = (e: RuntimeEvent) =>
      ['evt.is_open_read', 'evt.is_open_write', 'evt.is_open_create', 'evt.is_open_exec'].map((f) =>
        value(f, e),
      );
    expect(flags(open(0))).toEqual([true, false, false, false]);
    expect(flags(open(0o2 | 0o100, 0o755))).toEqual([true, true, true, true]);
    expect(flags(open(0o1 | 0o100, 0o644))).toEqual([false, true, true, false]);
    expect(flags(ev('read', { fd: 3 }))).toEqual([false, false, false, false]);
    expect(value('evt.abspath', open(0))).toBe('/srv/app/a.sh');
    expect(value('fs.path.name', open(0))).toBe('/srv/app/a.sh');
    expect(value('fs.path.nameraw', open(0))).toBe('a.sh');
    const rename = ev('renameat2', { olddirfd: -100, oldpath: 'old', newdirfd: -100, newpath: '/tmp/new' });
    expect([value('fs.path.source', rename), value('fs.path.target', rename)]).toEqual([
      '/srv/app/old',
      '/tmp/new',
    ]);
    expect([value('syscall.type', open(0)), value('syscall.type', ev('procexit', {}))]).toEqual([
      'openat',
      undefined,
    ]);
  });

  it('render arguments, results and times as Falco shows them', () => {
    const e = ev('openat', { fd: -2, dirfd: -100, name: '/nope', flags: 0o1101, mode: 0o644 }, { res: -2 });
    expect(value('evt.res', e)).toBe('ENOENT');
    expect(value('evt.failed', e)).toBe(true);
    expect(value('evt.arg', e, '0')).toBe('ENOENT');
    expect(value('evt.arg.flags', e)).toBe('O_WRONLY|O_CREAT|O_TRUNC');
    expect(value('evt.arg.mode', e)).toBe('S_IROTH|S_IRGRP|S_IWUSR|S_IRUSR');
    expect(value('evt.arg.mode', ev('fchmodat', { dirfd: -100, filename: 'x', mode: 0o4755 }))).toContain(
      'S_ISUID',
    );
    expect(value('evt.args', e)).toBe(
      'fd=-2(ENOENT) dirfd=-100(AT_FDCWD) name=/nope flags=577(O_WRONLY|O_CREAT|O_TRUNC) mode=420(S_IROTH|S_IRGRP|S_IWUSR|S_IRUSR)',
    );
    expect(value('evt.rawarg.flags', e)).toBe(577);
    expect(value('evt.res', ev('close', {}))).toBe('SUCCESS');
    expect(value('evt.time.iso8601', e)).toBe('1970-01-01T01:23:20.000000123Z');
    expect(value('evt.rawtime.ns', e)).toBe(123);
    expect(value('evt.hostname', e)).toBe('node-7');
    expect(value('evt.arg.request', ev('ptrace', { request: 0x4206, pid: 1 }))).toBe('PTRACE_SEIZE');
    expect(value('evt.arg.domain', ev('socket', { domain: 17, type: 0o2000003 }))).toBe('AF_PACKET');
    expect(value('evt.arg.type', ev('socket', { domain: 17, type: 0o2000003 }))).toBe(
      'SOCK_RAW|SOCK_CLOEXEC',
    );
    expect(value('evt.arg.flags', ev('unshare', { flags: 0x10020000 }))).toBe('CLONE_NEWNS|CLONE_NEWUSER');
    expect(value('evt.buflen', ev('write', { fd: 1, data: new Uint8Array([1, 2, 3]) }, { res: 3 }))).toBe(3);
  });
});

describe('the registry', () => {
  it('resolves dotted and bracket arguments to the longest field name', () => {
    expect(resolveField('evt.arg.flags')).toMatchObject({
      def: { name: 'evt.arg' },
      arg: { text: 'flags', style: 'dot' },
    });
    expect(resolveField('proc.aname', '2')).toMatchObject({
      def: { name: 'proc.aname' },
      arg: { text: '2', style: 'bracket' },
    });
    expect(resolveField('proc.exepath')?.def.name).toBe('proc.exepath');
    expect(resolveField('proc.nope')).toBeUndefined();
    expect(bindField('proc.aname', 'x', ctx)).toMatch(/numeric index/);
    expect(bindField('proc.name', '1', ctx)).toMatch(/does not take an argument/);
    expect(bindField('evt.arg', undefined, ctx)).toMatch(/needs an argument/);
  });

  it('has unique names and a description for every field', () => {
    const names = ALL_FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of ALL_FIELDS) expect(f.desc.length, f.name).toBeGreaterThan(5);
  });
});
