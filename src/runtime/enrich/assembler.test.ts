import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer } from '../event/factory.js';
import { renderArg } from '../event/render.js';
import type { RuntimeEvent } from '../event/types.js';
import { KIND, LAYOUTS, type RecordName, type SensorRecord } from '../sensor/records.js';
import { Assembler, type ContainerLookup } from './assembler.js';
import type { ContainerRecord } from './docker-info.js';
import { ProcessTable } from './process-table.js';
import { AccountDirectory } from './users.js';

const HOST = 4026531840;
const CONTAINER_NS = 4026532177;

/** The lookup the assembler sees: one container, the host, and nothing else resolvable. */
class FixedContainers implements ContainerLookup {
  constructor(private readonly byNs: Map<number, ContainerRecord>) {}
  lookup(ns: number) {
    return this.byNs.get(ns) ?? (ns === HOST ? undefined : 'unknown');
  }
  async resolve(): Promise<void> {}
  isHost(ns: number) {
    return ns === HOST;
  }
  invalidate(): void {}
  adopt(ns: number, record: ContainerRecord): void {
    this.byNs.set(ns, record);
  }
}

let ts = 1000;

/** A record as a backend delivers it: numbers in layout order, inline strings then slots. */
function rec(
  name: RecordName,
  pid: number,
  nums: Record<string, number>,
  strings: Record<string, string> = {},
  mntns = CONTAINER_NS,
): SensorRecord {
  const layout = LAYOUTS[name];
  return {
    kind: KIND[name],
    ts: ts++,
    pid,
    tid: pid,
    mntns,
    n: layout.nums.map((f) => nums[f] ?? 0),
    s: [...layout.inline, ...layout.slots].map((f) => strings[f]),
  };
}

describe('assembling events from sensor records', () => {
  let root: string;
  let assembler: Assembler;
  let table: ProcessTable;
  const wanted: (string | undefined)[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cerana-test-assembler-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'usr/bin/dash'), '');
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
    const record: ContainerRecord = {
      info: createContainer({
        id: 'c1dda4c80fe5',
        fullId: `c1dda4c80fe5${'0'.repeat(52)}`,
        name: 'web',
        image: 'web:1',
        type: 'docker',
        labels: {},
      }),
      rootDir: root,
      upperDir: join(root, 'no-upper'),
      initPid: 0,
      running: true,
    };
    const containers = new FixedContainers(new Map([[CONTAINER_NS, record]]));
    table = new ProcessTable({
      containerOf: (ns) => {
        const c = containers.lookup(ns);
        return c === 'unknown' ? undefined : c;
      },
      accounts: new AccountDirectory(),
      procRoot: join(root, 'no-proc'),
    });
    table.seed([
      {
        pid: 100,
        ppid: 1,
        name: 'containerd-shim',
        args: ['/usr/bin/containerd-shim'],
        uid: 0,
        gid: 0,
        tty: 0,
        mntns: HOST,
      },
    ]);
    assembler = new Assembler({
      table,
      containers,
      wallClock: (mono) => BigInt(mono) + 1_700_000_000_000_000_000n,
      wants: (c) => {
        wanted.push(c?.name);
        return c !== undefined;
      },
      procRoot: join(root, 'no-proc'),
    });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (r: SensorRecord): RuntimeEvent | undefined => assembler.process(r);

  it('builds an exec with its parent chain, container, container-local user and terminal', () => {
    run(rec('chdir', 200, { ok: 1, nr: 80, ret: 0 }, { path: '/srv' }, HOST));
    const e = run(
      rec(
        'exec',
        200,
        {
          nr: 59,
          ppid: 100,
          uid: 1000,
          gid: 1000,
          vpid: 1,
          vsid: 1,
          vpgid: 1,
          tty: 34816,
          argc: 3,
          exeNlink: 1,
        },
        {
          comm: 'sh',
          pcomm: 'containerd-shim',
          filename: '/usr/bin/dash',
          exeName: 'dash',
          arg0: 'sh',
          arg1: '-c',
          arg2: 'id',
        },
      ),
    ) as RuntimeEvent;
    expect(e).toMatchObject({ type: 'execve', res: 0, ts: 1_700_000_000_000_001_001n });
    expect(e.proc).toMatchObject({
      name: 'sh',
      exe: 'sh',
      exePath: '/usr/bin/dash',
      cmdline: 'sh -c id',
      cwd: '/srv',
      tty: 34816,
      vpid: 1,
      user: { uid: 1000, name: 'app', homedir: '/home/app' },
      group: { gid: 1000, name: 'app' },
      exeUpperLayer: false,
    });
    expect(e.proc.parent?.name).toBe('containerd-shim');
    expect(e.proc.container?.name).toBe('web');
    expect(renderArg(e, 'flags', e.args.flags as number)).toBe('EXE_LOWER_LAYER');
  });

  it('forks children that inherit the process and its fds, and follows relative paths', () => {
    const open = run(
      rec(
        'open',
        200,
        { ok: 1, nr: 257, ret: 3, dirfd: -100, flags: 0o2000001, imode: 0o100644 },
        { path: 'out.log' },
      ),
    );
    expect(open?.fd).toMatchObject({ num: 3, type: 'file', name: '/srv/out.log', nameRaw: 'out.log' });
    const clone = run(
      rec('clone', 201, { nr: 57, ppid: 200, uid: 1000, gid: 1000, vpid: 2, tty: 34816 }, { comm: 'sh' }),
    );
    expect(clone?.type).toBe('fork');
    expect(clone?.proc.parent?.parent?.name).toBe('containerd-shim');
    const dup = run(rec('dup', 201, { ok: 1, nr: 33, ret: 1, oldfd: 3, newfd: 1 }));
    expect(dup?.fd).toMatchObject({ num: 1, name: '/srv/out.log', type: 'file' });
    expect(dup?.args).toEqual({ oldfd: 3, newfd: 1 });
  });

  it('names failed opens by their path and tells directories from files', () => {
    const failed = run(
      rec('open', 201, { ok: 1, nr: 257, ret: -2, dirfd: -100, flags: 0o200000 }, { path: '/nope/' }),
    );
    expect(failed).toMatchObject({ res: -2, fd: { num: -1, type: 'directory', name: '/nope' } });
    const dir = run(
      rec('open', 201, { ok: 1, nr: 257, ret: 4, dirfd: -100, imode: 0o040755 }, { path: '/etc' }),
    );
    expect(dir?.fd?.type).toBe('directory');
    const at = run(
      rec('open', 201, { ok: 1, nr: 257, ret: 5, dirfd: 4, imode: 0o100600 }, { path: 'shadow' }),
    );
    expect(at?.fd?.name).toBe('/etc/shadow');
  });

  it('tracks sockets: connect names the connection, dup2 onto stdin carries it, close forgets it', () => {
    run(rec('socket', 201, { ok: 1, ret: 6, domain: 2, type: 1, proto: 0 }));
    const lo = 0x0100007f; // 127.0.0.1 read little-endian
    const connect = run(
      rec('connect', 201, {
        ok: 1,
        ret: 0,
        fd: 6,
        fam: 2,
        port: 0x5c11, // 4444 in network order, read little-endian
        a0: lo,
        lfam: 2,
        lport: 40000,
        l0: lo,
        stype: 1,
        sproto: 6,
      }),
    );
    expect(connect?.fd).toMatchObject({
      type: 'ipv4',
      name: '127.0.0.1:40000->127.0.0.1:4444',
      l4proto: 'tcp',
      sip: '127.0.0.1',
      sport: 4444,
      isServer: false,
    });
    expect(connect?.args.tuple).toBe('127.0.0.1:40000->127.0.0.1:4444');
    const dup = run(rec('dup', 201, { ok: 1, nr: 33, ret: 0, oldfd: 6, newfd: 0 }));
    expect(dup?.fd).toMatchObject({ num: 0, type: 'ipv4', sport: 4444 });
    run(rec('closeSocket', 201, { fd: 6 }));
    expect(run(rec('dup', 201, { ok: 1, nr: 32, ret: 7, oldfd: 6 }))?.fd).toBeUndefined();
  });

  it('applies credentials, names and exec-time fd closing', () => {
    const setuid = run(rec('setid', 201, { ok: 1, nr: 105, ret: 0, a0: 0, euid: 0, egid: 1000 }));
    expect(setuid?.proc.user.name).toBe('root');
    expect(setuid?.args).toEqual({ uid: 0 });
    run(rec('rename', 201, {}, { comm: 'worker' }));
    expect(run(rec('bpf', 201, { ok: 1, ret: -1, cmd: 5 }))?.proc.name).toBe('worker');
    // fd 3 was opened with O_CLOEXEC; fd 1 (a dup2 copy) was not.
    run(
      rec(
        'exec',
        201,
        { nr: 59, ppid: 200, argc: 1, exeNlink: 1 },
        { comm: 'cat', filename: '/usr/bin/dash', exeName: 'dash', arg0: 'cat' },
      ),
    );
    expect(table.get(201)?.fds.has(3)).toBe(false);
    expect(table.get(201)?.fds.has(1)).toBe(true);
  });

  it('reports calls whose arguments were unreadable with their result only', () => {
    const e = run(rec('mount', 201, { ok: 0, ret: -1, flags: 7 }, { target: 'stale' }));
    expect(e).toMatchObject({ type: 'mount', res: -1, args: {} });
  });

  it('marks the container runtime setup and ends processes with procexit', () => {
    const init = run(rec('clone', 300, { nr: 56, ppid: 100 }, { comm: 'runc:[2:INIT]' }));
    expect(init?.proc.runtimeSetup).toBe(true);
    const exit = run(rec('exit', 300, { code: 0x0100 }));
    expect(exit).toMatchObject({ type: 'procexit', args: { status: 256, ret: 1, sig: 0 } });
    expect(table.get(300)?.exitedAt).toBeDefined();
  });

  it('does not build events nobody wants (host processes here)', () => {
    wanted.length = 0;
    expect(
      run(rec('open', 100, { ok: 1, nr: 257, ret: 3, dirfd: -100 }, { path: '/x' }, HOST)),
    ).toBeUndefined();
    expect(wanted).toEqual([undefined]);
  });

  it('keeps a container process that unshares in its container', () => {
    const NEW_NS = 4026532999;
    const r = rec('namespace', 201, { ok: 1, nr: 272, ret: 0, a0: 0x20000 }, {}, NEW_NS);
    expect(assembler.needsResolution(r)).toBe(false);
    expect(run(r)?.proc.container?.name).toBe('web');
  });

  it('knows every record kind', () => {
    for (const name of Object.keys(LAYOUTS) as RecordName[]) {
      expect(() => run(rec(name, 201, { ok: 1 }))).not.toThrow();
    }
  });
});
