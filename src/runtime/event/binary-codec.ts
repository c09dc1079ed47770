import { CeranaError } from '../../common/errors.js';
import { ByteReader, ByteWriter, TruncatedError } from './bytes.js';
import { createContainer, createEvent, createFd, createProcess, type ProcessInit } from './factory.js';
import type {
  ArgValue,
  ContainerInfo,
  ContainerMount,
  FdInfo,
  FdType,
  L4Proto,
  ProcessCategory,
  ProcessInfo,
  RuntimeEvent,
} from './types.js';

/**
 * The compact recording format. Decoding JSON costs more than evaluating rules, so a recorded
 * stream is binary: strings are interned once in a string table, processes, containers and fds
 * are written once and referenced by id, event numbers and timestamps are deltas. An event is
 * then a dozen varints, and decoding it allocates only the event and its arguments.
 *
 *   file    = magic record*
 *   record  = tag:u8 length:uvarint payload
 *   tags    = 1 string | 2 container | 3 process | 4 fd | 5 event | 6 reset string table
 *             | 7 forget (ids of containers, processes, fds the sensor no longer holds)
 *
 * Memory stays bounded on both sides: the string table is reset past a size, and when the
 * sensor lets go of a process or fd snapshot (the writer learns it from a FinalizationRegistry)
 * a forget record tells the reader to drop its copy from the id table.
 */

export const BINARY_MAGIC = Buffer.from('CRNEVT1\n', 'latin1');

const TAG_STRING = 1;
const TAG_CONTAINER = 2;
const TAG_PROCESS = 3;
const TAG_FD = 4;
const TAG_EVENT = 5;
const TAG_RESET = 6;
const TAG_FORGET = 7;

const KIND_CONTAINER = 1;
const KIND_PROCESS = 2;
const KIND_FD = 3;

/** Beyond this many interned strings the table is reset, bounding memory on both sides. */
const STRING_TABLE_LIMIT = 65_536;

const ARG_INT = 0;
const ARG_STRING = 1;
const ARG_BIGINT = 2;
const ARG_BYTES = 3;
const ARG_FLOAT = 4;

/** Presence masks stay below 2^31, so bitwise tests are safe. */
const bit = (mask: number, n: number): boolean => ((mask >>> n) & 1) === 1;

export class BinaryRecordWriter {
  private readonly out = new ByteWriter();
  private readonly rec = new ByteWriter(4096);
  private strings = new Map<string, number>();
  private readonly containers = new WeakMap<ContainerInfo, number>();
  private readonly processes = new WeakMap<ProcessInfo, number>();
  private readonly fds = new WeakMap<FdInfo, number>();
  private nextContainer = 1;
  private nextProcess = 1;
  private nextFd = 1;
  private prevNum = 0;
  private prevTs = 0n;
  private forgotten: [kind: number, id: number][] = [];
  private readonly released = new FinalizationRegistry<[number, number]>((held) => this.forgotten.push(held));

  constructor() {
    this.out.bytes(BINARY_MAGIC);
  }

  /** Appends an event (and whatever it references that was not written yet). */
  write(e: RuntimeEvent): void {
    if (this.forgotten.length > 0) this.writeForgotten();
    const procId = this.process(e.proc);
    const fdId = e.fd === undefined ? 0 : this.fd(e.fd);
    this.beginRecord();
    const r = this.rec;
    const delta = e.ts - this.prevTs;
    const smallDelta = delta > -4503599627370496n && delta < 4503599627370496n;
    let mask = 0;
    if (e.dir === '>') mask |= 1;
    if (e.vtid !== undefined) mask |= 2;
    if (e.cpu !== undefined) mask |= 4;
    if (e.res !== undefined) mask |= 8;
    if (fdId !== 0) mask |= 16;
    if (!smallDelta) mask |= 32;
    r.uvarint(mask);
    r.svarint(e.num - this.prevNum);
    if (smallDelta) r.svarint(Number(delta));
    else r.i64(e.ts);
    this.prevNum = e.num;
    this.prevTs = e.ts;
    this.str(e.type);
    r.svarint(e.tid);
    r.uvarint(procId);
    if (e.vtid !== undefined) r.svarint(e.vtid);
    if (e.cpu !== undefined) r.uvarint(e.cpu);
    if (e.res !== undefined) r.svarint(e.res);
    if (fdId !== 0) r.uvarint(fdId);
    let count = 0;
    for (const _ in e.args) count++;
    r.uvarint(count);
    for (const name in e.args) {
      this.str(name);
      this.arg(e.args[name] as ArgValue);
    }
    this.endRecord(TAG_EVENT);
  }

  /** The encoded bytes produced since the last call (the first call includes the header). */
  take(): Buffer {
    return this.out.take();
  }

  private writeForgotten(): void {
    const batch = this.forgotten;
    this.forgotten = [];
    this.beginRecord();
    this.rec.uvarint(batch.length);
    for (const [kind, id] of batch) {
      this.rec.u8(kind);
      this.rec.uvarint(id);
    }
    this.endRecord(TAG_FORGET);
  }

  private beginRecord(): void {
    if (this.strings.size >= STRING_TABLE_LIMIT) {
      this.strings = new Map();
      this.out.u8(TAG_RESET);
      this.out.uvarint(0);
    }
    this.rec.reset();
  }

  private endRecord(tag: number): void {
    const payload = this.rec.view();
    this.out.u8(tag);
    this.out.uvarint(payload.length);
    this.out.bytes(payload);
  }

  private str(s: string): void {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.strings.size;
      this.strings.set(s, id);
      this.out.u8(TAG_STRING);
      this.out.uvarint(Buffer.byteLength(s));
      this.out.utf8(s);
    }
    this.rec.uvarint(id);
  }

  private optStr(s: string | undefined): void {
    if (s !== undefined) this.str(s);
  }

  private arg(v: ArgValue): void {
    const r = this.rec;
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) {
        r.u8(ARG_INT);
        r.svarint(v);
      } else {
        r.u8(ARG_FLOAT);
        r.f64(v);
      }
    } else if (typeof v === 'string') {
      r.u8(ARG_STRING);
      this.str(v);
    } else if (typeof v === 'bigint') {
      r.u8(ARG_BIGINT);
      r.i64(v);
    } else {
      r.u8(ARG_BYTES);
      r.uvarint(v.length);
      r.bytes(v);
    }
  }

  private container(c: ContainerInfo): number {
    const known = this.containers.get(c);
    if (known !== undefined) return known;
    const id = this.nextContainer++;
    this.containers.set(c, id);
    this.released.register(c, [KIND_CONTAINER, id]);
    this.beginRecord();
    const r = this.rec;
    const optional = [c.imageId, c.imageRepository, c.imageTag, c.imageDigest, c.ip] as const;
    const bools = [c.privileged, c.hostPid, c.hostNetwork, c.hostIpc] as const;
    let mask = 0;
    optional.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << i;
    });
    bools.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << (5 + i);
    });
    if (c.mounts !== undefined) mask |= 1 << 9;
    if (c.startTs !== undefined) mask |= 1 << 10;
    r.uvarint(id);
    r.uvarint(mask);
    this.str(c.id);
    this.str(c.fullId);
    this.str(c.name);
    this.str(c.image);
    this.str(c.type);
    for (const v of optional) this.optStr(v);
    for (const v of bools) if (v !== undefined) r.u8(v ? 1 : 0);
    if (c.mounts !== undefined) {
      r.uvarint(c.mounts.length);
      for (const m of c.mounts) {
        this.str(m.source);
        this.str(m.dest);
        this.str(m.mode ?? '');
        this.str(m.propagation ?? '');
        r.u8(m.rw === undefined ? 2 : m.rw ? 1 : 0);
      }
    }
    if (c.startTs !== undefined) r.i64(c.startTs);
    const labels = Object.entries(c.labels);
    r.uvarint(labels.length);
    for (const [k, v] of labels) {
      this.str(k);
      this.str(v);
    }
    this.endRecord(TAG_CONTAINER);
    return id;
  }

  private process(p: ProcessInfo): number {
    const known = this.processes.get(p);
    if (known !== undefined) return known;
    // Parents and the container first: a record only references what came before it.
    const parentId = p.parent === undefined ? 0 : this.process(p.parent);
    const containerId = p.container === undefined ? 0 : this.container(p.container);
    const id = this.nextProcess++;
    this.processes.set(p, id);
    this.released.register(p, [KIND_PROCESS, id]);
    this.beginRecord();
    const r = this.rec;
    const fields: readonly unknown[] = [
      p.vpid,
      p.env,
      p.cwd,
      p.sid,
      p.vpgid,
      p.startTs,
      p.user.name,
      p.user.homedir,
      p.user.shell,
      p.group.name,
      p.loginUid,
      p.loginUser,
      p.capEffective,
      p.capPermitted,
      p.capInheritable,
      p.exeWritable,
      p.exeUpperLayer,
      p.exeFromMemfd,
      p.exeIno,
      p.exeInoCtime,
      p.exeInoMtime,
      p.pidnsInitStartTs,
      p.category,
      p.runtimeSetup,
    ];
    let mask = 0;
    fields.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << i;
    });
    r.uvarint(id);
    r.uvarint(mask);
    r.uvarint(parentId);
    r.uvarint(containerId);
    r.svarint(p.pid);
    r.svarint(p.ppid);
    this.str(p.name);
    this.str(p.exe);
    this.str(p.exePath);
    r.uvarint(p.args.length);
    for (const a of p.args) this.str(a);
    r.uvarint(p.tty);
    r.uvarint(p.user.uid);
    r.uvarint(p.group.gid);
    if (p.vpid !== undefined) r.svarint(p.vpid);
    if (p.env !== undefined) {
      r.uvarint(p.env.length);
      for (const v of p.env) this.str(v);
    }
    this.optStr(p.cwd);
    if (p.sid !== undefined) r.svarint(p.sid);
    if (p.vpgid !== undefined) r.svarint(p.vpgid);
    if (p.startTs !== undefined) r.i64(p.startTs);
    this.optStr(p.user.name);
    this.optStr(p.user.homedir);
    this.optStr(p.user.shell);
    this.optStr(p.group.name);
    if (p.loginUid !== undefined) r.svarint(p.loginUid);
    this.optStr(p.loginUser);
    for (const cap of [p.capEffective, p.capPermitted, p.capInheritable]) if (cap !== undefined) r.i64(cap);
    for (const b of [p.exeWritable, p.exeUpperLayer, p.exeFromMemfd]) if (b !== undefined) r.u8(b ? 1 : 0);
    if (p.exeIno !== undefined) r.uvarint(p.exeIno);
    for (const t of [p.exeInoCtime, p.exeInoMtime, p.pidnsInitStartTs]) if (t !== undefined) r.i64(t);
    this.optStr(p.category);
    if (p.runtimeSetup !== undefined) r.u8(p.runtimeSetup ? 1 : 0);
    this.endRecord(TAG_PROCESS);
    return id;
  }

  private fd(f: FdInfo): number {
    const known = this.fds.get(f);
    if (known !== undefined) return known;
    const id = this.nextFd++;
    this.fds.set(f, id);
    this.released.register(f, [KIND_FD, id]);
    this.beginRecord();
    const r = this.rec;
    const strs = [f.nameRaw, f.l4proto, f.cip, f.sip, f.cipName, f.sipName] as const;
    const nums = [f.cport, f.sport, f.dev, f.ino] as const;
    const bools = [f.isServer, f.connected, f.nameChanged] as const;
    let mask = 0;
    strs.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << i;
    });
    nums.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << (6 + i);
    });
    bools.forEach((v, i) => {
      if (v !== undefined) mask |= 1 << (10 + i);
    });
    r.uvarint(id);
    r.uvarint(mask);
    r.svarint(f.num);
    this.str(f.type);
    this.str(f.name);
    for (const v of strs) this.optStr(v);
    for (const v of nums) if (v !== undefined) r.uvarint(v);
    for (const v of bools) if (v !== undefined) r.u8(v ? 1 : 0);
    this.endRecord(TAG_FD);
    return id;
  }
}

/**
 * The engine's copy of a string, as property keys are kept: argument names then index objects
 * without a string-table lookup on every event, and equal values compare by pointer.
 */
function internalize(s: string): string {
  return Object.keys({ [s]: 0 })[0] as string;
}

function corrupt(message: string): CeranaError {
  return new CeranaError('INPUT', `corrupt event recording: ${message}`, {
    hint: 'the file is truncated or was not written by cerana --record',
  });
}

/** Decodes a binary recording fed in chunks of any size. */
export class BinaryRecordReader {
  private strings: string[] = [];
  private readonly containers = new Map<number, ContainerInfo>();
  private readonly processes = new Map<number, ProcessInfo>();
  private readonly fds = new Map<number, FdInfo>();
  private pending: Buffer | undefined;
  private headerSeen = false;
  private prevNum = 0;
  private prevTs = 0n;
  private offset = 0;
  private readonly head = new ByteReader(Buffer.alloc(0));
  private readonly body = new ByteReader(Buffer.alloc(0));

  /** Decodes every complete record in `chunk` (plus what was left over), calling `onEvent` in order. */
  push(chunk: Uint8Array, onEvent: (e: RuntimeEvent) => void): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending !== undefined) buf = Buffer.concat([this.pending, buf]);
    this.pending = undefined;
    let pos = 0;
    if (!this.headerSeen) {
      if (buf.length < BINARY_MAGIC.length) {
        this.pending = buf;
        return;
      }
      if (!buf.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)) {
        throw new CeranaError('INPUT', 'not a Cerana event recording (bad header)', {
          hint: 'record one with cerana runtime watch --record FILE',
        });
      }
      this.headerSeen = true;
      pos = BINARY_MAGIC.length;
      this.offset = pos;
    }
    const head = this.head;
    while (pos < buf.length) {
      head.reset(buf, pos, buf.length);
      let tag: number;
      let length: number;
      try {
        tag = head.u8();
        length = head.uvarint();
      } catch (err) {
        if (err instanceof TruncatedError) break;
        throw err;
      }
      const start = head.pos;
      if (start + length > buf.length) break;
      this.body.reset(buf, start, start + length);
      this.record(tag, this.body, onEvent);
      this.offset += start + length - pos;
      pos = start + length;
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos));
  }

  /** Call at end of input: leftover bytes mean the recording was cut in the middle of a record. */
  end(_onEvent?: (e: RuntimeEvent) => void): void {
    if (!this.headerSeen) throw corrupt('no header');
    if (this.pending !== undefined && this.pending.length > 0) {
      throw corrupt(`the last record is incomplete (${this.pending.length} bytes at offset ${this.offset})`);
    }
  }

  private record(tag: number, r: ByteReader, onEvent: (e: RuntimeEvent) => void): void {
    try {
      switch (tag) {
        case TAG_STRING:
          this.strings.push(internalize(r.utf8(r.end - r.pos)));
          return;
        case TAG_EVENT:
          onEvent(this.event(r));
          return;
        case TAG_PROCESS:
          this.process(r);
          return;
        case TAG_CONTAINER:
          this.container(r);
          return;
        case TAG_FD:
          this.fd(r);
          return;
        case TAG_RESET:
          this.strings = [];
          return;
        case TAG_FORGET:
          this.forget(r);
          return;
        default:
          throw corrupt(`unknown record type ${tag} at offset ${this.offset}`);
      }
    } catch (err) {
      if (err instanceof TruncatedError) throw corrupt(`${err.message} at offset ${this.offset}`);
      throw err;
    }
  }

  private forget(r: ByteReader): void {
    for (let n = r.uvarint(); n > 0; n--) {
      const kind = r.u8();
      const id = r.uvarint();
      const table: Map<number, unknown> =
        kind === KIND_PROCESS ? this.processes : kind === KIND_FD ? this.fds : this.containers;
      table.delete(id);
    }
  }

  private str(r: ByteReader): string {
    const s = this.strings[r.uvarint()];
    if (s === undefined) throw corrupt(`undefined string at offset ${this.offset}`);
    return s;
  }

  /** How many processes, fds and containers the reader holds (bounded by forget records). */
  get tableSizes(): { processes: number; fds: number; containers: number } {
    return { processes: this.processes.size, fds: this.fds.size, containers: this.containers.size };
  }

  private ref<T>(table: Map<number, T>, id: number, what: string): T {
    const v = table.get(id);
    if (v === undefined) throw corrupt(`undefined ${what} ${id} at offset ${this.offset}`);
    return v;
  }

  private event(r: ByteReader): RuntimeEvent {
    const mask = r.uvarint();
    const num = this.prevNum + r.svarint();
    const ts = mask & 32 ? r.i64() : this.prevTs + BigInt(r.svarint());
    this.prevNum = num;
    this.prevTs = ts;
    const type = this.str(r);
    const tid = r.svarint();
    const proc = this.ref(this.processes, r.uvarint(), 'process');
    const vtid = mask & 2 ? r.svarint() : undefined;
    const cpu = mask & 4 ? r.uvarint() : undefined;
    const res = mask & 8 ? r.svarint() : undefined;
    const fd = mask & 16 ? this.ref(this.fds, r.uvarint(), 'fd') : undefined;
    const count = r.uvarint();
    const args: Record<string, ArgValue> = {};
    for (let i = 0; i < count; i++) {
      const name = this.str(r);
      const kind = r.u8();
      switch (kind) {
        case ARG_INT:
          args[name] = r.svarint();
          break;
        case ARG_STRING:
          args[name] = this.str(r);
          break;
        case ARG_BIGINT:
          args[name] = r.i64();
          break;
        case ARG_BYTES:
          args[name] = r.bytes(r.uvarint());
          break;
        case ARG_FLOAT:
          args[name] = r.f64();
          break;
        default:
          throw corrupt(`unknown argument type ${kind} at offset ${this.offset}`);
      }
    }
    return createEvent({ num, ts, type, dir: mask & 1 ? '>' : '<', tid, vtid, cpu, res, args, proc, fd });
  }

  private container(r: ByteReader): void {
    const id = r.uvarint();
    const mask = r.uvarint();
    const c: { -readonly [K in keyof ContainerInfo]: ContainerInfo[K] } = {
      id: this.str(r),
      fullId: this.str(r),
      name: this.str(r),
      image: this.str(r),
      type: this.str(r),
      labels: {},
    };
    if (bit(mask, 0)) c.imageId = this.str(r);
    if (bit(mask, 1)) c.imageRepository = this.str(r);
    if (bit(mask, 2)) c.imageTag = this.str(r);
    if (bit(mask, 3)) c.imageDigest = this.str(r);
    if (bit(mask, 4)) c.ip = this.str(r);
    if (bit(mask, 5)) c.privileged = r.u8() === 1;
    if (bit(mask, 6)) c.hostPid = r.u8() === 1;
    if (bit(mask, 7)) c.hostNetwork = r.u8() === 1;
    if (bit(mask, 8)) c.hostIpc = r.u8() === 1;
    if (bit(mask, 9)) {
      const mounts: ContainerMount[] = [];
      for (let n = r.uvarint(); n > 0; n--) {
        const source = this.str(r);
        const dest = this.str(r);
        const mode = this.str(r);
        const propagation = this.str(r);
        const rw = r.u8();
        mounts.push({
          source,
          dest,
          ...(mode === '' ? {} : { mode }),
          ...(propagation === '' ? {} : { propagation }),
          ...(rw === 2 ? {} : { rw: rw === 1 }),
        });
      }
      c.mounts = mounts;
    }
    if (bit(mask, 10)) c.startTs = r.i64();
    const labels: Record<string, string> = {};
    for (let n = r.uvarint(); n > 0; n--) {
      const k = this.str(r);
      labels[k] = this.str(r);
    }
    c.labels = labels;
    this.containers.set(id, createContainer(c));
  }

  private process(r: ByteReader): void {
    const id = r.uvarint();
    const mask = r.uvarint();
    const parentId = r.uvarint();
    const containerId = r.uvarint();
    const pid = r.svarint();
    const ppid = r.svarint();
    const name = this.str(r);
    const exe = this.str(r);
    const exePath = this.str(r);
    const args: string[] = [];
    for (let n = r.uvarint(); n > 0; n--) args.push(this.str(r));
    const tty = r.uvarint();
    const uid = r.uvarint();
    const gid = r.uvarint();
    const has = (n: number) => bit(mask, n);
    const p: { -readonly [K in keyof ProcessInit]: ProcessInit[K] } = {
      pid,
      ppid,
      name,
      exe,
      exePath,
      args,
      tty,
      user: { uid },
      group: { gid },
    };
    if (has(0)) p.vpid = r.svarint();
    if (has(1)) {
      const env: string[] = [];
      for (let n = r.uvarint(); n > 0; n--) env.push(this.str(r));
      p.env = env;
    }
    if (has(2)) p.cwd = this.str(r);
    if (has(3)) p.sid = r.svarint();
    if (has(4)) p.vpgid = r.svarint();
    if (has(5)) p.startTs = r.i64();
    const userName = has(6) ? this.str(r) : undefined;
    const homedir = has(7) ? this.str(r) : undefined;
    const shell = has(8) ? this.str(r) : undefined;
    p.user = {
      uid,
      ...(userName === undefined ? {} : { name: userName }),
      ...(homedir === undefined ? {} : { homedir }),
      ...(shell === undefined ? {} : { shell }),
    };
    if (has(9)) p.group = { gid, name: this.str(r) };
    if (has(10)) p.loginUid = r.svarint();
    if (has(11)) p.loginUser = this.str(r);
    if (has(12)) p.capEffective = r.i64();
    if (has(13)) p.capPermitted = r.i64();
    if (has(14)) p.capInheritable = r.i64();
    if (has(15)) p.exeWritable = r.u8() === 1;
    if (has(16)) p.exeUpperLayer = r.u8() === 1;
    if (has(17)) p.exeFromMemfd = r.u8() === 1;
    if (has(18)) p.exeIno = r.uvarint();
    if (has(19)) p.exeInoCtime = r.i64();
    if (has(20)) p.exeInoMtime = r.i64();
    if (has(21)) p.pidnsInitStartTs = r.i64();
    if (has(22)) p.category = this.str(r) as ProcessCategory;
    if (has(23)) p.runtimeSetup = r.u8() === 1;
    if (parentId !== 0) p.parent = this.ref(this.processes, parentId, 'process');
    if (containerId !== 0) p.container = this.ref(this.containers, containerId, 'container');
    this.processes.set(id, createProcess(p));
  }

  private fd(r: ByteReader): void {
    const id = r.uvarint();
    const mask = r.uvarint();
    const f: { -readonly [K in keyof FdInfo]: FdInfo[K] } = {
      num: r.svarint(),
      type: this.str(r) as FdType,
      name: this.str(r),
    };
    if (bit(mask, 0)) f.nameRaw = this.str(r);
    if (bit(mask, 1)) f.l4proto = this.str(r) as L4Proto;
    if (bit(mask, 2)) f.cip = this.str(r);
    if (bit(mask, 3)) f.sip = this.str(r);
    if (bit(mask, 4)) f.cipName = this.str(r);
    if (bit(mask, 5)) f.sipName = this.str(r);
    if (bit(mask, 6)) f.cport = r.uvarint();
    if (bit(mask, 7)) f.sport = r.uvarint();
    if (bit(mask, 8)) f.dev = r.uvarint();
    if (bit(mask, 9)) f.ino = r.uvarint();
    if (bit(mask, 10)) f.isServer = r.u8() === 1;
    if (bit(mask, 11)) f.connected = r.u8() === 1;
    if (bit(mask, 12)) f.nameChanged = r.u8() === 1;
    this.fds.set(id, createFd(f));
  }
}
