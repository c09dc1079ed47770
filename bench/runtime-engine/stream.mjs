/**
 * A synthetic but realistic system-call stream, seeded so every run is identical: a host with
 * sshd sessions and cron, and three containers (nginx, a Python API, a Postgres) doing what
 * such workloads do — library and config opens, reads and writes, closes, process spawns,
 * connections — with a sprinkle of attacker behaviour (credential reads, shells, reverse-shell
 * connects) so about 0.5% of events raise alerts from the stock rules.
 */
import { createContainer, createEvent, createFd, createProcess } from '../../dist/runtime/event/factory.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = 1_700_000_000_000_000_000n;
const root = { uid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' };
const rootGroup = { gid: 0, name: 'root' };

function container(name, image, repo) {
  const fullId = Buffer.from(name.padEnd(32, '0')).toString('hex').slice(0, 64);
  return createContainer({
    id: fullId.slice(0, 12),
    fullId,
    name,
    image,
    imageRepository: repo,
    imageTag: image.split(':')[1] ?? 'latest',
    type: 'docker',
    privileged: false,
    labels: { 'com.example.team': 'platform' },
    startTs: T0 - 3_600_000_000_000n,
  });
}

function world() {
  let pid = 100;
  const p = (init, parent) =>
    createProcess({
      pid: pid++,
      ppid: parent?.pid ?? 0,
      user: root,
      group: rootGroup,
      startTs: T0 - 3_000_000_000_000n,
      cwd: '/',
      ...(parent ? { parent } : {}),
      ...(parent?.container ? { container: parent.container } : {}),
      ...init,
    });
  const systemd = p({ name: 'systemd', exe: '/sbin/init', exePath: '/usr/lib/systemd/systemd' });
  const sshd = p({ name: 'sshd', exe: '/usr/sbin/sshd', exePath: '/usr/sbin/sshd', args: ['-D'] }, systemd);
  const cron = p({ name: 'cron', exe: '/usr/sbin/cron', exePath: '/usr/sbin/cron', args: ['-f'] }, systemd);
  const shim = p(
    {
      name: 'containerd-shim',
      exe: '/usr/bin/containerd-shim-runc-v2',
      exePath: '/usr/bin/containerd-shim-runc-v2',
    },
    systemd,
  );
  const alice = { uid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/bash' };
  const session = p(
    {
      name: 'bash',
      exe: '-bash',
      exePath: '/usr/bin/bash',
      tty: 34817,
      user: alice,
      group: { gid: 1000, name: 'alice' },
      loginUid: 1000,
      loginUser: 'alice',
      sid: 400,
      vpgid: 400,
    },
    p({ name: 'sshd', exe: 'sshd: alice@pts/1', exePath: '/usr/sbin/sshd' }, sshd),
  );

  const web = container('web', 'docker.io/library/nginx:1.25', 'docker.io/library/nginx');
  const api = container('api', 'ghcr.io/example/api:3.2', 'ghcr.io/example/api');
  const db = container('db', 'docker.io/library/postgres:16', 'docker.io/library/postgres');
  const inC = (c, init, parent) => p({ container: c, ...init }, parent);
  const nginx = inC(
    web,
    { name: 'nginx', exe: 'nginx', exePath: '/usr/sbin/nginx', args: ['-g', 'daemon off;'], vpid: 1 },
    shim,
  );
  const nginxWorkers = [1, 2].map(() =>
    inC(
      web,
      {
        name: 'nginx',
        exe: 'nginx',
        exePath: '/usr/sbin/nginx',
        user: { uid: 101, name: 'nginx' },
        group: { gid: 101, name: 'nginx' },
      },
      nginx,
    ),
  );
  const gunicorn = inC(
    api,
    {
      name: 'gunicorn',
      exe: '/usr/local/bin/python3',
      exePath: '/usr/local/bin/python3.12',
      args: ['/usr/local/bin/gunicorn', 'app:app'],
      vpid: 1,
      user: { uid: 1001, name: 'app' },
      group: { gid: 1001, name: 'app' },
    },
    shim,
  );
  const apiWorkers = [1, 2, 3, 4].map(() =>
    inC(
      api,
      {
        name: 'gunicorn',
        exe: '/usr/local/bin/python3',
        exePath: '/usr/local/bin/python3.12',
        args: ['/usr/local/bin/gunicorn', 'app:app'],
        user: { uid: 1001, name: 'app' },
        group: { gid: 1001, name: 'app' },
      },
      gunicorn,
    ),
  );
  const postgres = inC(
    db,
    {
      name: 'postgres',
      exe: 'postgres',
      exePath: '/usr/lib/postgresql/16/bin/postgres',
      vpid: 1,
      user: { uid: 999, name: 'postgres' },
      group: { gid: 999, name: 'postgres' },
    },
    shim,
  );
  const pgBackends = [1, 2, 3].map(() =>
    inC(
      db,
      {
        name: 'postgres',
        exe: 'postgres: app app 172.17.0.3(5432) idle',
        exePath: '/usr/lib/postgresql/16/bin/postgres',
        user: { uid: 999, name: 'postgres' },
        group: { gid: 999, name: 'postgres' },
      },
      postgres,
    ),
  );
  return { p, inC, systemd, cron, shim, session, web, api, db, nginx, nginxWorkers, apiWorkers, pgBackends };
}

const LIBS = [
  '/etc/ld.so.cache',
  '/lib/x86_64-linux-gnu/libc.so.6',
  '/lib/x86_64-linux-gnu/libm.so.6',
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/lib/x86_64-linux-gnu/libpthread.so.0',
];
const CONFIGS = [
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/passwd',
  '/etc/group',
  '/etc/localtime',
  '/etc/nginx/nginx.conf',
  '/app/config.yaml',
];
const APP_FILES = [
  '/app/app.py',
  '/app/models.py',
  '/usr/local/lib/python3.12/json/__init__.py',
  '/var/lib/postgresql/data/base/16384/2619',
  '/var/lib/postgresql/data/pg_wal/000000010000000000000001',
  '/usr/share/nginx/html/index.html',
  '/proc/self/status',
  '/sys/fs/cgroup/memory.max',
];
const COMMANDS = [
  ['ls', '/bin/ls', ['-la', '/tmp']],
  ['cat', '/bin/cat', ['/proc/meminfo']],
  ['date', '/bin/date', []],
  ['python3', '/usr/bin/python3', ['-c', 'import sys']],
  ['grep', '/bin/grep', ['-c', 'ERROR', '/var/log/app.log']],
  ['curl', '/usr/bin/curl', ['-s', 'http://localhost:8080/health']],
  ['pg_isready', '/usr/lib/postgresql/16/bin/pg_isready', ['-q']],
  ['logrotate', '/usr/sbin/logrotate', ['/etc/logrotate.conf']],
];

/** The stream as an array of events; `count` events, about `attackRate` of them malicious. */
export function generateStream(count, seed = 7) {
  const rand = rng(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const w = world();
  const busy = [...w.nginxWorkers, ...w.apiWorkers, ...w.pgBackends, w.session, w.cron];
  const fdTable = new Map();
  const sockets = [];
  for (let i = 0; i < 64; i++) {
    const internal = rand() < 0.7;
    const sip = internal ? `172.17.0.${2 + (i % 5)}` : `93.184.${(i * 7) % 255}.${(i * 13) % 255}`;
    sockets.push({
      num: 10 + (i % 20),
      type: 'ipv4',
      name: `172.17.0.3:${40000 + i}->${sip}:${internal ? 5432 : 443}`,
      l4proto: 'tcp',
      cip: '172.17.0.3',
      cport: 40000 + i,
      sip,
      sport: internal ? 5432 : 443,
      isServer: false,
      connected: true,
    });
  }
  const fileFd = (path, num) => {
    const key = `${path}\0${num}`;
    let fd = fdTable.get(key);
    if (fd === undefined) {
      fd = createFd({ num, type: 'file', name: path });
      fdTable.set(key, fd);
    }
    return fd;
  };
  const spawned = [];
  const spawn = (parent, [name, exePath, args]) => {
    const child = w.p({ name, exe: name, exePath, args, startTs: T0 }, parent);
    spawned.push(child);
    if (spawned.length > 500) spawned.shift();
    return child;
  };
  const events = new Array(count);
  let ts = T0;
  for (let i = 0; i < count; i++) {
    ts += BigInt(200 + Math.floor(rand() * 4000));
    const num = i + 1;
    const r = rand();
    const attack = rand() < 0.005;
    let e;
    if (attack) {
      e = attackEvent(w, num, ts, rand, pick);
    } else if (r < 0.35) {
      const proc = pick(busy);
      const path = rand() < 0.4 ? pick(LIBS) : rand() < 0.5 ? pick(CONFIGS) : pick(APP_FILES);
      const failed = rand() < 0.08;
      const write = !failed && rand() < 0.1;
      const res = failed ? -2 : 3 + Math.floor(rand() * 40);
      const flags = write ? 0o1 | 0o100 | 0o2000 | 0o2000000 : 0o2000000;
      e = {
        num,
        ts,
        type: 'openat',
        dir: '<',
        tid: proc.pid,
        res,
        args: { fd: res, dirfd: -100, name: path, flags, mode: write ? 0o644 : 0 },
        proc,
        fd: failed ? { num: -1, type: 'file', name: path } : fileFd(path, res),
      };
    } else if (r < 0.55) {
      const proc = pick(busy);
      const write = rand() < 0.4;
      const sock = rand() < 0.5;
      const fd = sock ? pick(sockets) : fileFd(pick(APP_FILES), 3 + Math.floor(rand() * 40));
      const size = 64 + Math.floor(rand() * 8192);
      e = {
        num,
        ts,
        type: write ? (sock ? 'sendto' : 'write') : sock ? 'recvfrom' : 'read',
        dir: '<',
        tid: proc.pid,
        res: size,
        args: { fd: fd.num, size },
        proc,
        fd,
      };
    } else if (r < 0.7) {
      const proc = pick(busy);
      const fdNum = 3 + Math.floor(rand() * 40);
      e = { num, ts, type: 'close', dir: '<', tid: proc.pid, res: 0, args: { fd: fdNum }, proc };
    } else if (r < 0.78) {
      const parent = rand() < 0.5 ? w.cron : rand() < 0.5 ? w.session : pick(w.apiWorkers);
      const child = spawn(parent, pick(COMMANDS));
      e = {
        num,
        ts,
        type: 'execve',
        dir: '<',
        tid: child.pid,
        res: 0,
        args: { exe: child.exePath, args: child.argsLine, flags: 0 },
        proc: child,
      };
    } else if (r < 0.86) {
      const proc = pick([...w.apiWorkers, ...w.nginxWorkers]);
      const fd = pick(sockets);
      e = {
        num,
        ts,
        type: 'connect',
        dir: '<',
        tid: proc.pid,
        res: rand() < 0.9 ? 0 : -115,
        args: { fd: fd.num, tuple: fd.name },
        proc,
        fd,
      };
    } else if (r < 0.91) {
      const proc = pick(busy);
      e = {
        num,
        ts,
        type: 'clone',
        dir: '<',
        tid: proc.pid,
        res: 5000 + i,
        args: { flags: 0x1200011 },
        proc,
      };
    } else if (r < 0.94) {
      const proc = pick(busy);
      e = {
        num,
        ts,
        type: 'socket',
        dir: '<',
        tid: proc.pid,
        res: 12,
        args: { domain: rand() < 0.8 ? 2 : 1, type: 1, proto: 0 },
        proc,
      };
    } else if (r < 0.96) {
      const proc = pick(busy);
      e = {
        num,
        ts,
        type: 'dup2',
        dir: '<',
        tid: proc.pid,
        res: 3 + Math.floor(rand() * 10),
        args: { oldfd: 7, newfd: 9 },
        proc,
        fd: fileFd('/dev/null', 7),
      };
    } else if (r < 0.98) {
      const proc = pick(busy);
      e = { num, ts, type: 'fstat', dir: '<', tid: proc.pid, res: 0, args: { fd: 3 }, proc };
    } else {
      const proc = pick(spawned.length > 0 ? spawned : busy);
      e = { num, ts, type: 'procexit', dir: '<', tid: proc.pid, res: 0, args: { status: 0, sig: 0 }, proc };
    }
    events[i] = createEvent(e);
  }
  return events;
}

/** One malicious event among the kinds the stock rules detect. */
function attackEvent(w, num, ts, rand, pick) {
  const k = Math.floor(rand() * 6);
  const worker = pick(w.apiWorkers);
  if (k === 0) {
    const cat = w.p(
      { name: 'cat', exe: 'cat', exePath: '/bin/cat', args: ['/etc/shadow'], startTs: ts },
      worker,
    );
    return {
      num,
      ts,
      type: 'openat',
      dir: '<',
      tid: cat.pid,
      res: 3,
      args: { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 0 },
      proc: cat,
      fd: { num: 3, type: 'file', name: '/etc/shadow' },
    };
  }
  if (k === 1) {
    const sh = w.p(
      { name: 'sh', exe: 'sh', exePath: '/bin/sh', args: ['-c', 'id'], startTs: ts },
      pick(w.nginxWorkers),
    );
    return {
      num,
      ts,
      type: 'execve',
      dir: '<',
      tid: sh.pid,
      res: 0,
      args: { exe: '/bin/sh', args: '-c id', flags: 0 },
      proc: sh,
    };
  }
  if (k === 2) {
    const grep = w.p(
      {
        name: 'grep',
        exe: 'grep',
        exePath: '/bin/grep',
        args: ['-r', 'BEGIN RSA PRIVATE', '/'],
        startTs: ts,
      },
      worker,
    );
    return {
      num,
      ts,
      type: 'execve',
      dir: '<',
      tid: grep.pid,
      res: 0,
      args: { exe: '/bin/grep', args: grep.argsLine, flags: 0 },
      proc: grep,
    };
  }
  if (k === 3) {
    const drop = w.p(
      { name: 'xmrig', exe: '/tmp/xmrig', exePath: '/tmp/xmrig', exeUpperLayer: true, startTs: ts },
      worker,
    );
    return {
      num,
      ts,
      type: 'execve',
      dir: '<',
      tid: drop.pid,
      res: 0,
      args: { exe: '/tmp/xmrig', args: '', flags: 2 },
      proc: drop,
    };
  }
  if (k === 4) {
    return {
      num,
      ts,
      type: 'openat',
      dir: '<',
      tid: worker.pid,
      res: 4,
      args: { fd: 4, dirfd: -100, name: '/var/log/auth.log', flags: 0o1001 },
      proc: worker,
      fd: { num: 4, type: 'file', name: '/var/log/auth.log' },
    };
  }
  return {
    num,
    ts,
    type: 'ptrace',
    dir: '<',
    tid: worker.pid,
    res: 0,
    args: { request: 16, pid: 1 },
    proc: worker,
  };
}
