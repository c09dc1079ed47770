import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { createEvent, createFd, createProcess } from './factory.js';
import {
  createRecordingReader,
  createRecordingWriter,
  decodeRecording,
  detectRecordingFormat,
  encodeRecording,
  type RecordingFormat,
} from './recording.js';
import type { ContainerInfo, FdInfo, ProcessInfo, RuntimeEvent } from './types.js';

const container: ContainerInfo = {
  id: 'abcdef012345',
  fullId: 'abcdef0123456789',
  name: 'web',
  image: 'nginx:1.25',
  imageRepository: 'nginx',
  imageTag: '1.25',
  imageDigest: 'sha256:00',
  type: 'docker',
  privileged: true,
  hostNetwork: false,
  labels: { 'io.kubernetes.pod.name': 'web-0', app: 'web' },
  mounts: [{ source: '/var/run/docker.sock', dest: '/var/run/docker.sock', rw: true, mode: 'rw' }],
  startTs: 1_700_000_000_000_000_000n,
  ip: '172.17.0.2',
};

const parent = createProcess({
  pid: 10,
  ppid: 1,
  name: 'bash',
  exe: '-bash',
  exePath: '/bin/bash',
  user: { uid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' },
  group: { gid: 0, name: 'root' },
  container,
  tty: 34816,
  sid: 10,
  vpgid: 10,
  startTs: 1_700_000_000_000_000_001n,
});

const child: ProcessInfo = createProcess({
  pid: 11,
  ppid: 10,
  vpid: 2,
  name: 'cat',
  exe: 'cat',
  exePath: '/usr/bin/cat',
  args: ['/etc/shadow', 'héllo wörld'],
  env: ['PATH=/bin', 'HOME=/root'],
  cwd: '/root',
  user: { uid: 0, name: 'root' },
  group: { gid: 0 },
  loginUid: -1,
  capEffective: 0x1ffffffffffn,
  exeUpperLayer: true,
  exeWritable: false,
  exeIno: 1234,
  exeInoCtime: 1_699_999_999_000_000_000n,
  category: 'healthcheck',
  parent,
  container,
});

const file: FdInfo = { num: 3, type: 'file', name: '/etc/shadow', nameRaw: 'shadow', dev: 2049, ino: 77 };
const socket: FdInfo = {
  num: 4,
  type: 'ipv6',
  name: '[::1]:40000->[::1]:443',
  l4proto: 'tcp',
  cip: '::1',
  cport: 40000,
  sip: '::1',
  sport: 443,
  isServer: false,
  connected: true,
  sipName: 'localhost',
};

function events(): RuntimeEvent[] {
  return [
    {
      num: 1,
      ts: 1_700_000_000_123_456_789n,
      type: 'openat',
      dir: '<',
      tid: 11,
      cpu: 1,
      res: 3,
      args: { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 0o2000000, mode: 0 },
      proc: child,
      fd: file,
    },
    {
      num: 2,
      ts: 1_700_000_000_123_456_999n,
      type: 'connect',
      dir: '<',
      tid: 12,
      vtid: 3,
      res: -111,
      args: { fd: 4, tuple: socket.name, big: 2n ** 63n - 1n, data: new Uint8Array([0, 1, 255]), ratio: 0.5 },
      proc: child,
      fd: socket,
    },
    { num: 7, ts: 1_600_000_000_000_000_000n, type: 'execve', dir: '>', tid: 10, args: {}, proc: parent },
  ];
}

/** Comparable form: objects as plain data, parent chains included. */
const plain = (v: unknown): unknown =>
  JSON.parse(
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x)),
  );

describe.each(['binary', 'json'] as RecordingFormat[])('%s recordings', (format) => {
  it('round-trip every field, including derived command lines and parent chains', () => {
    const original = events();
    const decoded = decodeRecording(encodeRecording(original, format));
    expect(plain(decoded)).toEqual(plain(original));
    const [first, second] = decoded as [RuntimeEvent, RuntimeEvent];
    expect(first.proc.cmdline).toBe('cat /etc/shadow héllo wörld');
    expect(first.proc.parent?.name).toBe('bash');
    expect(first.proc).toBe(second.proc);
    expect(first.proc.container).toBe(first.proc.parent?.container);
  });

  it('decode when fed one byte at a time, across writer flushes', () => {
    const writer = createRecordingWriter(format);
    const chunks: Buffer[] = [];
    for (const e of events()) {
      writer.write(e);
      chunks.push(writer.take());
    }
    const data = Buffer.concat(chunks);
    expect(detectRecordingFormat(data)).toBe(format);
    const reader = createRecordingReader(format);
    const out: RuntimeEvent[] = [];
    for (let i = 0; i < data.length; i++) reader.push(data.subarray(i, i + 1), (e) => out.push(e));
    reader.end((e) => out.push(e));
    expect(plain(out)).toEqual(plain(events()));
  });
});

describe('binary recordings', () => {
  it('are several times smaller than JSON lines', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...events()[0], num: i + 1 }) as RuntimeEvent);
    const binary = encodeRecording(many, 'binary').length;
    const json = encodeRecording(many, 'json').length;
    expect(binary * 4).toBeLessThan(json);
  });

  it('reject truncated and corrupt input with a clear error', () => {
    const data = encodeRecording(events(), 'binary');
    expect(() => decodeRecording(data.subarray(0, data.length - 3))).toThrow(/incomplete/);
    const corrupt = Buffer.from(data);
    corrupt[8] = 99;
    expect(() => decodeRecording(corrupt)).toThrow(CeranaError);
    const reader = createRecordingReader('binary');
    expect(() => reader.push(Buffer.from('not a recording at all'), () => {})).toThrow(
      /not a Cerana event recording/,
    );
  });

  it('reset the string table on long recordings without losing strings', () => {
    const writer = createRecordingWriter('binary');
    const reader = createRecordingReader('binary');
    const out: RuntimeEvent[] = [];
    const base = events()[0] as RuntimeEvent;
    for (let i = 0; i < 70_000; i++) {
      writer.write({ ...base, num: i + 1, args: { name: `/tmp/file-${i}` } });
      if (i % 5000 === 0) reader.push(writer.take(), (e) => out.push(e));
    }
    reader.push(writer.take(), (e) => out.push(e));
    reader.end(() => {});
    expect(out).toHaveLength(70_000);
    expect(out[69_999]?.args.name).toBe('/tmp/file-69999');
    expect(out[0]?.args.name).toBe('/tmp/file-0');
  });
});

describe('json recordings', () => {
  it('reject records missing required fields', () => {
    const bad = Buffer.from('{"t":"p","ref":1,"parent":0,"container":0,"pid":"x"}\n');
    expect(() => decodeRecording(bad)).toThrow(/line 1/);
    expect(() =>
      decodeRecording(Buffer.from('{"t":"e","num":1,"ts":"1","type":"x","tid":1,"proc":9}\n')),
    ).toThrow(/undefined process 9/);
  });
});

/** A real collection, so FinalizationRegistry callbacks run (the test process has no --expose-gc). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['binary', 'json'] as RecordingFormat[])('%s recordings over a long session', (format) => {
  it('let the reader forget fds and processes the sensor dropped', async () => {
    const writer = createRecordingWriter(format);
    const reader = createRecordingReader(format);
    const keep = events()[0] as RuntimeEvent;
    let count = 0;
    const feed = () => reader.push(writer.take(), () => count++);
    (() => {
      // 1000 opens, each with its own fd snapshot, then all of them dropped by the "sensor"
      for (let i = 0; i < 1000; i++) {
        writer.write(
          createEvent({ ...keep, num: i + 1, fd: createFd({ num: 3, type: 'file', name: `/tmp/f${i}` }) }),
        );
      }
    })();
    feed();
    expect(reader.tableSizes.fds).toBe(1000);
    await collectGarbage();
    writer.write(keep);
    feed();
    reader.end(() => count++);
    expect(count).toBe(1001);
    expect(reader.tableSizes.fds).toBeLessThan(100);
    expect(reader.tableSizes.processes).toBe(2);
  });
});
