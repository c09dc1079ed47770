import {
  createEvent,
  createFd,
  createProcess,
  type ProcessInit,
} from '../../../src/runtime/event/factory.js';
import type {
  ArgValue,
  ContainerInfo,
  FdInfo,
  ProcessInfo,
  RuntimeEvent,
} from '../../../src/runtime/event/types.js';

/** Hand-built events for engine tests: a realistic process tree and container. */

export const BASE_TS = 1_700_000_000_000_000_000n;

export const container: ContainerInfo = {
  id: '3ad7b26ded6d',
  fullId: '3ad7b26ded6d8e2b6c5f1fd0d2c6c7b1e9b6b0c1a2d3e4f5a6b7c8d9e0f1a2b3',
  name: 'web',
  image: 'docker.io/library/nginx:1.25',
  imageRepository: 'docker.io/library/nginx',
  imageTag: '1.25',
  type: 'docker',
  privileged: false,
  labels: { app: 'web' },
  startTs: BASE_TS - 60_000_000_000n,
};

export const init = createProcess({
  pid: 1,
  ppid: 0,
  name: 'systemd',
  exe: '/sbin/init',
  exePath: '/usr/lib/systemd/systemd',
  user: { uid: 0, name: 'root' },
  group: { gid: 0, name: 'root' },
  startTs: BASE_TS - 10_000_000_000_000n,
});

export const shim = createProcess({
  pid: 900,
  ppid: 1,
  name: 'containerd-shim',
  exe: '/usr/bin/containerd-shim-runc-v2',
  exePath: '/usr/bin/containerd-shim-runc-v2',
  args: ['-namespace', 'moby'],
  user: { uid: 0, name: 'root' },
  group: { gid: 0, name: 'root' },
  parent: init,
  startTs: BASE_TS - 70_000_000_000n,
});

export const hostShell = createProcess({
  pid: 2000,
  ppid: 1,
  name: 'bash',
  exe: '-bash',
  exePath: '/usr/bin/bash',
  tty: 34816,
  user: { uid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/bash' },
  group: { gid: 1000, name: 'alice' },
  loginUid: 1000,
  loginUser: 'alice',
  cwd: '/home/alice',
  parent: init,
  startTs: BASE_TS - 600_000_000_000n,
  sid: 2000,
  vpgid: 2000,
});

/** The container's entrypoint, a child of the runtime shim. */
export const nginx = createProcess({
  pid: 1000,
  ppid: 900,
  vpid: 1,
  name: 'nginx',
  exe: 'nginx',
  exePath: '/usr/sbin/nginx',
  args: ['-g', 'daemon off;'],
  user: { uid: 0, name: 'root' },
  group: { gid: 0, name: 'root' },
  parent: shim,
  container,
  cwd: '/',
  startTs: BASE_TS - 50_000_000_000n,
});

export function proc(
  init: Partial<ProcessInit> & Pick<ProcessInit, 'name'>,
  parent: ProcessInfo = nginx,
): ProcessInfo {
  return createProcess({
    pid: 4242,
    ppid: parent.pid,
    user: parent.user,
    group: parent.group,
    parent,
    ...(parent.container === undefined ? {} : { container: parent.container }),
    cwd: '/',
    startTs: BASE_TS - 1_000_000_000n,
    ...init,
  });
}

let num = 0;

export function event(
  type: string,
  p: ProcessInfo,
  args: Record<string, ArgValue> = {},
  extra: { res?: number; fd?: FdInfo; ts?: bigint } = {},
): RuntimeEvent {
  num++;
  return createEvent({
    num,
    ts: extra.ts ?? BASE_TS + BigInt(num) * 1000n,
    type,
    tid: p.pid,
    res: extra.res ?? 0,
    args,
    proc: p,
    fd: extra.fd,
  });
}

/** execve exit: the process after the exec. */
export function exec(p: ProcessInfo): RuntimeEvent {
  return event('execve', p, { exe: p.exePath, args: p.argsLine }, { res: 0 });
}

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_TRUNC = 0o1000;

export function openat(p: ProcessInfo, path: string, flags: number, res = 3): RuntimeEvent {
  const fd = createFd({ num: res >= 0 ? res : -1, type: 'file', name: path });
  return event('openat', p, { fd: res, dirfd: -100, name: path, flags, mode: 0 }, { res, fd });
}

export function connect(p: ProcessInfo, sip: string, sport: number, res = 0): RuntimeEvent {
  const fd = createFd({
    num: 3,
    type: sip.includes(':') ? 'ipv6' : 'ipv4',
    name: `172.17.0.2:40000->${sip}:${sport}`,
    l4proto: 'tcp',
    cip: '172.17.0.2',
    cport: 40000,
    sip,
    sport,
    isServer: false,
    connected: res === 0,
  });
  return event('connect', p, { res, tuple: fd.name, fd: 3 }, { res, fd });
}
