import { CeranaError } from '../../common/errors.js';
import { createContainer, createEvent, createFd, createProcess, type ProcessInit } from './factory.js';
import type { ArgValue, ContainerInfo, FdInfo, ProcessInfo, RuntimeEvent } from './types.js';

/**
 * The readable recording format: JSON lines with the same structure as the binary one
 * (processes, containers and fds written once, referenced by id from events). Slower to
 * decode; meant for inspection, hand-written fixtures and tools that cannot read binary.
 *
 *   {"t":"c","ref":1,...container}   {"t":"p","ref":1,"parent":0,"container":1,...process}
 *   {"t":"f","ref":1,...fd}          {"t":"e","num":1,"ts":"1700000000000000000","proc":1,...event}
 *
 * Nanosecond times are strings; bigint arguments are {"big":"..."}, byte buffers {"b64":"..."}.
 * {"t":"x","forget":[["p",3],["f",9]]} drops snapshots the sensor no longer holds.
 */

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
type JsonObject = { [k: string]: JsonValue };

const BIGINT_FIELDS = new Set([
  'startTs',
  'capEffective',
  'capPermitted',
  'capInheritable',
  'exeInoCtime',
  'exeInoMtime',
  'pidnsInitStartTs',
]);

/** Plain copy of an object's own fields, bigints as strings, nested objects dropped. */
function plainFields(obj: object, skip: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (skip.has(k) || v === undefined) continue;
    out[k] = typeof v === 'bigint' ? v.toString() : (v as JsonValue);
  }
  return out;
}

function encodeArg(v: ArgValue): JsonValue {
  if (typeof v === 'bigint') return { big: v.toString() };
  if (v instanceof Uint8Array) return { b64: Buffer.from(v).toString('base64') };
  if (typeof v === 'number' && !Number.isFinite(v)) return { num: String(v) };
  return v;
}

export class JsonRecordWriter {
  private lines: string[] = [];
  private readonly containers = new WeakMap<ContainerInfo, number>();
  private readonly processes = new WeakMap<ProcessInfo, number>();
  private readonly fds = new WeakMap<FdInfo, number>();
  private nextContainer = 1;
  private nextProcess = 1;
  private nextFd = 1;
  private forgotten: [kind: 'c' | 'p' | 'f', ref: number][] = [];
  private readonly released = new FinalizationRegistry<['c' | 'p' | 'f', number]>((held) =>
    this.forgotten.push(held),
  );

  write(e: RuntimeEvent): void {
    if (this.forgotten.length > 0) {
      this.lines.push(JSON.stringify({ t: 'x', forget: this.forgotten }));
      this.forgotten = [];
    }
    const proc = this.process(e.proc);
    const fd = e.fd === undefined ? undefined : this.fd(e.fd);
    const args: JsonObject = {};
    for (const name in e.args) args[name] = encodeArg(e.args[name] as ArgValue);
    const rec: JsonObject = {
      t: 'e',
      num: e.num,
      ts: e.ts.toString(),
      type: e.type,
      dir: e.dir,
      tid: e.tid,
      proc,
    };
    if (e.vtid !== undefined) rec.vtid = e.vtid;
    if (e.cpu !== undefined) rec.cpu = e.cpu;
    if (e.res !== undefined) rec.res = e.res;
    if (fd !== undefined) rec.fd = fd;
    rec.args = args;
    this.lines.push(JSON.stringify(rec));
  }

  /** The lines produced since the last call, newline terminated. */
  take(): Buffer {
    const out = this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
    this.lines = [];
    return Buffer.from(out, 'utf8');
  }

  private container(c: ContainerInfo): number {
    const known = this.containers.get(c);
    if (known !== undefined) return known;
    const id = this.nextContainer++;
    this.containers.set(c, id);
    this.released.register(c, ['c', id]);
    const rec = { t: 'c', ref: id, ...plainFields(c, new Set(['mounts', 'labels'])) } as JsonObject;
    if (c.mounts !== undefined) rec.mounts = c.mounts.map((m) => plainFields(m, new Set()));
    rec.labels = { ...c.labels };
    this.lines.push(JSON.stringify(rec));
    return id;
  }

  private process(p: ProcessInfo): number {
    const known = this.processes.get(p);
    if (known !== undefined) return known;
    const parent = p.parent === undefined ? 0 : this.process(p.parent);
    const container = p.container === undefined ? 0 : this.container(p.container);
    const id = this.nextProcess++;
    this.processes.set(p, id);
    this.released.register(p, ['p', id]);
    const rec: JsonObject = {
      t: 'p',
      ref: id,
      parent,
      container,
      ...plainFields(
        p,
        new Set(['parent', 'container', 'cmdline', 'argsLine', 'user', 'group', 'args', 'env']),
      ),
      args: [...p.args],
      user: { ...p.user },
      group: { ...p.group },
    };
    if (p.env !== undefined) rec.env = [...p.env];
    this.lines.push(JSON.stringify(rec));
    return id;
  }

  private fd(f: FdInfo): number {
    const known = this.fds.get(f);
    if (known !== undefined) return known;
    const id = this.nextFd++;
    this.fds.set(f, id);
    this.released.register(f, ['f', id]);
    this.lines.push(JSON.stringify({ t: 'f', ref: id, ...plainFields(f, new Set()) }));
    return id;
  }
}

function invalid(line: number, message: string): CeranaError {
  return new CeranaError('INPUT', `invalid JSON event recording at line ${line}: ${message}`);
}

function decodeArg(v: unknown, line: number): ArgValue {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.big === 'string') return BigInt(o.big);
    if (typeof o.b64 === 'string') return new Uint8Array(Buffer.from(o.b64, 'base64'));
    if (typeof o.num === 'string') return Number(o.num);
  }
  throw invalid(line, 'unsupported argument value');
}

function withBigints<T>(rec: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...rec };
  for (const k of BIGINT_FIELDS) if (typeof out[k] === 'string') out[k] = BigInt(out[k] as string);
  return out as T;
}

/** Decodes a JSON-lines recording fed in chunks of any size. */
export class JsonRecordReader {
  private readonly containers = new Map<number, ContainerInfo>();
  private readonly processes = new Map<number, ProcessInfo>();
  private readonly fds = new Map<number, FdInfo>();
  /** Bytes after the last newline: kept as bytes, a chunk may end inside a UTF-8 sequence. */
  private partial: Buffer | undefined;
  private line = 0;

  push(chunk: Uint8Array, onEvent: (e: RuntimeEvent) => void): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.partial !== undefined) buf = Buffer.concat([this.partial, buf]);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      this.decodeLine(buf.toString('utf8', start, nl), onEvent);
      start = nl + 1;
    }
    this.partial = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }

  end(onEvent: (e: RuntimeEvent) => void): void {
    if (this.partial !== undefined) this.decodeLine(this.partial.toString('utf8'), onEvent);
    this.partial = undefined;
  }

  private decodeLine(text: string, onEvent: (e: RuntimeEvent) => void): void {
    this.line++;
    if (text.trim().length === 0) return;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw invalid(this.line, err instanceof Error ? err.message : String(err));
    }
    const { t, ref, ...fields } = rec;
    switch (t) {
      case 'e':
        onEvent(this.event(fields));
        return;
      case 'p':
        this.processes.set(Number(ref), this.process(fields));
        return;
      case 'c':
        this.need(
          ['id', 'name', 'image', 'type', 'fullId'].every((k) => typeof fields[k] === 'string') &&
            typeof fields.labels === 'object' &&
            fields.labels !== null,
          'a container needs id, fullId, name, image, type and labels',
        );
        this.containers.set(Number(ref), createContainer(withBigints<ContainerInfo>(fields)));
        return;
      case 'x':
        this.need(Array.isArray(fields.forget), 'a forget record needs a forget list');
        for (const entry of fields.forget as unknown[]) {
          const [kind, n] = Array.isArray(entry) ? entry : [];
          const table: Map<number, unknown> =
            kind === 'p' ? this.processes : kind === 'f' ? this.fds : this.containers;
          table.delete(Number(n));
        }
        return;
      case 'f':
        this.need(
          typeof fields.num === 'number' &&
            typeof fields.type === 'string' &&
            typeof fields.name === 'string',
          'an fd needs num, type and name',
        );
        this.fds.set(Number(ref), createFd(fields as unknown as FdInfo));
        return;
      default:
        throw invalid(this.line, `unknown record type ${JSON.stringify(t)}`);
    }
  }

  /** How many processes, fds and containers the reader holds (bounded by forget records). */
  get tableSizes(): { processes: number; fds: number; containers: number } {
    return { processes: this.processes.size, fds: this.fds.size, containers: this.containers.size };
  }

  private lookup<T>(map: Map<number, T>, id: unknown, what: string): T {
    const v = map.get(Number(id));
    if (v === undefined) throw invalid(this.line, `undefined ${what} ${String(id)}`);
    return v;
  }

  private need(ok: boolean, what: string): void {
    if (!ok) throw invalid(this.line, what);
  }

  private process(fields: Record<string, unknown>): ProcessInfo {
    const { parent, container, ...rest } = fields;
    const user = rest.user as { uid?: unknown } | undefined;
    const group = rest.group as { gid?: unknown } | undefined;
    this.need(
      typeof rest.pid === 'number' &&
        typeof rest.ppid === 'number' &&
        typeof rest.name === 'string' &&
        typeof rest.exe === 'string' &&
        typeof rest.exePath === 'string' &&
        Array.isArray(rest.args) &&
        rest.args.every((a) => typeof a === 'string') &&
        typeof user?.uid === 'number' &&
        typeof group?.gid === 'number',
      'a process needs pid, ppid, name, exe, exePath, args (strings), user.uid and group.gid',
    );
    const init = withBigints<{ -readonly [K in keyof ProcessInit]: ProcessInit[K] }>(rest);
    if (Number(parent) !== 0) init.parent = this.lookup(this.processes, parent, 'process');
    if (Number(container) !== 0) init.container = this.lookup(this.containers, container, 'container');
    return createProcess(init);
  }

  private event(fields: Record<string, unknown>): RuntimeEvent {
    this.need(
      typeof fields.num === 'number' &&
        typeof fields.ts === 'string' &&
        /^-?[0-9]+$/.test(fields.ts) &&
        typeof fields.type === 'string' &&
        typeof fields.tid === 'number',
      'an event needs num, ts (integer string), type and tid',
    );
    const args: Record<string, ArgValue> = {};
    for (const [k, v] of Object.entries((fields.args ?? {}) as Record<string, unknown>))
      args[k] = decodeArg(v, this.line);
    return createEvent({
      num: Number(fields.num),
      ts: BigInt(String(fields.ts)),
      type: String(fields.type),
      dir: fields.dir === '>' ? '>' : '<',
      tid: Number(fields.tid),
      vtid: fields.vtid === undefined ? undefined : Number(fields.vtid),
      cpu: fields.cpu === undefined ? undefined : Number(fields.cpu),
      res: fields.res === undefined ? undefined : Number(fields.res),
      args,
      proc: this.lookup(this.processes, fields.proc, 'process'),
      fd: fields.fd === undefined ? undefined : this.lookup(this.fds, fields.fd, 'fd'),
    });
  }
}
